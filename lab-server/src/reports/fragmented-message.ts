/**
 * How the lab's server writes a text message in pieces when a learner asks for one (the `send-fragmented`
 * and `send-interleaved` commands): the split, and the order of fragments and control frames. Pure
 * TypeScript, shared by the lab server and the browser's simulated server, so both write the same frames.
 */
import { Opcode } from '../protocol/constants.ts';
import type { Connection } from '../protocol/connection.ts';
import type { OutgoingFrame } from '../protocol/frame/serializer.ts';
import { encodeUtf8 } from '../protocol/utf8.ts';

/** send-interleaved: the message in this many fragments, a ping after the first and a pong after the second. */
const INTERLEAVED_FRAGMENTS = 3;
const INTERLEAVED_PING = encodeUtf8('between fragments');
const INTERLEAVED_PONG = encodeUtf8('unsolicited');

/** `bytes` (UTF-8 text) as `count` fragments of one text message. */
export function writeFragmented(connection: Connection, bytes: Uint8Array, count: number): void {
  writeFragments(connection, splitEvenly(bytes, count), []);
}

/** RFC 6455 §5.4: "Control frames MAY be injected in the middle of a fragmented message." */
export function writeInterleaved(connection: Connection, bytes: Uint8Array): void {
  writeFragments(connection, splitEvenly(bytes, INTERLEAVED_FRAGMENTS), [
    { fin: true, opcode: Opcode.Ping, payload: INTERLEAVED_PING },
    // RFC 6455 §5.5.3: an unsolicited pong is a heartbeat; no answer is expected.
    { fin: true, opcode: Opcode.Pong, payload: INTERLEAVED_PONG },
  ]);
}

/**
 * One text message as consecutive frames (RFC 6455 §5.4): a text frame with FIN clear, continuation
 * frames, FIN on the last; `between[i]` (a control frame) is written after fragment i.
 */
function writeFragments(connection: Connection, fragments: readonly Uint8Array[], between: readonly OutgoingFrame[]): void {
  const last = fragments.length - 1;
  fragments.forEach((payload, i) => {
    connection.sendRawFrame({ fin: i === last, opcode: i === 0 ? Opcode.Text : Opcode.Continuation, payload });
    const control = between[i];
    if (control !== undefined && i < last) connection.sendRawFrame(control);
  });
}

/** `count` pieces whose lengths differ by at most one (some are empty when bytes are fewer than pieces). */
function splitEvenly(bytes: Uint8Array, count: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const size = Math.floor(bytes.length / count) + (i < bytes.length % count ? 1 : 0);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}
