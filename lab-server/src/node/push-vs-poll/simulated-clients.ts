/**
 * Clients the server runs itself, over real loopback sockets, so that the server-wide figures show load
 * growing with clients: per transport, clients 1..N behave like the page's client 0 — same polling
 * interval, same cookie, same upstream rate (POST /pvp/send for the HTTP transports, text frames on
 * /pvp/ws). They go through the same listening socket, head reader and node:http as any browser.
 */
import { CloseCode } from '../../protocol/constants.ts';
import { PushTransport, type PollResponse, type UpstreamMessage } from '../../reports/push-vs-poll-types.ts';
import { connectWebSocket, type CoreWebSocketClient } from '../client.ts';
import { LOG_PREFIX } from '../log.ts';
import { PushPath } from './paths.ts';
import { SseParser } from './sse-parser.ts';
import { browserLikeHeaders, SimulatedHttp, type SimulatedTarget } from './simulated-http.ts';

/** After a failed request or a dropped stream, wait this long before trying again (EventSource's usual 3 s). */
const RETRY_MS = 3_000;
const HTTP_NO_CONTENT = 204;
const HTTP_OK = 200;

interface Simulated {
  stop(): void;
}

export function startSimulatedClients(target: SimulatedTarget): () => void {
  const clients: Simulated[] = [];
  const startedAt = performance.now();
  for (let client = 1; client <= target.params.simulatedClients; client++) {
    clients.push(new ShortPollClient(target, client, startedAt), new LongPollClient(target, client, startedAt),
      new SseClient(target, client, startedAt), new WebSocketClient(target, client, startedAt));
  }
  return () => {
    for (const client of clients) client.stop();
  };
}

/** The newest sequence number in a poll response, or `after` when it has none (or is not JSON). */
function newestSeq(body: string, after: number): number {
  try {
    const { events } = JSON.parse(body) as PollResponse;
    return events.reduce((newest, event) => Math.max(newest, event.seq), after);
  } catch {
    return after;
  }
}

/** Sends upstream messages at the run's rate, evenly spaced, until stopped. */
class Upstream {
  #timer: NodeJS.Timeout | null = null;
  #seq = 0;

  constructor(perSecond: number, startedAt: number, client: number, send: (json: string) => void) {
    if (perSecond <= 0) return;
    this.#timer = setInterval(() => {
      this.#seq++;
      const message: UpstreamMessage = { seq: this.#seq, sentAt: Math.round(performance.now() - startedAt), text: `client ${client} says ${this.#seq}` };
      send(JSON.stringify(message));
    }, 1000 / perSecond);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
  }
}

/** An HTTP lane's client: its own keep-alive agent, upstream by POST. */
abstract class HttpClient implements Simulated {
  readonly http: SimulatedHttp;
  readonly #upstream: Upstream;
  #retry: NodeJS.Timeout | null = null;

  constructor(target: SimulatedTarget, client: number, startedAt: number, transport: PushTransport) {
    this.http = new SimulatedHttp(target, client);
    this.#upstream = new Upstream(target.params.upstreamPerSecond, startedAt, client, (json) => {
      this.http.send('POST', this.http.path(PushPath.Send, `&transport=${transport}`), json, {}, () => {}, () => {});
    });
  }

  later(action: () => void, ms: number): void {
    if (this.http.closed) return;
    this.#retry = setTimeout(action, ms);
  }

  stop(): void {
    this.#upstream.stop();
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.http.close();
  }
}

/** Polls every pollIntervalMs, start to start, never two polls at once (a late answer delays the next). */
class ShortPollClient extends HttpClient {
  readonly #intervalMs: number;
  #after = 0;

  constructor(target: SimulatedTarget, client: number, startedAt: number) {
    super(target, client, startedAt, PushTransport.ShortPoll);
    this.#intervalMs = target.params.pollIntervalMs;
    this.#poll();
  }

  #poll(): void {
    const began = performance.now();
    const next = (): void => this.later(() => this.#poll(), Math.max(0, began + this.#intervalMs - performance.now()));
    this.http.send('GET', this.http.path(PushPath.Poll, `&after=${this.#after}`), null, {}, (status, body) => {
      if (status === HTTP_OK) this.#after = newestSeq(body, this.#after);
      next();
    }, next);
  }
}

/** Asks again as soon as an answer comes: the server holds each request until there is news. */
class LongPollClient extends HttpClient {
  #after = 0;

  constructor(target: SimulatedTarget, client: number, startedAt: number) {
    super(target, client, startedAt, PushTransport.LongPoll);
    this.#poll();
  }

  #poll(): void {
    this.http.send('GET', this.http.path(PushPath.LongPoll, `&after=${this.#after}`), null, {}, (status, body) => {
      if (status !== HTTP_OK) {
        this.later(() => this.#poll(), RETRY_MS);
        return;
      }
      this.#after = newestSeq(body, this.#after);
      this.#poll();
    }, () => this.later(() => this.#poll(), RETRY_MS));
  }
}

/** Reads the event stream like an EventSource: reconnects after RETRY_MS with Last-Event-ID; a 204 stops it. */
class SseClient extends HttpClient {
  readonly #parser = new SseParser();

  constructor(target: SimulatedTarget, client: number, startedAt: number) {
    super(target, client, startedAt, PushTransport.Sse);
    this.#connect();
  }

  #connect(): void {
    let status = 0;
    const headers: Record<string, string> = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
    if (this.#parser.lastEventId !== '') headers['Last-Event-ID'] = this.#parser.lastEventId;
    this.http.stream(this.http.path(PushPath.Sse), headers, (code) => {
      status = code;
    }, (text) => {
      this.#parser.push(text);
    }, () => {
      if (status !== HTTP_NO_CONTENT) this.later(() => this.#connect(), RETRY_MS);
    });
  }
}

/** The core's Node client on /pvp/ws, offering permessage-deflate as browsers do (the server declines it). */
class WebSocketClient implements Simulated {
  readonly #upstream: Upstream;
  #socket: CoreWebSocketClient | null = null;
  #stopped = false;

  constructor(target: SimulatedTarget, client: number, startedAt: number) {
    const host = target.host.includes(':') ? `[${target.host}]` : target.host;
    const headers = browserLikeHeaders(target);
    const url = `ws://${host}:${target.port}${PushPath.WebSocket}?run=${encodeURIComponent(target.run)}&client=${client}`;
    connectWebSocket(url, {
      deflate: true,
      origin: `http://${host}:${target.port}`,
      extraHeaders: Object.entries(headers).filter(([name]) => name !== 'Accept' && name !== 'Referer'),
    }).then((socket) => {
      if (this.#stopped) {
        void socket.close();
        return;
      }
      this.#socket = socket;
      socket.on('message', () => {});
    }, (error: unknown) => {
      if (!this.#stopped) target.log(`${LOG_PREFIX} simulated /pvp/ws client ${client} could not connect: ${(error as Error).message}`);
    });
    this.#upstream = new Upstream(target.params.upstreamPerSecond, startedAt, client, (json) => {
      if (this.#socket?.readyState === 'open') this.#socket.sendText(json);
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#upstream.stop();
    if (this.#socket?.readyState === 'open') void this.#socket.close(CloseCode.GoingAway, 'the simulated client leaves');
  }
}
