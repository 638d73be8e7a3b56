import type { CloseCode } from './constants.ts';
import type { MessageCompressor } from './deflate/codec.ts';
import type { FrameRecord, Role } from './frame/types.ts';
import type { ProtocolViolation } from './violation.ts';

export interface ConnectionOptions {
  readonly role: Role;
  /** Largest message accepted, after reassembly and inflation; larger fails with 1009 (RFC 6455 §7.4.1). */
  readonly maxMessageBytes?: number;
  /** Present when permessage-deflate was negotiated: RSV1 becomes legal on a message's first frame. */
  readonly compressor?: MessageCompressor;
  /** When set, a FrameRecord is produced for every frame read or written, keeping this many payload bytes. */
  readonly recordPreviewBytes?: number;
  /** Answer pings with pongs automatically (RFC 6455 §5.5.2). Default true. */
  readonly autoPong?: boolean;
  /** Source of masking keys for the client role (RFC 6455 §5.3); defaults to crypto.getRandomValues. */
  readonly randomBytes?: (length: number) => Uint8Array;
  /** Memory for received payloads over 64 KiB that span chunks (see FrameParserOptions.allocate); default new Uint8Array. */
  readonly allocate?: (length: number) => Uint8Array;
}

/** What the connection tells its host, in order. Drained with Connection#takeEvents(). */
export type ConnectionEvent =
  /**
   * `bytes` is the message's UTF-8, already validated (inflated when it was compressed): a view of the
   * received bytes, owned by the host like a binary event's data. sendTextBytes(bytes) sends it back
   * without encoding the string again (the /echo path).
   */
  | { readonly type: 'text'; readonly text: string; readonly byteLength: number; readonly compressed: boolean; readonly bytes: Uint8Array }
  | { readonly type: 'binary'; readonly data: Uint8Array; readonly compressed: boolean }
  | { readonly type: 'ping'; readonly data: Uint8Array }
  | { readonly type: 'pong'; readonly data: Uint8Array }
  /** The peer's close frame arrived (code 1005 when it carried none). */
  | { readonly type: 'close-received'; readonly code: number; readonly reason: string }
  /** A frame was read from or written to the wire (only when recordPreviewBytes is set). */
  | { readonly type: 'frame'; readonly record: FrameRecord }
  /** The peer broke a rule; a close frame with violation.closeCode has been queued, input is ignored from now on. */
  | { readonly type: 'violation'; readonly violation: ProtocolViolation }
  /** The closing handshake is complete (or the connection failed): the host should close the TCP connection. */
  | { readonly type: 'closed'; readonly code: number; readonly reason: string; readonly wasClean: boolean };

/** RFC 6455 §4 / §7: the states of the WebSocket connection once the opening handshake is done. */
export type ConnectionState = 'open' | 'closing' | 'closed';

export type { CloseCode, FrameRecord, ProtocolViolation, Role };
