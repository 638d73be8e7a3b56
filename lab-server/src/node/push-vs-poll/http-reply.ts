/** Plain HTTP answers of the /pvp/ endpoints, and the parsing of their query parameters. */
import type { ServerResponse } from 'node:http';
import type { ExchangeReport, PushTransport } from '../../reports/push-vs-poll-types.ts';
import { measureWrite } from './byte-meter.ts';
import type { PushHttpRequest } from './http-transports.ts';
import type { HistoryEntry } from './run.ts';

/** No cache may keep an answer: every poll must reach the server, as in the experiment. */
export const NO_STORE = 'no-store';
const MAX_QUERY_NUMBER = Number.MAX_SAFE_INTEGER;

/** An error with its one-line reason as the body (the bad input always gets a clear answer). */
export function replyText(response: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = `${reason}\n`;
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': NO_STORE,
    ...headers,
  });
  response.end(body);
}

/** A non-negative integer query parameter: its value, `fallback` when absent, or a reason. */
export function queryInteger(url: URL, name: string, fallback: number | null): number | string {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return fallback ?? `missing ${name}=N`;
  if (!/^[0-9]{1,16}$/.test(text) || Number(text) > MAX_QUERY_NUMBER) return `${name} must be a non-negative integer, got "${text.slice(0, 20)}"`;
  return Number(text);
}

/**
 * Answers a poll with the events given (none: an empty poll), counting the bytes handed to the socket:
 * status line and headers are what the socket took beyond the body we know.
 */
export function replyEvents(http: PushHttpRequest, transport: PushTransport, entries: readonly HistoryEntry[]): void {
  const { run, client, response, counters: startCounters } = http;
  const socket = response.socket;
  if (socket === null || socket.destroyed || response.writableEnded) return;
  const body = `{"events":[${entries.map((entry) => entry.json).join(',')}]}`;
  const payloadBytes = Buffer.byteLength(body);
  const total = measureWrite(socket, () => {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': payloadBytes, 'Cache-Control': NO_STORE });
    response.end(body);
  });
  const writtenAt = performance.now();
  if (total < payloadBytes) return; // the socket was gone: nothing reached it
  const headerBytes = total - payloadBytes;
  startCounters.count(transport, client, (counters) => {
    counters.responses++;
    if (entries.length === 0) counters.emptyResponses++;
    counters.downHeaders += headerBytes;
    counters.downPayload += payloadBytes;
  });
  startCounters.delivered(transport, client, entries, writtenAt);
  run.exchange({
    transport, kind: 'response', direction: 'down', headerBytes, payloadBytes,
    events: entries.map((entry) => entry.event.seq),
    label: `200, ${entries.length === 0 ? 'no events' : entries.length === 1 ? '1 event' : `${entries.length} events`}`,
  }, client, startCounters);
}

export type ExchangeStep = Omit<ExchangeReport, 'type' | 't'>;
