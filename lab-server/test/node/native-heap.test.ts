import { describe, expect, it } from 'vitest';
import { keepFreedHeap, loadKeepFreedHeap } from '../../src/node/native-heap.ts';
import { ServerDefaults } from '../../src/node/limits.ts';

/**
 * The lab server's C-heap setting (lab-server/native/heap.c), built by `npm ci`. CI runs on Linux with glibc and a
 * C compiler, so there it must be built and take effect; elsewhere a missing build is said and the default stays.
 * What it is for (no page faults per MiB echoed) is measured by `npm run bench`: the "server minor page faults" row.
 */
const setter = loadKeepFreedHeap();
const required = process.env['CI'] === 'true';
if (setter === null && !required) console.warn('lab-server/native is not built (npm ci builds it with a C compiler): skipping its tests');

describe('keeping freed C-heap memory', () => {
  it('is built where CI runs', () => {
    if (required) expect(setter, 'lab-server/native/build/heap.node (npm ci runs lab-server/native/build.mjs)').not.toBeNull();
  });

  it.skipIf(setter === null || !required)('takes effect on glibc (CI runs on Debian)', () => {
    expect(setter!(ServerDefaults.keptFreedHeapBytes)).toBe(true);
  });

  it.skipIf(setter === null)('applies the bound unless switched off with LAB_KEEP_FREED_HEAP=off', () => {
    const kept = keepFreedHeap(ServerDefaults.keptFreedHeapBytes, {});
    // null only where the C library has no such setting (not glibc).
    if (required) expect(kept).toBe(ServerDefaults.keptFreedHeapBytes);
    expect([ServerDefaults.keptFreedHeapBytes, null]).toContain(kept);
    expect(keepFreedHeap(ServerDefaults.keptFreedHeapBytes, { LAB_KEEP_FREED_HEAP: 'off' })).toBeNull();
  });

  it.skipIf(setter === null)('refuses what is not a byte count with a TypeError, not a crash', () => {
    expect(() => setter!('a lot' as unknown as number)).toThrow(TypeError);
    expect(() => setter!(-1)).toThrow(TypeError);
    expect(() => setter!(2 ** 31)).toThrow(TypeError);
    expect(() => (setter as unknown as () => boolean)()).toThrow(TypeError);
  });
});
