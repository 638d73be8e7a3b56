/**
 * The two WebSocket endpoints of the experiment: /pvp/observe (the page's control channel, one run per
 * connection) and /pvp/ws?run&client (WebSocket push). Both run the core's opening handshake (RFC 6455
 * §4.2); /pvp/ws declines permessage-deflate so its payloads compare like for like with the HTTP
 * transports' bodies, which are not compressed either.
 */
import { WEBSOCKET_VERSION } from '../../protocol/constants.ts';
import { Connection } from '../../protocol/connection.ts';
import type { HeaderField } from '../../protocol/handshake/types.ts';
import { acceptClientHandshake, isWebSocketUpgrade } from '../../protocol/handshake/server.ts';
import { PushTransport } from '../../reports/push-vs-poll-types.ts';
import type { EndpointContext, ReceivedRequest } from '../endpoints.ts';
import { observerRequestRefusal } from '../observer-origin.ts';
import { rejectionText, sendRejection, serverRejection } from '../http-reply.ts';
import { LazyCompressor } from '../lazy-compressor.ts';
import { LOG_PREFIX } from '../log.ts';
import { WebSocketTransport } from '../transport.ts';
import type { TransportHandler } from '../transport-handler.ts';
import { bytesReadSinceMark, measureWrite } from './byte-meter.ts';
import { PushLimits } from './limits.ts';
import { PushPath } from './paths.ts';
import type { PushRun } from './run.ts';
import { PushSocket } from './ws-transport.ts';

/** What the endpoints need from the hub. */
export interface PushEndpointHost {
  readonly longPollHoldMs: number;
  createRun(): PushRun | null;
  /** The run and client a request names, or the HTTP status and reason to refuse it with. */
  resolveClient(url: URL): { run: PushRun; client: number } | { status: number; reason: string };
}

/** Records with no payload preview: the lengths are all the meter needs. */
const RECORD_NO_PREVIEW = 0;

function refuse(context: EndpointContext, received: ReceivedRequest, status: number, reason: string,
  headers: readonly HeaderField[] = [], section = 'RFC 6455 §4.2.2'): void {
  context.log(`${LOG_PREFIX} ${received.peer} ${received.url.pathname} rejected: ${status} ${reason}`);
  sendRejection(received.socket, rejectionText(serverRejection(status, section, reason, headers)), context.rejectLingerMs);
}

/**
 * RFC 9110 §15.5.22: 426 Upgrade Required names the protocol to switch to; RFC 6455 §4.2.2 adds the
 * version the server speaks. The same answer on a fresh socket and after a file request (hub.ts).
 */
export const UPGRADE_REQUIRED_STATUS = 426;
export const UPGRADE_REQUIRED_HEADERS: readonly HeaderField[] = [['Upgrade', 'websocket'], ['Sec-WebSocket-Version', WEBSOCKET_VERSION]];

export function upgradeRequiredReason(pathname: string): string {
  return `${pathname} is a WebSocket endpoint: connect with ws:// (Upgrade: websocket)`;
}

export function openPushWebSocket(context: EndpointContext, host: PushEndpointHost, received: ReceivedRequest): void {
  const { socket, peer, request, url } = received;
  const isObserver = url.pathname === PushPath.Observe;
  if (!isWebSocketUpgrade(request)) {
    refuse(context, received, UPGRADE_REQUIRED_STATUS, upgradeRequiredReason(url.pathname), UPGRADE_REQUIRED_HEADERS, 'RFC 9110 §15.5.22');
    return;
  }
  if (isObserver) {
    // An observer starts experiments that open sockets on this machine: the same Origin rule as /lab/observe.
    const refusal = observerRequestRefusal(request, context.allowedOrigins);
    if (refusal !== null) {
      refuse(context, received, refusal.status, refusal.reason, [], refusal.section);
      return;
    }
  }
  let push: PushSocket | null = null;
  if (!isObserver) {
    const resolved = host.resolveClient(url);
    if ('status' in resolved) {
      refuse(context, received, resolved.status, resolved.reason);
      return;
    }
    push = new PushSocket(resolved.run, resolved.client, context.log);
  }
  const result = acceptClientHandshake(request, isObserver ? context.handshakeOptions : { ...context.handshakeOptions, deflate: false });
  if (!result.ok) {
    push?.abandon();
    const { rejection } = result;
    context.log(`${LOG_PREFIX} ${peer} ${url.pathname} rejected: ${rejection.status} ${rejection.reason} (${rejection.section})`);
    sendRejection(socket, result.response.raw, context.rejectLingerMs);
    return;
  }
  let run: PushRun | null = null;
  if (isObserver) {
    run = host.createRun();
    if (run === null) {
      push?.abandon();
      refuse(context, received, 503, `the server already runs ${PushLimits.maxRuns} experiments; close one and try again`);
      return;
    }
  }
  const compressor = result.deflate === null ? null : new LazyCompressor(context.compressorFactory, result.deflate, 'server');
  const connection = new Connection({
    role: 'server',
    maxMessageBytes: isObserver ? PushLimits.maxCommandBytes : PushLimits.maxUpstreamBodyBytes,
    ...(compressor === null ? {} : { compressor }),
    ...(push === null ? {} : { recordPreviewBytes: RECORD_NO_PREVIEW }),
  });
  socket.removeAllListeners('error');
  socket.removeAllListeners('timeout');
  // The handshake request is everything the socket read for it: what it read since the last exchange
  // on this socket, less the frames that came right behind the head.
  const requestBytes = bytesReadSinceMark(socket) - (received.rest?.length ?? 0);
  const responseBytes = measureWrite(socket, () => socket.write(result.response.raw, 'latin1'));
  const handler: TransportHandler = push ?? (run as PushRun);
  const transport = new WebSocketTransport(socket, connection, handler, context.transportHost, peer, url.pathname === PushPath.Observe ? PushPath.Observe : PushPath.WebSocket, compressor);
  context.transports.add(transport);
  if (push !== null) {
    const { run: pushRun, client, counters: startCounters } = push;
    startCounters.count(PushTransport.WebSocket, client, (counters) => {
      counters.requests++;
      counters.upHeaders += requestBytes;
      counters.downHeaders += responseBytes;
    });
    pushRun.exchange({ transport: PushTransport.WebSocket, kind: 'request', direction: 'up', headerBytes: requestBytes, payloadBytes: 0, events: [], label: 'GET /pvp/ws (Upgrade: websocket)' }, client, startCounters);
    pushRun.exchange({ transport: PushTransport.WebSocket, kind: 'response', direction: 'down', headerBytes: responseBytes, payloadBytes: 0, events: [], label: '101 Switching Protocols' }, client, startCounters);
    push.attach(transport);
  } else {
    (run as PushRun).attach(transport, host.longPollHoldMs);
    context.log(`${LOG_PREFIX} ${peer} /pvp/observe run ${(run as PushRun).id} opened`);
  }
  transport.start(received.rest);
}
