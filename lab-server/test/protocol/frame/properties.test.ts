import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameParser, type FrameParserOptions } from '../../../src/protocol/frame/parser.ts';
import { describeFrame } from '../../../src/protocol/frame/record.ts';
import { encodeFrameHeader, serializeFrame, type OutgoingFrame } from '../../../src/protocol/frame/serializer.ts';
import type { Frame, FrameRecord, Role } from '../../../src/protocol/frame/types.ts';
import { concat, snapshot } from './helpers.ts';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Pushes copies of `bytes` cut at `rawSplits` (taken modulo the length). */
function parseChunked(bytes: Uint8Array, rawSplits: readonly number[], options: FrameParserOptions) {
  const input = bytes.slice();
  const splits = [...new Set(rawSplits.map((s) => s % (input.length + 1)))].sort((a, b) => a - b);
  const parser = new FrameParser(options);
  const frames: Frame[] = [];
  let start = 0;
  for (const end of [...splits, input.length]) {
    frames.push(...parser.push(input.subarray(start, end)));
    start = end;
  }
  return { parser, frames };
}

/** RFC 6455 §5.2 fields tile the header bit by bit; the payload follows it. */
function expectFieldsTile(record: FrameRecord): void {
  const headerFields = record.fields.filter((f) => f.name !== 'payload').sort((a, b) => a.bitOffset - b.bitOffset);
  let bit = 0;
  for (const field of headerFields) {
    expect(field.bitOffset).toBe(bit);
    expect(field.byteStart).toBe(Math.floor(field.bitOffset / 8));
    expect(field.byteEnd).toBe(Math.ceil((field.bitOffset + field.bitLength) / 8));
    bit += field.bitLength;
  }
  expect(bit).toBe(record.headerLength * 8);
  const payload = record.fields.find((f) => f.name === 'payload');
  expect(payload).toMatchObject({ byteStart: record.headerLength, byteEnd: record.frameLength, bitOffset: bit });
}

const payloadArb = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 10 },
  { arbitrary: fc.constantFrom(125, 126, 127, 65535, 65536).map((n) => Uint8Array.from({ length: n }, (_, i) => i * 31)), weight: 1 },
);
const keyArb = fc.uint8Array({ minLength: 4, maxLength: 4 });

function frameArb(allowRsv1: boolean, masked: boolean): fc.Arbitrary<OutgoingFrame> {
  const maskingKey = masked ? keyArb : fc.constant(null);
  const data = fc.record({
    fin: fc.boolean(), rsv1: allowRsv1 ? fc.boolean() : fc.constant(false),
    opcode: fc.constantFrom(0x0, 0x1, 0x2), payload: payloadArb, maskingKey,
  });
  const control = fc.record({
    fin: fc.constant(true), rsv1: fc.constant(false),
    opcode: fc.constantFrom(0x8, 0x9, 0xa), payload: fc.uint8Array({ maxLength: 125 }), maskingKey,
  });
  return fc.oneof(data, control);
}

const streamArb = fc.record({ receiver: fc.constantFrom<Role>('server', 'client'), allowRsv1: fc.boolean() }).chain(
  ({ receiver, allowRsv1 }) => fc.record({
    receiver: fc.constant(receiver),
    allowRsv1: fc.constant(allowRsv1),
    frames: fc.array(frameArb(allowRsv1, receiver === 'server'), { maxLength: 6 }),
    splits: fc.array(fc.nat(), { maxLength: 12 }),
    preview: fc.option(fc.nat(300), { nil: undefined }),
  }),
);

