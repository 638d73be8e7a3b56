/**
 * The simulation's event source: the lab server's own seeded schedule (a Poisson stream of price ticks,
 * lab-server/src/node/push-vs-poll/event-source.ts, pure code with no node: imports), so a simulated run
 * and a live run with the same seed and rate see the same events at the same offsets. This wrapper
 * generates lazily, as far ahead as a question about the events needs.
 */
import { EventSchedule, mulberry32 } from '../../../lab-server/src/node/push-vs-poll/event-source.ts';
import type { PushEvent } from '../../../lab-server/src/reports/push-vs-poll-types.ts';

/** The server's generator, for the simulation's other random choices (client phases). */
export const seededRandom = mulberry32;

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
  const schedule = new EventSchedule(seed, eventsPerSecond);
  const events: PushEvent[] = [];
  const event = (seq: number): PushEvent => {
    if (seq < 1) throw new RangeError(`event sequence numbers start at 1, got ${seq}`);
    while (events.length < seq) events.push(schedule.next());
    return events[seq - 1] as PushEvent;
  };
  /** Makes sure the first event after `t` exists, so every event up to `t` does. */
  const extendPast = (t: number): void => {
    while (events.length === 0 || (events.at(-1)?.createdAt ?? 0) <= t) events.push(schedule.next());
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
      let low = 0;
      let high = events.length;
      // Binary search: events are in creation order.
      while (low < high) {
        const mid = (low + high) >> 1;
        if ((events[mid]?.createdAt ?? Infinity) <= t) low = mid + 1;
        else high = mid;
      }
      return low;
    },
  };
}
