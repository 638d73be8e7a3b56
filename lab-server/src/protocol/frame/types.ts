import type { Opcode } from '../constants.ts';
import type { ProtocolViolation } from '../violation.ts';

/** Which endpoint produced the bytes. Clients mask, servers do not (RFC 6455 §5.1). */
export type Role = 'client' | 'server';
export type Direction = 'client-to-server' | 'server-to-client';

/** RFC 6455 §5.2: how the payload length was written on the wire. */
export type LengthEncoding = '7-bit' | '16-bit' | '64-bit';

/** A whole frame as the parser hands it on: header fields plus the unmasked payload. */
export interface Frame {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly rsv2: boolean;
  readonly rsv3: boolean;
  readonly opcode: Opcode;
  readonly masked: boolean;
  /** Unmasked payload. May be a view into a buffer the parser owns until the next push. */
  readonly payload: Uint8Array;
  /** The teaching record, present only when records were asked for. */
  readonly record?: FrameRecord;
}

/** The names of the header fields of RFC 6455 §5.2, plus the payload. */
export type FrameFieldName =
  | 'fin'
  | 'rsv1'
  | 'rsv2'
  | 'rsv3'
  | 'opcode'
  | 'mask'
  | 'payloadLength'
  | 'extendedLength'
  | 'maskingKey'
  | 'payload';

/**
 * One field of a frame, located to the bit, so a renderer can draw every field the same way and
 * highlight the exact bytes (the Illustrated-TLS idea: the explanation is data next to the bytes).
 */
export interface FieldRecord {
  readonly name: FrameFieldName;
  /** Short label as the RFC's diagram names it: "FIN", "RSV1", "opcode", "Payload len", ... */
  readonly label: string;
  /** Offset of the field's first bit from the start of the frame, in bits (MSB of byte 0 is bit 0). */
  readonly bitOffset: number;
  readonly bitLength: number;
  /** First byte touched and one past the last (bytes are the unit a hex view highlights). */
  readonly byteStart: number;
  readonly byteEnd: number;
  /** The value as a number, or as a decimal string for a 64-bit length beyond 2^53, or hex for the key. */
  readonly value: number | string;
  /** Plain-language meaning of this value, e.g. "final fragment" or "16-bit extended length follows". */
  readonly meaning: string;
  readonly section: string;
}

export interface PayloadPreview {
  /** The payload bytes as they crossed the wire (masked when the frame is masked), cut to the preview size. */
  readonly wire: Uint8Array;
  /** The same bytes after unmasking (identical to wire for unmasked frames). */
  readonly unmasked: Uint8Array;
  /** True when the payload is longer than the preview. */
  readonly truncated: boolean;
}

/** The record of one frame, parsed or written, for visualizers and the /lab endpoint. */
export interface FrameRecord {
  readonly direction: Direction;
  /** Position of this frame in its direction's stream, starting at 0. */
  readonly index: number;
  /** Offset of the frame's first byte in its direction's byte stream. */
  readonly streamOffset: number;
  /** The header bytes exactly as on the wire (2 to 14 bytes). */
  readonly header: Uint8Array;
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly rsv2: boolean;
  readonly rsv3: boolean;
  readonly opcode: number;
  /** "text", "binary", "continuation", "close", "ping", "pong", or "reserved (0x3)". */
  readonly opcodeName: string;
  readonly masked: boolean;
  readonly maskingKey: Uint8Array | null;
  readonly lengthEncoding: LengthEncoding;
  /** The payload length the header declares (a number: lengths beyond 2^53 are violations). */
  readonly payloadLength: number;
  readonly headerLength: number;
  /** headerLength + payloadLength. */
  readonly frameLength: number;
  readonly fields: readonly FieldRecord[];
  readonly payload: PayloadPreview;
  /** Close frames: the status code and reason, when the payload has them (RFC 6455 §5.5.1). */
  readonly closeCode?: number;
  readonly closeReason?: string;
  /**
   * On the final frame of a compressed message (RFC 7692): the inflated message, cut to the preview size.
   * Set by the connection, which owns decompression.
   */
  readonly inflated?: { readonly preview: Uint8Array; readonly length: number; readonly truncated: boolean };
  /** Set when this frame broke a rule; the connection fails with violation.closeCode. */
  readonly violation?: ProtocolViolation;
}

export interface RecordOptions {
  /** Payload bytes kept per frame record; the total length is always kept. */
  readonly previewBytes: number;
}
