/** Counters of one transport (all its clients, or one client) and the summaries the reports carry. */
import type { LatencySummary, PushTransport, TransportStats } from '../../reports/push-vs-poll-types.ts';
import { PushLimits } from './limits.ts';

/**
 * Delays kept for the median and p95: all of them up to a bound, then a uniform sample of every delay
 * seen (reservoir sampling, Vitter's algorithm R), so memory stays bounded on a run of any length.
 */
export class LatencySamples {
  readonly #samples = new Float64Array(PushLimits.latencySamples);
  #kept = 0;
  #count = 0;
  /** The last summary, until a new delay comes: a stats report asks for every lane twice a second. */
  #summary: LatencySummary | null = null;

  add(delayMs: number): void {
    this.#count++;
    this.#summary = null;
    if (this.#kept < PushLimits.latencySamples) {
      this.#samples[this.#kept++] = delayMs;
      return;
    }
    const slot = Math.floor(Math.random() * this.#count);
    if (slot < PushLimits.latencySamples) this.#samples[slot] = delayMs;
  }

  summary(): LatencySummary {
    if (this.#summary !== null) return this.#summary;
    if (this.#count === 0) return { count: 0, medianMs: null, p95Ms: null };
    // A typed array sorts numerically without a comparator (and much faster than an array with one).
    const sorted = this.#samples.slice(0, this.#kept).sort();
    this.#summary = { count: this.#count, medianMs: round(quantile(sorted, 0.5)), p95Ms: round(quantile(sorted, 0.95)) };
    return this.#summary;
  }
}

/** Nearest-rank on a sorted list; the median of an even count is the mean of the middle two. */
function quantile(sorted: Float64Array, q: number): number {
  if (q === 0.5 && sorted.length % 2 === 0) {
    const mid = sorted.length / 2;
    return ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  }
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? 0;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class TransportCounters {
  readonly transport: PushTransport;
  requests = 0;
  responses = 0;
  emptyResponses = 0;
  eventsDelivered = 0;
  eventsMissed = 0;
  upHeaders = 0;
  upPayload = 0;
  downHeaders = 0;
  downPayload = 0;
  upstreamMessages = 0;
  readonly latency = new LatencySamples();

  constructor(transport: PushTransport) {
    this.transport = transport;
  }

  snapshot(): TransportStats {
    return {
      transport: this.transport,
      requests: this.requests,
      responses: this.responses,
      emptyResponses: this.emptyResponses,
      eventsDelivered: this.eventsDelivered,
      eventsMissed: this.eventsMissed,
      bytesUp: { headers: this.upHeaders, payload: this.upPayload },
      bytesDown: { headers: this.downHeaders, payload: this.downPayload },
      latency: this.latency.summary(),
      upstreamMessages: this.upstreamMessages,
    };
  }
}
