/**
 * What the frame inspector shows, computed by the protocol core: the bytes are fed to the project's one
 * FrameParser (with records), and this module only slices the input at the offsets the records give.
 * It never reads a header bit itself. Pure, so SSR, the island and the tests share it.
 */
import { CloseCode } from '../../lab-server/src/protocol/constants.ts';
import { FrameParser } from '../../lab-server/src/protocol/frame/parser.ts';
import { describeFrame, receiverOf } from '../../lab-server/src/protocol/frame/record.ts';
import type { Direction, FieldRecord, FrameRecord } from '../../lab-server/src/protocol/frame/types.ts';
import type { ProtocolViolation } from '../../lab-server/src/protocol/violation.ts';
import { MASK_BIT } from '../../lab-server/src/protocol/frame/header.ts';

export type DirectionChoice = 'auto' | Direction;

export interface InspectedFrame {
  readonly record: FrameRecord;
  /** This frame's bytes as pasted (header and as much payload as is there). */
  readonly bytes: Uint8Array;
  /** False for the last frame when the paste ends inside it, or for the frame that broke a rule. */
  readonly complete: boolean;
}

export interface Inspection {
  readonly direction: Direction;
  /** True when the direction was inferred from the first frame's MASK bit. */
  readonly directionInferred: boolean;
  readonly frames: readonly InspectedFrame[];
  /** The rule the stream broke, if any: frames after it are never read (RFC 6455 §7.1.7). */
  readonly violation: ProtocolViolation | null;
  /** Bytes after the violation that a receiver ignores. */
  readonly ignoredBytes: number;
  readonly totalBytes: number;
}

/**
 * Clients mask every frame and servers never do (RFC 6455 §5.1), so a first frame with MASK set was
 * most likely sent by a client. A guess only: the learner can say otherwise, and then a wrongly
 * masked frame is reported as the violation it is.
 */
export function inferDirection(bytes: Uint8Array): Direction {
  return bytes.length >= 2 && (bytes[1]! & MASK_BIT) !== 0 ? 'client-to-server' : 'server-to-client';
}

export function inspectBytes(bytes: Uint8Array, direction: DirectionChoice = 'auto', allowRsv1 = false): Inspection {
  const chosen = direction === 'auto' ? inferDirection(bytes) : direction;
  const parser = new FrameParser({ role: receiverOf(chosen), allowRsv1, recordPreviewBytes: Math.max(bytes.length, 1) });
  // push() takes ownership and unmasks in place: give it a copy, keep the pasted bytes as they were.
  const parsed = parser.push(bytes.slice());
  const frames: InspectedFrame[] = [];
  let consumed = 0;
  for (const frame of parsed) {
    const record = frame.record!;
    frames.push({ record, bytes: bytes.subarray(record.streamOffset, record.streamOffset + record.frameLength), complete: true });
    consumed = record.streamOffset + record.frameLength;
  }
  let violation = parser.violation;
  let ignoredBytes = 0;
  if (violation !== null) {
    const record = parser.violationRecord!;
    const seen = record.streamOffset + record.headerLength;
    frames.push({ record, bytes: bytes.subarray(record.streamOffset, seen), complete: false });
    ignoredBytes = bytes.length - seen;
  } else if (consumed < bytes.length) {
    // The paste ends inside a frame: describe it as far as its bytes go, as a parser would wait for more.
    const rest = bytes.subarray(consumed);
    const record = describeFrame(rest.slice(), chosen, frames.length, consumed, rest.length);
    frames.push({ record, bytes: rest, complete: false });
    violation = null;
  }
  return { direction: chosen, directionInferred: direction === 'auto', frames, violation, ignoredBytes, totalBytes: bytes.length };
}

const CLOSE_CODE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(CloseCode).map(([name, code]) => [code, name.replace(/([a-z])([A-Z])/g, '$1 $2')]),
);

/** "1002 (Protocol Error)" */
export function closeCodeText(code: number): string {
  const name = CLOSE_CODE_NAMES[code];
  return name === undefined ? String(code) : `${code} (${name})`;
}

/** The fields that include byte `index` of a frame (byte 0 holds five of them). */
export function fieldsAtByte(record: FrameRecord, index: number): FieldRecord[] {
  return record.fields.filter((field) => index >= field.byteStart && index < field.byteEnd);
}

/** The field holding bit `bit` of the frame (bit 0 is the most significant bit of byte 0). */
export function fieldAtBit(record: FrameRecord, bit: number): FieldRecord | undefined {
  return record.fields.find((field) => bit >= field.bitOffset && bit < field.bitOffset + field.bitLength);
}

/** The missing payload of a frame cut short: declared minus present. */
export function missingBytes(frame: InspectedFrame): number {
  return Math.max(0, frame.record.frameLength - frame.bytes.length);
}
