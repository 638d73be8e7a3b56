/**
 * How late the server's event loop ran while a run was going (perf_hooks.monitorEventLoopDelay). The
 * transports' delays are measured on this loop: when it lags, the figures measure the server's own load
 * (too many clients, a busy machine) more than the transports, and the page can say so.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>;

/** How often the histogram's timer samples the loop; an idle loop shows delays of about this. */
export const LOOP_LAG_RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;
const LAG_PERCENTILE = 99;

export class LoopLag {
  #histogram: IntervalHistogram | null = null;

  start(): void {
    this.stop();
    this.#histogram = monitorEventLoopDelay({ resolution: LOOP_LAG_RESOLUTION_MS });
    this.#histogram.enable();
  }

  /**
   * The 99th percentile of the loop's delay beyond the sampling interval since the previous call, in ms
   * to 0.1 ms; null when not started or nothing was sampled. Starts a new interval.
   */
  take(): number | null {
    const histogram = this.#histogram;
    if (histogram === null || histogram.count === 0) return null;
    const p99 = histogram.percentile(LAG_PERCENTILE) / NS_PER_MS;
    histogram.reset();
    return Math.round(Math.max(0, p99 - LOOP_LAG_RESOLUTION_MS) * 10) / 10;
  }

  stop(): void {
    this.#histogram?.disable();
    this.#histogram = null;
  }
}
