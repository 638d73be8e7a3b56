/**
 * Small statistics for benchmark rounds: the median is the reported figure, min/max show the spread, and the paired
 * ratio interval says whether a difference is larger than the noise.
 */

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, samples };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, samples };
}

/** Spread of the rounds around the median, in percent: a quick noise indicator for the table. */
export function spreadPercent(summary: Summary): number {
  if (!(summary.median > 0)) return Number.NaN;
  return ((summary.max - summary.min) / summary.median) * 100;
}

/** The confidence the interval must at least reach. */
export const INTERVAL_CONFIDENCE = 0.95;

export interface Interval {
  readonly low: number;
  readonly high: number;
  /** The exact confidence of [low, high] as an interval for the median (at least INTERVAL_CONFIDENCE). */
  readonly confidence: number;
}

/** P(X <= k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n; // P(X = 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/**
 * A distribution-free interval for the median of `values`: the order statistics [x(k), x(n+1-k)] with the largest
 * k whose coverage 1 - 2·P(Binomial(n, 1/2) <= k-1) is still at least INTERVAL_CONFIDENCE (the sign-test interval;
 * it assumes only that the values are independent draws). Null when there are too few values: with fewer than 6
 * even [min, max] covers less than 95%.
 */
export function medianInterval(values: readonly number[]): Interval | null {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  let best: Interval | null = null;
  for (let k = 1; 2 * k <= n; k++) {
    const confidence = 1 - 2 * binomialHalfCdf(n, k - 1);
    if (confidence < INTERVAL_CONFIDENCE) break;
    best = { low: sorted[k - 1] as number, high: sorted[n - k] as number, confidence };
  }
  return best;
}
