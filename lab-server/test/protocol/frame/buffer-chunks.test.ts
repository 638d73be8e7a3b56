/**
 * The lab server hands the core Node Buffers, whose slice() is a view, not a copy. Records must still
 * show the payload as it was on the wire (masked), and masking a copy must leave the source alone.
 */
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/protocol/connection.ts';
import { maskCopy } from '../../../src/protocol/frame/mask.ts';
import { FrameParser } from '../../../src/protocol/frame/parser.ts';

/** RFC 6455 §5.7: a masked "Hello" from a client. */
const MASKED_HELLO = Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
const WIRE = [0x7f, 0x9f, 0x4d, 0x51, 0x58];
const HELLO = [...new TextEncoder().encode('Hello')];
/** Compared as plain arrays: a copy of a Buffer made by the core may itself be a Buffer. */
const bytes = (array: Uint8Array | undefined | false): number[] | null => (array ? Array.from(array) : null);

describe('records of frames read from Buffer chunks (RFC 6455 §5.3, §5.7)', () => {
  for (let cut = 0; cut < MASKED_HELLO.length; cut++) {
    it(`keeps the wire preview masked when the frame is cut at byte ${cut}`, () => {
      const connection = new Connection({ role: 'server', recordPreviewBytes: 64 });
      if (cut > 0) connection.receive(Buffer.from(MASKED_HELLO.subarray(0, cut)));
      connection.receive(Buffer.from(MASKED_HELLO.subarray(cut)));
      const frame = connection.takeEvents().find((event) => event.type === 'frame');
      expect(bytes(frame?.type === 'frame' && frame.record.payload.wire)).toEqual(WIRE);
      expect(bytes(frame?.type === 'frame' && frame.record.payload.unmasked)).toEqual(HELLO);
    });
  }

  it('keeps the unmasked preview when the chunk is overwritten afterwards', () => {
    const parser = new FrameParser({ role: 'server', recordPreviewBytes: 64 });
    const chunk = Buffer.from(MASKED_HELLO);
    const [frame] = parser.push(chunk);
    chunk.fill(0);
    expect(bytes(frame?.record?.payload.unmasked)).toEqual(HELLO);
    expect(bytes(frame?.record?.payload.wire)).toEqual(WIRE);
  });

  it('maskCopy leaves a Buffer source untouched', () => {
    const source = Buffer.from(HELLO);
    const masked = maskCopy(source, Uint8Array.of(0x37, 0xfa, 0x21, 0x3d));
    expect(bytes(masked)).toEqual(WIRE);
    expect(bytes(source)).toEqual(HELLO);
  });
});
