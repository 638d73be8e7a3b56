/**
 * The one frame parser of the project: an incremental, sans-I/O state machine over RFC 6455 §5.2.
 *
 *   Header --2 bytes--> [ExtendedLength --2 or 8 bytes-->] [MaskingKey --4 bytes-->] Payload --> Header
 *
 * Each state consumes what the chunk offers and waits for more, so any chunking works, down to one
 * byte at a time. Rules are checked at the first byte that can break them: RSV bits, opcode, FIN of
 * control frames and MASK as soon as the first two bytes are in; length rules, including
 * maxFramePayload (1009), as soon as the length field is complete, before any payload is buffered.
 * A violation is a value (never an exception): push() stops there and ignores all later input.
 *
 * Ownership: push() takes ownership of the chunk. Masked payloads are unmasked in place (as ws does),
 * and a payload that lies wholly inside one chunk is handed on as a view into it, so the common case
 * costs no copy. A payload that spans chunks is assembled by spanning-payload.ts: up to 64 KiB in a view
 * of a shared slab, larger ones in a buffer made only once half of it has arrived, so memory follows
 * what the peer sent rather than what it declared.
 * Callers must not reuse a chunk's memory after pushing it.
 */
import { CloseCode, MASKING_KEY_BYTES, MIN_HEADER_BYTES, Opcode } from '../constants.ts';
import { violation, type ProtocolViolation } from '../violation.ts';
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
  lengthHighWord,
  payloadLengthViolation,
  sevenBitPayloadLength,
} from './header.ts';
import { applyMask } from './mask.ts';
import { FrameRecorder, type RecordedFrame } from './frame-recorder.ts';
import { SpanningPayload, UNBUFFERABLE } from './spanning-payload.ts';
import type { Frame, FrameRecord, Role } from './types.ts';

export interface FrameParserOptions {
  /** Role of the RECEIVING endpoint: 'server' expects masked frames, 'client' unmasked (RFC 6455 §5.1). */
  readonly role: Role;
  /** permessage-deflate negotiated: RSV1 may be set (whether on a first frame is the connection's check). */
  readonly allowRsv1?: boolean;
  /** A frame declaring a longer payload fails with 1009 before anything is buffered. */
  readonly maxFramePayload?: number;
  /** When set, each Frame carries a FrameRecord keeping this many payload bytes. */
  readonly recordPreviewBytes?: number;
  /**
   * Memory for payloads over 64 KiB that span chunks (the parser overwrites every byte; smaller ones come
   * from a shared slab, payload-slab.ts). Default `new Uint8Array`. A host that knows when a payload is no
   * longer used may hand out recycled buffers (the lab server's /echo does, node/echo-memory.ts).
   */
  readonly allocate?: (length: number) => Uint8Array;
}

const State = {
  Header: 0,
  ExtendedLength: 1,
  MaskingKey: 2,
  Payload: 3,
  Failed: 4,
} as const;
type State = (typeof State)[keyof typeof State];

/** 2 + 8 bytes of extended length + 4 bytes of masking key (RFC 6455 §5.2). */
const MAX_HEADER_BYTES = 14;
/** The header buffer also holds the current masking key behind the header, so one allocation serves both. */
const HEADER_BUFFER_BYTES = MAX_HEADER_BYTES + MASKING_KEY_BYTES;
/** Shared by parsers that have not read a byte yet: an idle connection allocates no buffer of its own. */
const NO_BYTES_YET = new Uint8Array(HEADER_BUFFER_BYTES);
const EMPTY = new Uint8Array(0);

export class FrameParser {
  readonly #role: Role;
  readonly #allowRsv1: boolean;
  readonly #maxFramePayload: number;
  /** Null when no records are built. */
  readonly #recorder: FrameRecorder | null;
  readonly #allocate: ((length: number) => Uint8Array) | undefined;

  #state: State = State.Header;
  /**
   * The current frame's header bytes (always copied here, as they are at most 14), then the masking
   * key at MAX_HEADER_BYTES. Allocated at the first push(): thousands of idle connections each save
   * the ~200 B a typed array and its ArrayBuffer cost.
   */
  #header = NO_BYTES_YET;
  #headerFilled = 0;
  #headerLength = MIN_HEADER_BYTES;
  #lengthRead = false;
  #payloadLength = 0;
  #masked = false;
  /** A view of the header buffer's last 4 bytes, made with the buffer. */
  #maskingKey = NO_BYTES_YET;
  /** The current payload when it spans chunks (see spanning-payload.ts); null otherwise. */
  #spanning: SpanningPayload | null = null;
  #frameStart = 0;
  #frameIndex = 0;
  #bytesConsumed = 0;
  #violation: ProtocolViolation | null = null;
  #violationRecord: FrameRecord | null = null;

