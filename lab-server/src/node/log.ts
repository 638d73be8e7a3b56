import type { Socket } from 'node:net';

/** One readable line per notable event; the sink is an option so tests can capture or silence it. */
export type LogSink = (line: string) => void;

export const LOG_PREFIX = '[lab]';

export function defaultLogSink(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** "127.0.0.1:51312" (or "[::1]:51312"), read once at accept time: a destroyed socket forgets its address. */
export function peerName(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  const port = socket.remotePort ?? 0;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Node socket errors (ECONNRESET, EPIPE, ...) are ordinary network weather: we log the code, never a
 * stack trace, and never let them reach the process as uncaught exceptions.
 */
export function describeSocketError(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return code;
    if (typeof message === 'string') return message.split('\n', 1)[0] ?? 'error';
  }
  return String(error);
}
