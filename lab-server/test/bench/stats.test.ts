/**
 * The benchmark's interval for a ratio: it decides whether a figure is "ahead of ws beyond the noise", so it must
 * match the textbook sign-test interval and really cover the median as often as it claims.
 */
import { describe, expect, it } from 'vitest';
import { INTERVAL_CONFIDENCE, medianInterval } from '../../bench/stats.ts';
import { formatMarkdownTable, makeFigure, pairedRatioInterval, ratio, standing } from '../../bench/report.ts';
import { seededRandom } from '../support/frame-builder.ts';

const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('medianInterval', () => {
  it('gives no interval below 6 values, where even [min, max] covers less than 95%', () => {
    expect(medianInterval(oneTo(5))).toBeNull();
    expect(medianInterval([])).toBeNull();
  });

  it('is [min, max] at 6 values, with coverage 1 - 2/64', () => {
    const interval = medianInterval([6, 2, 5, 1, 4, 3]);
    expect(interval).toEqual({ low: 1, high: 6, confidence: 1 - 2 / 64 });
  });

  it('matches the published sign-test order statistics (x(k), x(n+1-k))', () => {
    // Standard tables for a 95% interval for the median: n = 10 -> (x2, x9), n = 16 -> (x4, x13), n = 20 -> (x6, x15),
    // n = 30 -> (x10, x21).
    expect(medianInterval(oneTo(10))).toMatchObject({ low: 2, high: 9 });
    expect(medianInterval(oneTo(16))).toMatchObject({ low: 4, high: 13 });
    expect(medianInterval(oneTo(20))).toMatchObject({ low: 6, high: 15 });
    expect(medianInterval(oneTo(30))).toMatchObject({ low: 10, high: 21 });
    for (const n of [6, 10, 16, 20, 30]) expect(medianInterval(oneTo(n))!.confidence).toBeGreaterThanOrEqual(INTERVAL_CONFIDENCE);
  });

  it('covers the true median of a skewed distribution at least as often as claimed', () => {
    // Exponential with rate 1: median ln 2. 4,000 samples of 16 values; claimed coverage 0.9787.
    const random = seededRandom(6455);
    let covered = 0;
    const trials = 4000;
    for (let t = 0; t < trials; t++) {
      const values = Array.from({ length: 16 }, () => -Math.log(1 - random()));
      const interval = medianInterval(values)!;
      if (interval.low <= Math.LN2 && Math.LN2 <= interval.high) covered++;
    }
    // Binomial noise at 4,000 trials is about ±0.5%: 0.965 leaves room, 0.95 would still mean the claim is wrong.
    expect(covered / trials).toBeGreaterThan(0.965);
  });
});

describe('pairedRatioInterval and standing', () => {
  const six = (value: number, wobble = 0): number[] => oneTo(6).map((i) => value + (i % 2 === 0 ? wobble : -wobble));

  it('pairs round i of the lab with round i of ws, for rates (lab / ws)', () => {
    // The lab's rounds are all 10% above the ws round they were paired with, while both drift by a factor of 3.
    const ws = [100, 200, 300, 100, 200, 300];
    const lab = ws.map((w) => w * 1.1);
    const figure = makeFigure('rate', 'a rate', 'msg/s', 'higher', lab, ws);
    const interval = pairedRatioInterval(figure)!;
    expect(interval.low).toBeCloseTo(1.1, 10);
    expect(interval.high).toBeCloseTo(1.1, 10);
    expect(standing(figure)).toBe('ahead');
  });

  it('inverts the ratio for costs (ws / lab), so above 1.0 still means the lab is better', () => {
    const figure = makeFigure('memory', 'bytes per connection', 'B/conn', 'lower', six(500), six(1000));
    expect(pairedRatioInterval(figure)).toMatchObject({ low: 2, high: 2 });
    expect(standing(figure)).toBe('ahead');
  });

  it('calls an interval that contains 1.0 level, one wholly below it behind', () => {
    expect(standing(makeFigure('level', 'l', 'x', 'higher', [95, 105, 100, 98, 103, 101], six(100)))).toBe('level');
    expect(standing(makeFigure('behind', 'b', 'x', 'higher', six(90, 2), six(100, 1)))).toBe('behind');
  });

  it('says unknown when there are too few rounds for an interval', () => {
    expect(standing(makeFigure('few', 'f', 'x', 'higher', [110, 120], [100, 100]))).toBe('unknown');
  });
});

describe('ratio', () => {
  it('is the median of the per-round ratios, not the ratio of the medians', () => {
    // Medians: lab 240, ws 250 (their ratio 0.96); per round the lab is ahead 4 times out of 5: median ratio 1.2.
    const figure = makeFigure('paired', 'p', 'x', 'higher', [120, 240, 300, 480, 100], [100, 200, 250, 400, 300]);
    expect(ratio(figure)).toBeCloseTo(1.2, 10);
  });
});

describe('formatMarkdownTable', () => {
  it('shows a values-only figure (counts that are often zero) without a ratio, an interval or a spread', () => {
    const faults = { ...makeFigure('faults', 'server minor page faults', 'per MiB', 'lower', [0, 0, 1, 0, 0, 0], [30, 31, 25, 40, 33, 29], true), valuesOnly: true };
    const rate = makeFigure('rate', 'echo', 'MiB/s', 'higher', [12, 12, 12, 12, 12, 12], [10, 10, 10, 10, 10, 10]);
    const [, , rateRow, faultsRow] = formatMarkdownTable([rate, faults]).split('\n');
    expect(rateRow).toBe('| echo | MiB/s | 12.0 | 10.0 | 1.20x | 1.20-1.20x | ±0% / ±0% |');
    expect(faultsRow).toBe('| (diag) server minor page faults | per MiB | 0.00 | 30.5 | - | - | - |');
  });
});
