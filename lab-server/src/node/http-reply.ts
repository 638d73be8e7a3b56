import type { Socket } from 'node:net';
import { rejectionResponse } from '../protocol/handshake/responses.ts';
import { rejection, type HandshakeRejection, type HeaderField } from '../protocol/handshake/types.ts';

/** RFC 9110 §10.2.3: how long a client refused at the connection limit (503) should wait before trying again. */
export const RETRY_AFTER_SECONDS = '5';

/** Our own refusals (limits, routing), in the same shape as the core's handshake rejections. */
export function serverRejection(
  status: number,
  section: string,
  reason: string,
  headers?: ReadonlyArray<HeaderField>,
): HandshakeRejection {
  return rejection(status, section, reason, headers);
}

/** The complete HTTP response text for a rejection: status line, headers, the one-line reason as body. */
export function rejectionText(refusal: HandshakeRejection): string {
  return rejectionResponse(refusal).raw;
}

function discard(): void {}

function destroyOnTimeout(this: Socket): void {
  this.destroy();
}

/**
 * Writes an HTTP error response and closes our side. We keep reading (and discarding) for a short
 * while: closing a socket with unread input makes the kernel send a reset, which can destroy the
 * response before the client has read it. The linger is bounded by the socket's idle timeout.
 */
export function sendRejection(socket: Socket, responseText: string, lingerMs: number): void {
  if (socket.destroyed) return;
  socket.removeAllListeners('data');
  socket.removeAllListeners('timeout');
  socket.on('data', discard);
  socket.on('timeout', destroyOnTimeout);
  socket.setTimeout(lingerMs);
  // The text is ASCII except possibly the reason in the body, which is UTF-8 (see serializeResponse).
  socket.end(responseText, 'utf8');
  socket.resume();
}
