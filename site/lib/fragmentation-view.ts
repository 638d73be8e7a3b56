/**
 * What the fragmentation explorer shows (RFC 6455 §5.4, §5.6, §8.1): a message split into frames by the
 * core's fragmentPayload and written by its serializeFrame, each frame described by describeFrame (the
 * record the inspector draws), with an optional ping between fragments; and a fragment-by-fragment run
 * of the core's streaming Utf8Validator. This module never reads a header bit itself. Pure, DOM-free.
 */
import { CloseCode, Opcode } from '../../lab-server/src/protocol/constants.ts';
import { describeFrame } from '../../lab-server/src/protocol/frame/record.ts';
import { fragmentPayload, serializeFrame } from '../../lab-server/src/protocol/frame/serializer.ts';
import type { Direction } from '../../lab-server/src/protocol/frame/types.ts';
import { Utf8Validator } from '../../lab-server/src/protocol/utf8.ts';
import type { InspectedFrame } from './inspect.ts';

/** Enough frames to see the pattern; more would only scroll. */
export const MAX_FRAGMENTS = 32;

export interface FragmentationOptions {
  readonly opcode: typeof Opcode.Text | typeof Opcode.Binary;
  readonly fragmentSize: number;
  /** Insert a ping after this many data frames (1 = after the first); null for none. */
  readonly pingAfter: number | null;
  readonly direction: Direction;
  /** Used for every client frame (a real client draws a fresh key per frame, RFC 6455 §5.3). */
  readonly maskingKey: Uint8Array;
}

export interface Utf8Step {
  /** Whether the bytes so far can still be the start of valid UTF-8. */
  readonly valid: boolean;
  /** Whether the bytes so far end between two code points (a message could end here). */
  readonly atBoundary: boolean;
  /** Offset in the message of the first byte that cannot be UTF-8, or -1. */
  readonly failedAt: number;
}

export interface BuiltFrame {
  readonly kind: 'data' | 'ping';
  /** For data frames: 0-based fragment number; for a ping, the fragment it follows. */
  readonly fragment: number;
  /** Offset of this frame's payload within the message (data frames). */
  readonly messageOffset: number;
  readonly frame: InspectedFrame;
  /** The streaming validator after this fragment (text messages' data frames only). */
  readonly utf8?: Utf8Step;
}

export type Fragmentation =
  | { readonly ok: true; readonly frames: readonly BuiltFrame[]; readonly wire: Uint8Array; readonly dataFrames: number }
  | { readonly ok: false; readonly error: string };

/** The frames of one message, in the order they go on the wire. */
export function fragmentMessage(payload: Uint8Array, options: FragmentationOptions): Fragmentation {
  const { fragmentSize } = options;
  if (!Number.isSafeInteger(fragmentSize) || fragmentSize < 1) return { ok: false, error: 'The fragment size is a whole number of bytes, 1 or more.' };
  const fragments = fragmentPayload(payload, fragmentSize);
  if (fragments.length > MAX_FRAGMENTS) {
    return { ok: false, error: `That makes ${fragments.length} fragments; the explorer draws at most ${MAX_FRAGMENTS}. Pick a larger size.` };
  }
  const masked = options.direction === 'client-to-server';
  const maskingKey = masked ? options.maskingKey : null;
  const validator = options.opcode === Opcode.Text ? new Utf8Validator() : null;
  const frames: BuiltFrame[] = [];
  const chunks: Uint8Array[] = [];
  let streamOffset = 0;
  let messageOffset = 0;

  const write = (bytes: Uint8Array): InspectedFrame => {
    const record = describeFrame(bytes, options.direction, chunks.length, streamOffset, bytes.length);
    chunks.push(bytes);
    streamOffset += bytes.length;
    return { record, bytes, complete: true };
  };

  fragments.forEach((fragment, index) => {
    // RFC 6455 §5.4: the first frame carries the message's opcode, the others are continuations;
    // only the last has FIN set.
    const bytes = serializeFrame({
      fin: index === fragments.length - 1,
      opcode: index === 0 ? options.opcode : Opcode.Continuation,
      payload: fragment,
      maskingKey,
    });
    let utf8: Utf8Step | undefined;
    if (validator !== null) {
      const valid = validator.push(fragment);
      utf8 = { valid, atBoundary: valid && validator.end(), failedAt: validator.failedAt };
    }
    const built: BuiltFrame = { kind: 'data', fragment: index, messageOffset, frame: write(bytes), ...(utf8 ? { utf8 } : {}) };
    frames.push(built);
    messageOffset += fragment.length;
    // RFC 6455 §5.4: control frames MAY be injected in the middle of a fragmented message.
    if (options.pingAfter === index + 1 && index < fragments.length - 1) {
      const ping = serializeFrame({ fin: true, opcode: Opcode.Ping, payload: Uint8Array.of(0x70, 0x69, 0x6e, 0x67), maskingKey });
      frames.push({ kind: 'ping', fragment: index, messageOffset, frame: write(ping) });
    }
  });

  const wire = new Uint8Array(streamOffset);
  let at = 0;
  for (const chunk of chunks) {
    wire.set(chunk, at);
    at += chunk.length;
  }
  return { ok: true, frames, wire, dataFrames: fragments.length };
}

export interface Utf8Verdict {
  readonly ok: boolean;
  /** The close code a receiver sends when the text is not UTF-8 (RFC 6455 §8.1). */
  readonly closeCode: number | null;
  readonly explanation: string;
}

/** What a receiver concludes from the validator's steps over the whole message. */
export function utf8Verdict(frames: readonly BuiltFrame[]): Utf8Verdict {
  const steps = frames.filter((built) => built.kind === 'data' && built.utf8 !== undefined);
  if (steps.length === 0) return { ok: true, closeCode: null, explanation: 'Binary messages carry any bytes: nothing to validate.' };
  const failing = steps.find((built) => !built.utf8!.valid);
  if (failing !== undefined) {
    return {
      ok: false,
      closeCode: CloseCode.InvalidPayloadData,
      explanation: `Byte ${failing.utf8!.failedAt} of the message cannot be UTF-8: the receiver fails the connection with 1007 at fragment ${failing.fragment + 1}, without waiting for the rest (RFC 6455 §8.1).`,
    };
  }
  const last = steps[steps.length - 1]!;
  if (!last.utf8!.atBoundary) {
    return {
      ok: false,
      closeCode: CloseCode.InvalidPayloadData,
      explanation: 'The message ends in the middle of a character: the final fragment leaves a sequence incomplete, so the text is invalid (1007, RFC 6455 §8.1).',
    };
  }
  const split = steps.some((built) => !built.utf8!.atBoundary);
  return {
    ok: true,
    closeCode: null,
    explanation: split
      ? 'Valid UTF-8. Some fragments end inside a character: that is allowed, only the whole message must be valid (RFC 6455 §5.6).'
      : 'Valid UTF-8, and every fragment happens to end between characters.',
  };
}
