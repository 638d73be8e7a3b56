import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Utf8Validator, decodeUtf8, decodeUtf8Strict, encodeUtf8, isValidUtf8 } from '../../src/protocol/utf8.ts';

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.split(/\s+/).filter(Boolean), (pair) => Number.parseInt(pair, 16));
}

/**
 * The reference: WHATWG's UTF-8 decoder (fatal), fed one byte at a time. It also fails at the first
 * byte that cannot continue a valid sequence. Returns that byte's index, the length when the input
 * is a valid prefix that ends mid-sequence, or -1 when the input is complete, valid UTF-8.
 */
function referenceFailure(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  try {
    decoder.decode();
    return -1;
  } catch {
    return bytes.length;
  }
}

// RFC 3629 §4 and the boundary cases of the Autobahn suite (6.x).
const TABLE: ReadonlyArray<readonly [string, string, 'valid' | 'incomplete' | number]> = [
  ['empty', '', 'valid'],
  ['ASCII', '48 65 6c 6c 6f', 'valid'],
  ['U+0080, the smallest 2-byte code point', 'c2 80', 'valid'],
  ['U+07FF', 'df bf', 'valid'],
  ['U+0800, the smallest 3-byte code point', 'e0 a0 80', 'valid'],
  ['U+D7FF, just below the surrogates', 'ed 9f bf', 'valid'],
  ['U+E000, just above the surrogates', 'ee 80 80', 'valid'],
  ['U+FFFF', 'ef bf bf', 'valid'],
  ['U+10000, the smallest 4-byte code point', 'f0 90 80 80', 'valid'],
  ['U+10FFFF, the largest code point', 'f4 8f bf bf', 'valid'],
  ['κόσμε', 'ce ba e1 bd b9 cf 83 ce bc ce b5', 'valid'],
  ['C0: always an overlong lead', 'c0', 0],
  ['C1: always an overlong lead', '41 c1 bf', 1],
  ['F5: beyond U+10FFFF', 'f5', 0],
  ['FF', '41 42 ff', 2],
  ['a lone continuation byte', '80', 0],
  ['overlong U+007F in 3 bytes (E0 9F)', 'e0 9f bf', 1],
  ['a high surrogate U+D800 (ED A0)', 'ed a0 80', 1],
  ['a low surrogate U+DFFF (ED BF)', 'ed bf bf', 1],
  ['overlong 4-byte (F0 8F)', 'f0 8f bf bf', 1],
  ['U+110000 (F4 90)', 'f4 90 80 80', 1],
  ['a lead byte followed by ASCII', 'c3 41', 1],
  ['a 3-byte sequence cut short by ASCII', 'e2 82 41', 2],
  ['a truncated 2-byte sequence at the end', 'c3', 'incomplete'],
  ['a truncated 4-byte sequence at the end', 'f0 9f 98', 'incomplete'],
];

