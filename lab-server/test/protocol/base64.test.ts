import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../src/protocol/base64.ts';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('base64 (RFC 4648 §4)', () => {
  // RFC 4648 §10 test vectors.
  it.each([
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ])('RFC 4648 §10 vector %j <-> %j', (plain, encoded) => {
    expect(encodeBase64(ascii(plain))).toBe(encoded);
    expect(decodeBase64(encoded)).toEqual(ascii(plain));
  });

  it('RFC 6455 §1.3: the sample key is the base64 of the 16-byte nonce "the sample nonce"', () => {
    expect(decodeBase64('dGhlIHNhbXBsZSBub25jZQ==')).toEqual(ascii('the sample nonce'));
  });

  it.each([
    ['length not a multiple of 4', 'Zg='],
    ['missing padding', 'Zg'],
    ['non-zero pad bits with == (RFC 4648 §3.5)', 'Zh=='],
    ['non-zero pad bits with = (RFC 4648 §3.5)', 'Zm9='],
    ['padding in the middle', 'Zg==Zg=='],
    ['three padding characters', 'Z==='],
    ['only padding', '===='],
    ['whitespace (RFC 4648 §3.3)', 'Zm9v '],
    ['line break', 'Zm9v\r\nYmFy'],
    ['URL-safe alphabet (RFC 4648 §5)', 'Zm-_'],
    ['non-ASCII character', 'Zm9\u00e9'],
    ['character beyond Latin-1', 'Zm9\u2603'],
  ])('strict decoding refuses %s', (_name, text) => {
    expect(decodeBase64(text)).toBeNull();
  });

  it('agrees with Buffer and round-trips (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const encoded = encodeBase64(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(encoded)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts a string only if it is the canonical encoding of what it decodes to (property)', () => {
    const base64ish = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ '.split('')), maxLength: 24 });
    fc.assert(
      fc.property(base64ish, (text) => {
        const decoded = decodeBase64(text);
        if (decoded !== null) expect(encodeBase64(decoded)).toBe(text);
        else expect(Buffer.from(text, 'base64').toString('base64')).not.toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes large inputs (chunked string building) like Buffer', () => {
    const big = new Uint8Array(100_003).map((_, i) => (i * 7) & 0xff);
    expect(encodeBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });
});
