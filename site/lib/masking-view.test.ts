import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryByte, maskingView, parseMaskingKey, parsePayload } from './masking-view.ts';
import { formatHex } from './bytes-input.ts';

describe('masking view (RFC 6455 §5.3)', () => {
  it('RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d is 7f 9f 4d 51 58', () => {
    const payload = parsePayload('Hello', 'text');
    const key = parseMaskingKey('37 fa 21 3d');
    if (!payload.ok || !key.ok) throw new Error('inputs should parse');
    const view = maskingView(payload.bytes, key.bytes);
    expect(formatHex(view.masked)).toBe('7f 9f 4d 51 58');
    expect(view.columns.map((column) => column.keyIndex)).toEqual([0, 1, 2, 3, 0]);
    expect(view.columns[4]).toEqual({ index: 4, keyIndex: 0, payload: 0x6f, key: 0x37, masked: 0x58 });
    expect(view.roundTrips).toBe(true);
  });

  it('reads keys in several spellings and refuses any other length', () => {
    expect(parseMaskingKey('0x37fa213d').ok).toBe(true);
    expect(parseMaskingKey('37fa213d').ok).toBe(true);
    const short = parseMaskingKey('37 fa 21');
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.error).toMatch(/exactly 4 bytes/);
    expect(parseMaskingKey('zz zz zz zz').ok).toBe(false);
  });

  it('reads hex payloads, and explains input that is not hex', () => {
    const hex = parsePayload('48 65', 'hex');
    expect(hex.ok && formatHex(hex.bytes)).toBe('48 65');
    expect(parsePayload('4', 'hex').ok).toBe(false);
    expect(parsePayload('x'.repeat(65), 'text').ok).toBe(false);
  });

  it('writes a byte as two nibbles of bits', () => {
    expect(binaryByte(0x7f)).toBe('0111 1111');
    expect(binaryByte(0x37)).toBe('0011 0111');
  });

  it('property: masking twice with the same key restores the payload', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), (payload, key) => {
      const view = maskingView(payload, key);
      expect(view.roundTrips).toBe(true);
      view.columns.forEach((column) => expect(column.masked).toBe(column.payload ^ column.key));
    }));
  });
});
