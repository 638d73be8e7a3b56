/**
 * Echo load: every connection keeps a bounded window of messages in flight and sends one more for each echo that
 * comes back (pipelining), one write per message. Counts echoes during the measured
 * window after a warm-up; checks every echo's frame and length and the content of a sample of them, so a server
 * that answers wrongly cannot look fast. The client is raw sockets with prepared frames (raw-client.ts), the same
 * for both servers.
 */
import type net from 'node:net';
import { closeRaw, openRaw } from './raw-client.ts';
import { EchoReader, FrameRing, OPCODE_BINARY, OPCODE_TEXT } from './raw-frames.ts';

export interface EchoLoadOptions {
  readonly url: string;
  readonly connections: number;
  /** Messages in flight per connection. */
  readonly window: number;
  readonly payload: Buffer;
  readonly binary: boolean;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Called at the start and end of the measured window (e.g. to sample the server's CPU time). */
  readonly onMeasureStart?: () => Promise<void>;
  readonly onMeasureEnd?: () => Promise<void>;
}

export interface EchoLoadResult {
  readonly messages: number;
  readonly bytes: number;
  readonly elapsedMs: number;
}

const DRAIN_TIMEOUT_MS = 3000;
/** Compare the full content of one echo in this many (length is checked on all). */
const CONTENT_CHECK_EVERY = 64;
const OPEN_CONCURRENCY = 10;

export async function runEchoLoad(options: EchoLoadOptions): Promise<EchoLoadResult> {
  const { payload, binary, window } = options;
  const opcode = binary ? OPCODE_BINARY : OPCODE_TEXT;
  const ring = new FrameRing(opcode, payload);
  const url = new URL(options.url);
  const sockets: net.Socket[] = [];
  for (let opened = 0; opened < options.connections; ) {
    const batch = Math.min(OPEN_CONCURRENCY, options.connections - opened);
    const connections = await Promise.all(Array.from({ length: batch }, () => openRaw(url)));
    for (const { socket, rest } of connections) {
      if (rest.length > 0) throw new Error('the server sent frames before any message');
      sockets.push(socket);
    }
    opened += batch;
  }

  let counting = false;
  let sending = true;
  let messages = 0;
  let bytes = 0;
  let inFlight = 0;
  let failure: Error | null = null;
  let onDrained: (() => void) | null = null;

  for (const socket of sockets) {
    const reader = new EchoReader(payload, opcode, CONTENT_CHECK_EVERY);
    let sent = 0;
    socket.on('data', (chunk: Buffer) => {
      const echoed = reader.push(chunk);
      if (reader.problem !== null) failure ??= new Error(`bad echo: ${reader.problem}`);
      inFlight -= echoed;
      if (counting) {
        messages += echoed;
        bytes += echoed * payload.length;
      }
      if (sending) {
        // One write per message, as a client sending each message when it has it does (the `ws` client did).
        for (let i = 0; i < echoed; i++) socket.write(ring.frame(sent++));
        inFlight += echoed;
      } else if (inFlight === 0) onDrained?.();
    });
    socket.on('close', () => {
      if (sending) failure ??= new Error('server closed a connection during the echo load');
    });
    while (sent < window) socket.write(ring.frame(sent++));
    inFlight += window;
  }

  await sleep(options.warmupMs);
  await options.onMeasureStart?.();
  messages = 0;
  bytes = 0;
  counting = true;
  const start = performance.now();
  await sleep(options.measureMs);
  counting = false;
  const elapsedMs = performance.now() - start;
  await options.onMeasureEnd?.();
  sending = false;
  if (inFlight > 0) {
    await Promise.race([new Promise<void>((resolve) => (onDrained = resolve)), sleep(DRAIN_TIMEOUT_MS)]);
  }
  await Promise.allSettled(sockets.map((socket) => closeRaw(socket)));
  if (failure !== null) throw failure;
  if (messages === 0) throw new Error('no echo arrived during the measured window');
  return { messages, bytes, elapsedMs };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
