/**
 * A WebSocket client reduced to its socket: the handshake from prepared bytes (raw-frames.ts), then the
 * caller's frames. The load generator is the same for both servers; keeping it this lean means the figures
 * measure the servers, where the `ws` client used before saturated its core first and compressed every
 * ratio towards 1.0 (see BENCHMARKS.md).
 */
import net from 'node:net';
import { HttpHeadReader } from '../../src/protocol/handshake/head-reader.ts';
import { isRejection } from '../../src/protocol/handshake/types.ts';
import { closeFrame, handshakeBytes, responseProblem, type HandshakeBytes } from './raw-frames.ts';

/** A response head larger than this is not one we expect. */
const MAX_HEAD_BYTES = 4096;

export interface RawConnection {
  readonly socket: net.Socket;
  /** Bytes that came behind the 101 response head (frames the server sent at once). */
  readonly rest: Uint8Array;
}

/**
 * Connects and completes the opening handshake, checking the status and the accept. `prepared` reuses a
 * request made earlier (a load that opens thousands of connections takes them in turn from a small set).
 */
export function openRaw(url: URL, prepared: HandshakeBytes = handshakeBytes(url), timeoutMs = 10_000): Promise<RawConnection> {
  const { request, key } = prepared;
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    const reader = new HttpHeadReader(MAX_HEAD_BYTES);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`handshake timed out after ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      const result = reader.push(chunk);
      if (result === null) return;
      if (isRejection(result)) {
        fail(new Error(`unreadable response head: ${result.reason}`));
        return;
      }
      socket.off('data', onData);
      socket.off('error', fail);
      clearTimeout(timer);
      const problem = responseProblem(result.head, key);
      if (problem !== null) {
        socket.destroy();
        reject(new Error(problem));
        return;
      }
      socket.on('error', () => {});
      resolve({ socket, rest: result.rest });
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('connect', () => socket.write(request));
  });
}

/**
 * The client's side of the closing handshake (RFC 6455 §7.1.2): sends a close frame, then waits for the
 * server to close TCP, which it must do first (§7.1.1). Bytes arriving meanwhile (its close frame) are ignored.
 * `frame` is a prepared masked close frame (raw-frames.ts); by default one is made with a fresh key, a crypto
 * call that a load closing thousands of connections should not pay each time.
 */
export function closeRaw(socket: net.Socket, frame: Buffer = closeFrame(), timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`closing handshake did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.removeAllListeners('data');
    socket.on('data', () => {});
    socket.once('end', () => socket.end());
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.write(frame);
  });
}
