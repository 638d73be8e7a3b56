/**
 * GET /pvp/sse: Server-Sent Events (HTML Living Standard §9.2). One long response whose body is the
 * event stream: `id: SEQ` and `data: <PushEvent JSON>` per event. A reconnecting EventSource sends the
 * last id it saw as Last-Event-ID, and the stream resumes right after it from the run's history; a
 * client's first stream of the run starts from the run's first event (see PushRun.pushStartAfter).
 *
 * Bytes: the status line and headers are what the socket took for the head; each event's bytes are
 * the event text (payload) plus what HTTP framing added around it (chunk-size lines of the chunked
 * transfer coding, RFC 9112 §7.1), which counts as headers: it is protocol overhead, not data.
 */
import { PushTransport } from '../../reports/push-vs-poll-types.ts';
import { LOG_PREFIX } from '../log.ts';
import { bytesReadSinceMark, measureWrite } from './byte-meter.ts';
import type { PushHttpRequest } from './http-transports.ts';
import { NO_STORE, replyText } from './http-reply.ts';
import { PushLimits } from './limits.ts';
import type { HistoryEntry, PushSubscriber } from './run.ts';

/** A stream dropped for a slow reader gets this long to take its last bytes before the socket is destroyed. */
const DROP_GRACE_MS = 5_000;

/** Digits of a Last-Event-ID we accept: 15 keep every value below Number.MAX_SAFE_INTEGER exact. */
const MAX_EVENT_ID_DIGITS = 15;
const EVENT_ID = new RegExp(`^[0-9]{1,${MAX_EVENT_ID_DIGITS}}$`);

/** Last-Event-ID: the integer id we sent, or null (absent, empty, or not one of ours: start from now). */
function lastEventId(value: string | string[] | undefined): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !EVENT_ID.test(text)) return null;
  return Number(text);
}

export function handleSse(http: PushHttpRequest, log: (line: string) => void): void {
  const { run, client, request, response, counters: startCounters } = http;
  const transport = PushTransport.Sse;
  const socket = request.socket;
  const accept = request.headers.accept;
  if (accept !== undefined && !accept.includes('text/event-stream') && !accept.includes('*/*')) {
    replyText(response, 406, 'this endpoint sends text/event-stream: send Accept: text/event-stream');
    return;
  }
  const requestBytes = bytesReadSinceMark(socket);
  const asked = lastEventId(request.headers['last-event-id']);
  // An id beyond the newest event belongs to an earlier start of the run: the stream starts from now.
  const resumeAfter = asked !== null && asked <= run.lastSeq ? asked : null;
  startCounters.count(transport, client, (counters) => {
    counters.requests++;
    counters.upHeaders += requestBytes;
  });
  run.exchange({ transport, kind: 'request', direction: 'up', headerBytes: requestBytes, payloadBytes: 0, events: [],
    label: `GET /pvp/sse${resumeAfter === null ? '' : ` (Last-Event-ID: ${resumeAfter})`}` }, client, startCounters);
  const headerBytes = measureWrite(socket, () => {
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': NO_STORE, 'X-Accel-Buffering': 'no' });
    response.flushHeaders();
  });
  startCounters.count(transport, client, (counters) => {
    counters.responses++;
    counters.downHeaders += headerBytes;
  });
  run.exchange({ transport, kind: 'response', direction: 'down', headerBytes, payloadBytes: 0, events: [], label: '200 text/event-stream' }, client, startCounters);
  const after = resumeAfter ?? run.pushStartAfter(startCounters, transport, client);
  const stream = new SseStream(http, log, after);
  startCounters.track(transport, client, after + 1);
  run.subscribe(stream);
  response.once('close', () => stream.closed());
  stream.send(run.entriesAfter(after));
}

class SseStream implements PushSubscriber {
  readonly transport = PushTransport.Sse;
  readonly client: number;
  readonly #http: PushHttpRequest;
  readonly #log: (line: string) => void;
  #sent: number;
  #ended = false;

  constructor(http: PushHttpRequest, log: (line: string) => void, after: number) {
    this.#http = http;
    this.client = http.client;
    this.#log = log;
    this.#sent = after;
  }

  eventCreated(): void {
    this.send(this.#http.run.entriesAfter(this.#sent));
  }

  /** Writes each event as its own SSE message, counting its bytes and its delay. */
  send(entries: readonly HistoryEntry[]): void {
    const { run, response, counters: startCounters } = this.#http;
    const socket = response.socket;
    for (const entry of entries) {
      if (this.#ended || socket === null || socket.destroyed) return;
      const text = `id: ${entry.event.seq}\ndata: ${entry.json}\n\n`;
      const payloadBytes = Buffer.byteLength(text);
      const total = measureWrite(socket, () => response.write(text));
      const writtenAt = performance.now();
      this.#sent = entry.event.seq;
      if (total < payloadBytes) return;
      const framing = total - payloadBytes;
      startCounters.count(this.transport, this.client, (counters) => {
        counters.downHeaders += framing;
        counters.downPayload += payloadBytes;
      });
      startCounters.delivered(this.transport, this.client, [entry], writtenAt);
      run.exchange({ transport: this.transport, kind: 'event', direction: 'down', headerBytes: framing, payloadBytes,
        events: [entry.event.seq], label: `event ${entry.event.seq}` }, this.client, startCounters);
      if (socket.writableLength > PushLimits.maxPushQueueBytes) {
        this.#drop(`too slow: more than ${PushLimits.maxPushQueueBytes} bytes waiting`);
        return;
      }
    }
  }

  /** The run stopped or a newer stream of the same client took over: the response ends. */
  end(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#finish(reason);
  }

  closed(): void {
    this.#ended = true;
    this.#http.run.unsubscribe(this);
  }

  #drop(reason: string): void {
    this.#log(`${LOG_PREFIX} /pvp/sse client ${this.client} of run ${this.#http.run.id} dropped: ${reason}`);
    this.#ended = true;
    this.#http.run.unsubscribe(this);
    this.#finish(reason);
    const socket = this.#http.response.socket;
    if (socket !== null) {
      const timer = setTimeout(() => socket.destroy(), DROP_GRACE_MS);
      socket.once('close', () => clearTimeout(timer));
    }
  }

  /** A comment line (ignored by EventSource) says why the stream ends; like any body bytes it counts as payload. */
  #finish(reason: string): void {
    const { response, counters: startCounters } = this.#http;
    const socket = response.socket;
    if (socket === null || socket.destroyed || response.writableEnded) return;
    const comment = `: ${reason}\n\n`;
    const payloadBytes = Buffer.byteLength(comment);
    const written = measureWrite(socket, () => response.end(comment));
    if (written < payloadBytes) return;
    startCounters.count(this.transport, this.client, (counters) => {
      counters.downHeaders += written - payloadBytes;
      counters.downPayload += payloadBytes;
    });
  }
}
