import { describe, expect, it } from 'vitest';
import { EchoMemory } from '../../src/node/echo-memory.ts';

const KIB = 1024;
const MIB = 1024 * KIB;

describe('EchoMemory: /echo recycles the buffers of large payloads', () => {
  it('lends exactly the asked length from offset 0, and a buffer given back serves the next payload of a nearby size', () => {
    const memory = new EchoMemory();
    const first = memory.allocate(MIB + 10);
    expect(first.length).toBe(MIB + 10);
    expect(first.byteOffset).toBe(0);
    expect(memory.lent(first)).toBe(true);
    memory.giveBack(first);
    expect(memory.lent(first)).toBe(false);
    expect(memory.freeBytes).toBe(first.buffer.byteLength);
    const second = memory.allocate(MIB + 20_000);
    expect(second.buffer).toBe(first.buffer);
    expect(memory.freeBytes).toBe(0);
    expect(memory.allocate(MIB + 10).buffer).not.toBe(first.buffer); // still lent: a fresh one
  });

  it('takes back only what it lent, and only once', () => {
    const memory = new EchoMemory();
    memory.giveBack(new Uint8Array(MIB));
    const lent = memory.allocate(200 * KIB);
    memory.giveBack(lent.subarray(1));
    expect(memory.freeBytes).toBe(0);
    memory.giveBack(lent);
    memory.giveBack(lent);
    expect(memory.freeBytes).toBe(lent.buffer.byteLength);
    const again = [memory.allocate(200 * KIB), memory.allocate(200 * KIB)];
    expect(again[0]!.buffer).toBe(lent.buffer);
    expect(again[1]!.buffer).not.toBe(lent.buffer);
  });

  it('keeps at most 16 MiB for reuse, however much is given back', () => {
    const memory = new EchoMemory();
    const lent = Array.from({ length: 40 }, () => memory.allocate(MIB));
    for (const bytes of lent) memory.giveBack(bytes);
    expect(memory.freeBytes).toBe(16 * MIB);
  });
});
