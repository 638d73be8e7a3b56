import { describe, expect, it } from 'vitest';
import { CloseCode, Opcode } from '../../../src/protocol/constants.ts';
import { FrameParser } from '../../../src/protocol/frame/parser.ts';
import { describeFrame, describeFrameParts } from '../../../src/protocol/frame/record.ts';
import { serializeFrame } from '../../../src/protocol/frame/serializer.ts';
import type { FrameRecord } from '../../../src/protocol/frame/types.ts';
import { concat, hex } from './helpers.ts';

const MASKED_HELLO = '81 85 37 fa 21 3d 7f 9f 4d 51 58';

function recordOf(bytes: string, role: 'server' | 'client', previewBytes = 64): FrameRecord {
  const [frame] = new FrameParser({ role, recordPreviewBytes: previewBytes }).push(hex(bytes));
  expect(frame?.record).toBeDefined();
  return frame!.record!;
}

const field = (record: FrameRecord, name: string) => record.fields.find((f) => f.name === name);

describe('frame records (RFC 6455 §5.2)', () => {
  it('§5.7 masked "Hello": every field located to the bit, with its value and meaning', () => {
    const record = recordOf(MASKED_HELLO, 'server', 3);
    expect(record).toMatchObject({
      direction: 'client-to-server', index: 0, streamOffset: 0, fin: true, opcode: Opcode.Text, opcodeName: 'text',
      masked: true, lengthEncoding: '7-bit', payloadLength: 5, headerLength: 6, frameLength: 11,
    });
    expect(record.maskingKey).toEqual(hex('37 fa 21 3d'));
    expect(record.header).toEqual(hex('81 85 37 fa 21 3d'));
    expect(record.fields.map((f) => [f.name, f.label, f.bitOffset, f.bitLength, f.byteStart, f.byteEnd, f.value])).toEqual([
      ['fin', 'FIN', 0, 1, 0, 1, 1],
      ['rsv1', 'RSV1', 1, 1, 0, 1, 0],
      ['rsv2', 'RSV2', 2, 1, 0, 1, 0],
      ['rsv3', 'RSV3', 3, 1, 0, 1, 0],
      ['opcode', 'opcode', 4, 4, 0, 1, 1],
      ['mask', 'MASK', 8, 1, 1, 2, 1],
      ['payloadLength', 'Payload len', 9, 7, 1, 2, 5],
      ['maskingKey', 'Masking-key', 16, 32, 2, 6, '0x37fa213d'],
      ['payload', 'Payload data', 48, 40, 6, 11, 5],
    ]);
    expect(field(record, 'fin')?.meaning).toBe('1: this is the final fragment of the message');
    expect(field(record, 'opcode')?.meaning).toMatch(/^0x1 text/);
    expect(field(record, 'maskingKey')?.section).toBe('RFC 6455 §5.3');
    expect(field(record, 'payload')?.meaning).toBe('5 bytes of UTF-8 text (masked on the wire)');
    // The preview keeps 3 bytes, both as sent and unmasked; the total length stays in payloadLength.
    expect(record.payload).toEqual({ wire: hex('7f 9f 4d'), unmasked: hex('48 65 6c'), truncated: true });
  });

  it('§5.2 a 16-bit extended length: "126" in Payload len, the length in bytes 2-3', () => {
    const record = recordOf(`82 7e 01 00 ${'00 '.repeat(256)}`, 'client');
    expect(record.lengthEncoding).toBe('16-bit');
    expect(field(record, 'payloadLength')?.meaning).toBe('126: a 16-bit extended payload length follows in bytes 2-3');
    expect(field(record, 'extendedLength')).toMatchObject({ bitOffset: 16, bitLength: 16, byteStart: 2, byteEnd: 4, value: 256 });
    expect(field(record, 'extendedLength')?.meaning).toBe('256: the payload is 256 bytes long');
    expect(record.payload.truncated).toBe(true);
    expect(record.payload.wire).toHaveLength(64);
  });

  it('§5.2 a 64-bit extended length: "127" in Payload len, the length in bytes 2-9', () => {
    const bytes = concat([hex('82 7f 00 00 00 00 00 01 00 00'), new Uint8Array(65536)]);
    const [frame] = new FrameParser({ role: 'client', recordPreviewBytes: 8 }).push(bytes);
    const record = frame!.record!;
    expect(record.lengthEncoding).toBe('64-bit');
    expect(field(record, 'payloadLength')?.meaning).toBe('127: a 64-bit extended payload length follows in bytes 2-9');
    expect(field(record, 'extendedLength')).toMatchObject({ bitOffset: 16, bitLength: 64, byteStart: 2, byteEnd: 10, value: 65536 });
    expect(record.frameLength).toBe(65546);
  });

  it('§5.2 says so when a length is not minimally encoded', () => {
    expect(field(recordOf('89 7e 00 05 48 65 6c 6c 6f', 'client'), 'extendedLength')?.meaning)
      .toBe('5: the payload is 5 bytes long (not minimal: the 7-bit field could hold it)');
    expect(field(recordOf('82 7f 00 00 00 00 00 00 00 01 00', 'client'), 'extendedLength')?.meaning)
      .toMatch(/not minimal: a 16-bit length would do/);
  });

  it('§5.5.1 a close frame record carries its status code and reason', () => {
    const record = recordOf('88 06 03 e9 62 79 65 21', 'client');
    expect(record).toMatchObject({ opcodeName: 'close', closeCode: CloseCode.GoingAway, closeReason: 'bye!' });
    expect(field(record, 'payload')?.section).toBe('RFC 6455 §5.5.1');
  });

  it('§5.5.1 a close reason that is not UTF-8 leaves only the code; an empty close has neither', () => {
    const bad = recordOf('88 03 03 e8 ff', 'client');
    expect(bad.closeCode).toBe(1000);
    expect(bad).not.toHaveProperty('closeReason');
    const empty = recordOf('88 00', 'client');
    expect(empty).not.toHaveProperty('closeCode');
    expect(field(empty, 'payload')?.meaning).toBe('0 bytes: a close without a status code');
  });

  it('a close payload longer than the preview still yields the whole reason', () => {
    const payload = concat([hex('0f a0'), new TextEncoder().encode('r'.repeat(100))]);
    const [frame] = new FrameParser({ role: 'client', recordPreviewBytes: 4 }).push(serializeFrame({ fin: true, opcode: Opcode.Close, payload }));
    expect(frame?.record).toMatchObject({ closeCode: 4000, closeReason: 'r'.repeat(100) });
  });

  it('records are built only when asked for', () => {
    const [frame] = new FrameParser({ role: 'server' }).push(hex(MASKED_HELLO));
    expect(frame?.record).toBeUndefined();
  });

  it('records count frames and stream offsets, and own their bytes', () => {
    const parser = new FrameParser({ role: 'server', recordPreviewBytes: 16 });
    const frames = parser.push(concat([hex(MASKED_HELLO), hex(MASKED_HELLO)]));
    expect(frames.map((f) => [f.record?.index, f.record?.streamOffset])).toEqual([[0, 0], [1, 11]]);
    frames[0]!.payload.fill(0);
    expect(frames[0]!.record!.payload.unmasked).toEqual(hex('48 65 6c 6c 6f'));
  });

  it('a zero preview keeps no bytes but the length', () => {
    const record = recordOf(MASKED_HELLO, 'server', 0);
    expect(record.payload).toEqual({ wire: new Uint8Array(0), unmasked: new Uint8Array(0), truncated: true });
    expect(record.payloadLength).toBe(5);
  });
});

