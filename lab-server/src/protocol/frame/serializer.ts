/**
 * Writing frames (RFC 6455 §5.2): the header in its minimal length encoding, then the payload,
 * masked with the frame's masking key when it has one (client frames, RFC 6455 §5.3).
 * The serializer writes what it is given: which frames are legal to send is the connection's concern,
 * so a teaching tool can also write deliberately broken frames.
 */
import {
  LENGTH_16BIT_MARKER,
  LENGTH_64BIT_MARKER,
  MASKING_KEY_BYTES,
  MAX_16BIT_LENGTH,
  MAX_7BIT_LENGTH,
  MIN_HEADER_BYTES,
} from '../constants.ts';
import { FIN_BIT, MASK_BIT, OPCODE_BITS, RSV1_BIT, RSV2_BIT, RSV3_BIT } from './header.ts';
import { applyMask } from './mask.ts';

export interface OutgoingFrame {
  readonly fin: boolean;
  readonly rsv1?: boolean;
  readonly rsv2?: boolean;
  readonly rsv3?: boolean;
  readonly opcode: number;
  readonly payload: Uint8Array;
  /** 4 bytes: the frame is masked with it. Absent or null: the frame is not masked. */
  readonly maskingKey?: Uint8Array | null;
}

const TWO_TO_32 = 0x1_0000_0000;

/** 2 to 14 bytes: FIN, RSV1-3, opcode, MASK, the length in its minimal encoding, the masking key. */
export function encodeFrameHeader(frame: OutgoingFrame): Uint8Array {
  const payloadLength = frame.payload.length;
  const maskingKey = frame.maskingKey ?? null;
  if (maskingKey !== null && maskingKey.length !== MASKING_KEY_BYTES) {
    throw new RangeError(`a masking key is ${MASKING_KEY_BYTES} bytes, got ${maskingKey.length} (RFC 6455 §5.3)`);
  }
  // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
  const extendedBytes = payloadLength <= MAX_7BIT_LENGTH ? 0 : payloadLength <= MAX_16BIT_LENGTH ? 2 : 8;
  const keyAt = MIN_HEADER_BYTES + extendedBytes;
  const header = new Uint8Array(keyAt + (maskingKey === null ? 0 : MASKING_KEY_BYTES));
  header[0] = (frame.fin ? FIN_BIT : 0) | (frame.rsv1 === true ? RSV1_BIT : 0) |
    (frame.rsv2 === true ? RSV2_BIT : 0) | (frame.rsv3 === true ? RSV3_BIT : 0) | (frame.opcode & OPCODE_BITS);
  const maskBit = maskingKey === null ? 0 : MASK_BIT;
  if (extendedBytes === 0) {
    header[1] = maskBit | payloadLength;
  } else if (extendedBytes === 2) {
    header[1] = maskBit | LENGTH_16BIT_MARKER;
    header[2] = payloadLength >>> 8;
    header[3] = payloadLength & 0xff;
  } else {
    header[1] = maskBit | LENGTH_64BIT_MARKER;
    const high = Math.floor(payloadLength / TWO_TO_32);
    const low = payloadLength >>> 0;
    header[2] = high >>> 24;
    header[3] = (high >>> 16) & 0xff;
    header[4] = (high >>> 8) & 0xff;
    header[5] = high & 0xff;
    header[6] = low >>> 24;
    header[7] = (low >>> 16) & 0xff;
    header[8] = (low >>> 8) & 0xff;
    header[9] = low & 0xff;
  }
  if (maskingKey !== null) header.set(maskingKey, keyAt);
  return header;
}

/** Header and payload in one buffer; the payload is masked in the copy, never in frame.payload. */
export function serializeFrame(frame: OutgoingFrame): Uint8Array {
  const header = encodeFrameHeader(frame);
  const bytes = new Uint8Array(header.length + frame.payload.length);
  bytes.set(header, 0);
  bytes.set(frame.payload, header.length);
  const maskingKey = frame.maskingKey ?? null;
  if (maskingKey !== null) applyMask(bytes.subarray(header.length), maskingKey, 0);
  return bytes;
}

/**
 * Splits a message payload into fragments of at most `fragmentSize` bytes (RFC 6455 §5.4), as views
 * into `payload`. An empty payload gives one empty fragment: a message is always at least one frame.
 */
export function fragmentPayload(payload: Uint8Array, fragmentSize: number): Uint8Array[] {
  if (!Number.isSafeInteger(fragmentSize) || fragmentSize < 1) {
    throw new RangeError(`fragment size must be a positive integer, got ${fragmentSize}`);
  }
  if (payload.length === 0) return [payload];
  const fragments: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += fragmentSize) {
    fragments.push(payload.subarray(at, Math.min(at + fragmentSize, payload.length)));
  }
  return fragments;
}
