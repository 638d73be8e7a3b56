import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/protocol/hex.ts';
import { sha1 } from '../../src/protocol/sha1.ts';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const reference = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

describe('sha1 (FIPS 180-4 §6.1)', () => {
  it.each([
    ['empty message', '', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['FIPS 180-4 example "abc" (one block)', 'abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    [
      'FIPS 180-4 example, 448 bits (padding spills into a second block)',
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    ],
    [
      'RFC 6455 §1.3 key + GUID',
      'dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11',
      'b37a4f2cc0624f1690f64606cf385945b2bec4ea',
    ],
  ])('%s', (_name, input, expected) => {
    expect(toHex(sha1(ascii(input)))).toBe(expected);
  });

  it('FIPS 180-4 example: one million "a" (many blocks)', () => {
    expect(toHex(sha1(new Uint8Array(1_000_000).fill(0x61)))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });

  it('agrees with node:crypto at every length around the block and padding boundaries (§5.1.1)', () => {
    for (let length = 0; length <= 200; length++) {
      const data = new Uint8Array(length).map((_, i) => (i * 131 + length) & 0xff);
      expect(toHex(sha1(data)), `length ${length}`).toBe(reference(data));
    }
  });

  it('agrees with node:crypto on arbitrary inputs (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (data) => {
        expect(toHex(sha1(data))).toBe(reference(data));
      }),
      { numRuns: 300 },
    );
  });

  it('returns a fresh 20-byte digest each call and leaves the input untouched', () => {
    const input = ascii('abc');
    const first = sha1(input);
    const second = sha1(ascii('abd'));
    expect(first).toHaveLength(20);
    expect(toHex(first)).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(second).not.toBe(first);
    expect(Array.from(input)).toEqual([0x61, 0x62, 0x63]);
  });
});