  constructor(options: FrameParserOptions) {
    this.#role = options.role;
    this.#allowRsv1 = options.allowRsv1 ?? false;
    this.#maxFramePayload = options.maxFramePayload ?? Number.POSITIVE_INFINITY;
    const previewBytes = options.recordPreviewBytes;
    this.#recorder = previewBytes === undefined ? null : new FrameRecorder(previewBytes, options.role);
    this.#allocate = options.allocate;
  }

  /** The rule the input broke, or null. Once set, all later input is ignored. */
  get violation(): ProtocolViolation | null {
    return this.#violation;
  }

  /** When recording: the header fields read before the violation, with .violation set. */
  get violationRecord(): FrameRecord | null {
    return this.#violationRecord;
  }

  /** Bytes of the stream consumed so far (the offset of the next byte). */
  get bytesConsumed(): number {
    return this.#bytesConsumed;
  }

  /**
   * Feeds the next bytes of the stream, in any chunking, and takes ownership of `chunk` (see the
   * file comment). Returns the frames this chunk completed, in order. On a violation, returns the
   * frames completed before it and sets `violation`; never throws on any input.
   */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    if (this.#state === State.Failed) return frames;
    if (this.#header === NO_BYTES_YET) {
      this.#header = new Uint8Array(HEADER_BUFFER_BYTES);
      this.#maskingKey = this.#header.subarray(MAX_HEADER_BYTES);
    }
    const chunkStart = this.#bytesConsumed;
    const length = chunk.length;
    let position = 0;
    while (position < length) {
      // The cast undoes TypeScript's narrowing from the check above: the calls below change the state.
      switch (this.#state as State) {
        case State.Header:
          position = this.#fillHeader(chunk, position, MIN_HEADER_BYTES);
          if (this.#headerFilled === MIN_HEADER_BYTES) this.#readFirstBytes(frames);
          break;
        case State.ExtendedLength: {
          const lengthEnd = MIN_HEADER_BYTES + extendedLengthBytes(this.#header[1]! & PAYLOAD_LENGTH_BITS);
          position = this.#fillHeader(chunk, position, lengthEnd);
          if (this.#headerFilled === lengthEnd) this.#readExtendedLength(frames);
          break;
        }
        case State.MaskingKey:
          position = this.#fillHeader(chunk, position, this.#headerLength);
          if (this.#headerFilled === this.#headerLength) {
            const keyAt = this.#headerLength - MASKING_KEY_BYTES;
            const header = this.#header;
            for (let i = 0; i < MASKING_KEY_BYTES; i++) header[MAX_HEADER_BYTES + i] = header[keyAt + i]!;
            this.#headerDone(frames);
          }
          break;
        case State.Payload:
          position = this.#readPayload(chunk, position, frames);
          break;
        case State.Failed:
          // Input after a violation is ignored (RFC 6455 §7.1.7: the connection is being failed).
          this.#bytesConsumed = chunkStart + position;
          return frames;
      }
    }
    this.#bytesConsumed = chunkStart + position;
    return frames;
  }

  /** Copies header bytes until `target` are present; returns the new chunk position. */
  #fillHeader(chunk: Uint8Array, position: number, target: number): number {
    // A plain loop: at most 14 bytes, where a subarray + set would allocate a view per call.
    const header = this.#header;
    let filled = this.#headerFilled;
    const end = Math.min(position + target - filled, chunk.length);
    while (position < end) header[filled++] = chunk[position++]!;
    this.#headerFilled = filled;
    return position;
  }

  /** Bytes 0-1: FIN, RSV1-3, opcode, MASK, Payload len (RFC 6455 §5.2). */
  #readFirstBytes(frames: Frame[]): void {
    const first = this.#header[0]!;
    const second = this.#header[1]!;
    const broken = frameStartViolation(first, second, this.#role, this.#allowRsv1, this.#frameStart);
    if (broken !== null) return this.#fail(broken);
    this.#masked = (second & MASK_BIT) !== 0;
    const extendedBytes = extendedLengthBytes(second & PAYLOAD_LENGTH_BITS);
    this.#headerLength = MIN_HEADER_BYTES + extendedBytes + (this.#masked ? MASKING_KEY_BYTES : 0);
    if (extendedBytes !== 0) {
      this.#state = State.ExtendedLength;
      return;
    }
    this.#acceptLength(second & PAYLOAD_LENGTH_BITS, 0, this.#frameStart + 1, frames);
  }

  /** Bytes 2-3 or 2-9: the 16- or 64-bit extended payload length, network byte order. */
  #readExtendedLength(frames: Frame[]): void {
    this.#acceptLength(declaredPayloadLength(this.#header), lengthHighWord(this.#header), this.#frameStart + 2, frames);
  }

  #acceptLength(payloadLength: number, highWord: number, lengthOffset: number, frames: Frame[]): void {
    this.#payloadLength = payloadLength;
    this.#lengthRead = true;
    const broken = payloadLengthViolation(this.#header[0]! & OPCODE_BITS, highWord, payloadLength,
      this.#maxFramePayload, lengthOffset);
    if (broken !== null) return this.#fail(broken);
    if (this.#masked) {
      this.#state = State.MaskingKey;
      return;
    }
    this.#headerDone(frames);
  }

  #headerDone(frames: Frame[]): void {
    this.#state = State.Payload;
    // An empty payload completes the frame now: no further byte may ever arrive to trigger it.
    if (this.#payloadLength === 0) frames.push(this.#completeFrame(EMPTY));
  }

  #readPayload(chunk: Uint8Array, position: number, frames: Frame[]): number {
    const payloadLength = this.#payloadLength;
    const available = chunk.length - position;
    let spanning = this.#spanning;
    if (spanning === null) {
      if (available >= payloadLength) {
        // Hot path: the whole payload is in this chunk. Hand on a view, unmasked in place.
        const payload = chunk.subarray(position, position + payloadLength);
        this.#recorder?.keepWholePayload(payload);
        if (this.#masked) applyMask(payload, this.#maskingKey, 0);
        frames.push(this.#completeFrame(payload));
        return position + payloadLength;
      }
      spanning = this.#spanning = new SpanningPayload(payloadLength, this.#masked ? this.#maskingKey : null, this.#allocate);
    }
    const received = spanning.received;
    const take = Math.min(payloadLength - received, available);
    const piece = chunk.subarray(position, position + take);
    this.#recorder?.keepPiece(piece, received, payloadLength);
    const payload = spanning.add(piece);
    if (payload === UNBUFFERABLE) {
      this.#fail(violation(CloseCode.MessageTooBig, 'RFC 6455 §10.4',
        `frame payload of ${payloadLength} bytes cannot be buffered`, this.#frameStart + this.#headerLength));
    } else if (payload !== null) {
      frames.push(this.#completeFrame(payload));
    }
    return position + take;
  }

  #completeFrame(payload: Uint8Array): Frame {
    const first = this.#header[0]!;
    // frameStartViolation has rejected the reserved opcodes, so this is an Opcode.
    const opcode = (first & OPCODE_BITS) as Opcode;
    const record = this.#recorder?.frameRecord(this.#recordedFrame(this.#headerLength, this.#payloadLength), opcode, payload);
    const frame: Frame = {
      fin: (first & FIN_BIT) !== 0,
      rsv1: (first & RSV1_BIT) !== 0,
      rsv2: (first & RSV2_BIT) !== 0,
      rsv3: (first & RSV3_BIT) !== 0,
      opcode,
      masked: this.#masked,
      payload,
      record,
    };
    this.#frameStart += this.#headerLength + this.#payloadLength;
    this.#frameIndex++;
    this.#state = State.Header;
    this.#headerFilled = 0;
    this.#lengthRead = false;
    this.#spanning = null;
    return frame;
  }

  #fail(broken: ProtocolViolation): void {
    this.#state = State.Failed;
    this.#violation = broken;
    this.#spanning = null;
    if (this.#recorder === null) return;
    // Before the extended length is complete, only what the 7-bit field declares is known.
    const payloadLength = this.#lengthRead ? this.#payloadLength : sevenBitPayloadLength(this.#header[1]!);
    this.#violationRecord = this.#recorder.violationRecord(this.#recordedFrame(this.#headerFilled, payloadLength), broken);
  }

  #recordedFrame(headerLength: number, payloadLength: number): RecordedFrame {
    return { index: this.#frameIndex, streamOffset: this.#frameStart, header: this.#header, headerLength, payloadLength };
  }
}
