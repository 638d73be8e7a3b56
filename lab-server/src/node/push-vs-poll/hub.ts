/**
 * The push-versus-polling experiment on the lab server: its runs, the server-wide bounds they share,
 * and the dispatch of /pvp/ requests. server.ts hands it every /pvp/ HTTP request (handleHttp) and
 * endpoints.ts every /pvp/ WebSocket upgrade (openWebSocket).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LONG_POLL_HOLD_MS, PUSH_TRANSPORTS, type ExperimentParams } from '../../reports/push-vs-poll-types.ts';
import type { EndpointContext, ReceivedRequest } from '../endpoints.ts';
import { LOG_PREFIX, type LogSink } from '../log.ts';
import { handleLongPoll, handleSend, handlePoll, type PushHttpRequest } from './http-transports.ts';
import { NO_STORE, queryInteger, replyText } from './http-reply.ts';
import { PushLimits } from './limits.ts';
import { isPushVsPollPath, PushPath } from './paths.ts';
import { PushRun, type RunHost } from './run.ts';
import { startSimulatedThread, type StopSimulated } from './simulated-thread.ts';
import { handleSse } from './sse.ts';
import { openPushWebSocket, UPGRADE_REQUIRED_HEADERS, UPGRADE_REQUIRED_STATUS, upgradeRequiredReason } from './ws-endpoints.ts';

export interface PushVsPollSettings {
  readonly log: LogSink;
  /** Default LONG_POLL_HOLD_MS; tests shorten it. */
  readonly longPollHoldMs?: number;
  /** How long a refused POST's remaining body is read and discarded before the socket closes. */
  readonly rejectLingerMs: number;
}

const HTTP_METHOD: Readonly<Record<string, string>> = {
  [PushPath.Poll]: 'GET',
  [PushPath.LongPoll]: 'GET',
  [PushPath.Sse]: 'GET',
  [PushPath.Send]: 'POST',
};

/** Simulated clients of a start over its four lanes. */
function simulatedClientCount(params: ExperimentParams): number {
  return params.simulatedClients * PUSH_TRANSPORTS.length;
}

/**
 * Requests and messages per second a start's simulated clients cause, roughly: each client polls (or
 * is pushed to) and sends upstream at the start's rates. Bounded server-wide so that the figures
 * measure the transports, not a server (and a machine) saturated by its own simulated clients.
 */
export function simulatedWorkPerSecond(params: ExperimentParams): number {
  if (params.simulatedClients === 0) return 0;
  return Math.round(simulatedClientCount(params) * (1000 / params.pollIntervalMs + params.eventsPerSecond + params.upstreamPerSecond));
}

export class PushVsPollHub implements RunHost {
  readonly log: LogSink;
  readonly longPollHoldMs: number;
  readonly rejectLingerMs: number;
  heldLongPolls = 0;
  readonly #runs = new Map<string, PushRun>();
  #simulatedInUse = 0;
  #workInUse = 0;

  constructor(settings: PushVsPollSettings) {
    this.log = settings.log;
    this.longPollHoldMs = settings.longPollHoldMs ?? LONG_POLL_HOLD_MS;
    this.rejectLingerMs = settings.rejectLingerMs;
  }

  get runCount(): number {
    return this.#runs.size;
  }

  find(id: string): PushRun | undefined {
    return this.#runs.get(id);
  }

