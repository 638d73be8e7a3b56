/** Small statistics for benchmark rounds: the median is the reported figure, min/max show the spread. */

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
