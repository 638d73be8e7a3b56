import { describe, expect, it } from 'vitest';
import { Slab } from '../../src/protocol/slab.ts';

describe('Slab', () => {
  it('shrinkLast gives back the tail of the last view: the next view starts after the kept bytes, aligned', () => {
    const slab = new Slab(1024);
    const first = slab.take(100).fill(0x11);
    const kept = slab.shrinkLast(first, 10);
    expect(kept.length).toBe(10);
    const next = slab.take(20).fill(0x22);
    expect(next.buffer).toBe(first.buffer);
    expect(next.byteOffset).toBe(first.byteOffset + 16);
    expect(kept.every((byte) => byte === 0x11)).toBe(true);
  });

  it('a request that does not fit starts a new slab, leaving the old views as they are', () => {
    const slab = new Slab(64);
    const a = slab.take(40).fill(1);
    const b = slab.take(40).fill(2);
    expect(b.buffer).not.toBe(a.buffer);
    expect(b.byteOffset).toBe(0);
    expect(a.every((byte) => byte === 1)).toBe(true);
  });
});
