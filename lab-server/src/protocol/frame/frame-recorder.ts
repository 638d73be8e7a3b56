/**
 * The frame parser's teaching side: keeps the first payload bytes as they crossed the wire (still
 * masked) and turns each parsed frame, or the header cut short by a violation, into a FrameRecord.
 *
 * Kept apart from parser.ts so the parser's hot path carries one null check when nobody records
 * (the /echo endpoint and the benchmarks), and so that what a record keeps is decided in one place.
 */
import { Opcode } from '../constants.ts';
import type { ProtocolViolation } from '../violation.ts';
import { copyBytes } from '../copy-bytes.ts';
import { buildFrameRecord, directionReadBy, type FrameRecordParts } from './record.ts';
import type { Direction, FrameRecord, Role } from './types.ts';

const EMPTY = new Uint8Array(0);

/** Where the frame being recorded sits in the stream, and what its header declared. */
export interface RecordedFrame {
  readonly index: number;
  readonly streamOffset: number;
  /** The header bytes read so far (the parser's buffer; the record gets its own copy). */
  readonly header: Uint8Array;
  readonly headerLength: number;
  readonly payloadLength: number;
}

export class FrameRecorder {
  readonly #previewBytes: number;
  readonly #direction: Direction;
  /** The current frame's first payload bytes as on the wire, before unmasking. */
  #wirePreview: Uint8Array | null = null;

  /** `role` is the RECEIVING endpoint's, as for the parser. */
  constructor(previewBytes: number, role: Role) {
    this.#previewBytes = previewBytes;
    this.#direction = directionReadBy(role);
  }

  /** The whole payload is in one chunk: keep its preview before it is unmasked in place. */
  keepWholePayload(payload: Uint8Array): void {
    this.#wirePreview = copyBytes(payload, 0, Math.min(this.#previewBytes, payload.length));
  }

  /** One piece of a payload that spans chunks, `received` bytes into it, before it is unmasked. */
  keepPiece(piece: Uint8Array, received: number, payloadLength: number): void {
    if (this.#wirePreview === null) {
      this.#wirePreview = new Uint8Array(Math.min(this.#previewBytes, payloadLength));
    }
    const room = this.#wirePreview.length - received;
    if (room > 0) this.#wirePreview.set(piece.subarray(0, Math.min(room, piece.length)), received);
  }

  /** The record of a frame read in full; `payload` is unmasked. Starts afresh for the next frame. */
  frameRecord(frame: RecordedFrame, opcode: Opcode, payload: Uint8Array): FrameRecord {
    const record = buildFrameRecord({
      ...this.#where(frame),
      payloadRead: true,
      wirePreview: this.#wirePreview ?? EMPTY,
      unmaskedPreview: copyBytes(payload, 0, Math.min(this.#previewBytes, payload.length)),
      closePayload: opcode === Opcode.Close ? payload : null,
      violation: null,
    });
    this.#wirePreview = null;
    return record;
  }

  /** The record of a header cut short by a violation: the fields read so far, and the rule broken. */
  violationRecord(frame: RecordedFrame, broken: ProtocolViolation): FrameRecord {
    this.#wirePreview = null;
    return buildFrameRecord({
      ...this.#where(frame),
      payloadRead: false,
      wirePreview: EMPTY,
      unmaskedPreview: EMPTY,
      closePayload: null,
      violation: broken,
    });
  }

  /** What both kinds of record say about the frame: its place in the stream and the header bytes read. */
  #where(frame: RecordedFrame): Pick<FrameRecordParts, 'direction' | 'index' | 'streamOffset' | 'header' | 'payloadLength'> {
    return {
      direction: this.#direction,
      index: frame.index,
      streamOffset: frame.streamOffset,
      header: frame.header.slice(0, frame.headerLength),
      payloadLength: frame.payloadLength,
    };
  }
}
