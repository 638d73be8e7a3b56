import { Connection } from '../protocol/connection.ts';
import type { ConnectionEvent } from '../protocol/connection-types.ts';
import type { MessageCompressor } from '../protocol/deflate/codec.ts';
import type { Role } from '../protocol/frame/types.ts';
import { frameRecordToJson, textPreview, toHex, violationToJson } from '../reports/frame-record-json.ts';
import type { Direction } from '../reports/lab-report-types.ts';

/** Where a decoder's findings go: reports for the inspect observers, and the close frames for the relay's bookkeeping. */
export interface RelayDecoderSink {
  /** Whether anyone watches: when not, the (costly) JSON of frame records is not built. */
  readonly watched: () => boolean;
  report(type: string, fields: Record<string, unknown>): void;
  closeFrame(direction: Direction, code: number, reason: string): void;
}

export interface RelayDecoderOptions {
  readonly direction: Direction;
  /** permessage-deflate as negotiated between app and target, set up to inflate this direction. */
  readonly compressor: MessageCompressor | null;
  readonly maxMessageBytes: number;
  readonly previewBytes: number;
}

/**
 * Decodes one direction of a relayed connection (--inspect) for the inspect observers. The relay is
 * not an endpoint: the bytes pass unchanged whatever happens here. The decoder is the core's own
 * Connection in the role that receives this direction (the server for the app's masked frames, the
 * client for the target's), so the relay checks exactly the rules /lab checks, with the same records
 * and the same inflation (context takeover included). What that Connection would send back (the
 * answer to a close, the close of a failure) is discarded: the real endpoints answer each other.
 *
 * After a violation, or after this direction's close frame (nothing may follow it, RFC 6455 §5.5.1),
 * the Connection ignores its input: decoding of this direction stops, the relaying does not.
 */
export class RelayDirectionDecoder {
  readonly direction: Direction;
  readonly #connection: Connection;
  readonly #compressor: MessageCompressor | null;
  readonly #sink: RelayDecoderSink;
  readonly #previewBytes: number;

  constructor(options: RelayDecoderOptions, sink: RelayDecoderSink) {
    this.direction = options.direction;
    this.#compressor = options.compressor;
    this.#sink = sink;
    this.#previewBytes = options.previewBytes;
    const role: Role = options.direction === 'client-to-server' ? 'server' : 'client';
    this.#connection = new Connection({
      role,
      maxMessageBytes: options.maxMessageBytes,
      recordPreviewBytes: options.previewBytes,
      // A decoder never answers: a pong from us would be a frame the target never sent.
      autoPong: false,
      ...(options.compressor === null ? {} : { compressor: options.compressor }),
    });
  }

  /** The next bytes of this direction, after they were relayed. Takes ownership (the parser unmasks in place). */
  push(bytes: Uint8Array): void {
    const connection = this.#connection;
    connection.receive(bytes);
    for (;;) {
      const events = connection.takeEvents();
      if (events.length === 0) break;
      for (const event of events) this.#report(event);
    }
    connection.takeOutgoing(); // discarded: see the class comment
  }

  dispose(): void {
    this.#compressor?.dispose();
  }

  #report(event: ConnectionEvent): void {
    const sink = this.#sink;
    const direction = this.direction;
    switch (event.type) {
      case 'frame':
        // Records of frames this Connection would have written are not on the wire: only the direction read counts.
        if (event.record.direction === direction && sink.watched()) {
          sink.report('frame', { direction, record: frameRecordToJson(event.record) });
        }
        break;
      case 'text':
        sink.report('message', { direction, opcodeName: 'text', byteLength: event.byteLength, compressed: event.compressed, ...textPreview(event.text, this.#previewBytes) });
        break;
      case 'binary': {
        const truncated = event.data.length > this.#previewBytes;
        const hex = toHex(truncated ? event.data.subarray(0, this.#previewBytes) : event.data);
        sink.report('message', { direction, opcodeName: 'binary', byteLength: event.data.length, compressed: event.compressed, hex, truncated });
        break;
      }
      case 'ping':
      case 'pong':
        sink.report(event.type, { direction, hex: toHex(event.data) });
        break;
      case 'close-received':
        sink.report('close-received', { direction, code: event.code, reason: event.reason });
        sink.closeFrame(direction, event.code, event.reason);
        break;
      case 'violation':
        sink.report('violation', { direction, ...violationToJson(event.violation) });
        break;
      case 'closed':
        // The decoder's own state; the relay reports the connection's close from both directions.
        break;
    }
  }
}
