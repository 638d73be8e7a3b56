/**
 * Frame records: what every visualizer renders. The parser builds them for frames read
 * (buildFrameRecord), describeFrame for frames written; both decode the header with header.ts and
 * explain it with field-meanings.ts, so a frame reads the same whichever side produced it.
 */
import { CLOSE_CODE_BYTES, MASKING_KEY_BYTES, MIN_HEADER_BYTES, Opcode } from '../constants.ts';
import { decodeUtf8, isValidUtf8 } from '../utf8.ts';
import type { ProtocolViolation } from '../violation.ts';
import { headerFieldRecords, payloadFieldRecord } from './field-meanings.ts';
import {
  FIN_BIT,
  MASK_BIT,
  OPCODE_BITS,
  PAYLOAD_LENGTH_BITS,
  RSV1_BIT,
  RSV2_BIT,
  RSV3_BIT,
  declaredPayloadLength,
  extendedLengthBytes,
  frameStartViolation,
  headerLengthOf,
  lengthEncodingOf,
  lengthHighWord,
  opcodeName,
  payloadLengthViolation,
} from './header.ts';
import { applyMask } from './mask.ts';
import type { Direction, FieldRecord, FrameRecord, Role } from './types.ts';
import { copyBytes } from '../copy-bytes.ts';

/** What the record of one frame is made of; the record takes ownership of the arrays. */
export interface FrameRecordParts {
  readonly direction: Direction;
  readonly index: number;
  readonly streamOffset: number;
  /** The header bytes read (all of them, or the prefix read before a violation). */
  readonly header: Uint8Array;
  /** Declared payload length; 0 when the length field was not read. */
  readonly payloadLength: number;
  /** Whether the payload was read (false for a header cut short by a violation). */
  readonly payloadRead: boolean;
  readonly wirePreview: Uint8Array;
  readonly unmaskedPreview: Uint8Array;
  /** The whole unmasked payload of a close frame, to read its status code and reason. */
  readonly closePayload: Uint8Array | null;
  readonly violation: ProtocolViolation | null;
}

const EMPTY = new Uint8Array(0);

/** The endpoint that reads frames travelling in `direction`. */
export function receiverOf(direction: Direction): Role {
  return direction === 'client-to-server' ? 'server' : 'client';
}

export function directionReadBy(role: Role): Direction {
  return role === 'server' ? 'client-to-server' : 'server-to-client';
}

export function buildFrameRecord(parts: FrameRecordParts): FrameRecord {
  const { header } = parts;
  const first = header[0] ?? 0;
  const second = header[1] ?? 0;
  const lengthKnown = header.length >= MIN_HEADER_BYTES;
  const masked = lengthKnown && (second & MASK_BIT) !== 0;
  const keyAt = MIN_HEADER_BYTES + extendedLengthBytes(second & PAYLOAD_LENGTH_BITS);
  const maskingKey = masked && header.length >= keyAt + MASKING_KEY_BYTES
    ? header.slice(keyAt, keyAt + MASKING_KEY_BYTES)
    : null;
  const headerComplete = lengthKnown && header.length === headerLengthOf(second);
  const fields: FieldRecord[] = headerFieldRecords(header, header.length, parts.direction);
  if (headerComplete && parts.payloadRead) {
    fields.push(payloadFieldRecord(header, header.length, parts.payloadLength));
  }
  const opcode = first & OPCODE_BITS;
  const record: {
    -readonly [K in keyof FrameRecord]: FrameRecord[K];
  } = {
    direction: parts.direction,
    index: parts.index,
    streamOffset: parts.streamOffset,
    header,
    fin: (first & FIN_BIT) !== 0,
    rsv1: (first & RSV1_BIT) !== 0,
    rsv2: (first & RSV2_BIT) !== 0,
    rsv3: (first & RSV3_BIT) !== 0,
    opcode,
    opcodeName: opcodeName(opcode),
    masked,
    maskingKey,
    lengthEncoding: lengthEncodingOf(second & PAYLOAD_LENGTH_BITS),
    payloadLength: parts.payloadLength,
    headerLength: header.length,
    frameLength: header.length + parts.payloadLength,
    fields,
    payload: {
      wire: parts.wirePreview,
      unmasked: parts.unmaskedPreview,
      truncated: parts.wirePreview.length < parts.payloadLength,
    },
  };
  // RFC 6455 §5.5.1: the first two bytes of a close payload are the status code, the rest the reason.
  const closePayload = parts.closePayload;
  if (opcode === Opcode.Close && closePayload !== null && closePayload.length >= CLOSE_CODE_BYTES) {
    record.closeCode = (closePayload[0]! << 8) | closePayload[1]!;
    const reason = closePayload.subarray(CLOSE_CODE_BYTES);
    if (isValidUtf8(reason)) record.closeReason = decodeUtf8(reason);
  }
  if (parts.violation !== null) record.violation = parts.violation;
  return record;
}

