/** Helpers for the server behaviour tests: a server with captured log lines, and raw TCP exchanges. */
import net from 'node:net';
import { startLabServer, type LabServer, type LabServerOptions } from '../../src/node/server.ts';

export interface Started {
  readonly server: LabServer;
  readonly port: number;
  readonly wsBase: string;
  readonly logs: string[];
}

export async function start(options: LabServerOptions = {}): Promise<Started> {
  const logs: string[] = [];
  const server = await startLabServer({ log: (line) => logs.push(line), ...options, port: 0, host: '127.0.0.1' });
  return { server, port: server.port, wsBase: `ws://127.0.0.1:${server.port}`, logs };
}

/** RFC 6455 §1.3's example key and the accept value it yields. */
export const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const RFC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/** A valid handshake request head, with header lines replaced (value null drops one) or added. */
export function handshakeHead(path = '/echo', changes: Record<string, string | null> = {}, startLine?: string): string {
  const fields: Record<string, string | null> = {
    Host: 'localhost',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': RFC_KEY,
    'Sec-WebSocket-Version': '13',
    ...changes,
  };
  let head = `${startLine ?? `GET ${path} HTTP/1.1`}\r\n`;
  for (const [name, value] of Object.entries(fields)) if (value !== null) head += `${name}: ${value}\r\n`;
  return `${head}\r\n`;
}

export interface Exchange {
  /** Everything the server sent until it closed the connection (or the wait ended). */
  readonly bytes: Buffer;
  readonly text: string;
  /** The server ended or reset the connection within the wait. */
  readonly closed: boolean;
  readonly elapsedMs: number;
}

/** Connects, writes `data` (nothing when null), and collects the answer until the server closes or `waitMs` passes. */
export function exchange(port: number, data: string | Uint8Array | null, waitMs = 3000): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const bytes = Buffer.concat(chunks);
      resolve({ bytes, text: bytes.toString('latin1'), closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    if (data !== null) socket.write(data);
  });
}

export interface ParsedResponse {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: string;
}

export function parseResponse(text: string): ParsedResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}

/** A masked client frame (RFC 6455 §5.2, §5.3), for payloads under 64 KiB. */
export function clientFrame(opcode: number, payload: Uint8Array, options: { fin?: boolean; rsv?: number } = {}): Buffer {
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const first = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode;
  const header =
    payload.length < 126
      ? Buffer.from([first, 0x80 | payload.length])
      : Buffer.from([first, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= key[i & 3]!;
  return Buffer.concat([header, key, masked]);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function eventually(predicate: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await delay(10);
  }
  return true;
}
