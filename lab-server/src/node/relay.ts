/**
 * /inspect (`npm start -- --inspect ws://...`): relays the developer's own WebSocket client (their app)
 * to their own server (the target), so the lab can show that app's frames. The opening handshake is
 * forwarded and answered end to end (relay-head.ts); after the target's 101 the bytes flow unchanged
 * both ways (relay-pipe.ts) and copies are decoded for the observers of /lab/observe?watch=inspect.
 */
import type { Socket } from 'node:net';
import { HttpHeadReader } from '../protocol/handshake/head-reader.ts';
import { parseResponseHead } from '../protocol/handshake/http-head.ts';
import { isWebSocketUpgrade } from '../protocol/handshake/server.ts';
import { isRejection, type HandshakeResponse } from '../protocol/handshake/types.ts';
import type { EndpointContext, ReceivedRequest } from './endpoints.ts';
import { rejectionText, RETRY_AFTER_SECONDS, sendRejection, serverRejection } from './http-reply.ts';
import type { InspectTarget } from './inspect-target.ts';
import { ServerDefaults } from './limits.ts';
import { describeSocketError, LOG_PREFIX } from './log.ts';
import { forwardedRequestHead, readNegotiation } from './relay-head.ts';
import { RelayPipe, type RelayReporter } from './relay-pipe.ts';
import { connectToTarget } from './target-connect.ts';

/** RFC 6455 §4.1: the status of an accepted opening handshake. */
const SWITCHING_PROTOCOLS = 101;
const BAD_GATEWAY = { status: 502, section: 'RFC 9110 §15.6.3' } as const;
const GATEWAY_TIMEOUT = { status: 504, section: 'RFC 9110 §15.6.5' } as const;
/** Longest part of the target's status line quoted in a 502 (the reason stays one short line). */
const MAX_QUOTED_STATUS_LINE_CHARS = 80;

