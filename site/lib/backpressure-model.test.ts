import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simulateBackpressure, type BackpressureParams } from './backpressure-model.ts';

const base: BackpressureParams = {
  messagesPerSecond: 200, messageBytes: 16 * 1024, readerBytesPerSecond: 1024 * 1024,
  socketBufferBytes: 256 * 1024, highWaterBytes: 1024 * 1024, policy: 'ignore', seconds: 10,
};

describe('backpressure simulation (lesson 10)', () => {
  it('ignoring write() lets the queue grow by the difference of the rates', () => {
    const result = simulateBackpressure(base);
    // 3.125 MiB/s produced against 1 MiB/s read: about 2.1 MiB more queued every second.
    expect(result.peakQueuedBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(result.finalDelaySeconds).toBeGreaterThan(15);
    expect(result.pausedShare).toBe(0);
  });

  it('pausing on the high-water mark bounds the queue and keeps the reader busy', () => {
    const result = simulateBackpressure({ ...base, policy: 'pause' });
    expect(result.peakQueuedBytes).toBeLessThan(base.highWaterBytes + base.messageBytes);
    expect(result.deliveredBytes).toBeGreaterThan(0.95 * base.readerBytesPerSecond * base.seconds - base.socketBufferBytes);
    expect(result.pausedShare).toBeGreaterThan(0.5);
    expect(result.finalDelaySeconds).toBeLessThan(2);
  });

  it('a reader faster than the producer never pauses it', () => {
    const result = simulateBackpressure({ ...base, policy: 'pause', readerBytesPerSecond: 10 * 1024 * 1024 });
    expect(result.pausedShare).toBe(0);
    expect(result.deliveredBytes).toBeCloseTo(result.producedBytes, -5);
  });

  it('conserves bytes: produced = queued + in kernel + delivered', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 65536 }), fc.integer({ min: 1000, max: 1e7 }),
      fc.constantFrom('ignore' as const, 'pause' as const),
      (messagesPerSecond, messageBytes, readerBytesPerSecond, policy) => {
        const result = simulateBackpressure({ ...base, messagesPerSecond, messageBytes, readerBytesPerSecond, policy, seconds: 2 });
        const last = result.samples.at(-1)!;
        expect(last.queued + last.inKernel + last.delivered).toBeCloseTo(result.producedBytes, 3);
        expect(last.inKernel).toBeLessThanOrEqual(base.socketBufferBytes);
      }), { numRuns: 50 });
  });
});
