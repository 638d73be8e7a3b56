/**
 * A tiny frame BUILDER for tests: it writes client frames byte by byte from a spec, including frames no correct
 * endpoint would send (reserved bits, reserved opcodes, non-minimal or absurd lengths, unmasked client frames).
 * It deliberately shares no code with the project's serializer, so the implementation never judges its own output.
 * Decoding the server's answers is done by `ws`'s Receiver (see raw-client.ts), never by the project's parser.
 * (The one import is a seeded PRNG, which judges nothing.)
 */
import { mulberry32 } from '../../src/node/push-vs-poll/event-source.ts';

/** RFC 6455 §5.2 opcodes, spelled out here on purpose (test vectors, independent of the implementation). */
export const Op = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

/** RFC 6455 §5.7: the masking key of the RFC's own examples. */
export const EXAMPLE_MASKING_KEY: Uint8Array = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

export type LengthEncoding = '7-bit' | '16-bit' | '64-bit';

export interface FrameSpec {
  readonly opcode: number;
  /** Default true. */
  readonly fin?: boolean;
  readonly rsv1?: boolean;
  readonly rsv2?: boolean;
  readonly rsv3?: boolean;
  /** A string is encoded as UTF-8. Default: empty. */
  readonly payload?: Uint8Array | string;
  /** Masking key; null sends the frame UNMASKED (a violation for a client, RFC 6455 §5.1). Default EXAMPLE_MASKING_KEY. */
  readonly maskingKey?: Uint8Array | null;
  /** Force a length encoding (RFC 6455 §5.2 does not require the minimal one). Default: minimal. */
  readonly lengthEncoding?: LengthEncoding;
  /**
   * Write this payload length in the header instead of the payload's real length (64-bit encoding), e.g. 2^63 + 1.
   * Only the header (and masking key) is produced then, and `payload` is appended unchanged if given.
   */
  readonly declaredLength?: bigint;
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

export function hex(text: string): Uint8Array {
  const clean = text.replace(/[^0-9a-f]/gi, '');
  if (clean.length % 2 !== 0) throw new Error(`odd hex string: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function minimalEncoding(length: number): LengthEncoding {
  if (length <= 125) return '7-bit';
  if (length <= 0xffff) return '16-bit';
  return '64-bit';
}

/** Builds one frame as a client would put it on the wire (masked unless maskingKey is null). */
export function frame(spec: FrameSpec): Uint8Array {
  const payload = typeof spec.payload === 'string' ? utf8(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const maskingKey = spec.maskingKey === undefined ? EXAMPLE_MASKING_KEY : spec.maskingKey;
  const declared = spec.declaredLength;
  const encoding: LengthEncoding = declared !== undefined ? '64-bit' : (spec.lengthEncoding ?? minimalEncoding(payload.length));
  const length = declared ?? BigInt(payload.length);

  const extendedBytes = encoding === '7-bit' ? 0 : encoding === '16-bit' ? 2 : 8;
  const maskBytes = maskingKey === null ? 0 : 4;
  const header = new Uint8Array(2 + extendedBytes + maskBytes);
  header[0] =
    ((spec.fin ?? true) ? 0x80 : 0) |
    (spec.rsv1 === true ? 0x40 : 0) |
    (spec.rsv2 === true ? 0x20 : 0) |
    (spec.rsv3 === true ? 0x10 : 0) |
    (spec.opcode & 0x0f);
  const maskBit = maskingKey === null ? 0 : 0x80;
  if (encoding === '7-bit') {
    if (length > 125n) throw new Error('7-bit length encoding holds at most 125');
    header[1] = maskBit | Number(length);
  } else if (encoding === '16-bit') {
    if (length > 0xffffn) throw new Error('16-bit length encoding holds at most 65535');
    header[1] = maskBit | 126;
    header[2] = Number(length >> 8n);
    header[3] = Number(length & 0xffn);
  } else {
    header[1] = maskBit | 127;
    for (let i = 0; i < 8; i++) header[2 + i] = Number((length >> BigInt(8 * (7 - i))) & 0xffn);
  }
  if (maskingKey !== null) header.set(maskingKey, 2 + extendedBytes);

  const body = new Uint8Array(payload.length);
  for (let i = 0; i < payload.length; i++) {
    // Mask indexes are relative to the payload start (RFC 6455 §5.3: j = i MOD 4).
    body[i] = maskingKey === null ? payload[i]! : payload[i]! ^ maskingKey[i % 4]!;
  }
  return concatBytes(header, body);
}

export const text = (payload: Uint8Array | string, more: Omit<FrameSpec, 'opcode' | 'payload'> = {}): Uint8Array =>
  frame({ ...more, opcode: Op.Text, payload });
export const binary = (payload: Uint8Array | string, more: Omit<FrameSpec, 'opcode' | 'payload'> = {}): Uint8Array =>
  frame({ ...more, opcode: Op.Binary, payload });
export const continuation = (payload: Uint8Array | string, more: Omit<FrameSpec, 'opcode' | 'payload'> = {}): Uint8Array =>
  frame({ ...more, opcode: Op.Continuation, payload });
export const ping = (payload: Uint8Array | string = '', more: Omit<FrameSpec, 'opcode' | 'payload'> = {}): Uint8Array =>
  frame({ ...more, opcode: Op.Ping, payload });
export const pong = (payload: Uint8Array | string = '', more: Omit<FrameSpec, 'opcode' | 'payload'> = {}): Uint8Array =>
  frame({ ...more, opcode: Op.Pong, payload });

/** RFC 6455 §5.5.1: 2-byte big-endian status code, then the UTF-8 reason (given as raw bytes to allow bad UTF-8). */
export function closePayload(code?: number, reason: string | Uint8Array = ''): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  const reasonBytes = typeof reason === 'string' ? utf8(reason) : reason;
  return concatBytes(bytes(code >> 8, code & 0xff), reasonBytes);
}

export const close = (code?: number, reason: string | Uint8Array = '', more: Omit<FrameSpec, 'opcode' | 'payload'> = {}): Uint8Array =>
  frame({ ...more, opcode: Op.Close, payload: closePayload(code, reason) });

/**
 * Splits a message payload into fragments: the first carries `opcode`, the rest are continuations; FIN only on the last
 * (RFC 6455 §5.4). `sizes` lists fragment sizes (the last fragment takes the rest); a single number repeats.
 */
export function fragments(
  opcode: number,
  payload: Uint8Array | string,
  sizes: number | readonly number[],
  more: Omit<FrameSpec, 'opcode' | 'payload' | 'fin'> = {},
): Uint8Array[] {
  const data = typeof payload === 'string' ? utf8(payload) : payload;
  const pieces: Uint8Array[] = [];
  let offset = 0;
  let index = 0;
  do {
    const size = typeof sizes === 'number' ? sizes : (sizes[index] ?? data.length - offset);
    pieces.push(data.subarray(offset, Math.min(data.length, offset + size)));
    offset += size;
    index++;
  } while (offset < data.length);
  return pieces.map((piece, i) =>
    frame({
      ...more,
      rsv1: i === 0 ? more.rsv1 : false,
      opcode: i === 0 ? opcode : Op.Continuation,
      fin: i === pieces.length - 1,
      payload: piece,
    }),
  );
}

/** Deterministic pseudo-random numbers (the event source's mulberry32), so failures reproduce from the seed. */
export const seededRandom = mulberry32;

export function randomBytes(length: number, random: () => number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** Printable text of a given byte length (ASCII), deterministic. */
export function asciiText(length: number, seed = 1): string {
  const random = seededRandom(seed);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}
