/**
 * The results of a finished experiment: one row per transport from the page's own client's counters,
 * and a few sentences that read the figures (never fixed claims: each sentence is chosen and filled in
 * from the numbers, and is left out when the numbers do not support it).
 */
import { PUSH_TRANSPORTS, PushTransport, type PushTransport as Transport, type TransportStats } from '../../../lab-server/src/reports/push-vs-poll-types.ts';
import { bytesPerEvent, formatMs, headerBytes, headerBytesPerEvent, headerShare } from './stats.ts';

export const TRANSPORT_NAMES: Readonly<Record<Transport, string>> = {
  [PushTransport.ShortPoll]: 'Short polling',
  [PushTransport.LongPoll]: 'Long polling',
  [PushTransport.Sse]: 'Server-Sent Events',
  [PushTransport.WebSocket]: 'WebSocket',
};

export interface ResultRow {
  readonly transport: Transport;
  readonly name: string;
  readonly eventsDelivered: number;
  readonly requests: number;
  readonly bytesPerEvent: number | null;
  readonly headerBytesPerEvent: number | null;
  /** 0..1 */
  readonly headerShare: number | null;
  readonly medianMs: number | null;
  readonly p95Ms: number | null;
  readonly emptyResponses: number;
  readonly responses: number;
  readonly upstreamMessages: number;
  readonly headerBytes: number;
}

export function resultRows(stats: Readonly<Record<Transport, TransportStats>>): ResultRow[] {
  return PUSH_TRANSPORTS.map((transport) => {
    const s = stats[transport];
    return {
      transport, name: TRANSPORT_NAMES[transport], eventsDelivered: s.eventsDelivered, requests: s.requests,
      bytesPerEvent: bytesPerEvent(s), headerBytesPerEvent: headerBytesPerEvent(s), headerShare: headerShare(s),
      medianMs: s.latency.medianMs, p95Ms: s.latency.p95Ms, emptyResponses: s.emptyResponses, responses: s.responses,
      upstreamMessages: s.upstreamMessages, headerBytes: headerBytes(s),
    };
  });
}

const whole = (n: number): string => Math.round(n).toLocaleString('en-US');
/** A no-break space keeps the number and its sign on one line. */
const percent = (share: number): string => `${Math.round(share * 100)}\u00a0%`;
const plural = (n: number, one: string, many = `${one}s`): string => `${whole(n)} ${n === 1 ? one : many}`;

function ratio(a: number, b: number): string {
  const r = a / b;
  return r >= 10 ? `${whole(r)} times` : `${r.toFixed(1)} times`;
}

/** The run's settings the sentences refer to. */
export interface RunContext {
  readonly pollIntervalMs: number;
  readonly cookieBytes: number;
}

/** Sentences that say what these figures show, in the light of the run's settings. */
export function explainResults(rows: readonly ResultRow[], context: RunContext): string[] {
  const { pollIntervalMs, cookieBytes } = context;
  const by = new Map(rows.map((row) => [row.transport, row]));
  const poll = by.get(PushTransport.ShortPoll);
  const longPoll = by.get(PushTransport.LongPoll);
  const sse = by.get(PushTransport.Sse);
  const ws = by.get(PushTransport.WebSocket);
  if (poll === undefined || longPoll === undefined || sse === undefined || ws === undefined) return [];
  if (rows.every((row) => row.eventsDelivered === 0)) {
    return ['No events were delivered in this run, so there is nothing to compare per event: raise the event rate or run longer.'];
  }
  const lines: string[] = [];

  if (poll.eventsDelivered > 0 && poll.headerBytesPerEvent !== null) {
    const emptyShare = poll.responses > 0 ? poll.emptyResponses / poll.responses : 0;
    lines.push(`Short polling made ${plural(poll.requests, 'request')} to deliver ${plural(poll.eventsDelivered, 'event')}` +
      `${poll.emptyResponses > 0 ? `; ${plural(poll.emptyResponses, 'response')} (${percent(emptyShare)} of its responses) carried nothing` : ''}. ` +
      `It spent ${whole(poll.headerBytesPerEvent)} bytes of headers per event delivered.`);
  } else if (poll.requests > 0) {
    lines.push(`Short polling made ${plural(poll.requests, 'request')} and delivered no event: every byte it sent was overhead.`);
  }
  if (poll.medianMs !== null && ws.medianMs !== null && poll.medianMs > ws.medianMs) {
    lines.push(`Its events waited ${formatMs(poll.medianMs)} (median) for the next poll, against ${formatMs(ws.medianMs)} on the WebSocket: ` +
      `with a ${formatMs(pollIntervalMs)} interval, an event waits about half the interval on average, up to ${formatMs(poll.p95Ms)} (p95) here.`);
  }

  if (longPoll.eventsDelivered > 0 && longPoll.headerBytesPerEvent !== null) {
    const perRequest = longPoll.eventsDelivered / Math.max(1, longPoll.requests - longPoll.upstreamMessages);
    lines.push(`Long polling answered at once when news came (median delay ${formatMs(longPoll.medianMs)}), but every answer ended the exchange: ` +
      `${perRequest < 1.5 ? 'about one request per event' : `${perRequest.toFixed(1)} events per request, because events bunched up while the next request was on its way`}, ` +
      `${whole(longPoll.headerBytesPerEvent)} header bytes per event.`);
  }

  if (sse.eventsDelivered > 0 && sse.headerBytesPerEvent !== null) {
    lines.push(`Server-Sent Events kept one response open and delivered ${plural(sse.eventsDelivered, 'event')} for ${whole(sse.headerBytesPerEvent)} header bytes each` +
      `${sse.upstreamMessages > 0 ? `, but its ${plural(sse.upstreamMessages, 'upstream message')} still needed ${sse.upstreamMessages === 1 ? 'a POST of its own' : 'a POST each'}, with full headers` : ''}.`);
  }

  if (ws.eventsDelivered > 0 && ws.headerBytesPerEvent !== null && ws.headerShare !== null) {
    lines.push(`The WebSocket delivered ${plural(ws.eventsDelivered, 'event')} after one handshake; counting the handshake, headers came to ` +
      `${ws.headerBytesPerEvent >= 100 ? whole(ws.headerBytesPerEvent) : ws.headerBytesPerEvent.toFixed(1)} bytes per event (${percent(ws.headerShare)} of its bytes).`);
  }

  if (cookieBytes > 0 && poll.requests > 0 && ws.requests > 0) {
    lines.push(`The ${whole(cookieBytes)}-byte cookie rode on every HTTP request: ${whole(poll.requests * cookieBytes)} bytes over short polling’s ` +
      `${plural(poll.requests, 'request')}, ${whole(longPoll.requests * cookieBytes)} over long polling’s, and only ${whole(ws.requests * cookieBytes)} on the WebSocket, in its handshake.`);
  }

  const cheapest = [...rows].filter((row) => row.bytesPerEvent !== null).sort((a, b) => (a.bytesPerEvent ?? 0) - (b.bytesPerEvent ?? 0));
  const [best] = cheapest;
  const worst = cheapest.at(-1);
  if (best !== undefined && worst !== undefined && best !== worst && best.bytesPerEvent !== null && worst.bytesPerEvent !== null && best.bytesPerEvent > 0) {
    lines.push(`Per event delivered, ${worst.name.toLowerCase()} moved ${ratio(worst.bytesPerEvent, best.bytesPerEvent)} the bytes of ${best.name === 'WebSocket' ? 'the WebSocket' : best.name.toLowerCase()}.`);
  }
  return lines;
}
