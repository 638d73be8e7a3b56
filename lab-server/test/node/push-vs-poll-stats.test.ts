/** Issue 5: the latency summaries of the stats reports (median and p95 over a bounded sample). */
import { describe, expect, it } from 'vitest';
import { PushLimits } from '../../src/node/push-vs-poll/limits.ts';
import { LatencySamples } from '../../src/node/push-vs-poll/stats.ts';

describe('LatencySamples', () => {
  it('median and p95 by nearest rank, numerically ordered (9 < 10 < 100)', () => {
    const samples = new LatencySamples();
    expect(samples.summary()).toEqual({ count: 0, medianMs: null, p95Ms: null });
    for (const delay of [100, 9, 10, 2.5, 30]) samples.add(delay);
    expect(samples.summary()).toEqual({ count: 5, medianMs: 10, p95Ms: 100 });
    samples.add(11);
    // An even count: the median is the mean of the middle two.
    expect(samples.summary()).toEqual({ count: 6, medianMs: 10.5, p95Ms: 100 });
  });

  it('keeps its summary until a new delay comes, then recomputes', () => {
    const samples = new LatencySamples();
    for (let i = 1; i <= 100; i++) samples.add(i);
    const first = samples.summary();
    expect(first).toEqual({ count: 100, medianMs: 50.5, p95Ms: 95 });
    expect(samples.summary()).toBe(first);
    samples.add(1000);
    const second = samples.summary();
    expect(second).not.toBe(first);
    expect(second).toEqual({ count: 101, medianMs: 51, p95Ms: 96 });
  });

  it('beyond its bound keeps a sample of every delay seen (the count goes on)', () => {
    const samples = new LatencySamples();
    const total = PushLimits.latencySamples * 2;
    for (let i = 0; i < total; i++) samples.add(i % 2 === 0 ? 1 : 3);
    const summary = samples.summary();
    expect(summary.count).toBe(total);
    expect([1, 2, 3]).toContain(summary.medianMs);
    expect(summary.p95Ms).toBe(3);
  });
});
