/**
 * The frame header of RFC 6455 §5.2, decoded in one place. The parser (frames read) and describeFrame
 * (frames written) both use these functions, so a header means the same thing on both paths.
 * Every function works on plain numbers so the parser's hot path allocates nothing for a valid frame.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-------+-+-------------+-------------------------------+
 *  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *  | |1|2|3|       |K|             |                               |
 */
import {
  CONTROL_OPCODE_MASK,
  CloseCode,
  LENGTH_16BIT_MARKER,
  LENGTH_64BIT_MARKER,
  MASKING_KEY_BYTES,
  MAX_CONTROL_PAYLOAD,
  MIN_HEADER_BYTES,
  Opcode,
} from '../constants.ts';
import { violation, type ProtocolViolation } from '../violation.ts';
import type { LengthEncoding, Role } from './types.ts';

export const FIN_BIT = 0x80;
export const RSV1_BIT = 0x40;
export const RSV2_BIT = 0x20;
export const RSV3_BIT = 0x10;
export const OPCODE_BITS = 0x0f;
export const MASK_BIT = 0x80;
export const PAYLOAD_LENGTH_BITS = 0x7f;

/** 2^32, to combine the two 32-bit halves of a 64-bit length. */
const TWO_TO_32 = 0x1_0000_0000;
/** The high 32-bit half of Number.MAX_SAFE_INTEGER (2^53 - 1). */
const MAX_SAFE_HIGH_WORD = 0x1f_ffff;

/** Bytes of extended payload length after the 7-bit "Payload len" (RFC 6455 §5.2). */
export function extendedLengthBytes(lengthCode: number): 0 | 2 | 8 {
  return lengthCode === LENGTH_64BIT_MARKER ? 8 : lengthCode === LENGTH_16BIT_MARKER ? 2 : 0;
}

/** The payload length the second header byte declares by itself, or 0 when an extended length follows. */
export function sevenBitPayloadLength(secondByte: number): number {
  const lengthCode = secondByte & PAYLOAD_LENGTH_BITS;
  return extendedLengthBytes(lengthCode) === 0 ? lengthCode : 0;
}

export function lengthEncodingOf(lengthCode: number): LengthEncoding {
  return lengthCode === LENGTH_64BIT_MARKER ? '64-bit' : lengthCode === LENGTH_16BIT_MARKER ? '16-bit' : '7-bit';
}

/** Header length implied by the second header byte (RFC 6455 §5.2): 2 to 14 bytes. */
export function headerLengthOf(secondByte: number): number {
  return MIN_HEADER_BYTES + extendedLengthBytes(secondByte & PAYLOAD_LENGTH_BITS) +
    ((secondByte & MASK_BIT) !== 0 ? MASKING_KEY_BYTES : 0);
}

export function isControlOpcode(opcode: number): boolean {
  return (opcode & CONTROL_OPCODE_MASK) !== 0;
}

/** RFC 6455 §5.2: 0x3-0x7 are reserved for further non-control frames, 0xB-0xF for control frames. */
export function isReservedOpcode(opcode: number): boolean {
  return (opcode > Opcode.Binary && opcode < Opcode.Close) || opcode > Opcode.Pong;
}

const OPCODE_NAMES: Readonly<Record<number, string>> = {
  [Opcode.Continuation]: 'continuation',
  [Opcode.Text]: 'text',
  [Opcode.Binary]: 'binary',
  [Opcode.Close]: 'close',
  [Opcode.Ping]: 'ping',
  [Opcode.Pong]: 'pong',
};

/** "0x3", "0xA": opcodes as RFC 6455 writes them. */
export function hexOpcode(opcode: number): string {
  return `0x${opcode.toString(16).toUpperCase()}`;
}

/** "text", "binary", ..., or "reserved (0x3)". */
export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `reserved (${hexOpcode(opcode)})`;
}

/** Big-endian unsigned 32-bit read. */
export function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** High 32 bits of the 64-bit extended length at bytes 2-9 (0 for shorter encodings). */
export function lengthHighWord(header: Uint8Array): number {
  return extendedLengthBytes(header[1]! & PAYLOAD_LENGTH_BITS) === 8 ? readUint32(header, 2) : 0;
}

/**
 * The payload length a complete length field declares (bytes 1 to 3 or 1 to 9 present). Exact up to
 * 2^53 - 1; larger 64-bit values come out rounded, and payloadLengthViolation rejects them.
 */
