/**
 * The experiment's event source, pure (no node: imports, no timers): the page's offline simulation can
 * use the same code. Given a seed and a rate, it yields the same events at the same offsets, always.
 *
 * Spacing is Poisson: the gaps between events are exponentially distributed with mean 1/rate, which is
 * what independent real-world updates (quotes, chat messages) look like, and what makes polling's cost
 * visible: events bunch up and leave long silences. Offsets are rounded to the microsecond and prices to
 * the cent, so the numbers are identical on every JavaScript engine.
 */
import type { PushEvent } from '../../reports/push-vs-poll-types.ts';

/** Ticker symbols the events quote; fixed so that seeded runs are comparable. */
export const EVENT_SYMBOLS: readonly string[] = ['ACME', 'GLOBX', 'INITE', 'UMBRL', 'WAYNE', 'STARK'];
const START_PRICE = 100;
/** Largest step of the random walk, in price units. */
const MAX_PRICE_STEP = 0.5;
const MIN_PRICE = 1;

/** mulberry32: a tiny 32-bit PRNG with a good spread, fully determined by its seed. Returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The events of one run, in order: seq 1, 2, ... with createdAt in ms since the run started. */
export class EventSchedule {
  readonly #random: () => number;
  readonly #meanGapMs: number;
  readonly #prices: number[];
  #seq = 0;
  #at = 0;

  constructor(seed: number, eventsPerSecond: number) {
    this.#random = mulberry32(seed);
    this.#meanGapMs = 1000 / eventsPerSecond;
    this.#prices = EVENT_SYMBOLS.map(() => START_PRICE);
  }

  next(): PushEvent {
    // Inverse transform sampling of the exponential distribution; 1 - u is in (0, 1], so the log is finite.
    const gap = -Math.log(1 - this.#random()) * this.#meanGapMs;
    this.#at = Math.round((this.#at + gap) * 1000) / 1000;
    const index = Math.floor(this.#random() * EVENT_SYMBOLS.length);
    const step = (this.#random() * 2 - 1) * MAX_PRICE_STEP;
    const price = Math.max(MIN_PRICE, Math.round(((this.#prices[index] ?? START_PRICE) + step) * 100) / 100);
    this.#prices[index] = price;
    this.#seq++;
    return { seq: this.#seq, createdAt: this.#at, symbol: EVENT_SYMBOLS[index] ?? 'ACME', price };
  }
}

/** The events created within the first `durationMs` (tests, and the page's fixed-experiment preview). */
export function eventsWithin(seed: number, eventsPerSecond: number, durationMs: number): PushEvent[] {
  const schedule = new EventSchedule(seed, eventsPerSecond);
  const events: PushEvent[] = [];
  for (let event = schedule.next(); event.createdAt <= durationMs; event = schedule.next()) events.push(event);
  return events;
}
