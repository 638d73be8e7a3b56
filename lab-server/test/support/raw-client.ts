/**
 * A raw TCP WebSocket client for conformance tests: it writes bytes exactly as given (see frame-builder.ts) and decodes
 * the SERVER's frames with `ws`'s Receiver, an independent parser, so the project's own parser never judges itself.
 * Everything the server does is recorded as an ordered transcript of events, plus how the TCP connection ended.
 */
import net from 'node:net';
import { createHash } from 'node:crypto';
import * as wsModule from 'ws';

/** RFC 6455 §1.3: the example key and the accept value the RFC computes for it. */
export const RFC_EXAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const RFC_EXAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

// `ws` exports Receiver, PerMessageDeflate and extension at runtime (wrapper.mjs) but @types/ws does not declare them.
interface WsReceiver {
  write(chunk: Buffer): boolean;
  _compressed: boolean;
  _bufferedBytes: number;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): this;
  on(event: 'conclude', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (error: Error & { code?: string }) => void): this;
}
interface WsPerMessageDeflate {
  accept(configurations: unknown[]): Record<string, unknown>;
  cleanup(): void;
  decompress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
}
interface WsInternals {
  Receiver: new (options: {
    isServer: boolean;
    extensions?: Record<string, WsPerMessageDeflate>;
    maxPayload?: number;
    binaryType?: 'nodebuffer';
  }) => WsReceiver;
  PerMessageDeflate: new (options: Record<string, unknown>) => WsPerMessageDeflate;
  extension: { parse(header: string): Record<string, unknown[]> };
}
export const wsInternals = wsModule as unknown as WsInternals;

export type WireEvent =
  | { readonly type: 'text'; readonly text: string; readonly compressed: boolean }
  | { readonly type: 'binary'; readonly data: Buffer; readonly compressed: boolean }
  | { readonly type: 'ping'; readonly data: Buffer }
  | { readonly type: 'pong'; readonly data: Buffer }
  | { readonly type: 'close'; readonly code: number; readonly reason: Buffer }
  /** The server sent bytes that are not a valid server frame (judged by ws's Receiver). */
  | { readonly type: 'invalid-frame'; readonly message: string; readonly code: string | undefined };

export interface HttpResponseHead {
  readonly raw: string;
  readonly status: number;
  readonly statusLine: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
}

export interface TcpEnd {
  /** 'fin': the server ended the TCP connection (we had not); 'client-fin': we ended first; 'reset': ECONNRESET/EPIPE. */
  readonly how: 'fin' | 'client-fin' | 'reset' | 'error';
  readonly error?: string;
}

export interface RawClientOptions {
  readonly port: number;
  readonly host?: string;
  readonly path?: string;
  /** Sec-WebSocket-Extensions offer, e.g. "permessage-deflate; client_max_window_bits". */
  readonly extensions?: string;
  readonly key?: string;
  readonly extraHeaders?: readonly string[];
  /** Fail the open when the response is not 101 (default true). */
  readonly requireUpgrade?: boolean;
}

export class RawClient {
  readonly socket: net.Socket;
  readonly events: WireEvent[] = [];
  response: HttpResponseHead | null = null;
  /** Parameters ws accepted from the server's permessage-deflate response, null when not negotiated. */
  deflateParams: Record<string, unknown> | null = null;
  /**
   * The compressed payload of every compressed message from the server (its frames' payloads joined, as on the wire
   * without 00 00 ff ff), captured on the way into ws's inflater, so tests can re-inflate them under stricter rules.
   */
  readonly compressedMessages: Buffer[] = [];
  /** Bytes the server wrote after its close frame (RFC 6455 §5.5.1: it must send nothing more). */
  bytesAfterClose = 0;
  /** Total bytes read from the server after the handshake response. */
  bytesReceived = 0;
  tcpEnd: TcpEnd | null = null;

