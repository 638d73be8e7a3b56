import type { Socket } from 'node:net';
import { Connection } from '../protocol/connection.ts';
import type { CompressorFactory, MessageCompressor } from '../protocol/deflate/codec.ts';
import type { EchoMemory } from './echo-memory.ts';
import { acceptClientHandshake, type ServerHandshakeOptions } from '../protocol/handshake/server.ts';
import { headerValues } from '../protocol/handshake/headers.ts';
import type { HandshakeRequest } from '../protocol/handshake/types.ts';
import { rejectionText, sendRejection, serverRejection } from './http-reply.ts';
import { remotePeerRefusal, type InspectTarget } from './inspect-target.ts';
import type { LabHub, LabSession } from './lab.ts';
import { LabSubject, reportHandshake } from './lab-subject.ts';
import { deflateTurnedOff, offersDeclinedByChoice } from './lab-deflate-choice.ts';
import { LazyCompressor } from './lazy-compressor.ts';
import { LOG_PREFIX, type LogSink } from './log.ts';
import { observerRequestRefusal } from './observer-origin.ts';
import type { PushVsPollHub } from './push-vs-poll/hub.ts';
import { PushPath } from './push-vs-poll/paths.ts';
import { startRelay } from './relay.ts';
import { WebSocketTransport, type TransportHost } from './transport.ts';
import type { TransportHandler } from './transport-handler.ts';

/** The WebSocket endpoints of the lab server, by request path. */
export const Endpoint = {
  Echo: '/echo',
  Lab: '/lab',
  LabObserve: '/lab/observe',
  /** Issue 5, push versus polling: the page's control channel, and WebSocket push (push-vs-poll/). */
  PushObserve: PushPath.Observe,
  PushWebSocket: PushPath.WebSocket,
  /** With --inspect: relays the app's WebSocket to the target (relay.ts). */
  Inspect: '/inspect',
} as const;
export type Endpoint = (typeof Endpoint)[keyof typeof Endpoint];

/** An observer's messages are commands of a few hundred bytes: a larger one fails its connection with 1009. */
export const OBSERVER_MAX_MESSAGE_BYTES = 64 * 1024;

/** Path -> our constant for it: a transport keeps the constant (one string for all), not the request's copy. */
const ENDPOINT_PATHS: ReadonlyMap<string, Endpoint> = new Map(Object.values(Endpoint).map((path) => [path, path]));

export function isEndpoint(pathname: string): pathname is Endpoint {
  return ENDPOINT_PATHS.has(pathname);
}

/** What the endpoints need from the server; one object per server. */
export interface EndpointContext {
  readonly log: LogSink;
  readonly hub: LabHub;
  readonly pushVsPoll: PushVsPollHub;
  readonly transportHost: TransportHost;
  readonly transports: Set<WebSocketTransport>;
  readonly handshakeOptions: ServerHandshakeOptions;
  readonly compressorFactory: CompressorFactory;
  readonly maxMessageBytes: number;
  readonly recordPreviewBytes: number;
  readonly rejectLingerMs: number;
  /** /echo's recycled memory for large payloads, and the handler that gives it back (one per server). */
  readonly echoMemory: EchoMemory;
  readonly echoHandler: TransportHandler;
  /** "127.0.0.1:8455", for URLs when a request has no usable Host header. */
  readonly authority: string;
  /** --inspect: where /inspect relays to; null when the server was started without it. */
  readonly inspect: InspectTarget | null;
  /** --allow-origin: origins (serialized, RFC 6454 §6.1) allowed to open /lab/observe besides the server's own. */
  readonly allowedOrigins: readonly string[];
  /** Open relay -> target sockets (--inspect), tracked so they count toward the limit and close on shutdown. */
  readonly upstreams: Set<Socket>;
  /** Sockets of every kind, upstreams included, have reached maxConnections. */
  atConnectionLimit(): boolean;
  readonly maxConnections: number;
  /**
   * The 'error' listener every socket gets until its handshake is done: one function for all
   * sockets, so the transport can take it off by reference (see openWebSocket).
   */
  readonly onHandshakeSocketError: (this: Socket, error: Error) => void;
}

/** `/lab/observe?watch=inspect`: the session also receives the reports of every relayed connection. */
const WATCH_INSPECT = 'inspect';
/** Longest part of an unknown ?watch= value quoted back in the 400. */
const MAX_QUOTED_WATCH_CHARS = 20;

/** A request whose head has been read, with the bytes that followed it. */
export interface ReceivedRequest {
  readonly socket: Socket;
  readonly peer: string;
  readonly request: HandshakeRequest;
  readonly url: URL;
  readonly rest: Uint8Array | null;
}

/**
 * Runs the opening handshake (RFC 6455 §4.2) for one of our endpoints and, on success, hands the
 * socket to a WebSocketTransport with the endpoint's handler.
 */
