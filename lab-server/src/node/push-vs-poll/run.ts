/**
 * One run of the experiment: one observer connection (/pvp/observe), its seeded event source, the
 * clients of the four transports (the page's client 0 and the simulated 1..N) and their counters. The
 * run is the observer transport's handler: commands come in as text messages, reports go out through
 * the ObserverChannel. The run ends when its observer goes.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionEvent } from '../../protocol/connection-types.ts';
import {
  STATS_INTERVAL_MS,
  type ExchangeReport, type ExperimentParams, type PushReport, type PushTransport,
} from '../../reports/push-vs-poll-types.ts';
import { LOG_PREFIX, type LogSink } from '../log.ts';
import type { WebSocketTransport } from '../transport.ts';
import type { TransportHandler } from '../transport-handler.ts';
import { CommandQueue } from './command-queue.ts';
import { LoopLag } from './loop-lag.ts';
import { PushLimits } from './limits.ts';
import { ObserverChannel } from './observer-channel.ts';
import { parseCommand } from './params.ts';
import { RunCounters, type RunStats } from './run-counters.ts';
import { RunEvents, type HistoryEntry } from './run-events.ts';
import type { StopSimulated } from './simulated-thread.ts';

export type { HistoryEntry } from './run-events.ts';

/** A held long poll, an SSE stream or a /pvp/ws connection: told about each new event, ended with the run. */
export interface PushSubscriber {
  readonly transport: PushTransport;
  readonly client: number;
  eventCreated(): void;
  end(reason: string): void;
}

/** What a run needs from the server-wide hub. */
export interface RunHost {
  readonly log: LogSink;
  /** Takes the start's simulated clients from the server-wide budgets; null, or a one-line reason why not. */
  reserveSimulated(params: ExperimentParams): string | null;
  releaseSimulated(params: ExperimentParams): void;
  /** Starts the simulated clients of a run (in their own thread); returns a function that stops them. */
  startSimulated(run: PushRun, params: ExperimentParams): StopSimulated;
  forget(run: PushRun): void;
}

export type RunState = 'idle' | 'running' | 'stopped';

