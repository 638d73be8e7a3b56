import type { Socket } from 'node:net';
import type { Connection } from '../protocol/connection.ts';
import type { MessageCompressor } from '../protocol/deflate/codec.ts';
import { describeSocketError, LOG_PREFIX, type LogSink } from './log.ts';
import type { TransportHandler } from './transport-handler.ts';

/** Settings shared by all transports of one server (one object, not one per connection). */
export interface TransportHost {
  readonly log: LogSink;
  /** RFC 6455 §7.1.1: the server closes TCP first; a client waits for the server to do it. */
  readonly role: 'client' | 'server';
  /** Bound on the closing handshake and on the peer's TCP close afterwards. */
  readonly closeTimeoutMs: number;
  /** Stop reading from a socket whose unsent output exceeds this, until it drains. */
  readonly maxWriteBufferBytes: number;
  /** Called once when the socket is gone (the server forgets the transport). */
  forget?(transport: WebSocketTransport): void;
}

const TRANSPORT = Symbol('lab.transport');
interface TransportSocket extends Socket {
  [TRANSPORT]?: WebSocketTransport;
}

/**
 * Glue between a socket and a sans-I/O Connection: bytes in -> connection.receive -> events ->
 * handler -> takeOutgoing -> socket.write. An idle transport owns no timer and no closure: the socket
 * listeners below are module functions shared by every connection (they find their transport through
 * the socket), so 10,000 idle WebSockets cost little more than their sockets and parsers.
 */
export class WebSocketTransport {
  readonly socket: Socket;
  readonly connection: Connection;
  readonly handler: TransportHandler;
  readonly host: TransportHost;
  /** "127.0.0.1:51312", kept for log lines (a destroyed socket forgets its address). */
  readonly peer: string;
  /** The request path, e.g. "/echo", for log lines. */
  readonly path: string;
  /** Free slot for the handler's per-connection state (e.g. the /lab subject). */
  context: unknown = null;
  #compressor: MessageCompressor | null;
  /** Reading is paused until the socket drains. */
  #paused = false;
  /** The connection reached 'closed': input is discarded, TCP is being closed. */
  #finished = false;
  #gone = false;
  /** Inside pump(): a nested call (a handler closing the connection) leaves the events to the outer loop, in order. */
  #pumping = false;
  /** Called once the socket has taken everything queued so far (see afterWritten). */
  #afterWritten: (() => void)[] | null = null;
  /** We sent a frame the peer must reject (awaitPeerFailure): a timeout then means it never failed the connection. */
  #awaitingFailure = false;

  constructor(
    socket: Socket,
    connection: Connection,
    handler: TransportHandler,
    host: TransportHost,
    peer: string,
    path: string,
    compressor: MessageCompressor | null,
  ) {
    this.socket = socket;
    this.connection = connection;
    this.handler = handler;
    this.host = host;
    this.peer = peer;
    this.path = path;
    this.#compressor = compressor;
    (socket as TransportSocket)[TRANSPORT] = this;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    socket.on('drain', onSocketDrain);
    socket.on('timeout', onSocketTimeout);
  }

  /** Bytes that arrived with the handshake (frames a client sent right behind its request). */
  start(initialBytes: Uint8Array | null): void {
    if (initialBytes !== null && initialBytes.length > 0) this.receive(initialBytes);
    else this.pump();
  }

