/**
 * How the lab server writes a message in pieces (lab-server/src/node/lab-commands.ts), for the
 * simulated server: the same split, the same order of fragments and control frames.
 */
import { Opcode } from '../../../lab-server/src/protocol/constants.ts';
import type { Connection } from '../../../lab-server/src/protocol/connection.ts';
import type { OutgoingFrame } from '../../../lab-server/src/protocol/frame/serializer.ts';

/**
 * One text message as consecutive frames (RFC 6455 §5.4): a text frame with FIN clear, continuations,
 * FIN on the last; `between[i]` (a control frame) is written after fragment i.
 */
export function writeFragments(server: Connection, fragments: readonly Uint8Array[], between: readonly OutgoingFrame[]): void {
  const last = fragments.length - 1;
  fragments.forEach((payload, i) => {
    server.sendRawFrame({ fin: i === last, opcode: i === 0 ? Opcode.Text : Opcode.Continuation, payload });
    const control = between[i];
    if (control !== undefined && i < last) server.sendRawFrame(control);
  });
}

/** `count` pieces whose lengths differ by at most one (some empty when there are fewer bytes than pieces). */
export function splitEvenly(bytes: Uint8Array, count: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const size = Math.floor(bytes.length / count) + (i < bytes.length % count ? 1 : 0);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}
