/**
 * The experiment without a lab server: the same event source idea, the same four conversations and
 * the same reports (PushReport) the lab server sends on /pvp/observe, computed in the browser from a
 * model. Deterministic: the same parameters and seed give the same reports at the same times. The page
 * drives it with advanceTo(elapsed ms) from a timer; tests drive it with whatever times they like.
 */
import {
  PUSH_TRANSPORTS,
  PushTransport,
  STATS_INTERVAL_MS,
  type ExperimentParams,
  type PushReport,
  type PushTransport as Transport,
  type StatsReport,
  type TransportStats,
} from '../../../lab-server/src/reports/push-vs-poll-types.ts';
import { createEventSource, roundMs, seededRandom } from './event-source.ts';
import { cookieHeaderValue, paddingCookies } from './padding-cookie.ts';
import { stopSteps, transportClient, upstreamClient, type ClientContext, type SimStep } from './sim-clients.ts';
import { addBytes, NO_BYTES, summarizeLatency } from './stats.ts';
import { StepQueue } from './step-queue.ts';
import type { BrowserIdentity } from './wire-sizes.ts';

export interface SimulationEnvironment {
  readonly run: string;
  /** Host, origin, referer and user agent of the page, so modelled headers have the real sizes. */
  readonly browser: Omit<BrowserIdentity, 'cookie'>;
  /** One-way network delay between the clients and the server, ms. */
  readonly oneWayMs: number;
}

/** The browser's own clients are client 0; the server's simulated ones 1..N (see the contract). */
const OWN_CLIENT = 0;

interface ClientCounters {
  requests: number;
  responses: number;
  emptyResponses: number;
  eventsDelivered: number;
  highestSeq: number;
  bytesUp: { headers: number; payload: number };
  bytesDown: { headers: number; payload: number };
  latencies: number[];
  upstreamMessages: number;
}

export interface Simulation {
  /** Every report due up to `t` ms after the start, in order (nothing after the run stopped). */
  advanceTo(t: number): PushReport[];
  /** Stops at `t` (after reporting what happened until then): a last stats report and `stopped`. */
  stop(t: number): PushReport[];
  readonly stopped: boolean;
}

const newCounters = (): ClientCounters => ({
  requests: 0, responses: 0, emptyResponses: 0, eventsDelivered: 0, highestSeq: 0,
  bytesUp: { headers: 0, payload: 0 }, bytesDown: { headers: 0, payload: 0 }, latencies: [], upstreamMessages: 0,
});

/** Latency samples kept per transport over all clients; beyond it a uniform sample is kept (reservoir). */
const LATENCY_SAMPLES = 20_000;

/** A fixed-size uniform sample of everything offered (Vitter's algorithm R), so summaries stay cheap. */
interface Reservoir {
  readonly values: number[];
  offered: number;
}

function offer(reservoir: Reservoir, value: number, random: () => number): void {
  reservoir.offered++;
  if (reservoir.values.length < LATENCY_SAMPLES) reservoir.values.push(value);
  else {
    const slot = Math.floor(random() * reservoir.offered);
    if (slot < LATENCY_SAMPLES) reservoir.values[slot] = value;
  }
}

function record(counters: ClientCounters, step: SimStep, keepLatencies: boolean): void {
  const { exchange } = step;
  const bytes = exchange.direction === 'up' ? counters.bytesUp : counters.bytesDown;
  bytes.headers += exchange.headerBytes;
  bytes.payload += exchange.payloadBytes;
  if (step.countsAsRequest) counters.requests++;
  if (step.countsAsResponse) counters.responses++;
  if (step.empty) counters.emptyResponses++;
  if (step.upstream) counters.upstreamMessages++;
  counters.eventsDelivered += exchange.events.length;
  counters.highestSeq = Math.max(counters.highestSeq, ...exchange.events);
  if (keepLatencies) for (const latency of step.latencies) counters.latencies.push(roundMs(latency));
}

function summarize(transport: Transport, clients: readonly ClientCounters[], latencies: readonly number[]): TransportStats {
  const sum = (pick: (c: ClientCounters) => number): number => clients.reduce((total, c) => total + pick(c), 0);
  return {
    transport,
    requests: sum((c) => c.requests),
    responses: sum((c) => c.responses),
    emptyResponses: sum((c) => c.emptyResponses),
    eventsDelivered: sum((c) => c.eventsDelivered),
    // Reliable, ordered transports leave no gaps below the highest event a client has seen.
    eventsMissed: sum((c) => c.highestSeq - c.eventsDelivered),
    bytesUp: clients.reduce((total, c) => addBytes(total, c.bytesUp), NO_BYTES),
    bytesDown: clients.reduce((total, c) => addBytes(total, c.bytesDown), NO_BYTES),
    latency: { ...summarizeLatency(latencies), count: clients.reduce((total, c) => total + c.eventsDelivered, 0) },
    upstreamMessages: sum((c) => c.upstreamMessages),
  };
}

