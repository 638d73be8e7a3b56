/**
 * The teaching text of a frame record: every field of RFC 6455 §5.2, located to the bit, with a
 * plain-language meaning of its value. Works on whatever prefix of the header is available, so a
 * violation record can show the fields read before the rule broke.
 */
import { LENGTH_16BIT_MARKER, MAX_16BIT_LENGTH, MAX_7BIT_LENGTH, MIN_HEADER_BYTES, Opcode } from '../constants.ts';
import {
  FIN_BIT,
  MASK_BIT,
  OPCODE_BITS,
  PAYLOAD_LENGTH_BITS,
  RSV1_BIT,
  RSV2_BIT,
  RSV3_BIT,
  declaredPayloadLength,
  declaredPayloadLengthText,
  extendedLengthBytes,
  hexOpcode,
  isControlOpcode,
  lengthHighWord,
  readUint32,
} from './header.ts';
import type { Direction, FieldRecord, FrameFieldName } from './types.ts';

const HEADER_SECTION = 'RFC 6455 §5.2';

function field(
  name: FrameFieldName, label: string, bitOffset: number, bitLength: number,
  value: number | string, meaning: string, section = HEADER_SECTION,
): FieldRecord {
  return {
    name, label, bitOffset, bitLength,
    byteStart: Math.floor(bitOffset / 8),
    byteEnd: Math.ceil((bitOffset + bitLength) / 8),
    value, meaning, section,
  };
}

const OPCODE_MEANINGS: Readonly<Record<number, string>> = {
  [Opcode.Continuation]: 'continuation: this frame carries the next fragment of a fragmented message',
  [Opcode.Text]: 'text: the message is UTF-8 text',
  [Opcode.Binary]: 'binary: the message is arbitrary bytes',
  [Opcode.Close]: 'close: a control frame that starts or answers the closing handshake',
  [Opcode.Ping]: 'ping: a control frame asking the peer to answer with a pong',
  [Opcode.Pong]: 'pong: a control frame answering a ping (or an unsolicited heartbeat)',
};

function opcodeMeaning(opcode: number): string {
  const known = OPCODE_MEANINGS[opcode];
  if (known !== undefined) return `${hexOpcode(opcode)} ${known}`;
  return isControlOpcode(opcode)
    ? `${hexOpcode(opcode)} reserved for future control frames (0xB-0xF): the receiver must fail the connection`
    : `${hexOpcode(opcode)} reserved for future data frames (0x3-0x7): the receiver must fail the connection`;
}

function finMeaning(fin: boolean, control: boolean): string {
  if (control) {
    return fin
      ? '1: final frame; control frames are always a single frame'
      : '0: more fragments follow, but control frames must not be fragmented (§5.5)';
  }
  return fin ? '1: this is the final fragment of the message' : '0: more fragments of this message follow';
}

function rsvMeaning(bit: 1 | 2 | 3, set: boolean): string {
  if (bit === 1) {
    return set
      ? '1: set by an extension; under permessage-deflate it marks a compressed message (RFC 7692 §6)'
      : '0: no extension uses this bit on this frame';
  }
  return set
    ? `1: RSV${bit} is set, which only a negotiated extension defining it may do`
    : '0: reserved for extensions; none uses it';
}

function maskMeaning(masked: boolean, direction: Direction): string {
  if (direction === 'client-to-server') {
    return masked
      ? '1: the payload is masked with the 4-byte masking key that follows, as every client frame must be'
      : '0: not masked, but every client-to-server frame must be masked (§5.1)';
  }
  return masked
    ? '1: masked, but a server must never mask the frames it sends (§5.1)'
    : '0: the payload is sent as is; servers never mask';
}

function bytesWord(count: number): string {
  return count === 1 ? '1 byte' : `${count} bytes`;
}

function lengthCodeMeaning(lengthCode: number): string {
  if (lengthCode === LENGTH_16BIT_MARKER) return '126: a 16-bit extended payload length follows in bytes 2-3';
  if (lengthCode > LENGTH_16BIT_MARKER) return '127: a 64-bit extended payload length follows in bytes 2-9';
  return `${lengthCode}: the payload is ${bytesWord(lengthCode)} long (0-125 fit in these 7 bits)`;
}

function extendedLengthMeaning(header: Uint8Array, bits: 16 | 64): string {
  if (bits === 64 && lengthHighWord(header) >= 0x8000_0000) {
    return `${declaredPayloadLengthText(header)}: the most significant bit is set, which §5.2 forbids`;
  }
  const length = declaredPayloadLength(header);
  const text = `${declaredPayloadLengthText(header)}: the payload is ${bytesWord(length)} long`;
  // RFC 6455 §5.2 asks for the minimal encoding; like most implementations we accept longer ones.
  if (bits === 16 && length <= MAX_7BIT_LENGTH) return `${text} (not minimal: the 7-bit field could hold it)`;
  if (bits === 64 && length <= MAX_16BIT_LENGTH) return `${text} (not minimal: a 16-bit length would do)`;
  return text;
}

