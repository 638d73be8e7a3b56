/** The Node client (core client role over node:net): against the lab server and against `ws`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { connectWebSocket, HandshakeError } from '../../src/node/client.ts';
import { start, type Started } from './helpers.ts';

let lab: Started;
beforeAll(async () => {
  lab = await start();
});
afterAll(async () => {
  await lab.server.close();
});

describe('connectWebSocket', () => {
  it.each([false, true])('echo round trips with deflate=%s, then a clean close (RFC 6455 §7.1.2)', async (deflate) => {
    const client = await connectWebSocket(`${lab.wsBase}/echo`, { deflate });
    expect(client.deflate !== null).toBe(deflate);
    expect(client.extensions === null).toBe(!deflate);
    client.sendText('héllo');
    expect(await client.nextMessage()).toEqual({ type: 'text', text: 'héllo', compressed: deflate });
    client.sendBinary(new Uint8Array([9, 8, 7]), { fragmentSize: 1 });
    const binary = await client.nextMessage();
    expect(binary.type === 'binary' && [...binary.data]).toEqual([9, 8, 7]);
    const big = new Uint8Array(1 << 20).fill(42);
    client.sendBinary(big);
    const echoed = await client.nextMessage();
    expect(echoed.type === 'binary' && echoed.data.length).toBe(big.length);
    const pong = new Promise<Uint8Array>((resolve) => client.once('pong', resolve));
    client.ping(new Uint8Array([1, 2]));
    expect([...(await pong)]).toEqual([1, 2]);
    const info = await client.close(1000);
    expect(info).toEqual({ code: 1000, reason: '', wasClean: true });
    expect(client.readyState).toBe('closed');
  });

  it("events: 'message' listeners get every message and 'close' reports the server's code", async () => {
    const client = await connectWebSocket(`${lab.wsBase}/echo`);
    const messages: string[] = [];
    client.on('message', (message) => {
      if (message.type === 'text') messages.push(message.text);
    });
    const closed = new Promise((resolve) => client.once('close', resolve));
    client.sendText('a');
    client.sendText('b');
    while (messages.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(messages).toEqual(['a', 'b']);
    await lab.server.close().then(async () => {
      lab = await start();
    });
    expect(await closed).toEqual({ code: 1001, reason: 'server shutting down', wasClean: true });
  });

  it('a refused handshake rejects with a HandshakeError carrying the response', async () => {
    const failure = await connectWebSocket(`${lab.wsBase}/nowhere`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HandshakeError);
    expect((failure as HandshakeError).response?.status).toBe(404);
    expect((failure as HandshakeError).message).toMatch(/404/);
  });

  it.each([
    ['wss://127.0.0.1/echo', /TLS/],
    ['http://127.0.0.1/echo', /scheme/],
    ['ws://127.0.0.1/echo#x', /fragment/],
    ['not a url', /not a URL/],
  ])('refuses %s', async (url, message) => {
    await expect(connectWebSocket(url)).rejects.toThrow(message);
  });

  it('a refused TCP connection rejects with the socket error', async () => {
    const closed = await start();
    const port = closed.port;
    await closed.server.close();
    await expect(connectWebSocket(`ws://127.0.0.1:${port}/echo`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('talks to an independent server (ws) with permessage-deflate and a subprotocol', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true, handleProtocols: () => 'chat' });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
    try {
      const port = (server.address() as { port: number }).port;
      const client = await connectWebSocket(`ws://127.0.0.1:${port}/`, { deflate: true, protocols: ['chat'] });
      expect(client.protocol).toBe('chat');
      expect(client.deflate).not.toBeNull();
      client.sendText('x'.repeat(10_000));
      expect(await client.nextMessage()).toEqual({ type: 'text', text: 'x'.repeat(10_000), compressed: true });
      expect((await client.close(1000, 'bye')).code).toBe(1000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
