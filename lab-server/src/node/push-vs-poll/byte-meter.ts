/**
 * Byte counts taken from the sockets themselves, not estimated from what we meant to send.
 *
 * Node counts every byte a socket reads (socket.bytesRead) and every byte handed to it for writing
 * (socket.bytesWritten, which includes bytes still queued in user space). On a keep-alive connection
 * without pipelining (browsers and Node's agent never pipeline), a request's bytes are therefore the
 * growth of bytesRead since the previous exchange on the same socket ended, and a response's bytes the
 * growth of bytesWritten across our own writes. The server marks the end of every HTTP exchange
 * (markExchangeEnd, for static files too), so a /pvp/ request that follows a file request on the same
 * socket is counted from where that file request ended.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** bytesRead at the end of the last finished HTTP exchange of each socket. */
const readMarks = new WeakMap<Socket, number>();

/** An HTTP response on this socket is complete: what was read so far belongs to finished requests. */
export function markExchangeEnd(socket: Socket): void {
  readMarks.set(socket, socket.bytesRead);
}

/**
 * Marks the end of an HTTP exchange once its response is finished AND its request was read to the end:
 * a body still arriving after an early answer (a 413) belongs to this exchange, not to the next head.
 */
export function markExchangeEndWhenDone(request: IncomingMessage, response: ServerResponse): void {
  const socket = request.socket;
  let waiting = 2;
  const done = (): void => {
    if (--waiting === 0) markExchangeEnd(socket);
  };
  response.once('finish', done);
  if (request.complete) done();
  else request.once('end', done);
}

/** Bytes the peer sent since the previous exchange on this socket ended (or since it connected). */
export function bytesReadSinceMark(socket: Socket): number {
  return socket.bytesRead - (readMarks.get(socket) ?? 0);
}

export function bytesWritten(socket: Socket): number {
  return socket.bytesWritten ?? 0;
}

/** The bytes `write` handed to the socket: headers, chunk framing and body alike, exactly as they go out. */
export function measureWrite(socket: Socket, write: () => void): number {
  const before = bytesWritten(socket);
  write();
  return bytesWritten(socket) - before;
}
