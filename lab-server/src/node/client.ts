import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Connection, type SendOptions } from '../protocol/connection.ts';
import type { ConnectionEvent } from '../protocol/connection-types.ts';
import type { DeflateParameters } from '../protocol/deflate/codec.ts';
import type { OutgoingFrame } from '../protocol/frame/serializer.ts';
import { validateServerResponse } from '../protocol/handshake/client.ts';
import { HttpHeadReader } from '../protocol/handshake/head-reader.ts';
import { parseResponseHead } from '../protocol/handshake/http-head.ts';
import { headerValues } from '../protocol/handshake/headers.ts';
import { isRejection, type HandshakeResponse } from '../protocol/handshake/types.ts';
import type { ProtocolViolation } from '../protocol/violation.ts';
import { buildOpeningRequest } from './client-opening-request.ts';
import { LazyCompressor } from './lazy-compressor.ts';
import { ServerDefaults } from './limits.ts';
import { describeSocketError, peerName } from './log.ts';
import { WebSocketTransport, type TransportHost } from './transport.ts';
import type { TransportHandler } from './transport-handler.ts';
import { createZlibCompressor } from './zlib-compressor.ts';

export interface ConnectOptions {
  /** Sec-WebSocket-Protocol values to offer (RFC 6455 §4.1). */
  readonly protocols?: string[];
  /** Offer permessage-deflate (RFC 7692 §5). Default false. */
  readonly deflate?: boolean;
  readonly origin?: string;
  /** Largest message accepted (default 16 MiB); larger ones fail the connection with 1009. */
  readonly maxMessageBytes?: number;
  /** Bound on connecting plus the server's handshake response (default 10 s). */
  readonly handshakeTimeoutMs?: number;
  /** Bound on the closing handshake and on the server's TCP close (default 5 s). */
  readonly closeTimeoutMs?: number;
  /** One line per notable event (violations, socket errors); default: silent. */
  readonly log?: (line: string) => void;
  /** More request header fields, e.g. a Cookie (the push-vs-poll simulated clients send what a browser would). */
  readonly extraHeaders?: ReadonlyArray<readonly [string, string]>;
}

/** A whole message received from the server. `data` is owned by the receiver. */
export type ClientMessage =
  | { readonly type: 'text'; readonly text: string; readonly compressed: boolean }
  | { readonly type: 'binary'; readonly data: Uint8Array; readonly compressed: boolean };

/** How the connection ended: the close code and reason (RFC 6455 §7.1.5, §7.1.6), 1006 when there was no close frame. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

interface ClientEvents {
  message: [ClientMessage];
  ping: [Uint8Array];
  pong: [Uint8Array];
  /** The server's close frame arrived (before our answer went out). */
  'close-received': [{ readonly code: number; readonly reason: string }];
  /** The server broke a protocol rule; we fail the connection with violation.closeCode. */
  violation: [ProtocolViolation];
  /** The connection is closed (the WebSocket closing handshake finished or the connection failed). */
  close: [CloseInfo];
}

/** A refused opening handshake: the rule broken and, when the server answered, its response. */
export class HandshakeError extends Error {
  readonly section: string;
  readonly response: HandshakeResponse | null;

  constructor(message: string, section: string, response: HandshakeResponse | null) {
    super(message);
    this.name = 'HandshakeError';
    this.section = section;
    this.response = response;
  }
}

/**
 * The Node client on the core's client role. Events: 'message' ({type:'text', text} or
 * {type:'binary', data}), 'ping', 'pong', 'close-received', 'violation', 'close' ({code, reason,
 * wasClean}). Messages that arrive while nobody listens for 'message' are queued for nextMessage().
 * `closed` resolves (never rejects) when the connection is closed.
 */
export class CoreWebSocketClient extends EventEmitter<ClientEvents> implements TransportHandler {
  readonly url: string;
  /** Sec-WebSocket-Protocol the server chose, or null. */
  readonly protocol: string | null;
  /** Sec-WebSocket-Extensions as the server sent it, or null. */
  readonly extensions: string | null;
  /** The permessage-deflate parameters in force, or null. */
  readonly deflate: DeflateParameters | null;
  readonly closed: Promise<CloseInfo>;
  #transport: WebSocketTransport | null = null;
  #closeInfo: CloseInfo | null = null;
  #resolveClosed!: (info: CloseInfo) => void;
  #queue: ClientMessage[] = [];
  #waiters: { resolve: (message: ClientMessage) => void; reject: (error: Error) => void }[] = [];