  createRun(): PushRun | null {
    if (this.#runs.size >= PushLimits.maxRuns) return null;
    const run = new PushRun(this);
    this.#runs.set(run.id, run);
    return run;
  }

  forget(run: PushRun): void {
    this.#runs.delete(run.id);
  }

  reserveSimulated(params: ExperimentParams): string | null {
    const count = simulatedClientCount(params);
    if (this.#simulatedInUse + count > PushLimits.maxSimulatedClientsPerServer) {
      return `the server cannot run ${count} more simulated clients now (at most ${PushLimits.maxSimulatedClientsPerServer} over all runs): lower simulatedClients`;
    }
    const work = simulatedWorkPerSecond(params);
    if (this.#workInUse + work > PushLimits.maxSimulatedWorkPerSecond) {
      return `over the simulated-client budget of ${PushLimits.maxSimulatedWorkPerSecond.toLocaleString('en-US')} requests and messages per second (all runs; ${this.#workInUse.toLocaleString('en-US')} in use): this start needs ${work.toLocaleString('en-US')} = ${simulatedClientCount(params)} clients × (1000/pollIntervalMs + eventsPerSecond + upstreamPerSecond); lower simulatedClients or the rates`;
    }
    this.#simulatedInUse += count;
    this.#workInUse += work;
    return null;
  }

  releaseSimulated(params: ExperimentParams): void {
    this.#simulatedInUse -= simulatedClientCount(params);
    this.#workInUse -= simulatedWorkPerSecond(params);
  }

  startSimulated(run: PushRun, params: ExperimentParams): StopSimulated {
    const socket = run.observer?.socket;
    if (params.simulatedClients === 0 || socket === undefined || socket.localPort === undefined) return () => {};
    // The simulated clients reach the server the way its observer did: same address, same port.
    return startSimulatedThread({ host: socket.localAddress ?? '127.0.0.1', port: socket.localPort, run: run.id, params }, this.log);
  }

  /** The run and client a request names, or how to refuse it. */
  resolveClient(url: URL): { run: PushRun; client: number } | { status: number; reason: string } {
    const id = url.searchParams.get('run');
    if (id === null || id === '') return { status: 400, reason: 'missing run=ID: open /pvp/observe and use the run id from its hello' };
    const run = this.#runs.get(id);
    if (run === undefined) return { status: 404, reason: 'unknown run: a run lives as long as its /pvp/observe connection' };
    const client = queryInteger(url, 'client', null);
    if (typeof client === 'string') return { status: 400, reason: client };
    const wrongClient = run.checkClient(client);
    if (wrongClient !== null) return { status: 400, reason: wrongClient };
    if (run.state !== 'running') return { status: 409, reason: `run ${id} is not running: send {"type":"start"} on /pvp/observe first` };
    return { run, client };
  }

  /** Serves a /pvp/ HTTP request; false when the path is not ours. */
  handleHttp(request: IncomingMessage, response: ServerResponse): boolean {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://lab.invalid');
    } catch {
      return false;
    }
    if (!isPushVsPollPath(url.pathname)) return false;
    const method = HTTP_METHOD[url.pathname];
    if (url.pathname === PushPath.Observe || url.pathname === PushPath.WebSocket) {
      // RFC 7230 §6.7: whoever sends Upgrade also lists it in Connection (the socket stays open for more requests).
      replyText(response, UPGRADE_REQUIRED_STATUS, upgradeRequiredReason(url.pathname),
        { ...Object.fromEntries(UPGRADE_REQUIRED_HEADERS), Connection: 'Upgrade' });
      return true;
    }
    if (method === undefined) {
      replyText(response, 404, `no endpoint ${url.pathname.slice(0, 40)}: use ${Object.keys(HTTP_METHOD).join(', ')} or ws ${PushPath.WebSocket}, ${PushPath.Observe}`);
      return true;
    }
    if (request.method !== method) {
      replyText(response, 405, `${url.pathname} takes ${method} only`, { Allow: method });
      return true;
    }
    const resolved = this.resolveClient(url);
    if ('status' in resolved) {
      if (url.pathname === PushPath.Sse && resolved.status === 409) {
        // HTML §9.2: a 204 tells an EventSource to stop reconnecting; any other error it would retry forever.
        response.writeHead(204, { 'Cache-Control': NO_STORE });
        response.end();
      } else {
        replyText(response, resolved.status, resolved.reason);
      }
      return true;
    }
    const http: PushHttpRequest = { ...resolved, counters: resolved.run.counters, url, request, response };
    if (url.pathname === PushPath.Send) {
      handleSend(http, this.log, this.rejectLingerMs);
      return true;
    }
    if (url.pathname === PushPath.Sse) {
      handleSse(http, this.log);
      return true;
    }
    const after = queryInteger(url, 'after', 0);
    if (typeof after === 'string') replyText(response, 400, after);
    else if (url.pathname === PushPath.Poll) handlePoll(http, after);
    else handleLongPoll(http, after, this);
    return true;
  }

  openWebSocket(context: EndpointContext, received: ReceivedRequest): void {
    openPushWebSocket(context, this, received);
  }

  /** The server is stopping: every run ends (held polls answered, streams ended, simulated clients stopped). */
  shutdown(): void {
    const runs = [...this.#runs.values()];
    for (const run of runs) run.end();
    if (runs.length > 0) this.log(`${LOG_PREFIX} push-vs-poll: ${runs.length} runs ended by the shutdown`);
  }
}
