import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseRequestHead } from '../protocol/handshake/http-head.ts';
import { isWebSocketUpgrade } from '../protocol/handshake/server.ts';
import { isRejection, type HandshakeRequest } from '../protocol/handshake/types.ts';
import { Endpoint, isEndpoint, openWebSocket, refuse, type EndpointContext, type ReceivedRequest } from './endpoints.ts';
import { rejectionText, RETRY_AFTER_SECONDS, sendRejection, serverRejection } from './http-reply.ts';
import { checkInspectTarget, exposureWarning, InspectTargetError, selfTargetProblem, type InspectOption, type InspectTarget } from './inspect-target.ts';
import { LabHub } from './lab.ts';
import { parseAllowedOrigin } from './observer-origin.ts';
import { ServerDefaults } from './limits.ts';
import { defaultLogSink, describeSocketError, LOG_PREFIX, peerName, type LogSink } from './log.ts';
import { markExchangeEndWhenDone } from './push-vs-poll/byte-meter.ts';
import { PushVsPollHub } from './push-vs-poll/hub.ts';
import { createEchoHandler } from './echo.ts';
import { EchoMemory } from './echo-memory.ts';
import { shutdownServer } from './shutdown.ts';
import { createStaticHandler } from './static-files.ts';
import type { TransportHost, WebSocketTransport } from './transport.ts';
import { createZlibCompressor } from './zlib-compressor.ts';
import { readRequestHead, type RequestHeadLimits } from './request-head.ts';
import { installNativeUnmask, type UnmaskingKind } from './native-unmask.ts';
import { keepFreedHeap } from './native-heap.ts';

// node:http by require, not by an ES import: importing it as an ES module evaluates every export,
// and its lazy ones (WebSocket, CloseEvent, ...) load undici, http2, worker_threads and more, ~2.4 MB
// of heap this server never uses, which every major GC then has to mark.
const { createServer: createHttpServer } = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export interface LabServerOptions {
  /** 0 = ephemeral; default 8455. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default <repo>/dist. */
  readonly staticDir?: string;
  readonly maxConnections?: number;
  readonly maxHeadBytes?: number;
  /** Default 10000. */
  readonly handshakeTimeoutMs?: number;
  readonly closeTimeoutMs?: number;
  readonly maxMessageBytes?: number;
  readonly maxWriteBufferBytes?: number;
  /** /lab: payload bytes kept per frame record (default 4096). */
  readonly recordPreviewBytes?: number;
  /** /lab: bytes of reports queued for a slow observer before reports are dropped. */
  readonly observerQueueBytes?: number;
  /** /lab: bytes of send-large messages waiting on subjects, server-wide, beyond which send-large is refused. */
  readonly commandQueueBytes?: number;
  readonly shutdownTimeoutMs?: number;
  /** /pvp/long-poll: how long a poll with nothing to say is held (default LONG_POLL_HOLD_MS); tests shorten it. */
  readonly longPollHoldMs?: number;
  /**
   * --inspect: relay /inspect to this ws:// server (the developer's own), decoding both directions for
   * /lab/observe?watch=inspect. The host must be this machine unless allowRemote; checked before listening.
   */
  readonly inspect?: InspectOption;
  /**
   * --allow-origin: origins, besides the server's own pages on localhost or an IP address, whose pages
   * may open /lab/observe (RFC 6455 §10.2). Requests without Origin (non-browser clients) are always accepted.
   */
  readonly allowedOrigins?: readonly string[];
  /** One line per notable event; default: stderr. Pass `() => {}` to silence. */
  readonly log?: (line: string) => void;
}

export interface LabServer {
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Open sockets of every kind: handshaking, HTTP and WebSocket. */
  connectionCount(): number;
  /** Open WebSocket connections. */
  webSocketCount(): number;
  /** Open relay -> target sockets (--inspect); not part of connectionCount. */
  upstreamCount(): number;
  /** How client payloads are unmasked: the native addon when it was built, else the core's WebAssembly. */
  readonly unmasking: UnmaskingKind;
  /** Freed C-heap bytes the process keeps mapped (native addon, glibc), or null for the C library's default. */
  readonly keptFreedHeapBytes: number | null;
  /** Graceful: close 1001 to every WebSocket client, wait for them (bounded), then stop. */
  close(): Promise<void>;
}

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../dist', import.meta.url));

/** Longest part of an unknown path quoted back in the 404. */
const MAX_QUOTED_PATH_CHARS = 40;

/**
 * One port for everything: a node:net server reads each request head itself (so /lab can show it
 * exactly as received), runs the WebSocket handshake for its endpoints, and hands every other
 * request, bytes included, to a node:http server for the static site.
 */
