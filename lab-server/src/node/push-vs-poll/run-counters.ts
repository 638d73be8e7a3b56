/**
 * The counters of one start of a run: per lane, all clients summed and the page's client 0 alone, plus
 * where each client stands in the event sequence, so that deliveries, repeats and gaps are told apart.
 *
 * Every connection and request keeps the counters of the start that opened it: a close frame or a POST
 * body that arrives after a stop counts in the start it belongs to, never in the next one. The start
 * also knows what of it is still under way (a WebSocket closing, a POST body being read), so the run can
 * send its final stats once those are done.
 */
import { PUSH_TRANSPORTS, type PushTransport, type TransportStats } from '../../reports/push-vs-poll-types.ts';
import type { HistoryEntry } from './run.ts';
import { TransportCounters } from './stats.ts';

interface CounterPair {
  readonly all: TransportCounters;
  readonly own: TransportCounters;
}

/** Where a client stands in the event sequence: the next seq it should get. */
interface ClientTrack {
  nextExpected: number;
}

export interface RunStats {
  readonly transports: Record<PushTransport, TransportStats>;
  readonly ownClient: Record<PushTransport, TransportStats>;
}

export class RunCounters {
  readonly #counters = {} as Record<PushTransport, CounterPair>;
  readonly #tracks = new Map<string, ClientTrack>();
  #pending = 0;
  #waiters: (() => void)[] = [];

  constructor() {
    for (const transport of PUSH_TRANSPORTS) this.#counters[transport] = { all: new TransportCounters(transport), own: new TransportCounters(transport) };
  }

  /** Applies `update` to the lane's totals and, for client 0, to the page's own counters. */
  count(transport: PushTransport, client: number, update: (counters: TransportCounters) => void): void {
    const pair = this.#counters[transport];
    update(pair.all);
    if (client === 0) update(pair.own);
  }

  isTracked(transport: PushTransport, client: number): boolean {
    return this.#tracks.has(`${transport}:${client}`);
  }

  /** Sets where a client starts in the sequence, unless it is already known (a reconnect keeps its place). */
  track(transport: PushTransport, client: number, nextExpected: number): void {
    const key = `${transport}:${client}`;
    if (!this.#tracks.has(key)) this.#tracks.set(key, { nextExpected });
  }

  /**
   * Events whose bytes were just handed to a client's socket: new ones count as delivered with their
   * delay; a sequence number skipped over counts as missed; a repeat (a re-asked poll) counts as neither.
   */
  delivered(transport: PushTransport, client: number, entries: readonly HistoryEntry[], writtenAt: number): void {
    const first = entries[0];
    if (first === undefined) return;
    this.track(transport, client, first.event.seq);
    const track = this.#tracks.get(`${transport}:${client}`) as ClientTrack;
    for (const entry of entries) {
      const seq = entry.event.seq;
      if (seq < track.nextExpected) continue;
      const missed = seq - track.nextExpected;
      const delay = writtenAt - entry.createdReal;
      this.count(transport, client, (counters) => {
        counters.eventsMissed += missed;
        counters.eventsDelivered++;
        counters.latency.add(delay);
      });
      track.nextExpected = seq + 1;
    }
  }

  /** Something of this start is under way; the function returned says it is done (once). */
  hold(): () => void {
    this.#pending++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#pending--;
      if (this.#pending > 0) return;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter();
    };
  }

  /** Resolves when nothing of this start is under way any more, or after `timeoutMs` at the latest. */
  settled(timeoutMs: number): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  stats(): RunStats {
    const transports = {} as Record<PushTransport, TransportStats>;
    const ownClient = {} as Record<PushTransport, TransportStats>;
    for (const transport of PUSH_TRANSPORTS) {
      transports[transport] = this.#counters[transport].all.snapshot();
      ownClient[transport] = this.#counters[transport].own.snapshot();
    }
    return { transports, ownClient };
  }
}