describe('frame layer properties', () => {
  it('any frame sequence round-trips serializer -> parser at any chunking (RFC 6455 §5.2, §5.3)', () => {
    fc.assert(fc.property(streamArb, ({ receiver, allowRsv1, frames, splits, preview }) => {
      const wire = frames.map(serializeFrame);
      const bytes = concat(wire);
      const { parser, frames: parsed } = parseChunked(bytes, splits,
        { role: receiver, allowRsv1, ...(preview === undefined ? {} : { recordPreviewBytes: preview }) });
      expect(parser.violation).toBeNull();
      expect(parser.bytesConsumed).toBe(bytes.length);
      expect(parsed).toHaveLength(frames.length);
      let streamOffset = 0;
      frames.forEach((sent, index) => {
        const got = parsed[index]!;
        expect({ ...snapshot(got), payload: [] }).toEqual({
          fin: sent.fin, rsv1: sent.rsv1 ?? false, rsv2: false, rsv3: false, opcode: sent.opcode,
          masked: receiver === 'server', payload: [],
        });
        expect(sameBytes(got.payload, sent.payload)).toBe(true);
        const frameBytes = wire[index]!;
        if (preview === undefined) {
          expect(got.record).toBeUndefined();
        } else {
          const record = got.record!;
          const headerLength = encodeFrameHeader(sent).length;
          expect(record.header).toEqual(frameBytes.subarray(0, headerLength));
          expect(record).toMatchObject({ index, streamOffset, payloadLength: sent.payload.length, frameLength: frameBytes.length });
          expect(sameBytes(record.payload.wire, frameBytes.subarray(headerLength, headerLength + preview))).toBe(true);
          expect(sameBytes(record.payload.unmasked, sent.payload.subarray(0, preview))).toBe(true);
          expect(record.payload.truncated).toBe(sent.payload.length > preview);
          expectFieldsTile(record);
          // One source of truth: the record of the written bytes is the record of the parsed ones.
          expect(describeFrame(frameBytes, record.direction, index, streamOffset, preview)).toEqual(record);
        }
        streamOffset += frameBytes.length;
      });
    }), { numRuns: 150 });
  });

  // Bytes that look like headers often enough to reach every state, and plain noise.
  const segmentArb = fc.tuple(fc.nat(255), fc.nat(255), fc.uint8Array({ maxLength: 20 }))
    .map(([first, second, rest]) => concat([Uint8Array.of(first, second), rest]));
  const noiseArb = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.array(segmentArb, { maxLength: 5 }).map(concat));
  const optionsArb = fc.record({
    role: fc.constantFrom<Role>('server', 'client'),
    allowRsv1: fc.boolean(),
    maxFramePayload: fc.option(fc.nat(300), { nil: undefined }),
    recordPreviewBytes: fc.option(fc.nat(16), { nil: undefined }),
  }).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as unknown as FrameParserOptions);

  it('arbitrary bytes never throw, and parse to the same frames or violation at any chunking', () => {
    fc.assert(fc.property(noiseArb, optionsArb, fc.array(fc.nat(), { maxLength: 8 }), (bytes, options, splits) => {
      const whole = parseChunked(bytes, [], options);
      const chunked = parseChunked(bytes, splits, options);
      expect(chunked.frames.map(snapshot)).toEqual(whole.frames.map(snapshot));
      expect(chunked.parser.violation).toEqual(whole.parser.violation);
      expect(chunked.parser.bytesConsumed).toBe(whole.parser.bytesConsumed);
      const { parser } = whole;
      expect(parser.bytesConsumed).toBeLessThanOrEqual(bytes.length);
      if (parser.violation === null) {
        expect(parser.bytesConsumed).toBe(bytes.length);
        expect(parser.violationRecord).toBeNull();
      } else {
        expect(parser.violation.byteOffset).toBeLessThan(parser.bytesConsumed);
        expect([1002, 1009]).toContain(parser.violation.closeCode);
        if (options.recordPreviewBytes !== undefined) {
          expect(parser.violationRecord?.violation).toBe(parser.violation);
          expect(parser.violationRecord).toEqual(chunked.parser.violationRecord);
        }
      }
      for (const frame of whole.frames) {
        if (options.recordPreviewBytes !== undefined) expectFieldsTile(frame.record!);
        if (frame.opcode >= 0x8) expect(frame.payload.length).toBeLessThanOrEqual(125);
      }
    }), { numRuns: 400 });
  });
});
