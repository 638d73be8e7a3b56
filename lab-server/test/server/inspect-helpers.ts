/** The pieces the /inspect tests share: a `ws` echo target, an inspect observer, an app client. */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { expect } from 'vitest';
import WebSocket, { WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import { eventually, start, type Started } from './helpers.ts';

export type Report = Record<string, unknown> & { type: string; t: number; subject?: number };
export type Record_ = Record<string, unknown>;

export interface Target {
  readonly server: WebSocketServer;
  readonly port: number;
  /** The upgrade requests the target received. */
  readonly requests: IncomingMessage[];
  /** Messages the target received, as [isBinary, data]. */
  readonly received: [boolean, Buffer][];
  readonly sockets: WebSocket[];
  close(): Promise<void>;
}

/** A ws server that echoes every message (text as text, binary as binary). */
export async function startTarget(perMessageDeflate: boolean | PerMessageDeflateOptions = false): Promise<Target> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const requests: IncomingMessage[] = [];
  const received: [boolean, Buffer][] = [];
  const sockets: WebSocket[] = [];
  server.on('connection', (socket, request) => {
    requests.push(request);
    sockets.push(socket);
    socket.on('message', (data, isBinary) => {
      received.push([isBinary, data as Buffer]);
      socket.send(data as Buffer, { binary: isBinary });
    });
    socket.on('error', () => undefined);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    server,
    port,
    requests,
    received,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/**
 * A `ws` echo target and a lab server whose /inspect relays to it (at `path` on the target): the setup of
 * every relay test. Close it with closeInspectRelay.
 */
export async function startInspectRelay(
  perMessageDeflate: boolean | PerMessageDeflateOptions = false,
  path = '/',
): Promise<{ target: Target; lab: Started }> {
  const target = await startTarget(perMessageDeflate);
  const lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${target.port}${path}`) } });
  return { target, lab };
}

export async function closeInspectRelay(target: Target | undefined, lab: Started | undefined): Promise<void> {
  await lab?.server.close();
  await target?.close();
}

export interface Observer {
  readonly ws: WebSocket;
  readonly reports: Report[];
}

export async function observe(lab: Started, query = '?watch=inspect'): Promise<Observer> {
  const ws = new WebSocket(`${lab.wsBase}/lab/observe${query}`);
  const reports: Report[] = [];
  ws.on('message', (data) => reports.push(JSON.parse(String(data)) as Report));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  expect(await eventually(() => reports.length > 0)).toBe(true);
  return { ws, reports };
}

export async function openApp(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

export function ofType(reports: readonly Report[], type: string): Report[] {
  return reports.filter((report) => report.type === type);
}

export function framesOf(reports: readonly Report[], direction: string): Record_[] {
  return ofType(reports, 'frame')
    .filter((report) => report['direction'] === direction)
    .map((report) => report['record'] as Record_);
}

export function nextMessage(ws: WebSocket): Promise<[Buffer, boolean]> {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve([data as Buffer, isBinary])));
}

/** RFC 6455 §5.2: FIN + binary, MASK + 127, 64-bit length, an all-zero masking key (legal, §5.3). */
export function bigFrameHeader(length: number): Buffer {
  const header = Buffer.alloc(2 + 8 + 4);
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
