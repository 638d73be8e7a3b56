import { describe, expect, it } from 'vitest';
import { CloseCode, MAX_CLOSE_REASON_BYTES } from '../../../src/protocol/constants.ts';
import { FrameParser, type FrameParserOptions } from '../../../src/protocol/frame/parser.ts';
import { concat, hex, oneByteSplits, parseSplit } from './helpers.ts';

interface ViolationCase {
  readonly rule: string;
  readonly bytes: Uint8Array;
  readonly options: FrameParserOptions;
  readonly closeCode: number;
  readonly section: string;
  /** Stream offset of the byte that broke the rule. */
  readonly byteOffset: number;
  /** Part of the reason, to check it names the rule. */
  readonly reason: RegExp;
}

const KEY = '01 02 03 04';
const server = { role: 'server' } as const;
const client = { role: 'client' } as const;

const CASES: ViolationCase[] = [
  { rule: 'RSV1 set without an extension', bytes: hex(`c1 80 ${KEY}`), options: server,
    closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.2', byteOffset: 0, reason: /RSV1/ },
  { rule: 'RSV2 set', bytes: hex(`a1 80 ${KEY}`), options: { role: 'server', allowRsv1: true },
    closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.2', byteOffset: 0, reason: /RSV2/ },
  { rule: 'RSV3 set', bytes: hex('91 00'), options: client,
    closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.2', byteOffset: 0, reason: /RSV3/ },
  ...[0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf].map((opcode): ViolationCase => ({
    rule: `reserved opcode 0x${opcode.toString(16).toUpperCase()}`, bytes: Uint8Array.of(0x80 | opcode, 0x00), options: client,
    closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.2', byteOffset: 0, reason: /reserved opcode/ })),
  ...[['close', 0x08], ['ping', 0x09], ['pong', 0x0a]].map(([name, first]): ViolationCase => ({
    rule: `fragmented ${name} (FIN clear)`, bytes: Uint8Array.of(first as number, 0x00), options: client,
    closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.5', byteOffset: 0, reason: /must not be fragmented/ })),
  { rule: 'unmasked frame read by a server', bytes: hex('81 05 48 65 6c 6c 6f'), options: server,
    closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.1', byteOffset: 1, reason: /must be masked/ },
  { rule: 'masked frame read by a client', bytes: hex(`81 85 ${KEY} 00 00 00 00 00`), options: client,
    closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.1', byteOffset: 1, reason: /must not be masked/ },
  { rule: 'ping with a 126-byte payload (16-bit length)', bytes: hex('89 7e 00 7e'), options: client,
    closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.5', byteOffset: 2, reason: /at most 125/ },
  { rule: 'close with a 65536-byte payload (64-bit length)', bytes: hex('88 7f 00 00 00 00 00 01 00 00'), options: client,
    closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.5', byteOffset: 2, reason: /at most 125/ },
  { rule: '64-bit length with its most significant bit set', bytes: hex('82 7f 80 00 00 00 00 00 00 01'), options: client,
    closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.2', byteOffset: 2, reason: /most significant bit/ },
  { rule: '64-bit length beyond 2^53-1', bytes: hex('82 7f 00 20 00 00 00 00 00 00'), options: client,
    closeCode: CloseCode.MessageTooBig, section: 'RFC 6455 §10.4', byteOffset: 2, reason: /2\^53-1/ },
  { rule: 'maxFramePayload exceeded by a 7-bit length', bytes: hex('82 65'), options: { role: 'client', maxFramePayload: 100 },
    closeCode: CloseCode.MessageTooBig, section: 'RFC 6455 §10.4', byteOffset: 1, reason: /101 bytes exceeds .* 100/ },
  { rule: 'maxFramePayload exceeded by a 16-bit length', bytes: hex(`82 fe 03 e8 ${KEY}`), options: { role: 'server', maxFramePayload: 999 },
    closeCode: CloseCode.MessageTooBig, section: 'RFC 6455 §10.4', byteOffset: 2, reason: /1000 bytes/ },
  { rule: 'maxFramePayload exceeded by a 64-bit length', bytes: hex('82 7f 00 00 00 01 00 00 00 00'), options: { role: 'client', maxFramePayload: 2 ** 32 - 1 },
    closeCode: CloseCode.MessageTooBig, section: 'RFC 6455 §10.4', byteOffset: 2, reason: /4294967296 bytes/ },
];

describe('frame-level violations (table)', () => {
  for (const testCase of CASES) {
    it(`${testCase.section}: ${testCase.rule} -> ${testCase.closeCode}`, () => {
      for (const splits of [[], oneByteSplits(testCase.bytes.length)]) {
        const { parser, frames } = parseSplit(testCase.bytes, splits, testCase.options);
        expect(frames).toEqual([]);
        expect(parser.violation).toMatchObject({
          closeCode: testCase.closeCode, section: testCase.section, byteOffset: testCase.byteOffset,
        });
        expect(parser.violation?.reason).toMatch(testCase.reason);
        expect(parser.violation?.reason).not.toMatch(/\n/);
        expect(new TextEncoder().encode(parser.violation?.reason).length).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
        // Fail fast: reading stops at the end of the field that broke the rule.
        const lengthCode = testCase.bytes[1]! & 0x7f;
        const fieldEnd = testCase.byteOffset < 2 ? 2 : 2 + (lengthCode === 127 ? 8 : 2);
        expect(parser.bytesConsumed).toBe(fieldEnd);
      }
    });
  }
});

describe('what the parser accepts (RFC 6455 §5.2)', () => {
  it('§5.2 RSV1 is accepted when permessage-deflate allows it', () => {
    const { parser, frames } = parseSplit(hex('c1 00'), [], { role: 'client', allowRsv1: true });
    expect(parser.violation).toBeNull();
    expect(frames[0]?.rsv1).toBe(true);
  });

  it('§5.5 a 125-byte ping is the largest control frame', () => {
    const { parser, frames } = parseSplit(concat([hex('89 7d'), new Uint8Array(125)]), [], client);
    expect(parser.violation).toBeNull();
    expect(frames[0]?.payload.length).toBe(125);
  });

  it('§5.2 non-minimal length encodings are accepted (a 5-byte ping in a 16-bit length)', () => {
    const { parser, frames } = parseSplit(hex('89 7e 00 05 48 65 6c 6c 6f'), [], client);
    expect(parser.violation).toBeNull();
    expect(frames[0]?.payload).toEqual(hex('48 65 6c 6c 6f'));
  });

  it('§10.4 a frame exactly at maxFramePayload passes', () => {
    const { parser, frames } = parseSplit(concat([hex('82 64'), new Uint8Array(100)]), [], { role: 'client', maxFramePayload: 100 });
    expect(parser.violation).toBeNull();
    expect(frames).toHaveLength(1);
  });

  it('§5.2 a length near 2^53 is not a violation by itself (the frame just waits for its payload)', () => {
    const { parser, frames } = parseSplit(hex('82 7f 00 1f ff ff ff ff ff ff 00 01 02'), [], client);
    expect(parser.violation).toBeNull();
    expect(frames).toEqual([]);
    expect(parser.bytesConsumed).toBe(13);
  });
});

describe('after a violation', () => {
  const good = hex('81 05 48 65 6c 6c 6f');
  const bad = hex('a1 00');

  it('returns the frames completed before it, reports the stream offset, and ignores later input', () => {
    const parser = new FrameParser({ role: 'client' });
    const frames = parser.push(concat([good, good, bad, good]));
    expect(frames).toHaveLength(2);
    expect(parser.violation).toMatchObject({ byteOffset: 14, closeCode: CloseCode.ProtocolError });
    expect(parser.bytesConsumed).toBe(16);
    expect(parser.push(good.slice())).toEqual([]);
    expect(parser.bytesConsumed).toBe(16);
  });

  it('has no violationRecord unless recording', () => {
    const parser = new FrameParser({ role: 'client' });
    parser.push(bad.slice());
    expect(parser.violation).not.toBeNull();
    expect(parser.violationRecord).toBeNull();
  });

  it('records the fields read before the violation when recording', () => {
    const parser = new FrameParser({ role: 'server', recordPreviewBytes: 16, maxFramePayload: 999 });
    parser.push(concat([hex(`81 85 ${KEY} 49 67 6f 68 6e`), hex(`82 fe 03 e8 ${KEY}`)]));
    const record = parser.violationRecord;
    expect(record?.violation).toBe(parser.violation);
    expect(record).toMatchObject({
      index: 1, streamOffset: 11, opcode: 2, masked: true, lengthEncoding: '16-bit', payloadLength: 1000,
      headerLength: 4, maskingKey: null, direction: 'client-to-server',
    });
    expect(record?.header).toEqual(hex('82 fe 03 e8'));
    expect(record?.fields.map((f) => f.name)).toEqual(
      ['fin', 'rsv1', 'rsv2', 'rsv3', 'opcode', 'mask', 'payloadLength', 'extendedLength']);
  });

  it('a violationRecord after the first two bytes keeps the 7-bit length', () => {
    const parser = new FrameParser({ role: 'client', recordPreviewBytes: 0 });
    parser.push(hex('89 85'));
    expect(parser.violationRecord).toMatchObject({ payloadLength: 5, headerLength: 2, masked: true, opcodeName: 'ping' });
    expect(parser.violationRecord?.fields.map((f) => f.name)).toEqual(['fin', 'rsv1', 'rsv2', 'rsv3', 'opcode', 'mask', 'payloadLength']);
  });
});
