import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMask, maskInto, simdMaskAvailable, wordMask } from '../../../src/protocol/frame/mask.ts';
import { createSimdMasker, SIMD_BLOCK_BYTES } from '../../../src/protocol/frame/mask-simd.ts';

/** The definition of RFC 6455 §5.3, byte by byte: the reference every tier must match. */
function referenceMask(data: Uint8Array, maskingKey: Uint8Array, offset: number): Uint8Array {
  return data.map((byte, i) => byte ^ maskingKey[(offset + i) & 3]!);
}

describe('masking tiers (RFC 6455 §5.3)', () => {
  it('the hand-assembled WebAssembly SIMD module validates and instantiates on Node 24', () => {
    expect(simdMaskAvailable()).toBe(true);
    expect(createSimdMasker()).not.toBeNull();
  });

  it('the SIMD kernel XORs whole 64-byte groups with the little-endian key, and nothing beyond', () => {
    const masker = createSimdMasker()!;
    masker.memory.fill(0, 0, 256);
    masker.xor(65, 0x78563412); // rounds up to 128 bytes
    expect([...masker.memory.subarray(0, 8)]).toEqual([0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78]);
    expect(masker.memory.subarray(124, 128).every((byte, i) => byte === [0x12, 0x34, 0x56, 0x78][i])).toBe(true);
    expect(masker.memory.subarray(128, 256).every((byte) => byte === 0)).toBe(true);
  });

  it('applyMask and maskInto (every tier) equal the byte-by-byte definition for random lengths, alignments, offsets, keys', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 2048 }), fc.integer({ min: SIMD_BLOCK_BYTES - 70, max: 2 * SIMD_BLOCK_BYTES + 70 })),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 1 << 20 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (length, byteOffset, offset, maskingKey, seed) => {
          const buffer = new Uint8Array(length + byteOffset + 3);
          let state = seed | 1;
          for (let i = 0; i < buffer.length; i++) {
            state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
            buffer[i] = state & 0xff;
          }
          const data = buffer.subarray(byteOffset, byteOffset + length);
          const expected = referenceMask(data, maskingKey, offset);
          const before = buffer.slice();
          const viaWords = data.slice();
          wordMask(viaWords, maskingKey, offset);
          const into = new Uint8Array(length + 5).fill(0xee);
          maskInto(data, into, 3, maskingKey, offset);
          expect(data).toEqual(before.subarray(byteOffset, byteOffset + length)); // maskInto leaves its source alone
          expect(into.subarray(3, 3 + length)).toEqual(expected);
          expect([...into.subarray(0, 3), ...into.subarray(3 + length)]).toEqual([0xee, 0xee, 0xee, 0xee, 0xee]);
          applyMask(data, maskingKey, offset);
          expect(data).toEqual(expected);
          expect(viaWords).toEqual(expected);
          // Bytes around the view are untouched.
          expect(buffer.subarray(0, byteOffset)).toEqual(before.subarray(0, byteOffset));
          expect(buffer.subarray(byteOffset + length)).toEqual(before.subarray(byteOffset + length));
        },
      ),
      { numRuns: 150 },
    );
  });
});