function hexKey(header: Uint8Array, at: number): string {
  return `0x${readUint32(header, at).toString(16).padStart(8, '0')}`;
}

/**
 * Field records for the header bytes available so far (`available` <= header.length): FIN, RSV1-3
 * and opcode once byte 0 is there, MASK and "Payload len" with byte 1, then the extended length and
 * the masking key once all their bytes are.
 */
export function headerFieldRecords(header: Uint8Array, available: number, direction: Direction): FieldRecord[] {
  const fields: FieldRecord[] = [];
  if (available < 1) return fields;
  const first = header[0]!;
  const opcode = first & OPCODE_BITS;
  const control = isControlOpcode(opcode);
  const fin = (first & FIN_BIT) !== 0;
  const rsv1 = (first & RSV1_BIT) !== 0;
  const rsv2 = (first & RSV2_BIT) !== 0;
  const rsv3 = (first & RSV3_BIT) !== 0;
  fields.push(
    field('fin', 'FIN', 0, 1, fin ? 1 : 0, finMeaning(fin, control)),
    field('rsv1', 'RSV1', 1, 1, rsv1 ? 1 : 0, rsvMeaning(1, rsv1)),
    field('rsv2', 'RSV2', 2, 1, rsv2 ? 1 : 0, rsvMeaning(2, rsv2)),
    field('rsv3', 'RSV3', 3, 1, rsv3 ? 1 : 0, rsvMeaning(3, rsv3)),
    field('opcode', 'opcode', 4, 4, opcode, opcodeMeaning(opcode)),
  );
  if (available < MIN_HEADER_BYTES) return fields;
  const second = header[1]!;
  const masked = (second & MASK_BIT) !== 0;
  const lengthCode = second & PAYLOAD_LENGTH_BITS;
  fields.push(
    field('mask', 'MASK', 8, 1, masked ? 1 : 0, maskMeaning(masked, direction)),
    field('payloadLength', 'Payload len', 9, 7, lengthCode, lengthCodeMeaning(lengthCode)),
  );
  const extendedBytes = extendedLengthBytes(lengthCode);
  if (available < MIN_HEADER_BYTES + extendedBytes) return fields;
  if (extendedBytes !== 0) {
    const bits = extendedBytes === 2 ? 16 : 64;
    const length = declaredPayloadLength(header);
    const value = Number.isSafeInteger(length) ? length : declaredPayloadLengthText(header);
    fields.push(field('extendedLength', 'Extended payload length', 16, bits, value,
      extendedLengthMeaning(header, bits)));
  }
  const keyAt = MIN_HEADER_BYTES + extendedBytes;
  if (masked && available >= keyAt + 4) {
    fields.push(field('maskingKey', 'Masking-key', keyAt * 8, 32, hexKey(header, keyAt),
      'the 32-bit key chosen at random by the client: payload byte i is XORed with key byte i mod 4',
      'RFC 6455 §5.3'));
  }
  return fields;
}

const PAYLOAD_SECTIONS: Readonly<Record<number, string>> = {
  [Opcode.Continuation]: 'RFC 6455 §5.4',
  [Opcode.Text]: 'RFC 6455 §5.6',
  [Opcode.Binary]: 'RFC 6455 §5.6',
  [Opcode.Close]: 'RFC 6455 §5.5.1',
  [Opcode.Ping]: 'RFC 6455 §5.5.2',
  [Opcode.Pong]: 'RFC 6455 §5.5.3',
};

function payloadContent(opcode: number, length: number, compressed: boolean): string {
  const size = bytesWord(length);
  const data = compressed ? `${size} of DEFLATE-compressed data (RFC 7692)` : null;
  switch (opcode) {
    case Opcode.Text: return data ?? `${size} of UTF-8 text`;
    case Opcode.Binary: return data ?? `${size} of binary data`;
    case Opcode.Continuation: return `${size} continuing the fragmented message`;
    case Opcode.Close:
      return length === 0 ? '0 bytes: a close without a status code' : `${size}: a 2-byte status code, then a UTF-8 reason`;
    case Opcode.Ping: return `${size} of ping data, which the pong must echo`;
    case Opcode.Pong: return `${size} echoing the data of the ping it answers`;
    default: return `${size} of a reserved frame type`;
  }
}

/** The record of the payload: it follows the header and runs for the declared length. */
export function payloadFieldRecord(header: Uint8Array, headerLength: number, payloadLength: number): FieldRecord {
  const opcode = header[0]! & OPCODE_BITS;
  const masked = (header[1]! & MASK_BIT) !== 0;
  const compressed = (header[0]! & RSV1_BIT) !== 0;
  const meaning = payloadContent(opcode, payloadLength, compressed) +
    (masked ? ' (masked on the wire)' : '');
  return {
    name: 'payload',
    label: 'Payload data',
    bitOffset: headerLength * 8,
    bitLength: payloadLength * 8,
    byteStart: headerLength,
    byteEnd: headerLength + payloadLength,
    value: payloadLength,
    meaning,
    section: PAYLOAD_SECTIONS[opcode] ?? HEADER_SECTION,
  };
}
