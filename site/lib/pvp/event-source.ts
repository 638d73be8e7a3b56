/**
 * The simulation's event source: a seeded stream of price ticks arriving as a Poisson process with the
 * requested mean rate. The same seed gives the same events at the same offsets, so a simulated run can
 * be replayed and tested. Events are generated lazily, as far ahead as a question about them needs.
 */
import type { PushEvent } from '../../../lab-server/src/reports/push-vs-poll-types.ts';

const SYMBOLS = ['ACME', 'GLOBEX', 'INITECH', 'HOOLI', 'UMBRELLA'] as const;
const START_PRICE = 100;

/** mulberry32: a small, fast, seedable generator; deterministic across engines (32-bit integer math). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** Milliseconds rounded to microseconds, as the reports carry them. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export interface EventSourceModel {
  /** The event with this sequence number (1-based), generating up to it if needed. */
  event(seq: number): PushEvent;
  /** Events with seq > after created at or before `t`, in order. */
  between(after: number, t: number): PushEvent[];
  /** How many events exist at time `t`. */
  countAt(t: number): number;
}

export function createEventSource(seed: number, eventsPerSecond: number): EventSourceModel {
  const random = seededRandom(seed);
  const events: PushEvent[] = [];
  let clock = 0;
  let price = START_PRICE;
  const generateNext = (): PushEvent => {
    // Exponential gaps make a Poisson process: arrivals at random moments, eventsPerSecond on average.
    clock += (-Math.log(1 - random()) / eventsPerSecond) * 1000;
    price = Math.max(1, price * (1 + (random() - 0.5) / 50));
    const symbol = SYMBOLS[Math.floor(random() * SYMBOLS.length)] ?? SYMBOLS[0];
    const event: PushEvent = { seq: events.length + 1, createdAt: roundMs(clock), symbol, price: Math.round(price * 100) / 100 };
    events.push(event);
    return event;
  };
  const event = (seq: number): PushEvent => {
    while (events.length < seq) generateNext();
    const found = events[seq - 1];
    if (found === undefined) throw new RangeError(`event sequence numbers start at 1, got ${seq}`);
    return found;
  };
  const extendPast = (t: number): void => {
    while (events.length === 0 || (events.at(-1)?.createdAt ?? 0) <= t) generateNext();
  };
  return {
    event,
    between(after, t) {
      extendPast(t);
      const found: PushEvent[] = [];
      for (let seq = after + 1; seq <= events.length; seq++) {
        const candidate = event(seq);
        if (candidate.createdAt > t) break;
        found.push(candidate);
      }
      return found;
    },
    countAt(t) {
      extendPast(t);
      let count = 0;
      while (count < events.length && (events[count]?.createdAt ?? Infinity) <= t) count++;
      return count;
    },
  };
}