export async function startLabServer(options: LabServerOptions = {}): Promise<LabServer> {
  const log: LogSink = options.log ?? defaultLogSink;
  const maxConnections = options.maxConnections ?? ServerDefaults.maxConnections;
  const maxHeadBytes = options.maxHeadBytes ?? ServerDefaults.maxHeadBytes;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? ServerDefaults.handshakeTimeoutMs;
  const rejectLingerMs = ServerDefaults.rejectLingerMs;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? ServerDefaults.shutdownTimeoutMs;
  const unmasking = installNativeUnmask();
  const keptFreedHeapBytes = keepFreedHeap(ServerDefaults.keptFreedHeapBytes);

  // Refused before anything listens: a bad target is a startup error, never a surprise at the first app.
  const inspect: InspectTarget | null = options.inspect === undefined ? null : await checkInspectTarget(options.inspect);
  const allowedOrigins = (options.allowedOrigins ?? []).map(parseAllowedOrigin);

  const sockets = new Set<Socket>();
  /** The inspect relay's connections to the target: they count toward maxConnections too. */
  const upstreams = new Set<Socket>();
  /** Sockets handed to node:http (file requests), so a shutdown lets their responses finish. */
  const httpSockets = new Set<Socket>();
  const transports = new Set<WebSocketTransport>();
  let closing: Promise<void> | null = null;

  const transportHost: TransportHost = {
    log,
    role: 'server',
    closeTimeoutMs: options.closeTimeoutMs ?? ServerDefaults.closeTimeoutMs,
    maxWriteBufferBytes: options.maxWriteBufferBytes ?? ServerDefaults.maxWriteBufferBytes,
    forget: (transport) => transports.delete(transport),
  };
  const recordPreviewBytes = options.recordPreviewBytes ?? ServerDefaults.recordPreviewBytes;
  const hub = new LabHub({
    log,
    recordPreviewBytes,
    observerQueueBytes: options.observerQueueBytes ?? ServerDefaults.observerQueueBytes,
    commandQueueBytes: options.commandQueueBytes ?? ServerDefaults.commandQueueBytes,
  });

  const pushVsPoll = new PushVsPollHub({ log, rejectLingerMs, longPollHoldMs: options.longPollHoldMs });
  const serveStatic = createStaticHandler(options.staticDir ?? DEFAULT_STATIC_DIR);
  /** Sockets with an HTTP response still being written: an upgrade behind one cannot be answered in order. */
  const responding = new Set<Socket>();
  const httpServer = createHttpServer((request, response) => {
    const socket = request.socket;
    responding.add(socket);
    response.once('close', () => responding.delete(socket));
    // /pvp/ counts each request's bytes from where the previous exchange on this socket ended.
    markExchangeEndWhenDone(request, response);
    if (!pushVsPoll.handleHttp(request, response)) serveStatic(request, response);
  });
  // The http server never listens itself; this starts its header/request timeout checks (as listen would).
  httpServer.emit('listening');
  httpServer.on('clientError', (_error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const netServer: Server = createNetServer({ noDelay: true });
  const host = options.host ?? ServerDefaults.host;
  await new Promise<void>((resolve, reject) => {
    netServer.once('error', reject);
    netServer.listen(options.port ?? ServerDefaults.port, host, () => {
      netServer.off('error', reject);
      resolve();
    });
  });
  netServer.on('error', (error) => log(`${LOG_PREFIX} server error: ${describeSocketError(error)}`));
  const address = netServer.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (inspect !== null) {
    // Only now is the port known (0 = any): a target on it would relay /inspect to /inspect, forever.
    const selfTarget = selfTargetProblem(inspect, host, port);
    if (selfTarget !== null) {
      await new Promise<void>((resolve) => netServer.close(() => resolve()));
      throw new InspectTargetError(selfTarget);
    }
    const warning = exposureWarning(inspect, host);
    if (warning !== null) log(`${LOG_PREFIX} warning: ${warning}`);
  }

  // Shared by every socket until its handshake is done (no closure per connection). peerName works
  // after a reset too: the socket keeps the address it looked up when it was accepted.
  function onHandshakeSocketError(this: Socket, error: Error): void {
    log(`${LOG_PREFIX} ${peerName(this)} socket error: ${describeSocketError(error)}`);
  }

  const echoMemory = new EchoMemory();
  const context: EndpointContext = {
    log,
    hub,
    pushVsPoll,
    transportHost,
    transports,
    handshakeOptions: { deflate: {} },
    compressorFactory: createZlibCompressor,
    maxMessageBytes: options.maxMessageBytes ?? ServerDefaults.maxMessageBytes,
    recordPreviewBytes,
    rejectLingerMs,
    echoMemory,
    echoHandler: createEchoHandler(echoMemory),
    authority,
    inspect,
    allowedOrigins,
    upstreams,
    atConnectionLimit: () => sockets.size + upstreams.size >= maxConnections,
    maxConnections,
    onHandshakeSocketError,
  };

  /** A head has been read: a WebSocket endpoint, an upgrade to nowhere (404), or a file request. */
  function route(socket: Socket, peer: string, request: HandshakeRequest, rest: Uint8Array | null, reinject: (() => void) | null): void {
    let url: URL;
    try {
      url = new URL(request.target, `http://${authority}`);
    } catch {
      refuse(context, { socket, peer, request, url: new URL(`http://${authority}/`), rest }, 400, 'RFC 7230 §5.3', 'the request target is not a valid URI');
      return;
    }
    const received: ReceivedRequest = { socket, peer, request, url, rest };
    if (isEndpoint(url.pathname)) {
      openWebSocket(context, url.pathname, received);
    } else if (reinject === null || isWebSocketUpgrade(request)) {
      refuse(context, received, 404, 'RFC 6455 §4.2.2',
        `no WebSocket endpoint at ${url.pathname.slice(0, MAX_QUOTED_PATH_CHARS)}: use ${Endpoint.Echo}, ${Endpoint.LabObserve}, ${Endpoint.Lab}?session=ID or ${Endpoint.PushObserve}`);
    } else {
      reinject();
    }
  }

  const headLimits: RequestHeadLimits = { log, maxHeadBytes, handshakeTimeoutMs, rejectLingerMs };
  function readHead(socket: Socket, peer: string): void {
    readRequestHead(socket, peer, headLimits, (request, { head, rest }) => {
      route(socket, peer, request, rest, () => {
        // Not ours: node:http serves it, from the very first byte we read.
        socket.removeAllListeners('error');
        httpSockets.add(socket);
        socket.on('close', forgetHttpSocket);
        socket.pause();
        socket.unshift(Buffer.concat([head, rest]));
        httpServer.emit('connection', socket);
        socket.resume();
      });
    });
  }

  // Shared by every socket (no closure per connection: idle connections must stay cheap).
  function forgetSocket(this: Socket): void {
    sockets.delete(this);
  }
  function forgetHttpSocket(this: Socket): void {
    httpSockets.delete(this);
  }

  netServer.on('connection', (socket: Socket) => {
    const peer = peerName(socket);
    socket.on('error', onHandshakeSocketError);
    if (closing !== null) {
      socket.destroy();
      return;
    }
    if (sockets.size + upstreams.size >= maxConnections) {
      log(`${LOG_PREFIX} ${peer} rejected: 503 connection limit (${maxConnections}) reached`);
      const refusal = serverRejection(503, 'RFC 9110 §15.6.4', `the server is at its connection limit (${maxConnections}); try again later`, [['Retry-After', RETRY_AFTER_SECONDS]]);
      sendRejection(socket, rejectionText(refusal), rejectLingerMs);
      return;
    }
    sockets.add(socket);
    socket.on('close', forgetSocket);
    readHead(socket, peer);
  });

  // A WebSocket upgrade on a kept-alive HTTP connection (after a file request) bypasses readHead;
  // its head is rebuilt from node:http's parse (the lab shows the first request of a socket exactly).
  httpServer.on('upgrade', (message: IncomingMessage, socket: Socket, head: Buffer) => {
    const peer = peerName(socket);
    let raw = `${message.method ?? 'GET'} ${message.url ?? '/'} HTTP/${message.httpVersion}\r\n`;
    for (let i = 0; i + 1 < message.rawHeaders.length; i += 2) raw += `${message.rawHeaders[i]}: ${message.rawHeaders[i + 1]}\r\n`;
    const request = parseRequestHead(`${raw}\r\n`);
    socket.on('error', onHandshakeSocketError);
    if (responding.has(socket)) {
      // Pipelined behind a response still in flight: a 101 now would interleave with that response.
      log(`${LOG_PREFIX} ${peer} ${message.url ?? '/'} rejected: WebSocket upgrade pipelined behind an unfinished HTTP response`);
      socket.destroy();
      return;
    }
    if (isRejection(request)) {
      sendRejection(socket, rejectionText(request), rejectLingerMs);
      return;
    }
    route(socket, peer, request, head.length > 0 ? head : null, null);
  });

  async function close(): Promise<void> {
    closing ??= shutdownServer({ netServer, httpServer, pushVsPoll, transports, sockets, httpSockets, upstreams, shutdownTimeoutMs });
    return closing;
  }

  return {
    url: `http://${authority}`,
    port,
    host,
    connectionCount: () => sockets.size,
    webSocketCount: () => transports.size,
    upstreamCount: () => upstreams.size,
    unmasking,
    keptFreedHeapBytes,
    close,
  };
}
