import { describe, expect, it } from 'vitest';
import { bytesPerEvent, emptyStats, formatBytes, formatMs, headerShare, percentile, powerOfTenBytes, summarizeLatency } from './stats.ts';

describe('percentiles and latency summaries', () => {
  it('uses the nearest rank: the median of 1..10 is 5, the p95 is 10', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNull();
  });
  it('sorts before ranking and counts every sample', () => {
    expect(summarizeLatency([30, 10, 20])).toEqual({ count: 3, medianMs: 20, p95Ms: 30 });
    expect(summarizeLatency([])).toEqual({ count: 0, medianMs: null, p95Ms: null });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarizeLatency(hundred).p95Ms).toBe(95);
  });
});

describe('bytes per event and header share', () => {
  it('divides all bytes both ways by the events delivered, and has no answer before the first event', () => {
    const stats = { ...emptyStats('poll'), eventsDelivered: 4, bytesUp: { headers: 700, payload: 100 }, bytesDown: { headers: 150, payload: 50 } } as const;
    expect(bytesPerEvent(stats)).toBe(250);
    expect(headerShare(stats)).toBe(0.85);
    expect(bytesPerEvent(emptyStats('ws'))).toBeNull();
    expect(headerShare(emptyStats('ws'))).toBeNull();
  });
  it('labels log-scale steps exactly and times readably', () => {
    expect([0, 1, 2, 3, 4, 6].map(powerOfTenBytes)).toEqual(['1 B', '10 B', '100 B', '1 kB', '10 kB', '1 MB']);
    expect([0, 1023.4, 1023.6, 1536, 20_480, 3 * 1024 * 1024].map(formatBytes)).toEqual(['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '20 KiB', '3.0 MiB']);
    expect([null, 0, 4.25, 66.4, 1500, 25_000].map(formatMs)).toEqual(['–', '0 ms', '4.3 ms', '66 ms', '1.5 s', '25 s']);
  });
});