  private receiver: WsReceiver | null = null;
  private deflate: WsPerMessageDeflate | null = null;
  private head = Buffer.alloc(0);
  private concluded = false;
  private clientEnded = false;
  private readonly waiters = new Set<() => void>();
  private readonly closedPromise: Promise<TcpEnd>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closedPromise = new Promise((resolve) => {
      let sawEnd = false;
      let error: (Error & { code?: string }) | null = null;
      socket.on('end', () => {
        sawEnd = true;
      });
      socket.on('error', (e: Error & { code?: string }) => {
        error = e;
      });
      socket.on('close', () => {
        const failure = error as (Error & { code?: string }) | null;
        if (failure !== null) {
          const how = failure.code === 'ECONNRESET' || failure.code === 'EPIPE' ? 'reset' : 'error';
          this.tcpEnd = { how, error: `${failure.code ?? ''} ${failure.message}`.trim() };
        } else if (sawEnd && !this.clientEnded) {
          this.tcpEnd = { how: 'fin' };
        } else {
          this.tcpEnd = { how: 'client-fin' };
        }
        this.notify();
        resolve(this.tcpEnd);
      });
    });
  }

  /** Connects and performs the opening handshake with the RFC 6455 §1.3 key; resolves once the response head is read. */
  static async open(options: RawClientOptions): Promise<RawClient> {
    const client = await RawClient.connect(options.port, options.host);
    const lines = [
      `GET ${options.path ?? '/echo'} HTTP/1.1`,
      `Host: ${options.host ?? '127.0.0.1'}:${options.port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${options.key ?? RFC_EXAMPLE_KEY}`,
      'Sec-WebSocket-Version: 13',
      ...(options.extensions !== undefined ? [`Sec-WebSocket-Extensions: ${options.extensions}`] : []),
      ...(options.extraHeaders ?? []),
    ];
    client.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const response = await client.waitForResponse(5000);
    if ((options.requireUpgrade ?? true) && response.status !== 101) {
      client.destroy();
      throw new Error(`expected 101, got: ${response.raw}`);
    }
    return client;
  }

  /** Connects without sending anything (abuse tests write their own heads). Server bytes are collected as the head. */
  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.setNoDelay(true);
      const client = new RawClient(socket);
      socket.on('data', (chunk: Buffer) => client.onData(chunk));
      socket.once('connect', () => resolve(client));
      socket.once('error', reject);
    });
  }

  /** The raw head bytes read so far (before the response head is complete, or when it never completes). */
  get rawHead(): Buffer {
    return this.head;
  }

  private onData(chunk: Buffer): void {
    if (this.response === null) {
      this.head = Buffer.concat([this.head, chunk]);
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) {
        this.notify();
        return;
      }
      const raw = this.head.subarray(0, end + 4).toString('latin1');
      const rest = this.head.subarray(end + 4);
      this.response = parseResponseHead(raw);
      if (this.response.status === 101) this.startReceiver();
      this.head = Buffer.alloc(0);
      if (rest.length > 0) this.onData(rest);
      else this.notify();
      return;
    }
    if (this.receiver === null) {
      // Body of an HTTP error response: keep it with the head for diagnostics.
      this.head = Buffer.concat([this.head, chunk]);
      this.notify();
      return;
    }
    this.bytesReceived += chunk.length;
    if (this.concluded) {
      this.bytesAfterClose += chunk.length;
      this.notify();
      return;
    }
    this.receiver.write(chunk);
  }

  private startReceiver(): void {
    const response = this.response!;
    const extensions: Record<string, WsPerMessageDeflate> = {};
    const header = response.headers.get('sec-websocket-extensions');
    if (header !== undefined) {
      const parsed = wsInternals.extension.parse(header);
      const offers = parsed['permessage-deflate'];
      if (offers !== undefined) {
        // ws validates the response as a client would (RFC 7692 §7.1): unknown or malformed parameters throw.
        const deflate = new wsInternals.PerMessageDeflate({});
        this.deflateParams = deflate.accept(offers);
        const decompress = deflate.decompress.bind(deflate);
        let pending: Buffer[] = [];
        deflate.decompress = (data, fin, callback) => {
          pending.push(Buffer.from(data));
          if (fin) {
            this.compressedMessages.push(Buffer.concat(pending));
            pending = [];
          }
          decompress(data, fin, callback);
        };
        this.deflate = deflate;
        extensions['permessage-deflate'] = deflate;
      }
    }
    const receiver = new wsInternals.Receiver({ isServer: false, extensions, binaryType: 'nodebuffer' });
    receiver.on('message', (data, isBinary) => {
      const compressed = receiver._compressed;
      this.events.push(
        isBinary
          ? { type: 'binary', data: Buffer.from(data), compressed }
          : { type: 'text', text: data.toString('utf8'), compressed },
      );
      this.notify();
    });
    receiver.on('ping', (data) => {
      this.events.push({ type: 'ping', data: Buffer.from(data) });
      this.notify();
    });
    receiver.on('pong', (data) => {
      this.events.push({ type: 'pong', data: Buffer.from(data) });
      this.notify();
    });
    receiver.on('conclude', (code, reason) => {
      this.concluded = true;
      // Bytes already buffered behind the close frame were sent after it.
      this.bytesAfterClose += receiver._bufferedBytes;
      this.events.push({ type: 'close', code, reason: Buffer.from(reason) });
      this.notify();
    });
    receiver.on('error', (error) => {
      this.concluded = true;
      this.events.push({ type: 'invalid-frame', message: error.message, code: error.code });
      this.notify();
    });
    this.receiver = receiver;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves when `predicate` holds (checked on every server event), rejects after timeoutMs. */
  waitFor(predicate: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; events so far: ${describeEvents(this.events)}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  async waitForResponse(timeoutMs: number): Promise<HttpResponseHead> {
    await this.waitFor(() => this.response !== null || this.tcpEnd !== null, timeoutMs, 'the HTTP response head');
    if (this.response === null) throw new Error(`connection closed before a response head (${this.tcpEnd?.how})`);
    return this.response;
  }

  /** Waits until `count` events of the given type have arrived (or the connection ended). */
  async waitForEvents(count: number, timeoutMs = 5000): Promise<WireEvent[]> {
    await this.waitFor(() => this.events.length >= count || this.tcpEnd !== null, timeoutMs, `${count} events`);
    return this.events;
  }

  /** Waits until the server's close frame AND the end of TCP (bounded). */
  async waitClosed(timeoutMs = 5000): Promise<TcpEnd> {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`TCP not closed within ${timeoutMs} ms; events so far: ${describeEvents(this.events)}`)),
        timeoutMs,
      ).unref(),
    );
    return Promise.race([this.closedPromise, timeout]);
  }

  get closed(): Promise<TcpEnd> {
    return this.closedPromise;
  }

  /** Writes bytes as one write; resolves when handed to the kernel. */
  send(data: Uint8Array | string): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || this.socket.writableEnded) {
        resolve();
        return;
      }
      // A write to a socket the server reset reports through 'error' (recorded), never as a thrown exception.
      this.socket.write(data, () => resolve());
    });
  }

  /**
   * Writes bytes in pieces of `size`, each a separate write that completes before the next starts (with TCP_NODELAY on,
   * so the server sees many small segments, as Autobahn's "chopped" cases do).
   */
  async sendChopped(data: Uint8Array, size: number): Promise<void> {
    for (let offset = 0; offset < data.length; offset += size) {
      await this.send(data.subarray(offset, offset + size));
      if (size < 16) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Half-closes our side (FIN). */
  end(): void {
    this.clientEnded = true;
    this.socket.end();
  }

  destroy(): void {
    this.clientEnded = true;
    this.socket.destroy();
    this.deflate?.cleanup();
  }
}

export function parseResponseHead(raw: string): HttpResponseHead {
  const lines = raw.split('\r\n');
  const statusLine = lines[0] ?? '';
  const match = /^HTTP\/1\.1 (\d{3})(?: .*)?$/.exec(statusLine);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { raw, statusLine, status: match ? Number(match[1]) : -1, headers };
}

/** A short, diff-friendly summary of a payload: the text/hex when short, else length + SHA-256 prefix. */
export function summarize(data: Buffer | Uint8Array | string): string {
  const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer.length <= 64) return typeof data === 'string' ? JSON.stringify(data) : `0x${buffer.toString('hex')}`;
  return `${buffer.length} bytes sha256:${createHash('sha256').update(buffer).digest('hex').slice(0, 16)}`;
}

export function describeEvents(events: readonly WireEvent[]): string {
  return `[${events.map(describeEvent).join(', ')}]`;
}

export function describeEvent(event: WireEvent): string {
  switch (event.type) {
    case 'text':
      return `text${event.compressed ? '(deflate)' : ''} ${summarize(event.text)}`;
    case 'binary':
      return `binary${event.compressed ? '(deflate)' : ''} ${summarize(event.data)}`;
    case 'ping':
    case 'pong':
      return `${event.type} ${summarize(event.data)}`;
    case 'close':
      return `close ${event.code} ${JSON.stringify(event.reason.toString('utf8'))}`;
    case 'invalid-frame':
      return `INVALID SERVER FRAME (${event.code}: ${event.message})`;
  }
}
