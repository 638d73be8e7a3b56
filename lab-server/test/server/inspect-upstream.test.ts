/**
 * The relay's own connection to the target (the upstream): which addresses it tries, and that it
 * neither loops back into the lab server nor outlives it.
 */
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { start } from './helpers.ts';
import { nextMessage, openApp } from './inspect-helpers.ts';

/** An echo target on one address family only. */
async function echoOn(host: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new WebSocketServer({ host, port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data as Buffer, { binary: isBinary })));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => new Promise<void>((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    }),
  };
}

describe('every checked address is tried, in order', () => {
  it.each([
    ['::1 first, the target on 127.0.0.1 only', ['::1', '127.0.0.1'], '127.0.0.1'],
    ['127.0.0.1 first, the target on ::1 only', ['127.0.0.1', '::1'], '::1'],
  ])('a dual-stack name resolving %s: the app still reaches it', async (_name, addresses, listenOn) => {
    const target = await echoOn(listenOn);
    const lab = await start({ inspect: { target: new URL(`ws://dual.test:${target.port}/`), resolver: async () => addresses } });
    try {
      const app = await openApp(`${lab.wsBase}/inspect`);
      app.send('through');
      expect(String((await nextMessage(app))[0])).toBe('through');
      app.close();
    } finally {
      await lab.server.close();
      await target.close();
    }
  });
});