/** Starts relaying one app connection that asked for /inspect; the target is the one from the command line. */
export function startRelay(context: EndpointContext, target: InspectTarget, received: ReceivedRequest): void {
  const { socket: app, peer, request } = received;
  const { hub, log } = context;
  if (request.method !== 'GET' || !isWebSocketUpgrade(request)) {
    const reason = '/inspect relays WebSocket connections only: send a GET with Upgrade: websocket (RFC 6455 §4.1)';
    log(`${LOG_PREFIX} ${peer} /inspect rejected: 400 ${reason}`);
    sendRejection(app, rejectionText(serverRejection(400, 'RFC 6455 §4.2.1', reason)), context.rejectLingerMs);
    return;
  }
  if (context.atConnectionLimit()) {
    // The upstream would be one socket more than the limit (a relay looping into itself ends here too).
    const reason = `the server is at its connection limit (${context.maxConnections}, relayed connections count twice); try again later`;
    log(`${LOG_PREFIX} ${peer} /inspect rejected: 503 ${reason}`);
    sendRejection(app, rejectionText(serverRejection(503, 'RFC 9110 §15.6.4', reason, [['Retry-After', RETRY_AFTER_SECONDS]])), context.rejectLingerMs);
    return;
  }
  const subject = hub.nextRelaySubjectNumber();
  const targetText = target.url.href;
  const reporter: RelayReporter = {
    watched: () => hub.inspectWatched,
    report: (type, fields) => hub.reportRelay(type, { subject, ...fields }),
  };
  reporter.report('subject', { peer, target: request.target });
  reporter.report('handshake-request', { raw: request.raw });
  log(`${LOG_PREFIX} ${peer} /inspect relaying to ${targetText} (subject ${subject})`);

  // Nothing more is read from the app until the target has answered: bytes it sent early wait in the kernel.
  app.pause();
  app.removeAllListeners('timeout');
  const upstream: Socket = connectToTarget(target);
  context.upstreams.add(upstream);
  upstream.once('close', () => context.upstreams.delete(upstream));
  const reader = new HttpHeadReader(ServerDefaults.maxHeadBytes);
  let settled = false;

  const finish = (): void => {
    settled = true;
    clearTimeout(timer);
    upstream.off('data', onData);
    upstream.off('error', onError);
    upstream.off('close', onUpstreamClose);
    app.off('close', onAppClose);
  };
  const fail = (kind: { status: number; section: string }, reason: string): void => {
    if (settled) return;
    finish();
    upstream.on('error', ignore);
    upstream.destroy();
    const refusal = serverRejection(kind.status, kind.section, reason);
    const raw = rejectionText(refusal);
    reporter.report('handshake-response', { status: kind.status, raw, reason, section: kind.section });
    reporter.report('upstream', { target: targetText, state: 'failed', reason });
    log(`${LOG_PREFIX} ${peer} /inspect failed: ${kind.status} ${reason}`);
    app.once('close', () => reporter.report('tcp-closed', {}));
    sendRejection(app, raw, context.rejectLingerMs);
  };
  const onError = (error: Error): void =>
    fail(BAD_GATEWAY, `cannot reach the target ${targetText}: ${describeSocketError(error)}`);
  const onUpstreamClose = (): void =>
    fail(BAD_GATEWAY, `the target ${targetText} closed the connection without answering the handshake`);
  const onAppClose = (): void => {
    if (settled) return;
    finish();
    upstream.destroy();
    reporter.report('upstream', { target: targetText, state: 'failed', reason: 'the app left before the target answered' });
    reporter.report('tcp-closed', {});
  };
  const onData = (chunk: Buffer): void => {
    const result = reader.push(chunk);
    if (result === null) return;
    if (isRejection(result)) return fail(BAD_GATEWAY, `the target's answer is not a valid HTTP response head: ${result.reason}`);
    const response = parseResponseHead(result.head);
    if (isRejection(response)) return fail(BAD_GATEWAY, `the target's answer is not a valid HTTP response head: ${response.reason}`);
    if (response.status !== SWITCHING_PROTOCOLS) {
      return fail(BAD_GATEWAY, `the target answered "${response.startLine.slice(0, MAX_QUOTED_STATUS_LINE_CHARS)}" instead of 101 Switching Protocols`);
    }
    finish();
    connected(response, result.head, result.rest);
  };
  const timer = setTimeout(
    () => fail(GATEWAY_TIMEOUT, `the target ${targetText} did not answer the handshake within ${target.handshakeTimeoutMs} ms`),
    target.handshakeTimeoutMs,
  );

  const connected = (response: HandshakeResponse, head: Uint8Array, rest: Uint8Array): void => {
    // The target's response goes to the app unchanged: its Sec-WebSocket-Accept answers the app's own key.
    app.write(head);
    reporter.report('handshake-response', { status: response.status, raw: response.raw });
    reporter.report('upstream', { target: targetText, state: 'connected' });
    const negotiation = readNegotiation(response);
    reporter.report('negotiated', {
      protocol: negotiation.protocol,
      extensions: negotiation.extensions,
      deflate: negotiation.deflate,
      declinedOffers: [],
    });
    if (negotiation.deflateProblem !== null) {
      log(`${LOG_PREFIX} ${peer} /inspect: the target's permessage-deflate response is unreadable (${negotiation.deflateProblem}); compressed frames will not be decoded`);
    }
    const pipe = new RelayPipe(app, upstream, {
      reporter,
      targetText,
      deflate: negotiation.deflate,
      compressorFactory: context.compressorFactory,
      maxMessageBytes: context.maxMessageBytes,
      previewBytes: context.recordPreviewBytes,
      maxWriteBufferBytes: context.transportHost.maxWriteBufferBytes,
      closeTimeoutMs: context.transportHost.closeTimeoutMs,
      log,
      peer,
    });
    pipe.start(received.rest, rest.length > 0 ? rest : null);
  };

  upstream.on('data', onData);
  upstream.on('error', onError);
  upstream.on('close', onUpstreamClose);
  app.on('close', onAppClose);
  upstream.write(forwardedRequestHead(request, target), 'latin1');
}

function ignore(): void {}