describe('Utf8Validator (RFC 3629 §4, as RFC 6455 §8.1 requires)', () => {
  for (const [name, bytes, expected] of TABLE) {
    it(`${name}: ${typeof expected === 'number' ? `fails at byte ${expected}` : expected}`, () => {
      const input = hex(bytes);
      const validator = new Utf8Validator();
      const ok = validator.push(input);
      expect(ok).toBe(typeof expected !== 'number');
      expect(validator.failedAt).toBe(typeof expected === 'number' ? expected : -1);
      expect(validator.end()).toBe(expected === 'valid');
      expect(isValidUtf8(input)).toBe(expected === 'valid');
      expect(referenceFailure(input)).toBe(expected === 'valid' ? -1 : expected === 'incomplete' ? input.length : expected);
    });
  }

  it('validates a code point split across pushes', () => {
    const validator = new Utf8Validator();
    for (const byte of hex('f0 9f 98 80')) {
      expect(validator.end()).toBe(byte === 0xf0);
      expect(validator.push(Uint8Array.of(byte))).toBe(true);
    }
    expect(validator.end()).toBe(true);
  });

  it('fails at the first impossible byte even when the rest never arrives, and stays failed until reset', () => {
    const validator = new Utf8Validator();
    expect(validator.push(hex('41 ed'))).toBe(true);
    expect(validator.push(hex('a0'))).toBe(false);
    expect(validator.failedAt).toBe(2);
    expect(validator.push(hex('41'))).toBe(false);
    validator.reset();
    expect(validator.push(hex('41'))).toBe(true);
    expect(validator.end()).toBe(true);
  });

  it('takes the ASCII fast path across long runs and still catches a bad byte after them', () => {
    const bytes = new Uint8Array(1000).fill(0x61);
    expect(isValidUtf8(bytes)).toBe(true);
    bytes[997] = 0xff;
    const validator = new Utf8Validator();
    expect(validator.push(bytes)).toBe(false);
    expect(validator.failedAt).toBe(997);
  });

  // Inputs that are mostly UTF-8 with some damage, so sequences get past their first byte.
  const utf8ish = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }).map(encodeUtf8),
    fc.tuple(fc.string({ unit: 'binary', maxLength: 20 }), fc.nat(), fc.integer({ min: 0x80, max: 0xff })).map(([text, at, byte]) => {
      const bytes = encodeUtf8(text);
      if (bytes.length > 0) bytes[at % bytes.length] = byte;
      return bytes;
    }),
    fc.array(fc.constantFrom(0x41, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef,
      0xf0, 0xf1, 0xf4, 0xf5, 0xff), { maxLength: 12 }).map((values) => Uint8Array.from(values)),
  );

  it('agrees with TextDecoder (fatal) on arbitrary bytes split at arbitrary points, failing at the same byte', () => {
    fc.assert(fc.property(utf8ish, fc.array(fc.nat(), { maxLength: 5 }), (bytes, rawSplits) => {
      const reference = referenceFailure(bytes);
      const splits = [...new Set(rawSplits.map((s) => s % (bytes.length + 1)))].sort((a, b) => a - b);
      const validator = new Utf8Validator();
      let start = 0;
      let failedInChunk: [number, number] | null = null;
      for (const end of [...splits, bytes.length]) {
        if (!validator.push(bytes.subarray(start, end)) && failedInChunk === null) failedInChunk = [start, end];
        start = end;
      }
      if (reference === -1) {
        expect(failedInChunk).toBeNull();
        expect(validator.end()).toBe(true);
      } else if (reference === bytes.length) {
        expect(failedInChunk).toBeNull();
        expect(validator.end()).toBe(false);
      } else {
        // Fail fast: the push holding the first impossible byte is the one that returns false.
        expect(validator.failedAt).toBe(reference);
        expect(failedInChunk).not.toBeNull();
        expect(reference).toBeGreaterThanOrEqual(failedInChunk![0]);
        expect(reference).toBeLessThan(failedInChunk![1]);
      }
      expect(isValidUtf8(bytes)).toBe(reference === -1);
      expect(decodeUtf8Strict(bytes) !== null).toBe(reference === -1);
    }), { numRuns: 500 });
  });
});

describe('encodeUtf8 / decodeUtf8', () => {
  it('round-trips text, keeping a leading U+FEFF (it is content, not a byte-order mark)', () => {
    for (const text of ['', 'Hello', '\uFEFFbom', 'κόσμε 😀']) {
      expect(decodeUtf8(encodeUtf8(text))).toBe(text);
      expect(decodeUtf8Strict(encodeUtf8(text))).toBe(text);
    }
  });

  it('decodeUtf8Strict refuses invalid UTF-8 where decodeUtf8 substitutes U+FFFD', () => {
    expect(decodeUtf8Strict(hex('61 ed a0 80'))).toBeNull();
    expect(decodeUtf8(hex('61 ff'))).toBe('a\uFFFD');
  });
});
