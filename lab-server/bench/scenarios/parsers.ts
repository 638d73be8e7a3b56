/**
 * The parsers under comparison, behind one shape: feed a chunk, have every delivered payload consumed by a sink.
 * - lab FrameParser (role 'server'): frames with the unmasked payload. Both lab parsers use the core's default
 *   memory for payloads over 64 KiB that span reads (zero-filled Uint8Array; smaller ones come from the core's
 *   slab either way), not the server's unfilled hook: with it, parse 1 MiB measured 0.91-0.98x against
 *   1.08-1.14x without (2 runs each, same machine, 2026-11-24).
 * - lab Connection (role 'server'): whole messages as events (reassembly, UTF-8 for text) — the echo path.
 * - ws Receiver (ws/lib/receiver.js, isServer): 'message' events with the unmasked payload, the way ws's
 *   WebSocket feeds it (receiver.write(chunk) from the socket's 'data').
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EventEmitter } from 'node:events';
import { copyBytes } from '../../src/protocol/copy-bytes.ts';
import { FrameParser } from '../../src/protocol/frame/parser.ts';

const require = createRequire(import.meta.url);

/** What a parser must do per delivered payload: read its length and its bytes' edges, so nothing is optimised away. */
export interface Sink {
  messages: number;
  bytes: number;
  check: number;
  /** When set, every payload is kept (for the correctness check before timing). */
  kept: Uint8Array[] | null;
}

export function newSink(keep: boolean): Sink {
  return { messages: 0, bytes: 0, check: 0, kept: keep ? [] : null };
}

function consume(sink: Sink, payload: Uint8Array): void {
  sink.messages++;
  sink.bytes += payload.length;
  if (payload.length > 0) sink.check = (sink.check + (payload[0] as number) + (payload[payload.length - 1] as number)) | 0;
  // A payload view may be reused by the parser after the next push: keep a copy.
  // A real copy, not Buffer's slice (which returns a view of the same memory).
  if (sink.kept !== null) sink.kept.push(copyBytes(payload));
}

export interface ParserUnderTest {
  push(chunk: Buffer): void;
}

export type ParserFactory = (sink: Sink) => ParserUnderTest;

export const labFrameParser: ParserFactory = (sink) => {
  const parser = new FrameParser({ role: 'server', maxFramePayload: 64 * 1024 * 1024 });
  return {
    push(chunk) {
      const frames = parser.push(chunk);
      for (let i = 0; i < frames.length; i++) consume(sink, (frames[i] as { payload: Uint8Array }).payload);
      if (parser.violation !== null) throw new Error(`lab FrameParser violation: ${parser.violation.reason}`);
    },
  };
};

interface ConnectionLike {
  receive(data: Uint8Array): void;
  takeEvents(): ReadonlyArray<{ type: string; data?: Uint8Array; text?: string; byteLength?: number; violation?: { reason: string } }>;
  takeOutgoing(): Uint8Array[];
}

/** Loaded lazily: the connection may not exist yet while the team is still writing it. */
export async function loadLabConnection(): Promise<ParserFactory | null> {
  try {
    const module = (await import('../../src/protocol/connection.ts')) as {
      Connection: new (options: { role: 'server'; maxMessageBytes: number }) => ConnectionLike;
    };
    return (sink) => {
      const connection = new module.Connection({ role: 'server', maxMessageBytes: 64 * 1024 * 1024 });
      return {
        push(chunk) {
          connection.receive(chunk);
          const events = connection.takeEvents();
          for (let i = 0; i < events.length; i++) {
            const event = events[i];
            if (event === undefined) continue;
            if (event.type === 'binary' && event.data !== undefined) consume(sink, event.data);
            else if (event.type === 'text' && event.text !== undefined) {
              sink.messages++;
              sink.bytes += event.byteLength ?? event.text.length;
              sink.check = (sink.check + event.text.length) | 0;
              if (sink.kept !== null) sink.kept.push(Buffer.from(event.text, 'utf8'));
            } else if (event.type === 'violation') throw new Error(`lab Connection violation: ${event.violation?.reason}`);
          }
        },
      };
    };
  } catch (error) {
    return null;
  }
}

interface ReceiverLike extends EventEmitter {
  write(chunk: Buffer): boolean;
}
type ReceiverClass = new (options: {
  isServer: boolean;
  binaryType: string;
  maxPayload: number;
  allowSynchronousEvents: boolean;
  skipUTF8Validation: boolean;
}) => ReceiverLike;

/** ws/lib/receiver.js by file path (the package's exports map hides lib/). */
export function receiverPath(): string {
  return join(dirname(require.resolve('ws')), 'lib', 'receiver.js');
}

export const wsReceiver: ParserFactory = (sink) => {
  const Receiver = require(receiverPath()) as ReceiverClass;
  const receiver = new Receiver({
    isServer: true,
    binaryType: 'nodebuffer',
    maxPayload: 64 * 1024 * 1024,
    allowSynchronousEvents: true,
    skipUTF8Validation: false,
  });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) consume(sink, data);
    else {
      // ws hands text over as a validated Buffer; decode it, as any text consumer (and the lab's Connection) does.
      const text = data.toString('utf8');
      sink.messages++;
      sink.bytes += data.length;
      sink.check = (sink.check + text.length) | 0;
      if (sink.kept !== null) sink.kept.push(Buffer.from(text, 'utf8'));
    }
  });
  receiver.on('error', (error: Error) => {
    throw new Error(`ws Receiver error: ${error.message}`);
  });
  return { push: (chunk) => void receiver.write(chunk) };
};
