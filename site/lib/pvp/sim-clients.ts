/**
 * The simulated conversations, one generator per client and transport. Each yields the steps the
 * server would see, in time order, at the moment the server sees them (request arrival, response or
 * event written): the same vantage point as the lab server's reports. A fixed one-way network delay
 * separates a response leaving the server from the client's next request arriving.
 */
import {
  LONG_POLL_HOLD_MS,
  PushTransport,
  type ExchangeReport,
  type PushEvent,
  type PushTransport as Transport,
} from '../../../lab-server/src/reports/push-vs-poll-types.ts';
import { roundMs, type EventSourceModel } from './event-source.ts';
import {
  byteLength, chunkFramingBytes, closeFrameHeaderBytes, requestHead, responseHead, sseEventText, textFrameHeaderBytes, type BrowserIdentity,
  type RequestFlavour,
} from './wire-sizes.ts';

/** What one step adds to its client's counters besides the bytes. */
export interface SimStep {
  readonly client: number;
  readonly exchange: ExchangeReport;
  /** Created-to-sent delay of each event the step carries, ms. */
  readonly latencies: readonly number[];
  readonly countsAsRequest: boolean;
  readonly countsAsResponse: boolean;
  readonly empty: boolean;
  readonly upstream: boolean;
  /** Counted but not drawn: the lab server reports no exchange for it (the SSE stream's closing comment). */
  readonly unreported?: boolean;
}

export interface ClientContext {
  readonly run: string;
  readonly client: number;
  readonly source: EventSourceModel;
  readonly who: BrowserIdentity;
  readonly oneWayMs: number;
  readonly pollIntervalMs: number;
  readonly upstreamPerSecond: number;
  /** When this client's first poll or upstream message leaves, ms (spreads clients over the interval). */
  readonly phaseMs: number;
}

const query = (ctx: ClientContext): string => `run=${ctx.run}&client=${ctx.client}`;

/**
 * Size of a request head without building its text for every request (a cookie can make it 8 kB): the
 * head with an empty target, measured once per browser, flavour and body size, plus the target's bytes.
 */
const headSizes = new WeakMap<BrowserIdentity, Map<string, number>>();
function requestBytes(flavour: RequestFlavour, target: string, who: BrowserIdentity, bodyBytes = 0): number {
  let sizes = headSizes.get(who);
  if (sizes === undefined) headSizes.set(who, (sizes = new Map()));
  const key = `${flavour} ${bodyBytes}`;
  let base = sizes.get(key);
  if (base === undefined) sizes.set(key, (base = byteLength(requestHead(flavour, '', who, bodyBytes))));
  return base + byteLength(target);
}

function step(ctx: ClientContext, exchange: Omit<ExchangeReport, 'type'>, extra: Partial<Omit<SimStep, 'client' | 'exchange'>> = {}): SimStep {
  return {
    client: ctx.client, exchange: { type: 'exchange', ...exchange, t: roundMs(exchange.t) }, latencies: [],
    countsAsRequest: false, countsAsResponse: false, empty: false, upstream: false, ...extra,
  };
}

/** Labels match the lab server's, so a simulated lane reads like a live one. */
function request(ctx: ClientContext, transport: Transport, t: number, target: string, flavour: RequestFlavour, label?: string): SimStep {
  return step(ctx, { t, transport, kind: 'request', direction: 'up', headerBytes: requestBytes(flavour, target, ctx.who), payloadBytes: 0, events: [], label: label ?? `GET ${target.replace(/run=[^&]*&client=\d+&?/, '').replace(/\?$/, '')}` }, { countsAsRequest: true });
}

function eventsLabel(events: readonly PushEvent[]): string {
  return events.length === 0 ? 'no events' : events.length === 1 ? '1 event' : `${events.length} events`;
}

