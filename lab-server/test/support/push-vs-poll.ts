/**
 * Test side of the push-versus-polling experiment: an observer on /pvp/observe (with the `ws` library,
 * an independent peer) and page-like clients for the four transports, written without the server's
 * own client code, each recording the sequence numbers it received.
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { ExperimentParams, PushReport, StatsReport } from '../../src/reports/push-vs-poll-types.ts';

export const BASE_PARAMS: ExperimentParams = {
  seed: 42,
  eventsPerSecond: 10,
  pollIntervalMs: 100,
  simulatedClients: 0,
  cookieBytes: 0,
  upstreamPerSecond: 0,
  durationMs: 0,
};

export interface PushObserver {
  readonly ws: WebSocket;
  readonly reports: PushReport[];
  readonly run: string;
  command(command: unknown): void;
  /** The first report (from index `from` on) that satisfies the predicate. */
  waitFor<T extends PushReport>(predicate: (report: PushReport) => report is T, timeoutMs?: number, from?: number): Promise<T>;
  waitFor(predicate: (report: PushReport) => boolean, timeoutMs?: number, from?: number): Promise<PushReport>;
  close(): Promise<void>;
}

export async function observe(wsBase: string): Promise<PushObserver> {
  const ws = new WebSocket(`${wsBase}/pvp/observe`);
  const reports: PushReport[] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (data) => {
    reports.push(JSON.parse(String(data)) as PushReport);
    for (const listener of [...listeners]) listener();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waitFor = (predicate: (report: PushReport) => boolean, timeoutMs = 5000, from = 0): Promise<PushReport> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = reports.slice(from).find(predicate);
        if (found === undefined) return false;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no matching report within ${timeoutMs} ms; got ${reports.map((report) => report.type).join(',')}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  const hello = await waitFor((report) => report.type === 'hello');
  return {
    ws,
    reports,
    run: hello.type === 'hello' ? hello.run : '',
    command: (command) => ws.send(JSON.stringify(command)),
    waitFor: waitFor as PushObserver['waitFor'],
    close: () => new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) resolve();
      ws.once('close', () => resolve());
      ws.close();
    }),
  };
}

export function isStats(report: PushReport): report is StatsReport {
  return report.type === 'stats';
}

/** The first stats report that satisfies `predicate` (a report made just before a change may still be on its way). */
export function statsWhere(observer: PushObserver, predicate: (stats: StatsReport) => boolean, timeoutMs = 2000): Promise<StatsReport> {
  return observer.waitFor((report): report is StatsReport => isStats(report) && predicate(report), timeoutMs);
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** One request on the given agent (keep-alive), the whole answer collected. */
export function httpRequest(port: number, agent: Agent | undefined, method: string, path: string,
  body: string | Buffer | null = null, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method, path, agent, headers: body === null ? headers : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers } });
    outgoing.on('error', reject);
    outgoing.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    outgoing.end(body ?? undefined);
  });
}

function seqsOf(body: string): number[] {
  return (JSON.parse(body) as { events: { seq: number }[] }).events.map((event) => event.seq);
}

/** A polling client (short or long) that records every sequence number it got, until stopped. */
export class PollingClient {
  readonly seqs: number[] = [];
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  #stopped = false;
  #loop: Promise<void> = Promise.resolve();

  readonly port: number;
  readonly path: '/pvp/poll' | '/pvp/long-poll';
  readonly run: string;
  readonly intervalMs: number;
  readonly headers: Record<string, string>;

  constructor(port: number, path: '/pvp/poll' | '/pvp/long-poll', run: string, intervalMs: number, headers: Record<string, string> = {}) {
    this.headers = headers;
    this.port = port;
    this.path = path;
    this.run = run;
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.#loop = (async () => {
      let after = 0;
      while (!this.#stopped) {
        const began = Date.now();
        const answer = await httpRequest(this.port, this.agent, 'GET', `${this.path}?run=${this.run}&client=0&after=${after}`, null, this.headers);
        if (answer.status !== 200) break;
        const seqs = seqsOf(answer.body);
        this.seqs.push(...seqs);
        after = Math.max(after, ...seqs);
        const wait = began + this.intervalMs - Date.now();
        if (wait > 0 && !this.#stopped) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })();
  }

  /** Stops after the request in flight (a held long poll is answered when the run stops). */
  stop(): Promise<void> {
    this.#stopped = true;
    return this.#loop;
  }
}

/** Reads /pvp/sse and records the `id:` of every event; resolves `ended` when the response ends. */
export function sseClient(port: number, run: string, agent?: Agent, headers: Record<string, string> = {}): { seqs: number[]; ended: Promise<void>; destroy(): void } {
  const seqs: number[] = [];
  let text = '';
  let outgoing: ReturnType<typeof request> | null = null;
  const ended = new Promise<void>((resolve, reject) => {
    outgoing = request({ host: '127.0.0.1', port, method: 'GET', path: `/pvp/sse?run=${run}&client=0`, agent, headers: { Accept: 'text/event-stream', ...headers } });
    outgoing.on('error', reject);
    outgoing.on('response', (response: IncomingMessage) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const message = text.slice(0, end);
          text = text.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(message);
          if (id !== null) seqs.push(Number(id[1]));
        }
      });
      response.on('end', () => resolve());
    });
    outgoing.end();
  });
  return { seqs, ended, destroy: () => outgoing?.destroy() };
}

/** A `ws` client on /pvp/ws (offering permessage-deflate, as browsers do) recording every event's seq. */
export async function wsClient(port: number, run: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; seqs: number[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/pvp/ws?run=${run}&client=0`, { headers });
  const seqs: number[] = [];
  ws.on('message', (data) => seqs.push((JSON.parse(String(data)) as { seq: number }).seq));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, seqs };
}

export function contiguous(seqs: readonly number[], from: number, to: number): boolean {
  if (seqs.length !== to - from + 1) return false;
  return seqs.every((seq, index) => seq === from + index);
}
