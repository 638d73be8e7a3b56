import { FrameParser, type FrameParserOptions } from '../../../src/protocol/frame/parser.ts';
import type { Frame } from '../../../src/protocol/frame/types.ts';

export function bytesOf(...values: readonly number[]): Uint8Array {
  return Uint8Array.from(values);
}

export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A plain snapshot of a frame: payload copied, record left out. */
export interface FrameSnapshot {
  fin: boolean; rsv1: boolean; rsv2: boolean; rsv3: boolean; opcode: number; masked: boolean; payload: number[];
}

export function snapshot(frame: Frame): FrameSnapshot {
  return {
    fin: frame.fin, rsv1: frame.rsv1, rsv2: frame.rsv2, rsv3: frame.rsv3,
    opcode: frame.opcode, masked: frame.masked, payload: Array.from(frame.payload),
  };
}

/**
 * Parses `bytes` (copied first: the parser unmasks in place) cut at the given split points, and
 * snapshots each frame right away.
 */
export function parseSplit(bytes: Uint8Array, splits: readonly number[], options: FrameParserOptions) {
  const input = bytes.slice();
  const parser = new FrameParser(options);
  const frames: Frame[] = [];
  let start = 0;
  for (const end of [...splits, input.length]) {
    frames.push(...parser.push(input.subarray(start, end)));
    start = end;
  }
  return { parser, frames, snapshots: frames.map(snapshot) };
}

export function oneByteSplits(length: number): number[] {
  return Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1);
}