function jsonResponse(ctx: ClientContext, transport: Transport, t: number, events: readonly PushEvent[]): SimStep {
  const body = JSON.stringify({ events });
  const payloadBytes = byteLength(body);
  const label = `200, ${eventsLabel(events)}`;
  return step(ctx, {
    t, transport, kind: 'response', direction: 'down', headerBytes: byteLength(responseHead('json', payloadBytes)), payloadBytes,
    events: events.map((event) => event.seq), label,
  }, { countsAsResponse: true, empty: events.length === 0, latencies: events.map((event) => t - event.createdAt) });
}

/** What the lab server says when a run stops: the close reason and the SSE stream's last comment. */
export const RUN_STOPPED_REASON = 'the run stopped';

/**
 * A run stops: the server answers a held long poll with no events, ends the SSE stream with a comment
 * line, and closes the WebSocket with 1000 (RFC 6455 §7.4.1). Steps at `t` for what is open then.
 */
export function stopSteps(ctx: ClientContext, t: number, heldLongPoll: boolean): SimStep[] {
  const steps: SimStep[] = [];
  if (heldLongPoll) steps.push(jsonResponse(ctx, PushTransport.LongPoll, t, []));
  if (t < ctx.phaseMs + ctx.oneWayMs) return steps;
  const comment = `: ${RUN_STOPPED_REASON}\n\n`;
  const commentBytes = byteLength(comment);
  // The comment is protocol, not data: counted with the headers, as the lab server counts it.
  steps.push(step(ctx, { t, transport: PushTransport.Sse, kind: 'event', direction: 'down', headerBytes: commentBytes + chunkFramingBytes(commentBytes), payloadBytes: 0, events: [], label: comment.trim() }, { unreported: true }));
  const closePayload = 2 + byteLength(RUN_STOPPED_REASON);
  steps.push(step(ctx, { t, transport: PushTransport.WebSocket, kind: 'frame', direction: 'down', headerBytes: closeFrameHeaderBytes(closePayload), payloadBytes: closePayload, events: [], label: 'close frame' }, { countsAsResponse: true }));
  return steps;
}

/** Short polling: a GET every interval, answered at once with whatever is new (often nothing). */
export function* shortPollClient(ctx: ClientContext): Generator<SimStep> {
  let after = 0;
  for (let sentAt = ctx.phaseMs; ; sentAt += ctx.pollIntervalMs) {
    const arrival = sentAt + ctx.oneWayMs;
    const target = `/pvp/poll?${query(ctx)}&after=${after}`;
    yield request(ctx, PushTransport.ShortPoll, arrival, target, 'fetch');
    const events = ctx.source.between(after, arrival);
    yield jsonResponse(ctx, PushTransport.ShortPoll, arrival, events);
    after = events.at(-1)?.seq ?? after;
  }
}

/** Long polling: the server holds the GET until there is news (or LONG_POLL_HOLD_MS), then the client asks again at once. */
export function* longPollClient(ctx: ClientContext): Generator<SimStep> {
  let after = 0;
  let sentAt = ctx.phaseMs;
  for (;;) {
    const arrival = sentAt + ctx.oneWayMs;
    const target = `/pvp/long-poll?${query(ctx)}&after=${after}`;
    yield request(ctx, PushTransport.LongPoll, arrival, target, 'fetch');
    const next = ctx.source.event(after + 1);
    const answeredAt = next.createdAt <= arrival ? arrival : Math.min(next.createdAt, arrival + LONG_POLL_HOLD_MS);
    const events = ctx.source.between(after, answeredAt);
    yield jsonResponse(ctx, PushTransport.LongPoll, answeredAt, events);
    after = events.at(-1)?.seq ?? after;
    // The response travels to the client, which sends the next request straight away.
    sentAt = answeredAt + ctx.oneWayMs;
  }
}