  constructor(url: string, protocol: string | null, extensions: string | null, deflate: DeflateParameters | null) {
    super();
    this.url = url;
    this.protocol = protocol;
    this.extensions = extensions;
    this.deflate = deflate;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** @internal Called once by connectWebSocket. */
  attach(transport: WebSocketTransport, rest: Uint8Array | null): void {
    this.#transport = transport;
    transport.start(rest);
  }

  get readyState(): 'open' | 'closing' | 'closed' {
    return this.#transport?.connection.state ?? 'closed';
  }

  /** Bytes written to the socket but not yet taken by the kernel. */
  get bufferedAmount(): number {
    return this.#transport?.socket.writableLength ?? 0;
  }

  sendText(text: string, options?: SendOptions): void {
    this.#send((connection) => connection.sendText(text, options));
  }

  sendBinary(data: Uint8Array, options?: SendOptions): void {
    this.#send((connection) => connection.sendBinary(data, options));
  }

  ping(data?: Uint8Array): void {
    this.#send((connection) => connection.ping(data));
  }

  pong(data?: Uint8Array): void {
    this.#send((connection) => connection.pong(data));
  }

  /** Teaching and tests: any frame, as is (masked with a fresh key unless one is given). */
  sendRawFrame(frame: OutgoingFrame): void {
    this.#send((connection) => connection.sendRawFrame(frame));
  }

  /** Starts the closing handshake (RFC 6455 §7.1.2); resolves when the connection is closed. */
  close(code?: number, reason?: string): Promise<CloseInfo> {
    this.#transport?.close(code, reason);
    return this.closed;
  }

  /** The next message (queued or future); rejects if the connection closes first. */
  nextMessage(): Promise<ClientMessage> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closeInfo !== null) return Promise.reject(closedError(this.#closeInfo));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  onEvent(_transport: WebSocketTransport, event: ConnectionEvent): void {
    switch (event.type) {
      case 'text':
        this.#deliver({ type: 'text', text: event.text, compressed: event.compressed });
        break;
      case 'binary':
        this.#deliver({ type: 'binary', data: event.data, compressed: event.compressed });
        break;
      case 'ping':
        this.emit('ping', event.data);
        break;
      case 'pong':
        this.emit('pong', event.data);
        break;
      case 'close-received':
        this.emit('close-received', { code: event.code, reason: event.reason });
        break;
      case 'violation':
        this.emit('violation', event.violation);
        break;
      case 'closed': {
        const info: CloseInfo = { code: event.code, reason: event.reason, wasClean: event.wasClean };
        this.#closeInfo = info;
        for (const waiter of this.#waiters.splice(0)) waiter.reject(closedError(info));
        this.#resolveClosed(info);
        this.emit('close', info);
        break;
      }
      case 'frame':
        break;
    }
  }

  #deliver(message: ClientMessage): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve(message);
    else if (this.listenerCount('message') === 0) this.#queue.push(message);
    this.emit('message', message);
  }

  #send(action: (connection: Connection) => unknown): void {
    const transport = this.#transport;
    if (transport === null) throw new Error('the WebSocket is not open yet');
    action(transport.connection);
    transport.pump();
  }
}

function closedError(info: CloseInfo): Error {
  return new Error(`the WebSocket connection closed (${info.code}${info.reason === '' ? '' : ` ${info.reason}`})`);
}

/**
 * Opens a WebSocket connection (RFC 6455 §4.1) with the core's client handshake and Connection in
 * the client role. Rejects with a HandshakeError naming the rule when the server's answer is not a
 * valid 101, or with the socket's error when the TCP connection fails.
 */
export function connectWebSocket(url: string, options: ConnectOptions = {}): Promise<CoreWebSocketClient> {
  const request = buildOpeningRequest(url, options);
  if (!request.ok) return Promise.reject(new HandshakeError(request.reason, request.section, null));
  const { hostname, port, path, handshake, deflateOffered } = request;
  const host: TransportHost = {
    log: options.log ?? (() => {}),
    role: 'client',
    closeTimeoutMs: options.closeTimeoutMs ?? ServerDefaults.closeTimeoutMs,
    maxWriteBufferBytes: ServerDefaults.maxWriteBufferBytes,
  };

  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: hostname, port, noDelay: true });
    const reader = new HttpHeadReader(ServerDefaults.maxHeadBytes);
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    const onError = (error: Error): void => fail(new Error(`cannot connect to ${url}: ${describeSocketError(error)}`));
    const onClose = (): void => fail(new HandshakeError('the server closed the connection during the opening handshake', 'RFC 6455 §4.1', null));
    const onTimeout = (): void => fail(new HandshakeError('no handshake response within the timeout', 'RFC 6455 §4.1', null));
    const onData = (chunk: Buffer): void => {
      const result = reader.push(chunk);
      if (result === null) return;
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('timeout', onTimeout);
      socket.setTimeout(0);
      if (isRejection(result)) {
        fail(new HandshakeError(`bad handshake response: ${result.reason}`, result.section, null));
        return;
      }
      const response = parseResponseHead(result.head);
      if (isRejection(response)) {
        fail(new HandshakeError(`bad handshake response: ${response.reason}`, response.section, null));
        return;
      }
      const validation = validateServerResponse(response, {
        key: handshake.key,
        ...(options.protocols === undefined ? {} : { protocols: options.protocols }),
        deflateOffered,
      });
      if (!validation.ok) {
        fail(new HandshakeError(`handshake refused (${response.startLine}): ${validation.reason}`, validation.section, response));
        return;
      }
      const compressor = validation.deflate === null ? null : new LazyCompressor(createZlibCompressor, validation.deflate, 'client');
      const connection = new Connection({
        role: 'client',
        maxMessageBytes: options.maxMessageBytes ?? ServerDefaults.maxMessageBytes,
        ...(compressor === null ? {} : { compressor }),
      });
      const client = new CoreWebSocketClient(url, validation.protocol, headerValues(response, 'sec-websocket-extensions').join(', ') || null, validation.deflate);
      const transport = new WebSocketTransport(socket, connection, client, host, peerName(socket), path, compressor);
      resolve(client);
      client.attach(transport, result.rest.length > 0 ? result.rest : null);
    };
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('timeout', onTimeout);
    socket.on('data', onData);
    socket.setTimeout(options.handshakeTimeoutMs ?? ServerDefaults.handshakeTimeoutMs);
    socket.once('connect', () => socket.write(handshake.request, 'latin1'));
  });
}
