/**
 * The events of one start of a run: the seeded schedule (event-source.ts) turned into events when their
 * time comes on the run's clock, and the bounded history that polls and SSE reconnects read from.
 */
import type { PushEvent } from '../../reports/push-vs-poll-types.ts';
import { EventSchedule } from './event-source.ts';
import { PushLimits } from './limits.ts';

/** An event as the run keeps it: its JSON once, and when it came to exist on this host's clock. */
export interface HistoryEntry {
  readonly event: PushEvent;
  readonly json: string;
  /** performance.now() when the event was created: delays are measured from here. */
  readonly createdReal: number;
}

export class RunEvents {
  /** Milliseconds since the start, on the run's clock. */
  readonly #now: () => number;
  readonly #created: (entry: HistoryEntry) => void;
  #history: HistoryEntry[] = [];
  #lastSeq = 0;
  #schedule: EventSchedule | null = null;
  /** The next event of the schedule, created when its time comes. */
  #next: PushEvent | null = null;
  /** 0: until halted; otherwise no event after this offset is created. */
  #durationMs = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(now: () => number, created: (entry: HistoryEntry) => void) {
    this.#now = now;
    this.#created = created;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Remembered events with seq > after, oldest first, at most `max`. */
  entriesAfter(after: number, max: number = PushLimits.maxEventsPerResponse): HistoryEntry[] {
    const first = this.#history[0]?.event.seq ?? this.#lastSeq + 1;
    const from = Math.max(0, after + 1 - first);
    return this.#history.slice(from, from + max);
  }

  /** A fresh source from seq 1 (the history is cleared), its events created as their offsets come. */
  start(seed: number, eventsPerSecond: number, durationMs: number): void {
    this.halt();
    this.clear();
    this.#schedule = new EventSchedule(seed, eventsPerSecond);
    this.#next = this.#schedule.next();
    this.#durationMs = durationMs;
    this.#arm();
  }

  /** Creates every event due by `until` (ms since the start), none beyond durationMs. */
  createDue(until: number): void {
    const schedule = this.#schedule;
    while (schedule !== null && this.#next !== null && this.#next.createdAt <= until
      && (this.#durationMs === 0 || this.#next.createdAt <= this.#durationMs)) {
      this.#create(this.#next);
      this.#next = schedule.next();
    }
  }

  /** No more events (the history stays for the final answers). */
  halt(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#schedule = null;
    this.#next = null;
  }

  clear(): void {
    this.#history = [];
    this.#lastSeq = 0;
  }

  #arm(): void {
    const next = this.#next;
    if (next === null || (this.#durationMs > 0 && next.createdAt > this.#durationMs)) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.createDue(this.#now());
      this.#arm();
    }, Math.max(0, next.createdAt - this.#now()));
  }

  #create(event: PushEvent): void {
    const entry: HistoryEntry = { event, json: JSON.stringify(event), createdReal: performance.now() };
    this.#history.push(entry);
    if (this.#history.length > PushLimits.eventHistory) this.#history.shift();
    this.#lastSeq = event.seq;
    this.#created(entry);
  }
}
