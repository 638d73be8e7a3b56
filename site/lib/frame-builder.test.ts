import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CloseCode, Opcode } from '../../lab-server/src/protocol/constants.ts';
import { formatHex } from './bytes-input.ts';
import { buildFrame, choicesFromBytes, DEFAULT_CHOICES, inspectorQuery, OPCODE_CHOICES, parseMaskingKey, randomMaskingKey, type BuilderChoices } from './frame-builder.ts';

function hexOf(choices: Partial<BuilderChoices>): string {
  const result = buildFrame({ ...DEFAULT_CHOICES, ...choices });
  if (!result.ok) throw new Error(result.error);
  return formatHex(result.bytes);
}

function violationOf(choices: Partial<BuilderChoices>) {
  const result = buildFrame({ ...DEFAULT_CHOICES, ...choices });
  if (!result.ok) throw new Error(result.error);
  return result.violation;
}

describe('frame builder: the RFC 6455 §5.7 examples', () => {
  it.each([
    ['§5.7 single-frame unmasked text', { sender: 'server', mask: false }, '81 05 48 65 6c 6c 6f'],
    ['§5.7 single-frame masked text', {}, '81 85 37 fa 21 3d 7f 9f 4d 51 58'],
    ['§5.7 first fragment "Hel"', { sender: 'server', mask: false, fin: false, payload: 'Hel' }, '01 03 48 65 6c'],
    ['§5.7 unmasked ping', { sender: 'server', mask: false, opcode: Opcode.Ping }, '89 05 48 65 6c 6c 6f'],
    ['§5.7 masked pong', { opcode: Opcode.Pong }, '8a 85 37 fa 21 3d 7f 9f 4d 51 58'],
  ] as const)('%s', (_name, choices, hex) => {
    expect(hexOf(choices as Partial<BuilderChoices>)).toBe(hex);
    expect(violationOf(choices as Partial<BuilderChoices>)).toBeNull();
  });

  it('§5.7 256 bytes of binary data use the 16-bit extended length', () => {
    const hex = hexOf({ sender: 'server', mask: false, opcode: Opcode.Binary, payloadFormat: 'hex', payload: '00'.repeat(256) });
    expect(hex.startsWith('82 7e 01 00 00')).toBe(true);
  });

  it('§5.2 a 65536-byte payload uses the 64-bit extended length', () => {
    const hex = hexOf({ sender: 'server', mask: false, payload: 'a'.repeat(65_536) });
    expect(hex.startsWith('81 7f 00 00 00 00 00 01 00 00 61')).toBe(true);
  });
});

describe('frame builder: violations explained by the core', () => {
  it.each([
    ['§5.2 reserved opcode 0x3', { opcode: 0x3 }, CloseCode.ProtocolError, /§5\.2/],
    ['§5.2 RSV2 without an extension', { rsv2: true }, CloseCode.ProtocolError, /§5\.2/],
    ['§5.2 RSV1 without permessage-deflate', { rsv1: true }, CloseCode.ProtocolError, /§5\.2|7692/],
    ['§5.1 an unmasked client frame', { mask: false }, CloseCode.ProtocolError, /§5\.1/],
    ['§5.1 a masked server frame', { sender: 'server' }, CloseCode.ProtocolError, /§5\.1/],
    ['§5.5 a fragmented ping', { opcode: Opcode.Ping, fin: false }, CloseCode.ProtocolError, /§5\.[45]/],
    ['§5.5 a 126-byte ping', { opcode: Opcode.Ping, payload: 'x'.repeat(126) }, CloseCode.ProtocolError, /§5\.5/],
    ['§5.4 a continuation with no message to continue', { opcode: Opcode.Continuation }, CloseCode.ProtocolError, /§5\.4/],
    ['§8.1 invalid UTF-8 in a text frame', { payloadFormat: 'hex', payload: 'c3 28' }, CloseCode.InvalidPayloadData, /§8\.1|§5\.6/],
    ['§5.5.1 a one-byte close payload', { opcode: Opcode.Close, payloadFormat: 'hex', payload: '03' }, CloseCode.ProtocolError, /§5\.5\.1/],
  ] as const)('%s', (_name, choices, closeCode, section) => {
    const violation = violationOf(choices as Partial<BuilderChoices>);
    expect(violation?.closeCode).toBe(closeCode);
    expect(violation?.section).toMatch(section);
  });

  it('RFC 7692 §6: RSV1 is legal once permessage-deflate is negotiated, with a note', () => {
    const result = buildFrame({ ...DEFAULT_CHOICES, rsv1: true, deflate: true });
    expect(result.ok && result.violation).toBeNull();
    expect(result.ok && result.notes.join(' ')).toMatch(/RFC 7692/);
  });

  it('flags every reserved opcode in the choices, and only those', () => {
    expect(OPCODE_CHOICES.filter((choice) => choice.reserved).map((choice) => choice.value)).toEqual([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]);
  });
});

describe('frame builder: input errors are values', () => {
  it('rejects a masking key that is not 4 bytes (§5.3)', () => {
    expect(parseMaskingKey('37 fa 21')).toMatch(/exactly 4 bytes/);
    const result = buildFrame({ ...DEFAULT_CHOICES, maskingKey: 'zz' });
    expect(result.ok ? null : result.field).toBe('maskingKey');
  });

  it('rejects a hex payload that is not hex', () => {
    const result = buildFrame({ ...DEFAULT_CHOICES, payloadFormat: 'hex', payload: 'hello' });
    expect(result.ok ? null : result.field).toBe('payload');
  });

  it('makes random keys of 4 bytes from the given source', () => {
    expect(randomMaskingKey((bytes) => bytes.fill(0xab))).toBe('ab ab ab ab');
  });
});

describe('frame builder: round trips through the inspector', () => {
  it('the inspector link carries the bytes and direction', () => {
    const result = buildFrame(DEFAULT_CHOICES);
    expect(result.ok && inspectorQuery(result.bytes, result.direction)).toBe('?hex=818537fa213d7f9f4d5158&dir=client-to-server');
  });

  it('choices read back from built bytes rebuild the same bytes (property)', () => {
    fc.assert(fc.property(
      fc.record({
        fin: fc.boolean(), rsv1: fc.boolean(), rsv2: fc.boolean(), rsv3: fc.boolean(), opcode: fc.integer({ min: 0, max: 15 }),
        mask: fc.boolean(), key: fc.uint8Array({ minLength: 4, maxLength: 4 }), payload: fc.uint8Array({ maxLength: 300 }),
      }),
      ({ key, payload, ...rest }) => {
        const choices: BuilderChoices = { ...DEFAULT_CHOICES, ...rest, sender: rest.mask ? 'client' : 'server', maskingKey: formatHex(key), payloadFormat: 'hex', payload: formatHex(payload), deflate: rest.rsv1 };
        const built = buildFrame(choices);
        if (!built.ok) return false;
        const back = choicesFromBytes(built.bytes);
        if (back === null) return false;
        const rebuilt = buildFrame(back);
        return rebuilt.ok && formatHex(rebuilt.bytes) === formatHex(built.bytes);
      },
    ), { numRuns: 200 });
  });
});