/**
 * The record of one frame from its header and its payload as on the wire (masked when the frame is),
 * e.g. a frame this endpoint writes as two chunks. Rules the receiver would enforce are checked
 * (except RSV1, legitimate under permessage-deflate), so a deliberately broken frame sent for
 * teaching carries the violation its peer will report.
 */
export function describeFrameParts(
  header: Uint8Array,
  wirePayload: Uint8Array,
  direction: Direction,
  index: number,
  streamOffset: number,
  previewBytes: number,
): FrameRecord {
  const headerBytes = header.slice();
  const complete = headerBytes.length >= MIN_HEADER_BYTES && headerBytes.length >= headerLengthOf(headerBytes[1]!);
  if (!complete) {
    return buildFrameRecord({
      direction, index, streamOffset, header: headerBytes, payloadLength: 0, payloadRead: false,
      wirePreview: EMPTY, unmaskedPreview: EMPTY, closePayload: null, violation: null,
    });
  }
  const headerLength = headerLengthOf(headerBytes[1]!);
  const exactHeader = headerBytes.subarray(0, headerLength);
  const payloadLength = declaredPayloadLength(exactHeader);
  const lengthOffset = streamOffset + (extendedLengthBytes(exactHeader[1]! & PAYLOAD_LENGTH_BITS) === 0 ? 1 : 2);
  const violation =
    frameStartViolation(exactHeader[0]!, exactHeader[1]!, receiverOf(direction), true, streamOffset) ??
    payloadLengthViolation(exactHeader[0]! & OPCODE_BITS, lengthHighWord(exactHeader), payloadLength,
      Number.POSITIVE_INFINITY, lengthOffset);
  const payload = wirePayload.subarray(0, Math.min(wirePayload.length, payloadLength));
  const previewLength = Math.min(previewBytes, payload.length);
  const wirePreview = copyBytes(payload, 0, previewLength);
  const unmaskedPreview = wirePreview.slice();
  const masked = (exactHeader[1]! & MASK_BIT) !== 0;
  const maskingKey = exactHeader.subarray(headerLength - MASKING_KEY_BYTES, headerLength);
  if (masked) applyMask(unmaskedPreview, maskingKey, 0);
  let closePayload: Uint8Array | null = null;
  if ((exactHeader[0]! & OPCODE_BITS) === Opcode.Close) {
    closePayload = copyBytes(payload);
    if (masked) applyMask(closePayload, maskingKey, 0);
  }
  return buildFrameRecord({
    direction, index, streamOffset, header: exactHeader, payloadLength, payloadRead: true,
    wirePreview, unmaskedPreview, closePayload, violation,
  });
}

/**
 * The record of one complete frame from its bytes, for frames the connection writes. Bytes past the
 * frame are ignored; a frame cut short is described as far as its bytes go.
 */
export function describeFrame(
  bytes: Uint8Array,
  direction: Direction,
  index: number,
  streamOffset: number,
  previewBytes: number,
): FrameRecord {
  const headerLength = bytes.length >= MIN_HEADER_BYTES ? Math.min(headerLengthOf(bytes[1]!), bytes.length) : bytes.length;
  return describeFrameParts(bytes.subarray(0, headerLength), bytes.subarray(headerLength), direction, index,
    streamOffset, previewBytes);
}
