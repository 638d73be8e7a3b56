/**
 * Interop: the core's CLIENT role (connectWebSocket, lab-server/src/node/client.ts) against a `ws` server.
 * The ws server echoes and records what it saw (RSV1 of each message, close codes, pongs), so both directions are
 * judged by ws.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { connectWebSocket } from '../../src/node/client.ts';
import type { ClientMessage } from '../../src/node/client.ts';

interface ServerSide {
  readonly socket: WebSocket;
  readonly received: { data: Buffer; isBinary: boolean; compressed: boolean }[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

const MIB = 1024 * 1024;
const bigText = 'All work and no play makes Jack a dull boy. '.repeat(Math.ceil(MIB / 44)).slice(0, MIB);
const bigBinary = Uint8Array.from({ length: MIB }, (_, i) => (i * 2654435761) >>> 24);
const decoder = new TextDecoder();

describe('interop: core client (connectWebSocket) -> ws server', () => {
  let server: WebSocketServer;
  let url: string;
  const connections: ServerSide[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const address = server.address();
    url = `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/any-path`;
    server.on('connection', (socket) => {
      const side: ServerSide = {
        socket,
        received: [],
        closed: new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
      };
      connections.push(side);
      socket.on('message', (data, isBinary) => {
        const receiver = (socket as unknown as { _receiver: { _compressed: boolean } })._receiver;
        side.received.push({ data: data as Buffer, isBinary, compressed: receiver._compressed });
        socket.send(data as Buffer, { binary: isBinary });
      });
    });
  });
  afterAll(async () => {
    for (const client of server?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const lastServerSide = (): ServerSide => connections[connections.length - 1]!;

  it('text, binary and empty messages round-trip with their types', async () => {
    const client = await connectWebSocket(url);
    client.sendText('Hello from the core');
    expect(await client.nextMessage()).toMatchObject({ type: 'text', text: 'Hello from the core' });
    client.sendText('κόσμε 𝄞');
    expect(await client.nextMessage()).toMatchObject({ type: 'text', text: 'κόσμε 𝄞' });
    client.sendBinary(Uint8Array.of(0, 1, 0xfe, 0xff));
    const binary = await client.nextMessage();
    expect(binary.type).toBe('binary');
    expect(binary.type === 'binary' ? [...binary.data] : null).toEqual([0, 1, 0xfe, 0xff]);
    client.sendText('');
    expect(await client.nextMessage()).toMatchObject({ type: 'text', text: '' });
    const info = await client.close(1000, 'done');
    expect(info).toMatchObject({ code: 1000, wasClean: true });
    expect(await lastServerSide().closed).toEqual({ code: 1000, reason: 'done' });
  });

  it('1 MiB text and 1 MiB binary round-trip', async () => {
    const client = await connectWebSocket(url);
    client.sendText(bigText);
    const text = await client.nextMessage();
    expect(text.type === 'text' && text.text === bigText).toBe(true);
    client.sendBinary(bigBinary);
    const binary = await client.nextMessage();
    expect(binary.type === 'binary' && Buffer.compare(Buffer.from(binary.data), Buffer.from(bigBinary)) === 0).toBe(true);
    await client.close(1000);
  });

  it('permessage-deflate: negotiated with ws, compressed both ways (RFC 7692)', async () => {
    const client = await connectWebSocket(url, { deflate: true });
    expect(client.extensions ?? '').toContain('permessage-deflate');
    expect(client.deflate).not.toBeNull();
    const side = lastServerSide();
    // ws compresses only messages of 1024 bytes and more (its default threshold).
    const messages = [bigText.slice(0, 5000), bigText.slice(0, 5000), bigText.slice(0, 300_000)];
    for (const message of messages) {
      client.sendText(message);
      const echo: ClientMessage = await client.nextMessage();
      expect(echo.type === 'text' ? echo.text : null).toBe(message);
      expect(echo.compressed, 'ws compresses its echo').toBe(true);
    }
    client.sendBinary(bigBinary);
    const echo = await client.nextMessage();
    expect(echo.type === 'binary' && Buffer.compare(Buffer.from(echo.data), Buffer.from(bigBinary)) === 0).toBe(true);
    expect(side.received.map((message) => message.compressed), 'RSV1 as ws saw our messages').toEqual([true, true, true, true]);
    await client.close(1000);
  });

  it('fragmented sends (fragmentSize) are reassembled by ws (RFC 6455 §5.4)', async () => {
    const client = await connectWebSocket(url, { deflate: true });
    const message = bigText.slice(0, 50_000);
    client.sendText(message, { fragmentSize: 1000 });
    const echo = await client.nextMessage();
    expect(echo.type === 'text' ? echo.text : null).toBe(message);
    client.sendBinary(bigBinary.subarray(0, 10_000), { fragmentSize: 333, compress: false });
    const binary = await client.nextMessage();
    expect(binary.type === 'binary' ? binary.data.length : -1).toBe(10_000);
    await client.close(1000);
  });

  it('ping from the core client is answered by ws with the same payload', async () => {
    const client = await connectWebSocket(url);
    const pong = new Promise<Uint8Array>((resolve) => client.once('pong', resolve));
    client.ping(new TextEncoder().encode('are you there?'));
    expect(decoder.decode(await pong)).toBe('are you there?');
    await client.close(1000);
  });

  it('ping from ws is answered by the core client with the same payload (RFC 6455 §5.5.2)', async () => {
    const client = await connectWebSocket(url);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const side = lastServerSide();
    const pong = new Promise<Buffer>((resolve) => side.socket.once('pong', resolve));
    side.socket.ping('from ws');
    expect((await pong).toString()).toBe('from ws');
    await client.close(1000);
  });

  it('a close started by ws (4001) is answered and reported clean (RFC 6455 §7.1.2)', async () => {
    const client = await connectWebSocket(url);
    await new Promise((resolve) => setTimeout(resolve, 20));
    lastServerSide().socket.close(4001, 'server says bye');
    const info = await client.closed;
    expect(info).toEqual({ code: 4001, reason: 'server says bye', wasClean: true });
    expect((await lastServerSide().closed).code).toBe(4001);
  });

  it('close without a code: ws sees 1005 (RFC 6455 §7.1.5)', async () => {
    const client = await connectWebSocket(url);
    await client.close();
    expect((await lastServerSide().closed).code).toBe(1005);
  });

  it('a refused handshake rejects the promise with a reason', async () => {
    const refusing = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: () => false });
    await new Promise<void>((resolve) => refusing.once('listening', () => resolve()));
    const address = refusing.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await expect(connectWebSocket(`ws://127.0.0.1:${port}/`)).rejects.toThrow(/\S/);
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });
});
