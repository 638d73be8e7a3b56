/** The simulation's DEFLATE against node:zlib, both ways (RFC 1951; RFC 7692 §7.2). */
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deflateMessage, inflateMessage, SimulatedDeflate } from './deflate-codec.ts';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const text = (s: string) => new TextEncoder().encode(s);
/** What a permessage-deflate sender puts on the wire for one message: a sync flush minus 00 00 ff ff. */
function zlibMessage(data: Uint8Array): Uint8Array {
  const flushed = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
  expect(flushed.subarray(-4)).toEqual(TAIL);
  return flushed.subarray(0, -4);
}

describe('the simulated session\'s DEFLATE', () => {
  it('compresses RFC 7692 §7.2.3.1 "Hello" into bytes zlib inflates, ending like a sync flush', () => {
    const compressed = deflateMessage(text('Hello'));
    expect(inflateRawSync(Buffer.concat([compressed, TAIL]), { finishFlush: constants.Z_SYNC_FLUSH }).toString()).toBe('Hello');
    // The fixed-Huffman "Hello" of RFC 7692 §7.2.3.1 is f2 48 cd c9 c9 07 00: ours is a non-final block, one bit apart.
    expect(compressed.length).toBe(7);
  });

  it('inflates the RFC 7692 §7.2.3.1 example', () => {
    expect(new TextDecoder().decode(inflateMessage(Uint8Array.of(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00), new Uint8Array(0), 100)!)).toBe('Hello');
  });

  it('shrinks repetitive text and round-trips any bytes through zlib both ways', () => {
    const repetitive = text('compress me '.repeat(100));
    expect(deflateMessage(repetitive).length).toBeLessThan(repetitive.length / 5);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (data, repeat) => {
      const input = repeat ? new Uint8Array([...data, ...data, ...data]) : data;
      const ours = deflateMessage(input);
      expect(new Uint8Array(inflateRawSync(Buffer.concat([ours, TAIL]), { finishFlush: constants.Z_SYNC_FLUSH }))).toEqual(input);
      expect(inflateMessage(zlibMessage(input), new Uint8Array(0), input.length)).toEqual(input);
    }), { numRuns: 200 });
  });

  it('reads back-references into the previous messages (context takeover, RFC 7692 §7.2.2)', () => {
    const first = text('the quick brown fox jumps over the lazy dog '.repeat(20));
    const second = text('the quick brown fox jumps over the lazy dog, again');
    // zlib with the first message as its dictionary writes what a sender keeping its context writes.
    const withContext = deflateRawSync(second, { dictionary: first, finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
    expect(withContext.length).toBeLessThan(second.length / 2);
    const receiver = new SimulatedDeflate();
    expect(receiver.decompress(zlibMessage(first), 1 << 20)).toEqual(first);
    expect(receiver.decompress(withContext, 1 << 20)).toEqual(second);
    // Without the history the same bytes reach before the window: not a message on their own.
    expect(() => inflateMessage(withContext, new Uint8Array(0), 1 << 20)).toThrow(/before the window/);
  });

  it('stops at maxBytes with null and throws on data that is not DEFLATE', () => {
    const big = zlibMessage(new Uint8Array(10_000));
    expect(inflateMessage(big, new Uint8Array(0), 9_999)).toBeNull();
    expect(inflateMessage(big, new Uint8Array(0), 10_000)?.length).toBe(10_000);
    expect(() => inflateMessage(Uint8Array.of(0xff, 0xff, 0xff), new Uint8Array(0), 100)).toThrow();
  });
});
