import type { Server as HttpServer } from 'node:http';
import type { Server, Socket } from 'node:net';
import { CloseCode } from '../protocol/constants.ts';
import type { PushVsPollHub } from './push-vs-poll/hub.ts';
import type { WebSocketTransport } from './transport.ts';

const SHUTDOWN_REASON = 'server shutting down';
/** How often a shutdown checks whether every socket has gone. */
const SHUTDOWN_POLL_MS = 10;

/** What a lab server owns that a shutdown must stop or close. */
export interface ShutdownParts {
  readonly netServer: Server;
  readonly httpServer: HttpServer;
  readonly pushVsPoll: PushVsPollHub;
  readonly transports: ReadonlySet<WebSocketTransport>;
  /** Every accepted socket (handshaking, HTTP, WebSocket, relayed app). */
  readonly sockets: ReadonlySet<Socket>;
  /** Sockets handed to node:http, whose responses may finish. */
  readonly httpSockets: ReadonlySet<Socket>;
  /** The inspect relay's connections to its target. */
  readonly upstreams: ReadonlySet<Socket>;
  readonly shutdownTimeoutMs: number;
}

/**
 * Graceful and bounded: no new connections, 1001 to every WebSocket (RFC 6455 §7.4.1), HTTP responses
 * in flight may finish; whatever is still open at the deadline is destroyed.
 */
export async function shutdownServer(parts: ShutdownParts): Promise<void> {
  const { netServer, httpServer, transports, sockets, httpSockets, upstreams } = parts;
  netServer.close();
  parts.pushVsPoll.shutdown();
  const webSockets = new Set<Socket>();
  for (const transport of transports) {
    webSockets.add(transport.socket);
    transport.close(CloseCode.GoingAway, SHUTDOWN_REASON);
  }
  httpServer.closeIdleConnections();
  // Relayed connections are cut at once, both sides (their app sockets are destroyed just below): the
  // relay is a byte pipe with no close frame of its own to send. A reset (RST rather than FIN), so a
  // target that ignores FINs cannot keep its side open either.
  const upstreamsClosed = [...upstreams].map((upstream) => new Promise((resolve) => {
    upstream.once('close', resolve);
    // resetAndDestroy() would wait for a connection still being set up: that one is simply dropped.
    if (upstream.connecting) upstream.destroy();
    else upstream.resetAndDestroy();
  }));
  for (const socket of sockets) {
    // Handshakes in progress are abandoned; HTTP requests in flight get until the deadline.
    if (!webSockets.has(socket) && !httpSockets.has(socket)) socket.destroy();
  }
  const deadline = Date.now() + parts.shutdownTimeoutMs;
  while (sockets.size > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_POLL_MS));
    httpServer.closeIdleConnections();
  }
  // Whatever is left is cut off; 'close' (which forgets the socket) follows destroy() within a tick or two.
  const remaining = [...sockets].map((socket) => new Promise((resolve) => {
    socket.once('close', resolve);
    socket.destroy();
  }));
  await Promise.all([...remaining, ...upstreamsClosed]);
  await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  if (netServer.listening) await new Promise<void>((resolve) => netServer.close(() => resolve()));
}
