/**
 * Handshake load: `concurrency` workers each open a WebSocket (raw socket, a prepared request, the 101 and its
 * accept checked), close it with the closing handshake at once, wait for the server to close TCP, and repeat,
 * until the time is up. Counts completed open+close cycles.
 */
import { closeRaw, openRaw } from './raw-client.ts';
import { closeFrameRing, handshakeBytes } from './raw-frames.ts';

/**
 * Requests prepared in advance (each its own random key), used in turn, and close frames likewise (each its own
 * masking key): the load spends no CPU on making keys.
 */
const PREPARED_REQUESTS = 64;

export interface HandshakeLoadOptions {
  readonly url: string;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

export async function runHandshakeLoad(options: HandshakeLoadOptions): Promise<{ cycles: number; elapsedMs: number }> {
  const url = new URL(options.url);
  const prepared = Array.from({ length: PREPARED_REQUESTS }, () => handshakeBytes(url));
  const closeFrames = closeFrameRing();
  let next = 0;
  const warmupEnd = performance.now() + options.warmupMs;
  const end = warmupEnd + options.measureMs;
  let cycles = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (performance.now() < end && !failed) {
      const index = next++;
      const { socket } = await openRaw(url, prepared[index % PREPARED_REQUESTS]);
      await closeRaw(socket, closeFrames.frame(index));
      const now = performance.now();
      if (now >= warmupEnd && now < end) cycles++;
    }
  };
  const workers = Array.from({ length: options.concurrency }, () =>
    worker().catch((error: unknown) => {
      failed = true;
      throw error;
    }),
  );
  try {
    await Promise.all(workers);
  } catch (error) {
    await Promise.allSettled(workers);
    throw error;
  }
  return { cycles, elapsedMs: options.measureMs };
}