export function declaredPayloadLength(header: Uint8Array): number {
  const lengthCode = header[1]! & PAYLOAD_LENGTH_BITS;
  if (lengthCode < LENGTH_16BIT_MARKER) return lengthCode;
  if (lengthCode === LENGTH_16BIT_MARKER) return (header[2]! << 8) | header[3]!;
  return readUint32(header, 2) * TWO_TO_32 + readUint32(header, 6);
}

/** The exact 64-bit length as a decimal string, for lengths a number cannot hold. */
export function declaredPayloadLengthText(header: Uint8Array): string {
  const lengthCode = header[1]! & PAYLOAD_LENGTH_BITS;
  if (lengthCode !== LENGTH_64BIT_MARKER) return String(declaredPayloadLength(header));
  return ((BigInt(readUint32(header, 2)) << 32n) | BigInt(readUint32(header, 6))).toString();
}

/**
 * The rules the first two header bytes can break, checked as soon as they arrive (RFC 6455 §5.1,
 * §5.2, §5.5). `receiverRole` is the endpoint reading the frame; `frameOffset` is the stream offset of
 * byte 0. Returns null when the bytes are acceptable.
 */
export function frameStartViolation(
  firstByte: number,
  secondByte: number,
  receiverRole: Role,
  allowRsv1: boolean,
  frameOffset: number,
): ProtocolViolation | null {
  // RFC 6455 §5.2: RSV bits MUST be 0 unless an extension is negotiated that defines them.
  if (!allowRsv1 && (firstByte & RSV1_BIT) !== 0) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §5.2',
      'RSV1 is set but no negotiated extension defines it', frameOffset);
  }
  if ((firstByte & RSV2_BIT) !== 0) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §5.2',
      'RSV2 is set but no negotiated extension defines it', frameOffset);
  }
  if ((firstByte & RSV3_BIT) !== 0) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §5.2',
      'RSV3 is set but no negotiated extension defines it', frameOffset);
  }
  const opcode = firstByte & OPCODE_BITS;
  if (isReservedOpcode(opcode)) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §5.2',
      `reserved opcode ${hexOpcode(opcode)}: 0x3-0x7 and 0xB-0xF are not defined`, frameOffset);
  }
  // RFC 6455 §5.5: "Control frames themselves MUST NOT be fragmented."
  if (isControlOpcode(opcode) && (firstByte & FIN_BIT) === 0) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §5.5',
      `${opcodeName(opcode)} frame without FIN: control frames must not be fragmented`, frameOffset);
  }
  // RFC 6455 §5.1: a server MUST close on an unmasked frame, a client on a masked one.
  const masked = (secondByte & MASK_BIT) !== 0;
  if (receiverRole === 'server' && !masked) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §5.1',
      'unmasked frame from a client: client-to-server frames must be masked', frameOffset + 1);
  }
  if (receiverRole === 'client' && masked) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §5.1',
      'masked frame from a server: server-to-client frames must not be masked', frameOffset + 1);
  }
  return null;
}

/**
 * The rules a complete length field can break (RFC 6455 §5.2, §5.5, §10.4). `highWord` is the high
 * 32 bits of a 64-bit length (0 otherwise); `lengthOffset` is the stream offset of the length field
 * that declares the value (byte 1 for a 7-bit length, byte 2 for extended ones).
 */
export function payloadLengthViolation(
  opcode: number,
  highWord: number,
  payloadLength: number,
  maxFramePayload: number,
  lengthOffset: number,
): ProtocolViolation | null {
  // RFC 6455 §5.2: "the most significant bit MUST be 0" in the 64-bit form.
  if (highWord >= 0x8000_0000) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §5.2',
      '64-bit payload length has its most significant bit set', lengthOffset);
  }
  if (isControlOpcode(opcode) && payloadLength > MAX_CONTROL_PAYLOAD) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §5.5',
      `${opcodeName(opcode)} frame payload is ${payloadLength} bytes: control frames allow at most 125`,
      lengthOffset);
  }
  if (highWord > MAX_SAFE_HIGH_WORD) {
    return violation(CloseCode.MessageTooBig, 'RFC 6455 §10.4',
      'payload length exceeds 2^53-1 bytes, more than this endpoint can handle', lengthOffset);
  }
  if (payloadLength > maxFramePayload) {
    return violation(CloseCode.MessageTooBig, 'RFC 6455 §10.4',
      `frame payload of ${payloadLength} bytes exceeds this endpoint's limit of ${maxFramePayload}`,
      lengthOffset);
  }
  return null;
}
