import type { Socket } from 'node:net';
import { CloseCode, MAX_WINDOW_BITS } from '../protocol/constants.ts';
import type { CompressorFactory, DeflateParameters, MessageCompressor } from '../protocol/deflate/codec.ts';
import type { Direction } from '../reports/lab-report-types.ts';
import { LazyCompressor } from './lazy-compressor.ts';
import { describeSocketError, LOG_PREFIX, type LogSink } from './log.ts';
import { RelayDirectionDecoder } from './relay-decoder.ts';

/** Reports about one relayed connection (the subject number and `relay: true` are added by the hub). */
export interface RelayReporter {
  readonly watched: () => boolean;
  report(type: string, fields: Record<string, unknown>): void;
}

export interface RelayPipeOptions {
  readonly reporter: RelayReporter;
  readonly targetText: string;
  /** permessage-deflate as the target's 101 put it in force, or null. */
  readonly deflate: DeflateParameters | null;
  readonly compressorFactory: CompressorFactory;
  readonly maxMessageBytes: number;
  readonly previewBytes: number;
  /** A socket holding more unsent bytes than this stops the other socket's reading until it drains. */
  readonly maxWriteBufferBytes: number;
  /** After one side's TCP connection ends, the other gets this long to finish before it is destroyed. */
  readonly closeTimeoutMs: number;
  readonly log: LogSink;
  readonly peer: string;
}

/**
 * A compressor that only inflates one direction, with that sender's context-takeover rule (RFC 7692
 * §7.1.1). It is made for the receiving role, which decides which parameters apply to inflating; the
 * window it would compress with is set to 15 because it never compresses (zlib refuses to compress
 * with 8, which a target may legitimately have asked the app to use).
 */
function inflatingCompressor(factory: CompressorFactory, parameters: DeflateParameters, direction: Direction): MessageCompressor {
  if (direction === 'client-to-server') return new LazyCompressor(factory, { ...parameters, serverMaxWindowBits: MAX_WINDOW_BITS }, 'server');
  return new LazyCompressor(factory, { ...parameters, clientMaxWindowBits: MAX_WINDOW_BITS }, 'client');
}

/**
 * The relay after the target's 101: bytes pass unchanged both ways, with backpressure each way (a
 * side that does not read stops the other side's reading, so the relay never buffers without bound),
 * and every chunk is also decoded for the inspect observers, after it was passed on.
 */
export class RelayPipe {
  readonly #app: Socket;
  readonly #upstream: Socket;
  readonly #options: RelayPipeOptions;
  /** null once decoding that direction failed on our side (never because of the bytes: see #decode). */
  #toTarget: RelayDirectionDecoder | null;
  #toApp: RelayDirectionDecoder | null;
  /** RFC 6455 §7.1.5: the connection's close code is that of the first close frame. */
  #firstClose: { code: number; reason: string } | null = null;
  readonly #closeFrames = new Set<Direction>();
  #closedReported = false;
  #socketsGone = 0;

  constructor(app: Socket, upstream: Socket, options: RelayPipeOptions) {
    this.#app = app;
    this.#upstream = upstream;
    this.#options = options;
    this.#toTarget = this.#decoder('client-to-server');
    this.#toApp = this.#decoder('server-to-client');
  }

