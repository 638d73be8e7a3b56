/**
 * Autobahn 1.x-like framing cases over real TCP: text and binary messages of every length-encoding boundary
 * (RFC 6455 §5.2), chopped into tiny writes, plus masking (§5.1, §5.3) and length-encoding edge cases.
 */
import { describe } from 'vitest';
import { CloseCode } from '../../src/protocol/constants.ts';
import { binary, bytes, concatBytes, frame, hex, Op, text } from '../support/frame-builder.ts';
import { useEchoTarget } from '../support/lab-server.ts';
import { itRunsWireCases, echoBinary, echoText } from '../support/wire-case.ts';
import type { WireCase } from '../support/wire-case.ts';

/** Autobahn's text filler, repeated to any length. */
function filler(length: number): string {
  return 'BAsd7&jh23'.repeat(Math.ceil(length / 10)).slice(0, length);
}
function binaryFiller(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 0xfe) & 0xff;
  return out;
}

/** Cuts bytes at the given offsets, each piece a separate write. */
function splitAt(data: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [0, ...offsets, data.length];
  return cuts.slice(1).map((end, i) => data.subarray(cuts[i]!, end));
}

const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536] as const;
const MIB = 1024 * 1024;

const cases: WireCase[] = [
  ...LENGTHS.map((length, i): WireCase => ({
    id: `1.1.${i + 1}`,
    title: `text message, payload length ${length}`,
    section: 'RFC 6455 §5.2, §5.6',
    send: [text(filler(length))],
    expect: [echoText(filler(length))],
  })),
  {
    id: '1.1.8',
    title: 'text message of 65536 bytes chopped into 997-byte writes',
    section: 'RFC 6455 §5.2',
    send: [{ chop: text(filler(65536)), size: 997 }],
    expect: [echoText(filler(65536))],
  },
  {
    id: '1.1.9',
    title: 'text message of 1 MiB',
    section: 'RFC 6455 §5.2',
    send: [text(filler(MIB))],
    expect: [echoText(filler(MIB))],
    timeoutMs: 10_000,
  },
  ...LENGTHS.map((length, i): WireCase => ({
    id: `1.2.${i + 1}`,
    title: `binary message, payload length ${length}`,
    section: 'RFC 6455 §5.2, §5.6',
    send: [binary(binaryFiller(length))],
    expect: [echoBinary(binaryFiller(length))],
  })),
  {
    id: '1.2.8',
    title: 'binary message of 65536 bytes chopped into 997-byte writes',
    section: 'RFC 6455 §5.2',
    send: [{ chop: binary(binaryFiller(65536)), size: 997 }],
    expect: [echoBinary(binaryFiller(65536))],
  },
  {
    id: '1.2.9',
    title: 'binary message of 1 MiB',
    section: 'RFC 6455 §5.2',
    send: [binary(binaryFiller(MIB))],
    expect: [echoBinary(binaryFiller(MIB))],
    timeoutMs: 10_000,
  },
  {
    id: '1.3.1',
    title: 'text frame of 128 bytes written one byte at a time (header split everywhere)',
    section: 'RFC 6455 §5.2',
    send: [{ chop: text(filler(128)), size: 1 }],
    expect: [echoText(filler(128))],
  },
  {
    id: '1.3.2',
    title: 'binary frame of 65536 bytes, header and masking key in separate writes',
    section: 'RFC 6455 §5.2',
    send: splitAt(binary(binaryFiller(65536)), [1, 2, 10, 14]),
    expect: [echoBinary(binaryFiller(65536))],
  },
  {
    id: '1.3.3',
    title: 'ten text frames in one TCP write are echoed in order',
    section: 'RFC 6455 §5.2',
    send: [concatBytes(...Array.from({ length: 10 }, (_, i) => text(`message ${i}`)))],
    expect: Array.from({ length: 10 }, (_, i) => echoText(`message ${i}`)),
  },
  {
    id: '1.3.4',
    title: 'non-minimal 16-bit length for a 5-byte payload is accepted: the minimal-length MUST of RFC 6455 §5.2 binds the sender, the record flags it',
    section: 'RFC 6455 §5.2',
    send: [text('Hello', { lengthEncoding: '16-bit' })],
    expect: [echoText('Hello')],
  },
  {
    id: '1.3.5',
    title: 'non-minimal 64-bit length for a 200-byte payload is accepted: the minimal-length MUST of RFC 6455 §5.2 binds the sender, the record flags it',
    section: 'RFC 6455 §5.2',
    send: [binary(binaryFiller(200), { lengthEncoding: '64-bit' })],
    expect: [echoBinary(binaryFiller(200))],
  },
  {
    id: '1.3.6',
    title: 'all-zero masking key',
    section: 'RFC 6455 §5.3',
    send: [text('zero key', { maskingKey: bytes(0, 0, 0, 0) })],
    expect: [echoText('zero key')],
  },
  {
    id: '1.3.7',
    title: 'RFC example: masked "Hello" 81 85 37 fa 21 3d 7f 9f 4d 51 58',
    section: 'RFC 6455 §5.7',
    send: [hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')],
    expect: [echoText('Hello')],
  },
  {
    id: '1.3.8',
    title: 'RFC example: masked "Hello" with a different key each frame, twice',
    section: 'RFC 6455 §5.3',
    send: [text('Hello', { maskingKey: bytes(1, 2, 3, 4) }), text('Hello', { maskingKey: bytes(0xff, 0x80, 0x7f, 0x00) })],
    expect: [echoText('Hello'), echoText('Hello')],
  },
  {
    id: '1.4.1',
    title: 'unmasked client text frame -> 1002',
    section: 'RFC 6455 §5.1',
    send: [text('not masked', { maskingKey: null })],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '1.4.2',
    title: 'unmasked client text frame after a valid one: echo, then 1002',
    section: 'RFC 6455 §5.1',
    send: [text('masked'), text('not masked', { maskingKey: null })],
    expect: [echoText('masked')],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '1.4.3',
    title: 'unmasked ping -> 1002',
    section: 'RFC 6455 §5.1',
    send: [frame({ opcode: Op.Ping, payload: 'x', maskingKey: null })],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '1.4.4',
    title: '64-bit length with the most significant bit set -> 1002',
    section: 'RFC 6455 §5.2',
    send: [frame({ opcode: Op.Binary, declaredLength: 0x8000000000000005n })],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '1.4.5',
    title: 'a 1-byte text frame and a 3-byte binary frame in one write',
    section: 'RFC 6455 §5.2',
    send: [concatBytes(text('a'), binary(bytes(1, 2, 3)))],
    expect: [echoText('a'), echoBinary(bytes(1, 2, 3))],
  },
];

describe('conformance: framing (Autobahn 1.x, RFC 6455 §5.2)', () => {
  const target = useEchoTarget();

  itRunsWireCases(target, cases);
});
