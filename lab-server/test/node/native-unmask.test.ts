import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMask, HOST_MASKER_THRESHOLD, maskInto, useHostMasker } from '../../src/protocol/frame/mask.ts';
import { installNativeUnmask, loadNativeMasker } from '../../src/node/native-unmask.ts';

/**
 * The lab server's native unmasking (lab-server/native/unmask.c), built by `npm ci`. CI machines have a C
 * compiler, so there it must be built; elsewhere a missing build is said, and the core's WebAssembly is used.
 */
const native = loadNativeMasker();
const required = process.env['CI'] === 'true';
if (native === null && !required) console.warn('lab-server/native is not built (npm ci builds it with a C compiler): skipping its tests');

function referenceMask(data: Uint8Array, key: Uint8Array, offset: number): Uint8Array {
  return data.map((byte, i) => byte ^ key[(offset + i) & 3]!);
}

const key = fc.uint8Array({ minLength: 4, maxLength: 4 });
/** Lengths on both sides of the threshold and of the addon's 8-byte words. */
const payload = fc.uint8Array({ maxLength: 3 * HOST_MASKER_THRESHOLD + 13 });

describe('native unmasking', () => {
  afterEach(() => useHostMasker(null));

  it('is built where CI runs', () => {
    if (required) expect(native, 'lab-server/native/build/unmask.node (npm ci runs lab-server/native/build.mjs)').not.toBeNull();
  });

  it.skipIf(native === null)('XORs in place with the key octets in its argument, at every alignment and length', () => {
    fc.assert(fc.property(payload, key, fc.nat(7), (bytes, maskingKey, shift) => {
      const backing = new Uint8Array(bytes.length + 16);
      const data = backing.subarray(shift, shift + bytes.length);
      data.set(bytes);
      native!(data, (maskingKey[0]! | (maskingKey[1]! << 8) | (maskingKey[2]! << 16) | (maskingKey[3]! << 24)) >>> 0);
      expect(data).toEqual(referenceMask(bytes, maskingKey, 0));
      expect(backing.subarray(0, shift).every((b) => b === 0)).toBe(true);
      expect(backing.subarray(shift + bytes.length).every((b) => b === 0)).toBe(true);
    }));
  });

  it.skipIf(native === null)('gives the core the same results as its own tiers (applyMask and maskInto, any key phase)', () => {
    useHostMasker(native);
    fc.assert(fc.property(payload, key, fc.nat(7), fc.nat(1000), (bytes, maskingKey, shift, offset) => {
      const backing = new Uint8Array(bytes.length + 16);
      const data = backing.subarray(shift, shift + bytes.length);
      data.set(bytes);
      applyMask(data, maskingKey, offset);
      expect(data).toEqual(referenceMask(bytes, maskingKey, offset));
      const target = new Uint8Array(bytes.length + shift);
      maskInto(bytes, target, shift, maskingKey, offset);
      expect(target.subarray(shift)).toEqual(referenceMask(bytes, maskingKey, offset));
    }));
  });

  it.skipIf(native === null)('refuses what is not a Uint8Array and a key with a TypeError, not a crash', () => {
    expect(() => native!('not bytes' as unknown as Uint8Array, 1)).toThrow(TypeError);
    expect(() => native!(new Uint16Array(4) as unknown as Uint8Array, 1)).toThrow(TypeError);
    expect(() => (native as unknown as (data: Uint8Array) => void)(new Uint8Array(4))).toThrow(TypeError);
  });

  it.skipIf(native === null)('is installed by default and can be switched off with LAB_NATIVE_UNMASK=off', () => {
    expect(installNativeUnmask({})).toBe('native');
    expect(installNativeUnmask({ LAB_NATIVE_UNMASK: 'off' })).toBe('webassembly');
  });
});