/** Server-Sent Events: one GET, one response that never ends, each event written into it as text. */
export function* sseClient(ctx: ClientContext): Generator<SimStep> {
  const opened = ctx.phaseMs + ctx.oneWayMs;
  const target = `/pvp/sse?${query(ctx)}`;
  yield request(ctx, PushTransport.Sse, opened, target, 'event-source');
  yield step(ctx, { t: opened, transport: PushTransport.Sse, kind: 'response', direction: 'down', headerBytes: byteLength(responseHead('event-stream')), payloadBytes: 0, events: [], label: '200 text/event-stream' }, { countsAsResponse: true });
  for (let seq = 1; ; seq++) {
    const event = ctx.source.event(seq);
    const t = Math.max(event.createdAt, opened);
    const payloadBytes = byteLength(sseEventText(event));
    yield step(ctx, { t, transport: PushTransport.Sse, kind: 'event', direction: 'down', headerBytes: chunkFramingBytes(payloadBytes), payloadBytes, events: [seq], label: `event ${seq}` }, { latencies: [t - event.createdAt] });
  }
}

/** WebSocket: one handshake, then one unmasked text frame per event (RFC 6455 §5.2, §5.6). */
export function* webSocketClient(ctx: ClientContext): Generator<SimStep> {
  const opened = ctx.phaseMs + ctx.oneWayMs;
  const target = `/pvp/ws?${query(ctx)}`;
  yield request(ctx, PushTransport.WebSocket, opened, target, 'websocket', 'GET /pvp/ws (Upgrade: websocket)');
  yield step(ctx, { t: opened, transport: PushTransport.WebSocket, kind: 'response', direction: 'down', headerBytes: byteLength(responseHead('switching-protocols')), payloadBytes: 0, events: [], label: '101 Switching Protocols' });
  for (let seq = 1; ; seq++) {
    const event = ctx.source.event(seq);
    const t = Math.max(event.createdAt, opened);
    const payloadBytes = byteLength(JSON.stringify(event));
    yield step(ctx, { t, transport: PushTransport.WebSocket, kind: 'frame', direction: 'down', headerBytes: textFrameHeaderBytes(payloadBytes, false), payloadBytes, events: [seq], label: `text frame, event ${seq}` }, { countsAsResponse: true, latencies: [t - event.createdAt] });
  }
}

/** Upstream messages: a POST with its own headers per message over HTTP, a masked frame over a WebSocket. */
export function* upstreamClient(ctx: ClientContext, transport: Transport): Generator<SimStep> {
  if (ctx.upstreamPerSecond <= 0) return;
  const periodMs = 1000 / ctx.upstreamPerSecond;
  // A WebSocket can only send once it is open: the handshake's round trip.
  const firstAt = ctx.phaseMs + periodMs / 2 + (transport === PushTransport.WebSocket ? 2 * ctx.oneWayMs : 0);
  for (let seq = 1; ; seq++) {
    const sentAt = firstAt + (seq - 1) * periodMs;
    const t = sentAt + ctx.oneWayMs;
    // The same body the page's own clients send (browser-clients.ts).
    const body = JSON.stringify({ seq, sentAt: roundMs(sentAt), text: `hello ${seq} from ${transport}` });
    const payloadBytes = byteLength(body);
    if (transport === PushTransport.WebSocket) {
      yield step(ctx, { t, transport, kind: 'upstream', direction: 'up', headerBytes: textFrameHeaderBytes(payloadBytes, true), payloadBytes, events: [], label: `text frame (${payloadBytes} bytes)` }, { upstream: true });
      continue;
    }
    const target = `/pvp/send?${query(ctx)}&transport=${transport}`;
    yield step(ctx, { t, transport, kind: 'upstream', direction: 'up', headerBytes: requestBytes('post', target, ctx.who, payloadBytes), payloadBytes, events: [], label: `POST /pvp/send (${payloadBytes} bytes)` }, { upstream: true, countsAsRequest: true });
    yield step(ctx, { t, transport, kind: 'response', direction: 'down', headerBytes: byteLength(responseHead('no-content')), payloadBytes: 0, events: [], label: '204 No Content' }, { countsAsResponse: true });
  }
}

export function transportClient(transport: Transport, ctx: ClientContext): Generator<SimStep> {
  switch (transport) {
    case PushTransport.ShortPoll: return shortPollClient(ctx);
    case PushTransport.LongPoll: return longPollClient(ctx);
    case PushTransport.Sse: return sseClient(ctx);
    case PushTransport.WebSocket: return webSocketClient(ctx);
  }
}
