/**
 * The HTTP side of the experiment on node:http: short polls, long polls, and upstream messages by POST.
 * Each request's bytes are taken from its socket (byte-meter.ts): a GET's request line and headers are
 * all the socket read since the previous exchange; a POST's headers are that minus the body we read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PushTransport } from '../../reports/push-vs-poll-types.ts';
import { LOG_PREFIX } from '../log.ts';
import { bytesReadSinceMark, measureWrite } from './byte-meter.ts';
import { NO_STORE, replyEvents, replyText } from './http-reply.ts';
import { PushLimits } from './limits.ts';
import type { HistoryEntry, PushRun, PushSubscriber } from './run.ts';
import type { RunCounters } from './run-counters.ts';
import { parseUpstream } from './upstream.ts';

export interface PushHttpRequest {
  readonly run: PushRun;
  readonly client: number;
  /** The counters of the start that was running when the request came: it counts there to the end. */
  readonly counters: RunCounters;
  readonly url: URL;
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
}

/** RFC 9110 §10.2.3: when a long poll refused for the server-wide bound may try again, in seconds. */
const HELD_POLLS_RETRY_AFTER_S = 5;

/** Server-wide state the long polls share. */
export interface LongPollHost {
  readonly longPollHoldMs: number;
  heldLongPolls: number;
}

/** The request line as the lanes label it, e.g. "GET /pvp/poll?after=12". */
function requestLabel(request: IncomingMessage, url: URL): string {
  const after = url.searchParams.get('after');
  return `${request.method ?? 'GET'} ${url.pathname}${after === null ? '' : `?after=${after}`}`;
}

/** Counts a request that carried no body: everything its socket read since the last exchange. */
function countBodilessRequest(http: PushHttpRequest, transport: PushTransport): void {
  const headerBytes = http.request.socket === null ? 0 : bytesReadSinceMark(http.request.socket);
  http.counters.count(transport, http.client, (counters) => {
    counters.requests++;
    counters.upHeaders += headerBytes;
  });
  http.run.exchange({ transport, kind: 'request', direction: 'up', headerBytes, payloadBytes: 0, events: [], label: requestLabel(http.request, http.url) }, http.client, http.counters);
}

/** GET /pvp/poll: answered at once, with the events after `after` (maybe none). */
export function handlePoll(http: PushHttpRequest, after: number): void {
  countBodilessRequest(http, PushTransport.ShortPoll);
  http.counters.track(PushTransport.ShortPoll, http.client, after + 1);
  replyEvents(http, PushTransport.ShortPoll, http.run.entriesAfter(after));
}

/** GET /pvp/long-poll: answered as soon as an event after `after` exists, or empty after the hold time. */
export function handleLongPoll(http: PushHttpRequest, after: number, host: LongPollHost): void {
  countBodilessRequest(http, PushTransport.LongPoll);
  http.counters.track(PushTransport.LongPoll, http.client, after + 1);
  const ready = http.run.entriesAfter(after);
  if (ready.length > 0) {
    replyEvents(http, PushTransport.LongPoll, ready);
    return;
  }
  if (host.heldLongPolls >= PushLimits.maxHeldLongPolls) {
    replyText(http.response, 503, `the server holds ${PushLimits.maxHeldLongPolls} long polls already; try again later`,
      { 'Retry-After': String(HELD_POLLS_RETRY_AFTER_S) });
    return;
  }
  new HeldPoll(http, after, host).hold();
}

class HeldPoll implements PushSubscriber {
  readonly transport = PushTransport.LongPoll;
  readonly client: number;
  readonly #http: PushHttpRequest;
  readonly #after: number;
  readonly #host: LongPollHost;
  #timer: NodeJS.Timeout | null = null;
  #done = false;

  constructor(http: PushHttpRequest, after: number, host: LongPollHost) {
    this.#http = http;
    this.client = http.client;
    this.#after = after;
    this.#host = host;
  }

  hold(): void {
    this.#host.heldLongPolls++;
    this.#timer = setTimeout(() => this.#answer([]), this.#host.longPollHoldMs);
    // The client gave up (closed its socket): forget the poll, nothing to answer.
    this.#http.response.once('close', () => this.#release());
    this.#http.run.subscribe(this);
  }

  eventCreated(): void {
    const entries = this.#http.run.entriesAfter(this.#after);
    if (entries.length > 0) this.#answer(entries);
  }

  end(): void {
    this.#answer([]);
  }

