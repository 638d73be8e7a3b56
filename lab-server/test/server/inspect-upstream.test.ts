/**
 * The relay's own connection to the target (the upstream): which addresses it tries, and that it
 * neither loops back into the lab server nor outlives it.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { InspectTargetError } from '../../src/node/inspect-target.ts';
import { startLabServer } from '../../src/node/server.ts';
import { eventually, exchange, handshakeHead, parseResponse, RFC_KEY, start } from './helpers.ts';
import { freePort, nextMessage, openApp } from './inspect-helpers.ts';

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

describe('an IPv4-mapped loopback target', () => {
  it('ws://[::ffff:127.0.0.1]:PORT/ reaches a target on 127.0.0.1', async () => {
    const target = await echoOn('127.0.0.1');
    const lab = await start({ inspect: { target: new URL(`ws://[::ffff:127.0.0.1]:${target.port}/`) } });
    try {
      const app = await openApp(`${lab.wsBase}/inspect`);
      app.send('mapped');
      expect(String((await nextMessage(app))[0])).toBe('mapped');
      app.close();
    } finally {
      await lab.server.close();
      await target.close();
    }
  });
});

describe('a target that is the lab server itself is refused once the port is known', () => {
  it.each([
    ['127.0.0.1', (port: number) => `ws://127.0.0.1:${port}/inspect`],
    ['127.0.0.1', (port: number) => `ws://127.0.0.2:${port}/`],
    ['0.0.0.0', (port: number) => `ws://localhost:${port}/inspect`],
  ])('listening on %s', async (host, targetOf) => {
    const port = await freePort();
    const starting = startLabServer({ port, host, inspect: { target: new URL(targetOf(port)) }, log: () => undefined });
    await expect(starting).rejects.toThrow(InspectTargetError);
    await expect(starting).rejects.toThrow(/is this lab server itself \(port \d+\)/);
    // Nothing is left listening: the port can be taken again.
    const again = await startLabServer({ port, host, log: () => undefined });
    await again.close();
  });
});

describe('relay -> target sockets count toward maxConnections', () => {
  it('no room for the upstream: 503 naming the limit, and nothing is relayed', async () => {
    const target = await echoOn('127.0.0.1');
    const lab = await start({ maxConnections: 1, inspect: { target: new URL(`ws://127.0.0.1:${target.port}/`) } });
    try {
      const response = parseResponse((await exchange(lab.port, handshakeHead('/inspect'), 1000)).text);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.body).toMatch(/connection limit \(1, relayed connections count twice\)/);
    } finally {
      await lab.server.close();
      await target.close();
    }
  });

  it('an open relayed connection takes two places: with a limit of 2, a second app is refused', async () => {
    const target = await echoOn('127.0.0.1');
    const lab = await start({ maxConnections: 2, inspect: { target: new URL(`ws://127.0.0.1:${target.port}/`) } });
    try {
      const app = await openApp(`${lab.wsBase}/inspect`);
      expect(lab.server.upstreamCount()).toBe(1);
      const response = parseResponse((await exchange(lab.port, handshakeHead('/inspect'), 1000)).text);
      expect(response.status).toBe(503);
      app.close();
    } finally {
      await lab.server.close();
      await target.close();
    }
  });
});

/** RFC 6455 §4.2.2: the accept value a target computes for a key. */
function acceptFor(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

describe('shutdown with a relayed connection open', () => {
  it('close() leaves no upstream socket open, even to a target that ignores the FIN', async () => {
    // A target that answers 101, then keeps its side open whatever FIN it gets (allowHalfOpen).
    const open = new Set<net.Socket>();
    const target = net.createServer({ allowHalfOpen: true }, (socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
      socket.once('data', (head) => {
        const key = /Sec-WebSocket-Key: (\S+)/i.exec(String(head))![1]!;
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`);
        socket.resume();
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', () => resolve()));
    const port = (target.address() as net.AddressInfo).port;
    const lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${port}/`) } });
    const app = net.connect(lab.port, '127.0.0.1');
    app.on('error', () => undefined);
    const appClosed = new Promise<void>((resolve) => app.once('close', () => resolve()));
    try {
      app.write(handshakeHead('/inspect'));
      const answer = await new Promise<string>((resolve) => app.once('data', (chunk) => resolve(String(chunk))));
      expect(answer).toContain(acceptFor(RFC_KEY));
      expect(open.size).toBe(1);
      expect(lab.server.upstreamCount()).toBe(1);
      await lab.server.close();
      expect(lab.server.upstreamCount()).toBe(0);
      // At once (the relay resets it), not after the relay's 5 s close timeout, nor never.
      expect(await eventually(() => open.size === 0, 500)).toBe(true);
      await appClosed;
    } finally {
      app.destroy();
      await lab.server.close();
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });
});
