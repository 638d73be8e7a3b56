import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMask, maskCopy } from '../../../src/protocol/frame/mask.ts';
import { hex } from './helpers.ts';

function referenceMask(data: Uint8Array, key: Uint8Array, offset: number): Uint8Array {
  return data.map((byte, i) => byte ^ key[(offset + i) & 3]!);
}

const key = fc.uint8Array({ minLength: 4, maxLength: 4 });

describe('applyMask (RFC 6455 §5.3)', () => {
  it('§5.7 masks "Hello" with 37 fa 21 3d', () => {
    const data = new TextEncoder().encode('Hello');
    applyMask(data, hex('37 fa 21 3d'));
    expect(data).toEqual(hex('7f 9f 4d 51 58'));
  });

  it('matches the byte-by-byte definition at every alignment, length and offset (word path included)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), key, fc.nat(7), fc.nat(1000), (bytes, maskingKey, shift, offset) => {
      const backing = new Uint8Array(bytes.length + 8);
      const data = backing.subarray(shift, shift + bytes.length);
      data.set(bytes);
      applyMask(data, maskingKey, offset);
      expect(data).toEqual(referenceMask(bytes, maskingKey, offset));
      // Bytes around the view are untouched.
      expect(Array.from(backing.subarray(0, shift)).every((b) => b === 0)).toBe(true);
      expect(Array.from(backing.subarray(shift + bytes.length)).every((b) => b === 0)).toBe(true);
    }));
  });

  it('unmasking twice is the identity', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), key, fc.nat(), (bytes, maskingKey, offset) => {
      const data = bytes.slice();
      applyMask(data, maskingKey, offset);
      applyMask(data, maskingKey, offset);
      expect(data).toEqual(bytes);
    }));
  });

  it('piece by piece with offsets equals all at once', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), key, fc.nat(200), (bytes, maskingKey, cutAt) => {
      const cut = Math.min(cutAt, bytes.length);
      const pieces = bytes.slice();
      applyMask(pieces.subarray(0, cut), maskingKey, 0);
      applyMask(pieces.subarray(cut), maskingKey, cut);
      expect(pieces).toEqual(referenceMask(bytes, maskingKey, 0));
    }));
  });

  it('maskCopy leaves its source alone', () => {
    const source = hex('00 01 02 03 04');
    expect(maskCopy(source, hex('ff ff ff ff'))).toEqual(hex('ff fe fd fc fb'));
    expect(source).toEqual(hex('00 01 02 03 04'));
  });
});
