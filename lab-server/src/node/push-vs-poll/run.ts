/**
 * One run of the experiment: one observer connection (/pvp/observe), its seeded event source, the
 * clients of the four transports (the page's client 0 and the simulated 1..N) and their counters. The
 * run is the observer transport's handler: commands come in as text messages, reports go out through
 * the ObserverChannel. The run ends when its observer goes.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionEvent } from '../../protocol/connection-types.ts';
import {
  PUSH_TRANSPORTS, STATS_INTERVAL_MS,
  type ExchangeReport, type ExperimentParams, type PushEvent, type PushReport, type PushTransport,
} from '../../reports/push-vs-poll-types.ts';
import { LOG_PREFIX, type LogSink } from '../log.ts';
import type { TransportHandler, WebSocketTransport } from '../transport.ts';
import { EventSchedule } from './event-source.ts';
import { PushLimits } from './limits.ts';
import { ObserverChannel } from './observer-channel.ts';
import { parseCommand } from './params.ts';
import { RunCounters, type RunStats } from './run-counters.ts';
import type { TransportCounters } from './stats.ts';

/** An event as the run keeps it: its JSON once, and when it came to exist on this host's clock. */
export interface HistoryEntry {
  readonly event: PushEvent;
  readonly json: string;
  /** performance.now() when the event was created: delays are measured from here. */
  readonly createdReal: number;
}

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
  /** Takes `count` simulated clients from the server-wide budget; false when it would exceed it. */
  reserveSimulated(count: number): boolean;
  releaseSimulated(count: number): void;
  /** Starts the simulated clients of a run; returns a function that stops them. */
  startSimulated(run: PushRun, params: ExperimentParams): () => void;
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
  #history: HistoryEntry[] = [];
  #lastSeq = 0;
  #counters = new RunCounters();
  #subscribers = new Map<string, PushSubscriber>();
  #eventTimer: NodeJS.Timeout | null = null;
  #statsTimer: NodeJS.Timeout | null = null;
  #durationTimer: NodeJS.Timeout | null = null;
  #stopSimulated: (() => void) | null = null;
  #reserved = 0;
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
    return this.#lastSeq;
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
    const first = this.#history[0]?.event.seq ?? this.#lastSeq + 1;
    const from = Math.max(0, after + 1 - first);
    return this.#history.slice(from, from + max);
  }

  #create(event: PushEvent): void {
    const entry: HistoryEntry = { event, json: JSON.stringify(event), createdReal: performance.now() };
    this.#history.push(entry);
    if (this.#history.length > PushLimits.eventHistory) this.#history.shift();
    this.#lastSeq = event.seq;
    this.report({ type: 'event-created', t: this.now(), event });
    for (const subscriber of [...this.#subscribers.values()]) subscriber.eventCreated();
  }

  #scheduleEvents(schedule: EventSchedule, pending: PushEvent, durationMs: number): void {
    const tick = (): void => {
      let next = pending;
      while (this.#state === 'running' && next.createdAt <= this.now()) {
        if (durationMs > 0 && next.createdAt > durationMs) return;
        this.#create(next);
        next = schedule.next();
      }
      if (this.#state !== 'running') return;
      pending = next;
      this.#eventTimer = setTimeout(tick, Math.max(0, next.createdAt - this.now()));
    };
    this.#eventTimer = setTimeout(tick, Math.max(0, pending.createdAt - this.now()));
  }

  // ---- counting -----------------------------------------------------------------------------------

  /** Applies `update` to the lane's totals and, for client 0, to the page's own counters. */
  count(transport: PushTransport, client: number, update: (counters: TransportCounters) => void): void {
    this.#counters.count(transport, client, update);
  }

  /** Sets where a client starts in the sequence, unless it is already known (a reconnect keeps its place). */
  track(transport: PushTransport, client: number, nextExpected: number): void {
    this.#counters.track(transport, client, nextExpected);
  }

  /**
   * Where a new push connection (SSE without Last-Event-ID, WebSocket) starts: a client's first
   * connection of the run gets every event from seq 1, as a first poll with after=0 does, so the four
   * lanes carry the same events however late the client connected; a later one starts from now, and
   * what it missed meanwhile counts as missed (the WebSocket has no resume of its own).
   */
  pushStartAfter(transport: PushTransport, client: number): number {
    return this.#counters.isTracked(transport, client) ? this.#lastSeq : 0;
  }

  /** Events just handed to a client's socket (see RunCounters.delivered). */
  delivered(transport: PushTransport, client: number, entries: readonly HistoryEntry[], writtenAt: number): void {
    this.#counters.delivered(transport, client, entries, writtenAt);
  }

  /** A step of client 0's conversation, for the page's sequence diagrams. */
  exchange(step: Omit<ExchangeReport, 'type' | 't'>, client: number): void {
    if (client === 0) this.report({ type: 'exchange', t: this.now(), ...step });
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

  start(params: ExperimentParams): void {
    const sinceLastStart = performance.now() - this.#lastStartAt;
    if (sinceLastStart < PushLimits.minStartIntervalMs) {
      this.report({ type: 'error', t: this.now(), message: `started ${Math.round(sinceLastStart)} ms ago: wait ${PushLimits.minStartIntervalMs} ms between starts` });
      return;
    }
    this.#lastStartAt = performance.now();
    if (this.#state === 'running') this.stop('command');
    const needed = params.simulatedClients * PUSH_TRANSPORTS.length;
    if (!this.host.reserveSimulated(needed)) {
      this.report({ type: 'error', t: this.now(), message: `the server cannot run ${needed} more simulated clients now (at most ${PushLimits.maxSimulatedClientsPerServer} over all runs): lower simulatedClients` });
      return;
    }
    this.#reserved = needed;
    this.#params = params;
    this.#clear();
    this.#state = 'running';
    this.#startedAt = performance.now();
    this.report({ type: 'started', t: this.now(), params });
    const schedule = new EventSchedule(params.seed, params.eventsPerSecond);
    this.#scheduleEvents(schedule, schedule.next(), params.durationMs);
    this.#statsTimer = setInterval(() => this.#reportStats(), STATS_INTERVAL_MS);
    if (params.durationMs > 0) this.#durationTimer = setTimeout(() => this.stop('duration'), params.durationMs);
    this.#stopSimulated = this.host.startSimulated(this, params);
  }

  stop(reason: 'command' | 'duration'): void {
    if (this.#state !== 'running') return;
    this.#halt('the run stopped');
    this.#reportStats();
    this.report({ type: 'stopped', t: this.now(), reason });
  }

  reset(): void {
    this.stop('command');
    this.#clear();
    this.#state = 'idle';
    this.#reportStats();
  }

  #halt(reason: string): void {
    this.#state = 'stopped';
    for (const timer of [this.#eventTimer, this.#durationTimer]) if (timer !== null) clearTimeout(timer);
    if (this.#statsTimer !== null) clearInterval(this.#statsTimer);
    this.#eventTimer = this.#statsTimer = this.#durationTimer = null;
    this.#stopSimulated?.();
    this.#stopSimulated = null;
    this.host.releaseSimulated(this.#reserved);
    this.#reserved = 0;
    this.#endSubscribers(reason);
  }

  #clear(): void {
    this.#history = [];
    this.#lastSeq = 0;
    this.#counters = new RunCounters();
  }

  stats(): RunStats {
    return this.#counters.stats();
  }

  #reportStats(): void {
    this.report({ type: 'stats', t: this.now(), eventsCreated: this.#lastSeq, ...this.stats() });
  }

  // ---- the observer's connection ------------------------------------------------------------------

  onEvent(_observer: WebSocketTransport, event: ConnectionEvent): void {
    if (event.type === 'text') {
      const command = parseCommand(event.text);
      if (typeof command === 'string') this.report({ type: 'error', t: this.now(), message: command });
      else if (command.type === 'start') this.start(command.params);
      else if (command.type === 'stop') this.stop('command');
      else this.reset();
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
    const dropped = this.#channel?.dropped ?? 0;
    this.#channel?.clear();
    this.host.forget(this);
    this.host.log(`${LOG_PREFIX} /pvp/observe run ${this.id} ended${dropped > 0 ? ` (${dropped} reports dropped for a slow observer)` : ''}`);
  }
}