  /** Starts the closing handshake (RFC 6455 §7.1.2) and bounds how long the peer may take to answer. */
  close(code?: number, reason?: string): void {
    if (this.#finished || this.connection.state !== 'open') return;
    this.connection.close(code, reason);
    this.pump();
    if (!this.#finished) this.#armCloseTimeout();
  }

  /**
   * We have sent a frame the peer must reject: it must now fail the connection (RFC 6455 §7.1.7), with a close
   * frame or by closing TCP. Bounded like a closing handshake, so a peer that does neither cannot keep the
   * connection (and its report) open forever.
   */
  awaitPeerFailure(): void {
    if (this.#finished) return;
    this.#awaitingFailure = true;
    this.#armCloseTimeout();
  }

  /** Runs the event loop of the connection: events to the handler, then bytes to the socket. */
  pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    let closed = false;
    try {
      for (;;) {
        const events = this.connection.takeEvents();
        if (events.length === 0) break;
        for (const event of events) {
          if (event.type === 'violation') this.#logViolation(event.violation);
          else if (event.type === 'closed') closed = true;
          this.handler.onEvent(this, event);
        }
      }
      this.flush();
    } catch (error) {
      this.#internalError(error);
      return;
    } finally {
      this.#pumping = false;
    }
    if (closed) this.#finish();
  }

  /**
   * Runs `callback` once the socket no longer refers to anything queued so far: after the next flush's
   * bytes are written (or failed), or at once if that flush writes nothing. For a handler that reuses
   * memory it has sent (see echo-memory.ts).
   */
  afterWritten(callback: () => void): void {
    (this.#afterWritten ??= []).push(callback);
  }

  /** Writes what the connection queued, as one writev when there are several chunks. */
  flush(): void {
    const chunks = this.connection.takeOutgoing();
    const socket = this.socket;
    const callbacks = this.#afterWritten;
    this.#afterWritten = null;
    const written = callbacks === null ? undefined : (): void => {
      for (const callback of callbacks) callback();
    };
    if (chunks.length === 0 || socket.destroyed || !socket.writable) {
      written?.();
      return;
    }
    const last = chunks.length - 1;
    if (last === 0) {
      socket.write(chunks[0] as Uint8Array, written);
    } else {
      socket.cork();
      for (let i = 0; i < last; i++) socket.write(chunks[i] as Uint8Array);
      socket.write(chunks[last] as Uint8Array, written);
      socket.uncork();
    }
    // #region backpressure
    // Backpressure: a peer that does not read must not make us buffer without bound. We stop
    // reading its input (which is what produces our output) until the kernel takes our bytes.
    if (!this.#paused && socket.writableLength > this.host.maxWriteBufferBytes) {
      this.#paused = true;
      socket.pause();
      this.handler.onBackpressure?.(this, 'paused', socket.writableLength);
    }
    // #endregion backpressure
  }

  get paused(): boolean {
    return this.#paused;
  }

  receive(chunk: Uint8Array): void {
    if (this.#finished) return;
    try {
      this.connection.receive(chunk);
    } catch (error) {
      this.#internalError(error);
      return;
    }
    this.pump();
  }

  drained(): void {
    if (this.#paused && !this.#finished) {
      this.#paused = false;
      this.socket.resume();
      this.handler.onBackpressure?.(this, 'drained', this.socket.writableLength);
    }
    this.handler.onDrain?.(this);
  }

  /** The peer ended its side, the socket failed, or it closed: the connection learns of it (1006 unless clean). */
  ended(): void {
    if (this.connection.state === 'closed') return;
    try {
      this.connection.receiveEnd();
    } catch (error) {
      this.#internalError(error);
      return;
    }
    this.pump();
  }

  timedOut(): void {
    if (!this.#finished) {
      const what = this.#awaitingFailure
        ? 'did not fail the connection after a frame it must reject (RFC 6455 §7.1.7)'
        : 'closing handshake timed out';
      this.host.log(`${LOG_PREFIX} ${this.peer} ${this.path} ${what}: closed after ${this.host.closeTimeoutMs} ms`);
    }
    this.socket.destroy();
  }

  gone(): void {
    if (this.#gone) return;
    this.ended();
    this.#gone = true;
    this.#compressor?.dispose();
    this.#compressor = null;
    this.handler.onSocketClose?.(this);
    this.host.forget?.(this);
  }

  /** The connection is closed: close TCP (RFC 6455 §7.1.1: the server first; a client waits, bounded). */
  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const socket = this.socket;
    if (this.#paused) {
      this.#paused = false;
      socket.resume(); // keep draining input so the kernel does not reset our close frame away
      // Reading resumed: whoever was told 'paused' hears the end of it (bytes may still wait, or be lost).
      this.handler.onBackpressure?.(this, 'drained', socket.writableLength);
    }
    if (socket.destroyed) return;
    this.#armCloseTimeout();
    if (this.host.role === 'server') socket.end();
  }

  /**
   * Arms the close timeout (the socket's idle timeout; timedOut() then destroys the socket). After the closing
   * handshake the server closes TCP and the client waits for it (RFC 6455 §7.1.1); after a frame it must reject
   * the peer fails the connection (§7.1.7). A peer that does not do its part must not keep us waiting forever.
   */
  #armCloseTimeout(): void {
    this.socket.setTimeout(this.host.closeTimeoutMs);
  }

  /** A bug of ours, never the peer's input (the core reports bad input as violations): one line, no crash. */
  #internalError(error: unknown): void {
    this.host.log(`${LOG_PREFIX} ${this.peer} ${this.path} internal error: ${describeSocketError(error)}`);
    this.#finished = true;
    this.socket.destroy();
  }

  #logViolation(violation: { closeCode: number; reason: string; section: string }): void {
    this.host.log(`${LOG_PREFIX} ${this.peer} ${this.path} failed: ${violation.closeCode} ${violation.reason} (${violation.section})`);
  }
}

function transportOf(socket: Socket): WebSocketTransport | undefined {
  return (socket as TransportSocket)[TRANSPORT];
}

function onSocketData(this: Socket, chunk: Buffer): void {
  transportOf(this)?.receive(chunk);
}

function onSocketEnd(this: Socket): void {
  transportOf(this)?.ended();
}

function onSocketError(this: Socket, error: Error): void {
  const transport = transportOf(this);
  if (transport !== undefined) {
    transport.host.log(`${LOG_PREFIX} ${transport.peer} ${transport.path} socket error: ${describeSocketError(error)}`);
  }
}

function onSocketClose(this: Socket): void {
  transportOf(this)?.gone();
}

function onSocketDrain(this: Socket): void {
  transportOf(this)?.drained();
}

function onSocketTimeout(this: Socket): void {
  const transport = transportOf(this);
  if (transport !== undefined) transport.timedOut();
  else this.destroy();
}