export function createSimulation(params: ExperimentParams, env: SimulationEnvironment): Simulation {
  const source = createEventSource(params.seed, params.eventsPerSecond);
  const random = seededRandom(params.seed ^ 0x5eed);
  const who: BrowserIdentity = { ...env.browser, cookie: cookieHeaderValue(paddingCookies(params.cookieBytes)) };
  const clientCount = 1 + params.simulatedClients;
  const counters = new Map<Transport, ClientCounters[]>(PUSH_TRANSPORTS.map((t) => [t, Array.from({ length: clientCount }, newCounters)]));
  const allLatencies = new Map<Transport, Reservoir>(PUSH_TRANSPORTS.map((t) => [t, { values: [], offered: 0 }]));
  const sampling = seededRandom(params.seed ^ 0x1a7e);
  const queue = new StepQueue();
  const contexts: ClientContext[] = [];
  let order = 0;
  for (let client = 0; client < clientCount; client++) {
    // The page's own clients start at once; the server's simulated ones are spread over one polling interval.
    const phaseMs = client === OWN_CLIENT ? 0 : random() * params.pollIntervalMs;
    const ctx: ClientContext = {
      run: env.run, client, source, who, oneWayMs: env.oneWayMs, pollIntervalMs: params.pollIntervalMs,
      upstreamPerSecond: params.upstreamPerSecond, phaseMs,
    };
    contexts.push(ctx);
    for (const transport of PUSH_TRANSPORTS) {
      queue.push(transportClient(transport, ctx), order++);
      queue.push(upstreamClient(ctx, transport), order++);
    }
  }

  const endAt = params.durationMs > 0 ? params.durationMs : Infinity;
  let now = 0;
  let eventsReported = 0;
  let nextStatsAt = STATS_INTERVAL_MS;
  let stopped = false;

  const statsReport = (t: number): StatsReport => {
    const all = {} as Record<Transport, TransportStats>;
    const own = {} as Record<Transport, TransportStats>;
    for (const transport of PUSH_TRANSPORTS) {
      const clients = counters.get(transport) ?? [];
      all[transport] = summarize(transport, clients, allLatencies.get(transport)?.values ?? []);
      own[transport] = summarize(transport, clients.slice(0, 1), clients[OWN_CLIENT]?.latencies ?? []);
    }
    return { type: 'stats', t: roundMs(t), eventsCreated: source.countAt(t), transports: all, ownClient: own };
  };

  const runUntil = (limit: number, out: PushReport[]): void => {
    for (;;) {
      const stepAt = queue.peek()?.exchange.t ?? Infinity;
      const eventAt = source.event(eventsReported + 1).createdAt;
      const at = Math.min(stepAt, eventAt, nextStatsAt);
      if (at > limit) break;
      if (eventAt === at) {
        const event = source.event(++eventsReported);
        out.push({ type: 'event-created', t: event.createdAt, event });
      } else if (stepAt === at) {
        const step = queue.take();
        if (step === undefined) break;
        const transportCounters = counters.get(step.exchange.transport)?.[step.client];
        if (transportCounters !== undefined) record(transportCounters, step, step.client === OWN_CLIENT);
        const reservoir = allLatencies.get(step.exchange.transport);
        if (reservoir !== undefined) for (const latency of step.latencies) offer(reservoir, roundMs(latency), sampling);
        if (step.client === OWN_CLIENT) out.push(step.exchange);
      } else {
        out.push(statsReport(nextStatsAt));
        nextStatsAt += STATS_INTERVAL_MS;
      }
    }
    now = Math.max(now, limit);
  };

  const finish = (t: number, reason: 'command' | 'duration'): PushReport[] => {
    const out: PushReport[] = [];
    runUntil(t, out);
    // A stats report due at this very moment comes after the closing steps below, as the last one.
    if (out.at(-1)?.type === 'stats' && out.at(-1)?.t === roundMs(t)) out.pop();
    // A long poll whose answer was still to come is held now; the server answers it as it stops.
    const held = new Set(queue.pending()
      .filter((step) => step.exchange.transport === PushTransport.LongPoll && step.exchange.kind === 'response')
      .map((step) => step.client));
    for (const ctx of contexts) {
      for (const step of stopSteps(ctx, t, held.has(ctx.client))) {
        const transportCounters = counters.get(step.exchange.transport)?.[step.client];
        if (transportCounters !== undefined) record(transportCounters, step, step.client === OWN_CLIENT);
        if (step.client === OWN_CLIENT && step.unreported !== true) out.push(step.exchange);
      }
    }
    out.push(statsReport(t));
    out.push({ type: 'stopped', t: roundMs(t), reason });
    stopped = true;
    return out;
  };

  return {
    get stopped() {
      return stopped;
    },
    advanceTo(t) {
      if (stopped || t < now) return [];
      if (t >= endAt) return finish(endAt, 'duration');
      const out: PushReport[] = [];
      runUntil(t, out);
      return out;
    },
    stop(t) {
      if (stopped) return [];
      return finish(Math.min(Math.max(t, now), endAt), t >= endAt ? 'duration' : 'command');
    },
  };
}

/** A seed for a new run: different runs differ, a test can pass its own. */
export function newSeed(): number {
  return Math.floor(Math.random() * 0x7fff_ffff);
}

