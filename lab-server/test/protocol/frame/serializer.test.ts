import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../src/protocol/constants.ts';
import { encodeFrameHeader, fragmentPayload, serializeFrame } from '../../../src/protocol/frame/serializer.ts';
import { hex } from './helpers.ts';

describe('encodeFrameHeader (RFC 6455 §5.2)', () => {
  const cases: ReadonlyArray<readonly [string, number, string]> = [
    ['§5.2 0 bytes: 7-bit length', 0, '82 00'],
    ['§5.2 125 bytes: the largest 7-bit length', 125, '82 7d'],
    ['§5.2 126 bytes: the smallest 16-bit length', 126, '82 7e 00 7e'],
    ['§5.2 65535 bytes: the largest 16-bit length', 65535, '82 7e ff ff'],
    ['§5.2 65536 bytes: the smallest 64-bit length', 65536, '82 7f 00 00 00 00 00 01 00 00'],
  ];
  for (const [name, length, expected] of cases) {
    it(name, () => {
      expect(encodeFrameHeader({ fin: true, opcode: Opcode.Binary, payload: new Uint8Array(length) })).toEqual(hex(expected));
    });
  }

  it('§5.2 a 64-bit length above 2^32 keeps its high word', () => {
    // A fake payload object: only .length is read when encoding the header.
    const payload = { length: 2 ** 40 + 5 } as Uint8Array;
    expect(encodeFrameHeader({ fin: true, opcode: Opcode.Binary, payload })).toEqual(hex('82 7f 00 00 01 00 00 00 00 05'));
  });

  it('§5.2 FIN, RSV1-3 and opcode bits land in byte 0', () => {
    const header = encodeFrameHeader({ fin: false, rsv1: true, rsv2: true, rsv3: true, opcode: 0xf, payload: new Uint8Array(0) });
    expect(header).toEqual(hex('7f 00'));
  });

  it('§5.3 a masking key sets MASK and follows the length', () => {
    const header = encodeFrameHeader({ fin: true, opcode: Opcode.Text, payload: new Uint8Array(200), maskingKey: hex('37 fa 21 3d') });
    expect(header).toEqual(hex('81 fe 00 c8 37 fa 21 3d'));
  });

  it('§5.3 rejects a masking key that is not 4 bytes', () => {
    expect(() => encodeFrameHeader({ fin: true, opcode: Opcode.Text, payload: new Uint8Array(1), maskingKey: hex('01 02 03') }))
      .toThrow(RangeError);
  });
});

describe('serializeFrame', () => {
  it('§5.3 masks a copy and never mutates the payload', () => {
    const payload = new TextEncoder().encode('Hello');
    const bytes = serializeFrame({ fin: true, opcode: Opcode.Text, payload, maskingKey: hex('37 fa 21 3d') });
    expect(bytes).toEqual(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(new TextDecoder().decode(payload)).toBe('Hello');
  });

  it('§5.2 an unmasked frame is header + payload', () => {
    expect(serializeFrame({ fin: true, opcode: Opcode.Ping, payload: hex('01 02') })).toEqual(hex('89 02 01 02'));
  });
});

describe('fragmentPayload (RFC 6455 §5.4)', () => {
  it('cuts into views of at most fragmentSize bytes', () => {
    const payload = Uint8Array.from({ length: 10 }, (_, i) => i);
    const fragments = fragmentPayload(payload, 4);
    expect(fragments.map((f) => Array.from(f))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(fragments.every((f) => f.buffer === payload.buffer)).toBe(true);
  });

  it('an empty payload is one empty fragment', () => {
    const fragments = fragmentPayload(new Uint8Array(0), 4);
    expect(fragments).toHaveLength(1);
    expect(fragments[0]?.length).toBe(0);
  });

  it('a payload that fits is one fragment', () => {
    expect(fragmentPayload(new Uint8Array(4), 4)).toHaveLength(1);
  });

  it('rejects a fragment size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => fragmentPayload(new Uint8Array(4), size)).toThrow(RangeError);
  });
});
