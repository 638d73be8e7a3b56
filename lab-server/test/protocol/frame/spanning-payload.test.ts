import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../src/protocol/constants.ts';
import { FrameParser } from '../../../src/protocol/frame/parser.ts';
import { serializeFrame } from '../../../src/protocol/frame/serializer.ts';

const MASKING_KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
const SIXTEEN_MIB = 16 * 1024 * 1024;

function maskedBinaryFrame(payload: Uint8Array): Uint8Array {
  return serializeFrame({ fin: true, opcode: Opcode.Binary, payload, maskingKey: MASKING_KEY });
}

/** A parser whose payload buffers are counted, as the lab server's allocate hook would see them. */
function countingParser(): { parser: FrameParser; allocated: number[] } {
  const allocated: number[] = [];
  const parser = new FrameParser({
    role: 'server',
    allocate: (length) => {
      allocated.push(length);
      return new Uint8Array(length);
    },
  });
  return { parser, allocated };
}

describe('a payload that spans chunks (RFC 6455 §10.4: memory follows what arrived, not what was declared)', () => {
  it('a 16 MiB frame of which one byte arrived reserves no 16 MiB buffer', () => {
    const { parser, allocated } = countingParser();
    const header = maskedBinaryFrame(new Uint8Array(SIXTEEN_MIB)).subarray(0, 15); // 14-byte header + 1 byte
    expect(parser.push(header.slice())).toEqual([]);
    expect(parser.violation).toBeNull();
    expect(allocated).toEqual([]);
  });

  it('the buffer is made once half the payload is here, and the payload arrives intact', () => {
    const payload = Uint8Array.from({ length: 1024 * 1024 }, (_, i) => (i * 31) & 0xff);
    const wire = maskedBinaryFrame(payload);
    const { parser, allocated } = countingParser();
    const chunkSize = 64 * 1024;
    const frames = [];
    let payloadBytesWhenBuffered = -1;
    for (let at = 0; at < wire.length; at += chunkSize) {
      frames.push(...parser.push(wire.slice(at, at + chunkSize)));
      if (allocated.length === 1 && payloadBytesWhenBuffered < 0) payloadBytesWhenBuffered = parser.bytesConsumed - 14;
    }
    expect(payloadBytesWhenBuffered).toBeGreaterThanOrEqual(payload.length / 2);
    expect(allocated).toEqual([payload.length]);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload).toEqual(payload);
  });

  it('a small spanning payload gets its buffer with its first piece, from the shared slab, not from allocate', () => {
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const wire = maskedBinaryFrame(payload);
    const { parser, allocated } = countingParser();
    expect(parser.push(wire.slice(0, 100))).toEqual([]);
    const frames = parser.push(wire.slice(100));
    expect(allocated).toEqual([]);
    expect(frames[0]!.payload).toEqual(payload);
    expect(frames[0]!.payload.buffer.byteLength).toBeGreaterThan(payload.length);
  });

  it('payloads from the slab never overwrite one another, so a payload kept by a consumer stays as it arrived', () => {
    const { parser } = countingParser();
    const sent = Array.from({ length: 40 }, (_, n) => Uint8Array.from({ length: 5000 + n * 997 }, (_, i) => (i * 13 + n) & 0xff));
    const kept: Uint8Array[] = [];
    for (const payload of sent) {
      const wire = maskedBinaryFrame(payload);
      const half = wire.length >> 1;
      kept.push(...parser.push(wire.slice(0, half)).map((frame) => frame.payload));
      kept.push(...parser.push(wire.slice(half)).map((frame) => frame.payload));
    }
    expect(parser.violation).toBeNull();
    expect(kept).toEqual(sent);
    expect(new Set(kept.map((payload) => payload.buffer)).size).toBeLessThan(kept.length);
  });
});