describe('describeFrame (frames written)', () => {
  it('§5.7 gives the same record as parsing the same bytes', () => {
    for (const [bytes, role] of [[MASKED_HELLO, 'server'], ['01 03 48 65 6c', 'client'], ['89 05 48 65 6c 6c 6f', 'client']] as const) {
      const parsed = recordOf(bytes, role, 2);
      expect(describeFrame(hex(bytes), parsed.direction, 0, 0, 2)).toEqual(parsed);
    }
  });

  it('describeFrameParts takes the header and the wire payload separately', () => {
    const bytes = hex(MASKED_HELLO);
    expect(describeFrameParts(bytes.subarray(0, 6), bytes.subarray(6), 'client-to-server', 3, 100, 8))
      .toEqual(describeFrame(bytes, 'client-to-server', 3, 100, 8));
  });

  it('§5.1 a frame written against the rules carries the violation its peer will report', () => {
    const record = describeFrame(hex('81 85 01 02 03 04 00 00 00 00 00'), 'server-to-client', 0, 40, 8);
    expect(record.violation).toMatchObject({ closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.1', byteOffset: 41 });
    expect(record.fields.map((f) => f.name)).toContain('payload');
    expect(field(record, 'mask')?.meaning).toMatch(/server must never mask/);
    expect(describeFrame(hex('8b 00'), 'server-to-client', 0, 0, 8).violation).toMatchObject({ section: 'RFC 6455 §5.2' });
  });

  it('RSV1 is not flagged: permessage-deflate may set it', () => {
    const record = describeFrame(hex('c1 02 f2 00'), 'server-to-client', 0, 0, 8);
    expect(record).not.toHaveProperty('violation');
    expect(field(record, 'rsv1')?.meaning).toMatch(/permessage-deflate/);
    expect(field(record, 'payload')?.meaning).toMatch(/DEFLATE-compressed/);
  });

  it('a frame cut short is described as far as its bytes go', () => {
    expect(describeFrame(hex('82 7e 01'), 'server-to-client', 0, 0, 8).fields.map((f) => f.name))
      .toEqual(['fin', 'rsv1', 'rsv2', 'rsv3', 'opcode', 'mask', 'payloadLength']);
    expect(describeFrame(hex('82 05 01'), 'server-to-client', 0, 0, 8).payload.wire).toEqual(hex('01'));
  });
});
