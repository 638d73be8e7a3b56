import { describe, expect, it } from 'vitest';
import { MAX_SLAB_PAYLOAD_BYTES, takeFromSlab } from '../../../src/protocol/frame/payload-slab.ts';

describe('payload slab', () => {
  it('hands out views of the requested length, 8-byte aligned, that never overlap', () => {
    const taken = [1, 7, 8, 9, 1000, 16 * 1024, MAX_SLAB_PAYLOAD_BYTES, 3, MAX_SLAB_PAYLOAD_BYTES, 12345].map((length) => {
      const view = takeFromSlab(length);
      expect(view.length).toBe(length);
      expect(view.byteOffset % 8).toBe(0);
      view.fill(length & 0xff);
      return view;
    });
    for (const view of taken) expect(view.every((byte) => byte === (view.length & 0xff))).toBe(true);
  });

  it('a full slab is replaced, not reused: earlier views keep their bytes', () => {
    const first = takeFromSlab(40_000).fill(0x11);
    const later = Array.from({ length: 10 }, () => takeFromSlab(40_000).fill(0x22));
    expect(new Set([first, ...later].map((view) => view.buffer)).size).toBeGreaterThan(1);
    expect(first.every((byte) => byte === 0x11)).toBe(true);
  });
});
