/**
 * Input for the in-process parse figures: a stream of MASKED frames as a client sends them (a fresh random masking
 * key per frame), cut into the chunks a socket delivers (64 KiB reads on loopback), so frames straddle chunk
 * boundaries as they do on a real connection.
 */
import { clientFrame, OPCODE_TEXT } from '../load/raw-frames.ts';
import type { Opcode } from '../../src/protocol/constants.ts';

/** Node's socket read size: what 'data' events carry under load. */
export const SOCKET_CHUNK_BYTES = 64 * 1024;
/** Aim for a stream of about this size per pass, so caches see realistic traffic, not one hot frame. */
const TARGET_STREAM_BYTES = 2 * 1024 * 1024;

export interface ParseInput {
  readonly payloadSize: number;
  readonly opcode: Opcode;
  readonly frameCount: number;
  readonly payloadBytes: number;
  readonly stream: Buffer;
  /** The unmasked payloads, for checking that a parser delivers the right bytes. */
  readonly payloads: readonly Buffer[];
}

function payloadFor(size: number, index: number, text: boolean): Buffer {
  const payload = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) payload[i] = text ? 0x20 + ((i + index) % 95) : (i * 31 + index * 7) & 0xff;
  return payload;
}

export function buildParseInput(payloadSize: number, opcode: Opcode): ParseInput {
  const frameCount = Math.max(4, Math.ceil(TARGET_STREAM_BYTES / (payloadSize + 14)));
  const parts: Buffer[] = [];
  const payloads: Buffer[] = [];
  for (let index = 0; index < frameCount; index++) {
    const payload = payloadFor(payloadSize, index, opcode === OPCODE_TEXT);
    parts.push(clientFrame(opcode, payload));
    payloads.push(payload);
  }
  return { payloadSize, opcode, frameCount, payloadBytes: payloadSize * frameCount, stream: Buffer.concat(parts), payloads };
}

/** Views of the stream, SOCKET_CHUNK_BYTES each (the last may be shorter). Both parsers may unmask in place. */
export function chunksOf(stream: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < stream.length; offset += SOCKET_CHUNK_BYTES) {
    chunks.push(stream.subarray(offset, Math.min(stream.length, offset + SOCKET_CHUNK_BYTES)));
  }
  return chunks;
}