export class PushRun implements TransportHandler {
  readonly id = randomBytes(12).toString('base64url');
  readonly host: RunHost;
  #channel: ObserverChannel | null = null;
  #state: RunState = 'idle';
  #params: ExperimentParams | null = null;
  #startedAt = performance.now();
  readonly #events = new RunEvents(() => this.now(), (entry) => this.#announce(entry));
  #counters = new RunCounters();
  #subscribers = new Map<string, PushSubscriber>();
  #statsTimer: NodeJS.Timeout | null = null;
  #durationTimer: NodeJS.Timeout | null = null;
  #stopSimulated: StopSimulated | null = null;
  /** The parameters whose simulated clients hold a share of the server-wide budget, or null. */
  #reserved: ExperimentParams | null = null;
  readonly #commands = new CommandQueue(
    (message) => this.report({ type: 'error', t: this.now(), message }),
    (error) => this.host.log(`${LOG_PREFIX} /pvp/observe run ${this.id}: command failed: ${(error as Error).message}`),
  );
  readonly #loopLag = new LoopLag();
  #lastStartAt = Number.NEGATIVE_INFINITY;
  #ended = false;

  constructor(host: RunHost) {
    this.host = host;
  }

  get state(): RunState {
    return this.#state;
  }

  get params(): ExperimentParams | null {
    return this.#params;
  }

  get lastSeq(): number {
    return this.#events.lastSeq;
  }

  get observer(): WebSocketTransport | null {
    return this.#channel?.transport ?? null;
  }

  /** Milliseconds since the current start (since the run opened, before the first start), to the microsecond. */
  now(): number {
    return Math.round((performance.now() - this.#startedAt) * 1000) / 1000;
  }

  attach(observer: WebSocketTransport, longPollHoldMs: number): void {
    this.#channel = new ObserverChannel(observer);
    this.report({ type: 'hello', t: this.now(), run: this.id, longPollHoldMs });
  }

  report(report: PushReport): void {
    if (!this.#ended) this.#channel?.send(report);
  }

  /** Null when `client` may take part: 0 (the page) or 1..simulatedClients. */
  checkClient(client: number): string | null {
    const max = this.#params?.simulatedClients ?? 0;
    return client <= max ? null : `client must be 0 (the page) or a simulated client 1..${max}, got ${client}`;
  }

  // ---- events -------------------------------------------------------------------------------------

  /** Remembered events with seq > after, oldest first, at most `max`. */
  entriesAfter(after: number, max: number = PushLimits.maxEventsPerResponse): HistoryEntry[] {
    return this.#events.entriesAfter(after, max);
  }

  #announce(entry: HistoryEntry): void {
    this.report({ type: 'event-created', t: this.now(), event: entry.event });
    for (const subscriber of [...this.#subscribers.values()]) subscriber.eventCreated();
  }

  // ---- counting -----------------------------------------------------------------------------------

  /** The counters of the current start: a connection or request keeps the ones it began with. */
  get counters(): RunCounters {
    return this.#counters;
  }

  /**
   * Where a new push connection (SSE without Last-Event-ID, WebSocket) starts: a client's first
   * connection of the run gets every event from seq 1, as a first poll with after=0 does, so the four
   * lanes carry the same events however late the client connected; a later one starts from now, and
   * what it missed meanwhile counts as missed (the WebSocket has no resume of its own).
   */
  pushStartAfter(counters: RunCounters, transport: PushTransport, client: number): number {
    return counters.isTracked(transport, client) ? this.#events.lastSeq : 0;
  }

  /** A step of client 0's conversation, for the page's sequence diagrams; not once its start is over. */
  exchange(step: Omit<ExchangeReport, 'type' | 't'>, client: number, counters: RunCounters): void {
    if (client === 0 && counters === this.#counters) this.report({ type: 'exchange', t: this.now(), ...step });
  }

  // ---- subscribers --------------------------------------------------------------------------------

  /** One held poll / stream / socket per transport and client: a newer one replaces the older. */
  subscribe(subscriber: PushSubscriber): void {
    const key = `${subscriber.transport}:${subscriber.client}`;
    const previous = this.#subscribers.get(key);
    this.#subscribers.set(key, subscriber);
    if (previous !== undefined && previous !== subscriber) previous.end('replaced by a newer request of the same client');
  }

  unsubscribe(subscriber: PushSubscriber): void {
    const key = `${subscriber.transport}:${subscriber.client}`;
    if (this.#subscribers.get(key) === subscriber) this.#subscribers.delete(key);
  }

  #endSubscribers(reason: string): void {
    const subscribers = [...this.#subscribers.values()];
    this.#subscribers.clear();
    for (const subscriber of subscribers) subscriber.end(reason);
  }

  // ---- commands -----------------------------------------------------------------------------------

  /** Starts are spaced as they come (each opens and closes every simulated client's sockets), queued or not. */
  #startSpaced(params: ExperimentParams): void {
    const sinceLastStart = performance.now() - this.#lastStartAt;
    if (sinceLastStart < PushLimits.minStartIntervalMs) {
      this.report({ type: 'error', t: this.now(), message: `started ${Math.round(sinceLastStart)} ms ago: wait ${PushLimits.minStartIntervalMs} ms between starts` });
      return;
    }
    this.#lastStartAt = performance.now();
    this.#commands.push(() => this.#start(params));
  }

  async #start(params: ExperimentParams): Promise<void> {
    await this.#stop('command');
    if (this.#ended) return;
    const refusal = this.host.reserveSimulated(params);
    if (refusal !== null) {
      this.report({ type: 'error', t: this.now(), message: refusal });
      return;
    }
    this.#reserved = params;
    this.#params = params;
    this.#clear();
    this.#state = 'running';
    this.#startedAt = performance.now();
    this.report({ type: 'started', t: this.now(), params });
    this.#loopLag.start();
    this.#events.start(params.seed, params.eventsPerSecond, params.durationMs);
    this.#statsTimer = setInterval(() => this.#reportStats(), STATS_INTERVAL_MS);
    if (params.durationMs > 0) {
      const counters = this.#counters;
      this.#durationTimer = setTimeout(() => this.#commands.push(() => (this.#counters === counters ? this.#stop('duration') : undefined)), params.durationMs);
    }
    this.#stopSimulated = this.host.startSimulated(this, params);
  }

  /** Halts the start, waits (bounded) for its closing handshakes and POSTs under way, then reports it. */
  async #stop(reason: 'command' | 'duration'): Promise<void> {
    if (this.#state !== 'running') return;
    // The duration timer may fire a little before the clock reads durationMs, or ahead of an event timer
    // due at the same moment: a timed run still carries exactly the events of eventsWithin(seed, rate, durationMs).
    if (reason === 'duration') this.#events.createDue((this.#params as ExperimentParams).durationMs);
    const counters = this.#counters;
    this.#halt('the run stopped');
    await counters.settled(PushLimits.stopSettleMs);
    if (this.#ended) return;
    this.#reportStats();
    this.#loopLag.stop();
    this.report({ type: 'stopped', t: this.now(), reason });
  }

  async #reset(): Promise<void> {
    await this.#stop('command');
    this.#clear();
    this.#state = 'idle';
    this.#reportStats();
  }

  #halt(reason: string): void {
    this.#state = 'stopped';
    this.#events.halt();
    if (this.#durationTimer !== null) clearTimeout(this.#durationTimer);
    if (this.#statsTimer !== null) clearInterval(this.#statsTimer);
    this.#statsTimer = this.#durationTimer = null;
    this.#stopSimulated?.();
    this.#stopSimulated = null;
    if (this.#reserved !== null) this.host.releaseSimulated(this.#reserved);
    this.#reserved = null;
    this.#endSubscribers(reason);
  }

  #clear(): void {
    this.#events.clear();
    this.#counters = new RunCounters();
  }

  stats(): RunStats {
    return this.#counters.stats();
  }

  #reportStats(): void {
    const loopLagMs = this.#loopLag.take();
    this.report({ type: 'stats', t: this.now(), eventsCreated: this.#events.lastSeq, ...this.stats(), ...(loopLagMs === null ? {} : { loopLagMs }) });
  }

  // ---- the observer's connection ------------------------------------------------------------------

  onEvent(_observer: WebSocketTransport, event: ConnectionEvent): void {
    if (event.type === 'text') {
      const command = parseCommand(event.text);
      if (typeof command === 'string') this.report({ type: 'error', t: this.now(), message: command });
      else if (command.type === 'start') this.#startSpaced(command.params);
      else if (command.type === 'stop') this.#commands.push(() => this.#stop('command'));
      else this.#commands.push(() => this.#reset());
    } else if (event.type === 'binary') {
      this.report({ type: 'error', t: this.now(), message: 'commands are JSON text messages, not binary' });
    } else if (event.type === 'closed') {
      this.end();
    }
  }

  onDrain(): void {
    this.#channel?.drain();
  }

  onSocketClose(): void {
    this.end();
  }

  /** The observer is gone (or the server shuts down): stop everything, forget the run. */
  end(): void {
    if (this.#ended) return;
    if (this.#state === 'running') this.#halt('the run ended: its observer left');
    this.#ended = true;
    this.#commands.close();
    this.#loopLag.stop();
    const dropped = this.#channel?.dropped ?? 0;
    this.#channel?.clear();
    this.host.forget(this);
    this.host.log(`${LOG_PREFIX} /pvp/observe run ${this.id} ended${dropped > 0 ? ` (${dropped} reports dropped for a slow observer)` : ''}`);
  }
}
