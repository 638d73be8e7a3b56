import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../src/protocol/constants.ts';
import { FrameParser } from '../../../src/protocol/frame/parser.ts';
import { serializeFrame } from '../../../src/protocol/frame/serializer.ts';
import type { Role } from '../../../src/protocol/frame/types.ts';
import { concat, hex, oneByteSplits, parseSplit, type FrameSnapshot } from './helpers.ts';

const KEY = hex('37fa213d');
const HELLO = Array.from(new TextEncoder().encode('Hello'));
const pattern = (length: number) => Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);

interface Vector {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The endpoint that reads these bytes. */
  readonly receiver: Role;
  readonly frames: readonly FrameSnapshot[];
}

const frame = (fin: boolean, opcode: number, masked: boolean, payload: number[]): FrameSnapshot =>
  ({ fin, rsv1: false, rsv2: false, rsv3: false, opcode, masked, payload });

// RFC 6455 §5.7, every example, byte for byte.
const VECTORS: readonly Vector[] = [
  { name: 'a single-frame unmasked text message ("Hello")', bytes: hex('81 05 48 65 6c 6c 6f'),
    receiver: 'client', frames: [frame(true, Opcode.Text, false, HELLO)] },
  { name: 'a single-frame masked text message ("Hello", key 37 fa 21 3d)', bytes: hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'),
    receiver: 'server', frames: [frame(true, Opcode.Text, true, HELLO)] },
  { name: 'a fragmented unmasked text message ("Hel" + "lo")', bytes: hex('01 03 48 65 6c 80 02 6c 6f'),
    receiver: 'client', frames: [frame(false, Opcode.Text, false, HELLO.slice(0, 3)), frame(true, Opcode.Continuation, false, HELLO.slice(3))] },
  { name: 'an unmasked ping ("Hello")', bytes: hex('89 05 48 65 6c 6c 6f'),
    receiver: 'client', frames: [frame(true, Opcode.Ping, false, HELLO)] },
  { name: 'a masked pong ("Hello", key 37 fa 21 3d)', bytes: hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'),
    receiver: 'server', frames: [frame(true, Opcode.Pong, true, HELLO)] },
  { name: '256 bytes of binary data with a 16-bit length', bytes: concat([hex('82 7e 01 00'), Uint8Array.from(pattern(256))]),
    receiver: 'client', frames: [frame(true, Opcode.Binary, false, pattern(256))] },
  { name: '64 KiB of binary data with a 64-bit length', bytes: concat([hex('82 7f 00 00 00 00 00 01 00 00'), Uint8Array.from(pattern(65536))]),
    receiver: 'client', frames: [frame(true, Opcode.Binary, false, pattern(65536))] },
];

function serialize(snapshots: readonly FrameSnapshot[]): Uint8Array {
  return concat(snapshots.map((s) => serializeFrame({
    fin: s.fin, opcode: s.opcode, payload: Uint8Array.from(s.payload), maskingKey: s.masked ? KEY : null,
  })));
}

describe('RFC 6455 §5.7 examples', () => {
  for (const vector of VECTORS) {
    describe(`§5.7 ${vector.name}`, () => {
      it('parses as one chunk', () => {
        const { parser, snapshots } = parseSplit(vector.bytes, [], { role: vector.receiver });
        expect(parser.violation).toBeNull();
        expect(snapshots).toEqual(vector.frames);
        expect(parser.bytesConsumed).toBe(vector.bytes.length);
      });

      it('parses one byte at a time', () => {
        const { parser, snapshots } = parseSplit(vector.bytes, oneByteSplits(vector.bytes.length), { role: vector.receiver });
        expect(parser.violation).toBeNull();
        expect(snapshots).toEqual(vector.frames);
      });

      it('parses split in two at every point', () => {
        const expectedPayloads = vector.frames.map((f) => Uint8Array.from(f.payload));
        const headers = JSON.stringify(vector.frames.map((f) => ({ ...f, payload: f.payload.length })));
        for (let at = 1; at < vector.bytes.length; at++) {
          const parser = new FrameParser({ role: vector.receiver });
          const input = vector.receiver === 'server' ? vector.bytes.slice() : vector.bytes; // unmasked in place
          const frames = [...parser.push(input.subarray(0, at)), ...parser.push(input.subarray(at))];
          const same = parser.violation === null && frames.length === expectedPayloads.length &&
            JSON.stringify(frames.map((f) => ({ fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode,
              masked: f.masked, payload: f.payload.length }))) === headers &&
            frames.every((f, i) => Buffer.compare(f.payload, expectedPayloads[i]!) === 0);
          if (!same) expect.unreachable(`split at ${at} gave ${JSON.stringify(parser.violation)}`);
        }
        expect(vector.bytes).toEqual(serialize(vector.frames)); // the unmasked input was not modified
      });

      it('serializes back to the same bytes', () => {
        expect(serialize(vector.frames)).toEqual(vector.bytes);
      });
    });
  }

  it('§5.7 masked "Hello": the payload is a view of the pushed chunk, unmasked in place', () => {
    const chunk = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    const [parsed] = new FrameParser({ role: 'server' }).push(chunk);
    expect(parsed?.payload.buffer).toBe(chunk.buffer);
    expect(Array.from(chunk.subarray(6))).toEqual(HELLO);
  });
});
