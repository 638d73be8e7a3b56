/**
 * Protocol constants of RFC 6455 and RFC 7692, named in the RFC's own words.
 * Nothing here is tunable: limits that an operator may change live in the options of the code that
 * uses them, with these as defaults.
 */

/** RFC 6455 §1.3: the GUID appended to Sec-WebSocket-Key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** RFC 6455 §4.1 and §4.4: the only version this implementation (and every browser) speaks. */
export const WEBSOCKET_VERSION = '13';

/** RFC 6455 §4.1: Sec-WebSocket-Key is the base64 of a 16-byte nonce. */
export const KEY_NONCE_BYTES = 16;

/** RFC 6455 §3: the port a ws: URI means when it names none. */
export const WS_DEFAULT_PORT = 80;

/** RFC 6455 §5.2 / §11.8: frame opcodes. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Opcodes 0x8-0xF are control frames (RFC 6455 §5.5). */
export const CONTROL_OPCODE_MASK = 0x8;

/** RFC 6455 §7.4.1 and the IANA registry (§11.7): close status codes. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  /** Reserved: never sent on the wire; reported when a close frame had no status code. */
  NoStatusReceived: 1005,
  /** Reserved: never sent on the wire; reported when the connection dropped without a close frame. */
  AbnormalClosure: 1006,
  InvalidPayloadData: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  /** Reserved: never sent on the wire; reported when the TLS handshake failed. */
  TlsHandshake: 1015,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** RFC 6455 §7.4.2: 3000-3999 are registered with IANA, 4000-4999 are for private use. */
export const FIRST_REGISTERED_CLOSE_CODE = 3000;
export const LAST_PRIVATE_CLOSE_CODE = 4999;

/** RFC 6455 §5.5: all control frames MUST have a payload length of 125 bytes or less. */
export const MAX_CONTROL_PAYLOAD = 125;

/** RFC 6455 §5.5.1: a close payload is a 2-byte code, so at most 123 bytes of UTF-8 reason fit. */
export const CLOSE_CODE_BYTES = 2;
export const MAX_CLOSE_REASON_BYTES = MAX_CONTROL_PAYLOAD - CLOSE_CODE_BYTES;

/** RFC 6455 §5.2: payload length 0-125 is literal; 126 means a 16-bit length follows, 127 a 64-bit one. */
export const MAX_7BIT_LENGTH = 125;
export const LENGTH_16BIT_MARKER = 126;
export const LENGTH_64BIT_MARKER = 127;
export const MAX_16BIT_LENGTH = 0xffff;

/** RFC 6455 §5.3: the masking key is 32 bits. */
export const MASKING_KEY_BYTES = 4;

/** The smallest possible frame header: two bytes (RFC 6455 §5.2). */
export const MIN_HEADER_BYTES = 2;

/** RFC 7692 §7.2.1: the empty stored block every compressed message ends with, removed on the wire. */
export const DEFLATE_TRAILER = Uint8Array.of(0x00, 0x00, 0xff, 0xff);

/** RFC 7692 §7.1.2: the LZ77 window sizes a peer may ask for. */
export const MIN_WINDOW_BITS = 8;
export const MAX_WINDOW_BITS = 15;

/** Default bound on one message (after reassembly and inflation); larger ones fail with 1009. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Default number of payload bytes a frame record keeps for display; the total length is always kept. */
export const DEFAULT_RECORD_PREVIEW_BYTES = 4096;
