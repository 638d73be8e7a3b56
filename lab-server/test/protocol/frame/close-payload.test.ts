import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../../src/protocol/constants.ts';
import {
  encodeClosePayload,
  isCloseViolation,
  isValidCloseCode,
  parseClosePayload,
} from '../../../src/protocol/frame/close-payload.ts';
import { hex } from './helpers.ts';

const codeBytes = (code: number) => Uint8Array.of(code >>> 8, code & 0xff);

describe('close codes on the wire (RFC 6455 §7.4.1, §7.4.2)', () => {
  const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
  const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

  for (const code of valid) {
    it(`§7.4 ${code} is accepted`, () => {
      expect(isValidCloseCode(code)).toBe(true);
      expect(parseClosePayload(codeBytes(code))).toEqual({ code, reason: '' });
    });
  }
  for (const code of invalid) {
    it(`§7.4 ${code} is a protocol error (1002)`, () => {
      expect(isValidCloseCode(code)).toBe(false);
      const result = parseClosePayload(codeBytes(code));
      expect(result).toMatchObject({ closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §7.4' });
      expect(() => encodeClosePayload(code)).toThrow(RangeError);
    });
  }
});

describe('parseClosePayload (RFC 6455 §5.5.1)', () => {
  it('§7.1.5 an empty payload means no status code: 1005', () => {
    expect(parseClosePayload(new Uint8Array(0))).toEqual({ code: CloseCode.NoStatusReceived, reason: '' });
  });

  it('§5.5.1 a 1-byte payload is a protocol error (1002)', () => {
    const result = parseClosePayload(hex('03'));
    expect(isCloseViolation(result)).toBe(true);
    expect(result).toMatchObject({ closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.5.1' });
  });

  it('§5.5.1 reads the code big-endian and the reason as UTF-8', () => {
    expect(parseClosePayload(hex('03 e8 68 c3 a9'))).toEqual({ code: 1000, reason: 'hé' });
  });

  it('§5.5.1 keeps a leading U+FEFF in the reason', () => {
    expect(parseClosePayload(hex('03 e8 ef bb bf 61'))).toEqual({ code: 1000, reason: '\uFEFFa' });
  });

  for (const [name, bytes] of [['a lone continuation byte', '03 e8 80'], ['a truncated sequence', '03 e8 e2 82'],
    ['an encoded surrogate', '03 e8 ed a0 80'], ['an overlong slash', '03 e8 c0 af']] as const) {
    it(`§5.5.1 a reason with ${name} is invalid payload data (1007)`, () => {
      expect(parseClosePayload(hex(bytes))).toMatchObject({ closeCode: CloseCode.InvalidPayloadData, section: 'RFC 6455 §5.5.1' });
    });
  }
});

describe('encodeClosePayload (RFC 6455 §5.5.1)', () => {
  it('no code gives an empty payload', () => {
    expect(encodeClosePayload(undefined)).toEqual(new Uint8Array(0));
  });

  it('a reason without a code is refused', () => {
    expect(() => encodeClosePayload(undefined, 'bye')).toThrow(RangeError);
  });

  it('round-trips code and reason', () => {
    const payload = encodeClosePayload(CloseCode.GoingAway, 'server restart ✓');
    expect(payload.subarray(0, 2)).toEqual(hex('03 e9'));
    expect(parseClosePayload(payload)).toEqual({ code: 1001, reason: 'server restart ✓' });
  });

  it('§5.5 a 123-byte reason fits, 124 bytes do not', () => {
    expect(encodeClosePayload(4000, 'x'.repeat(123))).toHaveLength(125);
    expect(() => encodeClosePayload(4000, 'x'.repeat(124))).toThrow(RangeError);
    expect(() => encodeClosePayload(4000, 'é'.repeat(62))).toThrow(RangeError); // 124 bytes of UTF-8
  });
});
