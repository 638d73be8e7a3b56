/**
 * The write side of a connection: turns frames into the byte chunks the host writes, in order, masking
 * every frame a client sends with a fresh key (RFC 6455 §5.3), and describing each frame written when
 * recording, with the same record code the parser uses (frame/record.ts).
 *
 * Copies: a client's payload must be masked, which needs a copy (the caller's bytes are never
 * mutated), so header and payload are built as one chunk. A server's payload goes out as is: large
 * ones as a separate chunk after the header (no copy; the caller must not change the bytes until the
 * host has written them), small ones joined to the header, where one copy is cheaper than one more
 * write for the socket.
 */
import { allocate } from './byte-pool.ts';
import { MASKING_KEY_BYTES, Opcode } from './constants.ts';
import { applyMask } from './frame/mask.ts';
import { describeFrameParts } from './frame/record.ts';
import { encodeFrameHeader, fragmentPayload, type OutgoingFrame } from './frame/serializer.ts';
import type { Direction, FrameRecord, Role } from './frame/types.ts';
import { withInflated } from './inflated-record.ts';

/** Unmasked payloads up to this size are copied next to their header rather than written separately. */
const JOIN_PAYLOAD_BYTES = 1024;
/** Masking keys are cut from one call to the random source: a call per frame would dominate small frames. */
const KEY_POOL_BYTES = 64 * MASKING_KEY_BYTES;

export type RandomBytes = (length: number) => Uint8Array;

/** crypto.getRandomValues is a global in browsers and Node alike: RFC 6455 §10.3 wants unpredictable keys. */
function cryptoRandomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

export class FrameWriter {
  readonly #masks: boolean;
  readonly #direction: Direction;
  /** -1 when no records are built. */
  readonly #previewBytes: number;
  /** A caller's source is asked for exactly 4 bytes per frame, so tests can predict every key. */
  readonly #randomBytes: RandomBytes | undefined;
  #keyPool: Uint8Array | null = null;
  #keyPoolAt = 0;
  #chunks: Uint8Array[] | null = null;
  #frameIndex = 0;
  #streamOffset = 0;
  /** Receives the record of each frame written; null when not recording. */
  readonly #onRecord: ((record: FrameRecord) => void) | null;

  constructor(
    role: Role,
    randomBytes: RandomBytes | undefined,
    recordPreviewBytes: number | undefined,
    onRecord: ((record: FrameRecord) => void) | null,
  ) {
    this.#onRecord = onRecord;
    this.#masks = role === 'client';
    this.#direction = role === 'client' ? 'client-to-server' : 'server-to-client';
    this.#randomBytes = randomBytes;
    this.#previewBytes = recordPreviewBytes ?? -1;
  }

  /**
   * Queues one message (RFC 6455 §5.4): one frame, or fragments of at most `fragmentSize` bytes as a
   * first frame and continuation frames. A compressed payload is fragmented after compression, with
   * RSV1 ("Per-Message Compressed") on the first frame only (RFC 7692 §6.1); `message` is what it
   * inflates to, for the final frame's record.
   */
  writeMessage(opcode: number, payload: Uint8Array, compressed: boolean, fragmentSize: number | undefined,
    message: Uint8Array): void {
    const inflated = compressed ? message : null;
    if (fragmentSize === undefined || payload.length <= fragmentSize) {
      this.write({ fin: true, rsv1: compressed, opcode, payload }, inflated);
      return;
    }
    const fragments = fragmentPayload(payload, fragmentSize);
    const last = fragments.length - 1;
    for (let i = 0; i <= last; i++) {
      const first = i === 0;
      this.write({ fin: i === last, rsv1: compressed && first, opcode: first ? opcode : Opcode.Continuation,
        payload: fragments[i]! }, i === last ? inflated : null);
    }
  }

  /**
   * Queues one frame. A maskingKey of undefined means "as the role requires" (a fresh key for a
   * client, none for a server); null or a key is written as given (sendRawFrame). `inflated` is the
   * message a compressed message's final frame inflates to, for its record.
   */
  write(frame: OutgoingFrame, inflated: Uint8Array | null = null): void {
    const maskingKey = frame.maskingKey === undefined ? (this.#masks ? this.#nextKey() : null) : frame.maskingKey;
    const payload = frame.payload;
    let header: Uint8Array;
    let wirePayload: Uint8Array;
    let frameLength: number;
    if (maskingKey !== null) {
      // serializeFrame's layout, in pooled memory (see byte-pool.ts): header, then the masked copy.
      header = encodeFrameHeader(frame.maskingKey === maskingKey ? frame : withKey(frame, maskingKey));
      const bytes = allocate(header.length + payload.length);
      bytes.set(header, 0);
      bytes.set(payload, header.length);
      wirePayload = bytes.subarray(header.length);
      applyMask(wirePayload, maskingKey, 0);
      this.#queue(bytes);
      frameLength = bytes.length;
    } else {
      header = encodeFrameHeader(frame); // maskingKey is null or absent here: unmasked
      if (payload.length <= JOIN_PAYLOAD_BYTES) {
        const bytes = allocate(header.length + payload.length);
        bytes.set(header, 0);
        bytes.set(payload, header.length);
        this.#queue(bytes);
      } else {
        this.#queue(header, payload);
      }
      wirePayload = payload;
      frameLength = header.length + payload.length;
    }
    if (this.#previewBytes >= 0) {
      const record = describeFrameParts(header, wirePayload, this.#direction, this.#frameIndex, this.#streamOffset,
        this.#previewBytes);
      this.#onRecord!(inflated === null ? record : withInflated(record, inflated, this.#previewBytes));
    }
    this.#frameIndex++;
    this.#streamOffset += frameLength;
  }

  /** Drains the chunks to write, in order. */
  take(): Uint8Array[] {
    const chunks = this.#chunks;
    if (chunks === null) return [];
    this.#chunks = null;
    return chunks;
  }

  /** Made on the first chunk after each take(): an idle connection holds no array. */
  #queue(chunk: Uint8Array, second?: Uint8Array): void {
    const chunks = (this.#chunks ??= []);
    chunks.push(chunk);
    if (second !== undefined) chunks.push(second);
  }

  #nextKey(): Uint8Array {
    if (this.#randomBytes !== undefined) {
      const key = this.#randomBytes(MASKING_KEY_BYTES);
      if (key.length !== MASKING_KEY_BYTES) {
        throw new RangeError(`randomBytes(${MASKING_KEY_BYTES}) returned ${key.length} bytes`);
      }
      return key;
    }
    if (this.#keyPool === null || this.#keyPoolAt === KEY_POOL_BYTES) {
      this.#keyPool = cryptoRandomBytes(KEY_POOL_BYTES);
      this.#keyPoolAt = 0;
    }
    const key = this.#keyPool.subarray(this.#keyPoolAt, this.#keyPoolAt + MASKING_KEY_BYTES);
    this.#keyPoolAt += MASKING_KEY_BYTES;
    return key;
  }
}

function withKey(frame: OutgoingFrame, maskingKey: Uint8Array | null): OutgoingFrame {
  return {
    fin: frame.fin,
    rsv1: frame.rsv1 ?? false,
    rsv2: frame.rsv2 ?? false,
    rsv3: frame.rsv3 ?? false,
    opcode: frame.opcode,
    payload: frame.payload,
    maskingKey,
  };
}