  #answer(entries: HistoryEntry[]): void {
    if (this.#done) return;
    this.#release();
    replyEvents(this.#http, this.transport, entries);
  }

  #release(): void {
    if (this.#done) return;
    this.#done = true;
    this.#host.heldLongPolls--;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#http.run.unsubscribe(this);
  }
}

/**
 * After a 413 with Connection: close, node:http would destroy the socket as soon as the response is
 * written; with the client's body still arriving, the kernel would then reset the connection, which
 * can destroy the 413 before the client reads it. Instead our side is ended (FIN), the rest of the
 * body is read and discarded, and the socket goes when the body has ended or `lingerMs` passed.
 */
function lingerAfter413(http: PushHttpRequest, lingerMs: number): void {
  const { request, response } = http;
  const socket = request.socket;
  request.resume();
  response.once('finish', () => {
    // node:http's close (socket.destroySoon) destroys on the socket's 'finish': keep it open to read instead.
    socket.removeListener('finish', socket.destroy);
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    const close = (): void => {
      clearTimeout(timer);
      socket.destroy();
    };
    if (request.complete) close();
    else request.once('end', close);
    socket.once('close', () => clearTimeout(timer));
  });
}

/** The transports whose clients send upstream by POST; WebSocket clients send frames instead. */
const POSTING_TRANSPORTS: readonly PushTransport[] = [PushTransport.ShortPoll, PushTransport.LongPoll, PushTransport.Sse];

/**
 * POST /pvp/send?run&client&transport=T: one UpstreamMessage as the body, answered 204. `transport`
 * (default poll) says which lane's client sent it, so each lane counts its own upstream bytes.
 */
export function handleSend(http: PushHttpRequest, log: (line: string) => void, lingerMs: number): void {
  const { request, response, run, client, url, counters: startCounters } = http;
  const transport = (url.searchParams.get('transport') ?? PushTransport.ShortPoll) as PushTransport;
  if (!POSTING_TRANSPORTS.includes(transport)) {
    replyText(response, 400, `transport must be ${POSTING_TRANSPORTS.join(', ')} (WebSocket clients send frames on /pvp/ws)`);
    return;
  }
  const declared = Number(request.headers['content-length'] ?? 'NaN');
  const tooLarge = (): void => {
    log(`${LOG_PREFIX} POST /pvp/send refused: body over ${PushLimits.maxUpstreamBodyBytes} bytes`);
    // RFC 9110 §15.5.14: the connection closes after a 413 (the rest of the body is not worth reading
    // for a next request); till then the rest is read and discarded, for a bounded time (lingerAfter413).
    lingerAfter413(http, lingerMs);
    replyText(response, 413, `the body is larger than ${PushLimits.maxUpstreamBodyBytes} bytes: an upstream message is small JSON`, { Connection: 'close' });
  };
  if (declared > PushLimits.maxUpstreamBodyBytes) {
    tooLarge();
    return;
  }
  const chunks: Buffer[] = [];
  let length = 0;
  let refused = false;
  // The body is under way: a stop waits for it (bounded) before its final stats.
  const release = startCounters.hold();
  request.once('close', release);
  request.on('data', (chunk: Buffer) => {
    if (refused) return;
    length += chunk.length;
    if (length > PushLimits.maxUpstreamBodyBytes) {
      refused = true;
      tooLarge();
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    if (refused) return;
    release();
    const socket = request.socket;
    const body = Buffer.concat(chunks);
    const headerBytes = Math.max(0, bytesReadSinceMark(socket) - body.length);
    const message = parseUpstream(body.toString('utf8'));
    startCounters.count(transport, client, (counters) => {
      counters.requests++;
      counters.upHeaders += headerBytes;
      counters.upPayload += body.length;
      if (typeof message !== 'string') counters.upstreamMessages++;
    });
    run.exchange({ transport, kind: 'upstream', direction: 'up', headerBytes, payloadBytes: body.length, events: [], label: `POST /pvp/send (${body.length} bytes)` }, client, startCounters);
    // The body crossed the wire even when it is not a message: its answer (400 or 204) is counted too.
    let payloadBytes = 0;
    const written = measureWrite(socket, () => {
      if (typeof message === 'string') {
        payloadBytes = Buffer.byteLength(`${message}\n`);
        replyText(response, 400, message);
      } else {
        response.writeHead(204, { 'Cache-Control': NO_STORE });
        response.end();
      }
    });
    if (written < payloadBytes) return;
    startCounters.count(transport, client, (counters) => {
      counters.responses++;
      counters.downHeaders += written - payloadBytes;
      counters.downPayload += payloadBytes;
    });
    run.exchange({ transport, kind: 'response', direction: 'down', headerBytes: written - payloadBytes, payloadBytes, events: [],
      label: typeof message === 'string' ? '400 Bad Request' : '204 No Content' }, client, startCounters);
  });
}
