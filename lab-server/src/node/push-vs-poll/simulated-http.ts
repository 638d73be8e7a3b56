/**
 * What the simulated clients send over HTTP, shaped like a browser's requests: the same cookie size,
 * a browser's usual header fields, a keep-alive connection per client. Each client has its own agent
 * (its own sockets), as separate browsers would.
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import type { ExperimentParams } from '../../reports/push-vs-poll-types.ts';

export interface SimulatedTarget {
  readonly host: string;
  readonly port: number;
  readonly run: string;
  readonly params: ExperimentParams;
  readonly log: (line: string) => void;
}

/** Sockets per simulated client: one for its poll or stream, one for its upstream POSTs. */
const SOCKETS_PER_CLIENT = 2;
/** The cookie's name; its value is padding up to the requested size. */
const COOKIE_NAME = 'pvp';

/** A Cookie header value of exactly `bytes` bytes (name=value; nameless below 5 bytes), or null for none. */
export function simulatedCookie(bytes: number): string | null {
  if (bytes <= 0) return null;
  const prefix = `${COOKIE_NAME}=`;
  return bytes <= prefix.length ? 'x'.repeat(bytes) : prefix + 'x'.repeat(bytes - prefix.length);
}

/** The header fields a browser's fetch sends besides Host and Connection (Chrome's, abridged and fixed). */
export function browserLikeHeaders(target: SimulatedTarget): Record<string, string> {
  const origin = `http://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const headers: Record<string, string> = {
    'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 lab-simulated',
    Accept: '*/*',
    'Accept-Encoding': 'gzip, deflate, br, zstd',
    'Accept-Language': 'en-US,en;q=0.9',
    Referer: `${origin}/push-vs-poll/`,
  };
  const cookie = simulatedCookie(target.params.cookieBytes);
  if (cookie !== null) headers['Cookie'] = cookie;
  return headers;
}

/** One simulated client's HTTP: requests on its own keep-alive agent, all aborted by close(). */
export class SimulatedHttp {
  readonly target: SimulatedTarget;
  readonly client: number;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: SOCKETS_PER_CLIENT });
  readonly #pending = new Set<ReturnType<typeof request>>();
  readonly #headers: Record<string, string>;
  #closed = false;

  constructor(target: SimulatedTarget, client: number) {
    this.target = target;
    this.client = client;
    this.#headers = browserLikeHeaders(target);
  }

  get closed(): boolean {
    return this.#closed;
  }

  path(pathname: string, extra = ''): string {
    return `${pathname}?run=${encodeURIComponent(this.target.run)}&client=${this.client}${extra}`;
  }

  /** Sends a request; `onResponse` gets the status and the whole body, `onError` any failure (never both). */
  send(method: 'GET' | 'POST', path: string, body: string | null, extraHeaders: Record<string, string>,
    onResponse: (status: number, body: string) => void, onError: () => void): void {
    if (this.#closed) return;
    const headers: Record<string, string | number> = { ...this.#headers, ...extraHeaders };
    if (body !== null) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const outgoing = request({ host: this.target.host, port: this.target.port, method, path, agent: this.#agent, headers });
    this.#pending.add(outgoing);
    let settled = false;
    const fail = (): void => {
      if (settled) return;
      settled = true;
      this.#pending.delete(outgoing);
      if (!this.#closed) onError();
    };
    outgoing.on('error', fail);
    outgoing.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('aborted', fail);
      response.on('end', () => {
        if (settled) return;
        settled = true;
        this.#pending.delete(outgoing);
        if (!this.#closed) onResponse(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
      });
    });
    outgoing.end(body ?? undefined);
  }

  /** A streaming GET (SSE): chunks as they come; `onEnd` when the response or the connection ends. */
  stream(path: string, extraHeaders: Record<string, string>, onStatus: (status: number) => void,
    onChunk: (text: string) => void, onEnd: () => void): void {
    if (this.#closed) return;
    const outgoing = request({ host: this.target.host, port: this.target.port, method: 'GET', path, agent: this.#agent,
      headers: { ...this.#headers, ...extraHeaders } });
    this.#pending.add(outgoing);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      this.#pending.delete(outgoing);
      if (!this.#closed) onEnd();
    };
    outgoing.on('error', end);
    outgoing.on('response', (response: IncomingMessage) => {
      onStatus(response.statusCode ?? 0);
      response.setEncoding('utf8');
      response.on('data', (text: string) => onChunk(text));
      response.on('end', end);
      response.on('error', end);
      response.on('close', end);
    });
    outgoing.end();
  }

  close(): void {
    this.#closed = true;
    for (const outgoing of this.#pending) outgoing.destroy();
    this.#pending.clear();
    this.#agent.destroy();
  }
}
