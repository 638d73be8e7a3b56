import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runPipeline } from './build-your-own-pipeline.ts';
import { formatHex } from './bytes-input.ts';

describe('bytes to messages through the core (lesson 13)', () => {
  it('RFC 6455 §5.7: "Hello" from a client with key 37 fa 21 3d is the masked example', () => {
    const result = runPipeline({ text: 'Hello', fragmentSize: 0, chunkSize: 64 });
    expect(formatHex(result.wire)).toBe('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    expect(result.framesWritten).toEqual(['text, FIN=1, masked, 5-byte payload']);
    expect(result.delivered).toBe('Hello');
    expect(result.chunks[0]?.events).toEqual([
      'frame: text, FIN=1, masked, 5-byte payload (bytes 0-10)',
      'text message: "Hello" (5 UTF-8 bytes)',
    ]);
  });

  it('RFC 6455 §5.4: fragments and 1-byte reads still give one message, only at the last byte', () => {
    const result = runPipeline({ text: 'Hello', fragmentSize: 3, chunkSize: 1 });
    expect(result.framesWritten).toEqual(['text, FIN=0, masked, 3-byte payload', 'continuation, FIN=1, masked, 2-byte payload']);
    expect(result.chunks).toHaveLength(result.wire.length);
    const withMessage = result.chunks.filter((chunk) => chunk.events.some((e) => e.startsWith('text message')));
    expect(withMessage.map((chunk) => chunk.offset)).toEqual([result.wire.length - 1]);
  });

  it('delivers any text under any fragmentation and chunking', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 20 }), (text, fragmentSize, chunkSize) => {
      expect(runPipeline({ text, fragmentSize, chunkSize }).delivered).toBe(text);
    }), { numRuns: 100 });
  });
});
