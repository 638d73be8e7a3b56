/**
 * Handshake load: `concurrency` workers each open a WebSocket, close it with the closing handshake as soon as it
 * is open, wait for the close to finish, and repeat, until the time is up. Counts completed open+close cycles.
 */
import { openClient } from './open-clients.ts';
import type WebSocket from 'ws';

export interface HandshakeLoadOptions {
  readonly url: string;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly measureMs: number;
}

const CLOSE_TIMEOUT_MS = 5000;

function closeAndWait(client: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.terminate();
      reject(new Error(`closing handshake did not finish within ${CLOSE_TIMEOUT_MS} ms`));
    }, CLOSE_TIMEOUT_MS);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.close(1000);
  });
}

export async function runHandshakeLoad(options: HandshakeLoadOptions): Promise<{ cycles: number; elapsedMs: number }> {
  const warmupEnd = performance.now() + options.warmupMs;
  const end = warmupEnd + options.measureMs;
  let cycles = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (performance.now() < end && !failed) {
      const client = await openClient(options.url);
      client.on('error', () => {});
      await closeAndWait(client);
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