  /** Wires both ways and passes on what each side sent behind its handshake head. */
  start(appRest: Uint8Array | null, upstreamRest: Uint8Array | null): void {
    const app = this.#app;
    const upstream = this.#upstream;
    upstream.on('error', (error) => this.#options.log(`${LOG_PREFIX} ${this.#options.peer} /inspect target socket error: ${describeSocketError(error)}`));
    upstream.setNoDelay(true);
    app.setNoDelay(true);
    app.setTimeout(0);
    this.#wire(app, upstream, 'client-to-server');
    this.#wire(upstream, app, 'server-to-client');
    if (upstreamRest !== null) this.#relay(upstream, app, 'server-to-client', upstreamRest);
    if (appRest !== null) this.#relay(app, upstream, 'client-to-server', appRest);
    app.resume();
  }

  #decoder(direction: Direction): RelayDirectionDecoder {
    const { deflate, compressorFactory, maxMessageBytes, previewBytes, reporter } = this.#options;
    return new RelayDirectionDecoder(
      { direction, compressor: deflate === null ? null : inflatingCompressor(compressorFactory, deflate, direction), maxMessageBytes, previewBytes },
      { watched: reporter.watched, report: reporter.report, closeFrame: (from, code, reason) => this.#closeFrame(from, code, reason) },
    );
  }

  #wire(from: Socket, to: Socket, direction: Direction): void {
    from.on('data', (chunk: Buffer) => this.#relay(from, to, direction, chunk));
    // #region relay-backpressure
    // The reader caught up: let the writer's side flow again.
    to.on('drain', () => {
      if (!from.destroyed) from.resume();
    });
    // #endregion relay-backpressure
    // One side's TCP FIN is passed on after the bytes it sent. This is not a half-close (RFC 9293 §3.6):
    // neither socket allows half-open connections (Node's default), so the side that sent FIN gets our
    // FIN back at once and whatever the other side still sends is not delivered to it. WebSocket needs
    // no half-close: its closing handshake happens in frames, before either FIN (RFC 6455 §7.1.1).
    from.on('end', () => to.end());
    from.once('close', () => this.#gone(from, to));
  }

  #relay(from: Socket, to: Socket, direction: Direction, chunk: Uint8Array): void {
    if (!to.destroyed && to.writable) {
      to.write(chunk);
      // Backpressure: stop reading the sender while the receiver has not taken what we already hold.
      if (to.writableLength > this.#options.maxWriteBufferBytes) from.pause();
    }
    // The app's frames are masked and the parser unmasks in place: it gets a copy, as `chunk` may still
    // be queued for writing. The target's frames are unmasked (a masked one fails at its second byte,
    // before the parser touches any payload, RFC 6455 §5.1), so they are decoded where they lie.
    this.#decode(direction, direction === 'client-to-server' ? new Uint8Array(chunk) : chunk);
  }

  #decode(direction: Direction, bytes: Uint8Array): void {
    const decoder = direction === 'client-to-server' ? this.#toTarget : this.#toApp;
    if (decoder === null) return;
    try {
      decoder.push(bytes);
    } catch (error) {
      // A bug of ours (the core reports bad input as violations): the bytes still flow, decoding stops.
      this.#options.log(`${LOG_PREFIX} ${this.#options.peer} /inspect decoding ${direction} stopped: ${describeSocketError(error)}`);
      decoder.dispose();
      if (direction === 'client-to-server') this.#toTarget = null;
      else this.#toApp = null;
    }
  }

  #closeFrame(direction: Direction, code: number, reason: string): void {
    this.#firstClose ??= { code, reason };
    this.#closeFrames.add(direction);
    // Both close frames have passed: the closing handshake is complete (RFC 6455 §7.1.1-§7.1.4).
    if (this.#closeFrames.size === 2) this.#reportClosed(true);
  }

  #reportClosed(wasClean: boolean): void {
    if (this.#closedReported) return;
    this.#closedReported = true;
    const first = this.#firstClose;
    // RFC 6455 §7.1.5: without a close frame, the close code is 1006 (never on the wire).
    this.#options.reporter.report('closed', {
      code: first?.code ?? CloseCode.AbnormalClosure,
      reason: first?.reason ?? '',
      wasClean,
    });
  }

  /** One TCP connection is gone: the other is ended (its queued bytes still go out), bounded in time. */
  #gone(socket: Socket, other: Socket): void {
    const { reporter } = this.#options;
    this.#reportClosed(false);
    if (socket === this.#app) {
      reporter.report('tcp-closed', {});
    } else {
      reporter.report('upstream', { target: this.#options.targetText, state: 'closed' });
    }
    if (!other.destroyed) {
      other.end();
      setTimeout(() => other.destroy(), this.#options.closeTimeoutMs).unref();
    }
    if (++this.#socketsGone === 2) {
      this.#toTarget?.dispose();
      this.#toApp?.dispose();
      this.#toTarget = null;
      this.#toApp = null;
    }
  }
}