export function openWebSocket(context: EndpointContext, endpoint: Endpoint, received: ReceivedRequest): void {
  if (endpoint === Endpoint.PushObserve || endpoint === Endpoint.PushWebSocket) {
    context.pushVsPoll.openWebSocket(context, received);
    return;
  }
  const { socket, peer, request, url } = received;
  if (endpoint === Endpoint.Inspect) {
    if (context.inspect === null) {
      refuse(context, received, 404, 'RFC 6455 §4.2.2', 'nothing to inspect: start the lab server with --inspect ws://HOST:PORT/PATH (your app\'s server) to relay /inspect to it');
    } else if (inspectPeerAccepted(context, context.inspect, received)) {
      startRelay(context, context.inspect, received);
    }
    return;
  }
  const watch = endpoint === Endpoint.LabObserve ? url.searchParams.get('watch') : null;
  if (watch !== null && watch !== WATCH_INSPECT) {
    refuse(context, received, 400, 'RFC 6455 §4.2.2', `unknown ?watch=${watch.slice(0, MAX_QUOTED_WATCH_CHARS)}: the only value is watch=${WATCH_INSPECT}`);
    return;
  }
  if (endpoint === Endpoint.LabObserve && !observerOriginAccepted(context, received)) return;
  if (watch === WATCH_INSPECT && context.inspect !== null && !inspectPeerAccepted(context, context.inspect, received)) return;
  let session: LabSession | undefined;
  let deflateOff = false;
  if (endpoint === Endpoint.Lab) {
    const id = url.searchParams.get('session');
    if (id === null || id === '') {
      refuse(context, received, 400, 'RFC 6455 §4.2.2', 'missing ?session=ID: open /lab/observe first and use the session id from its hello');
      return;
    }
    session = context.hub.find(id);
    if (session === undefined) {
      refuse(context, received, 404, 'RFC 6455 §4.2.2', 'unknown lab session: a session lives as long as its /lab/observe connection');
      return;
    }
    const off = deflateTurnedOff(url);
    if (typeof off === 'string') {
      refuse(context, received, 400, 'RFC 6455 §4.2.2', off);
      return;
    }
    deflateOff = off;
  }

  let result = acceptClientHandshake(request, deflateOff ? { ...context.handshakeOptions, deflate: false } : context.handshakeOptions);
  if (deflateOff && result.ok) result = { ...result, declinedOffers: offersDeclinedByChoice(request) };
  const subjectNumber = session?.nextSubjectNumber() ?? 0;
  if (session !== undefined) {
    reportHandshake(session, subjectNumber, { peer, target: request.target, rawRequest: request.raw, result });
  }
  if (!result.ok) {
    const { rejection } = result;
    context.log(`${LOG_PREFIX} ${peer} ${url.pathname} rejected: ${rejection.status} ${rejection.reason} (${rejection.section})`);
    sendRejection(socket, result.response.raw, context.rejectLingerMs);
    return;
  }

  const compressor: MessageCompressor | null =
    result.deflate === null ? null : new LazyCompressor(context.compressorFactory, result.deflate, 'server');
  const connection = new Connection({
    role: 'server',
    maxMessageBytes: endpoint === Endpoint.LabObserve ? OBSERVER_MAX_MESSAGE_BYTES : context.maxMessageBytes,
    ...(compressor === null ? {} : { compressor }),
    // /echo reuses the buffers of large payloads once echoed. Elsewhere the core's own memory: Node's
    // unfilled Buffer.allocUnsafeSlow measured slower (parse 1 MiB 0.74-0.92x, 16 KiB 0.93x, 2026-11-24).
    ...(endpoint === Endpoint.Echo ? { allocate: context.echoMemory.allocate } : {}),
    // Records cost allocations per frame: only the instrumented endpoint asks for them.
    ...(endpoint === Endpoint.Lab ? { recordPreviewBytes: context.recordPreviewBytes } : {}),
  });
  let handler: TransportHandler = context.echoHandler;
  let observed: LabSession | undefined;
  let subject: LabSubject | undefined;
  if (endpoint === Endpoint.LabObserve) {
    observed = context.hub.createSession();
    handler = observed;
  } else if (session !== undefined) {
    handler = subject = new LabSubject(session, subjectNumber, compressor !== null);
  }

  // By reference, never removeAllListeners: that deletes the property from the socket's listener
  // object, which turns it into a dictionary (~300 B more per idle connection, for its whole life).
  socket.off('error', context.onHandshakeSocketError);
  if (socket.listenerCount('timeout') > 0) socket.removeAllListeners('timeout');
  socket.write(result.response.raw, 'utf8');
  // The constant, not `endpoint` (a string parsed from this request): 10,000 idle connections share one.
  const path = ENDPOINT_PATHS.get(endpoint) ?? endpoint;
  const transport = new WebSocketTransport(socket, connection, handler, context.transportHost, peer, path, compressor);
  context.transports.add(transport);
  if (observed !== undefined) {
    const host = headerValues(request, 'host')[0] ?? context.authority;
    const inspect = context.inspect === null ? null : { target: context.inspect.url.href, url: `ws://${host}${Endpoint.Inspect}` };
    observed.attach(transport, `ws://${host}${Endpoint.Lab}?session=${observed.id}`, inspect);
    if (watch === WATCH_INSPECT) context.hub.watchInspect(observed);
  }
  subject?.attach(transport);
  transport.start(received.rest);
}

/** RFC 6455 §10.2: only the server's own pages, --allow-origin ones and non-browser clients may observe. */
function observerOriginAccepted(context: EndpointContext, received: ReceivedRequest): boolean {
  const refusal = observerRequestRefusal(received.request, context.allowedOrigins);
  if (refusal === null) return true;
  refuse(context, received, refusal.status, refusal.section, refusal.reason);
  return false;
}

/** The relay's target is on loopback: without --inspect-allow-remote, only this machine may use the relay. */
function inspectPeerAccepted(context: EndpointContext, target: InspectTarget, received: ReceivedRequest): boolean {
  const refusal = remotePeerRefusal(target, received.socket.remoteAddress);
  if (refusal === null) return true;
  refuse(context, received, 403, 'RFC 9110 §15.5.4', refusal);
  return false;
}

/** An HTTP error for a request our endpoints refuse before the handshake (unknown path, bad session). */
export function refuse(context: EndpointContext, received: ReceivedRequest, status: number, section: string, reason: string): void {
  context.log(`${LOG_PREFIX} ${received.peer} ${received.url.pathname} rejected: ${status} ${reason} (${section})`);
  sendRejection(received.socket, rejectionText(serverRejection(status, section, reason)), context.rejectLingerMs);
}
