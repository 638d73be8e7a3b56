/**
 * Message size limits (Autobahn 9.x territory, but as failures): a server with maxMessageBytes fails with 1009
 * (RFC 6455 §7.4.1 "message that is too big for it to process") for one big frame, for many fragments adding up, and
 * for a compressed message inflating past the limit (RFC 7692 §8.1) — and a declared length is judged from the header
 * alone, before any payload is buffered.
 */
import { describe } from 'vitest';
import { CloseCode } from '../../src/protocol/constants.ts';
import { binary, concatBytes, continuation, frame, fragments, Op, ping, text } from '../support/frame-builder.ts';
import { deflateMessage } from '../support/deflate.ts';
import { useEchoTarget } from '../support/lab-server.ts';
import { itRunsWireCases, echoBinary, echoText, expectPong } from '../support/wire-case.ts';
import type { WireCase } from '../support/wire-case.ts';

const LIMIT = 64 * 1024;
const KIB16 = 16 * 1024;
const section = 'RFC 6455 §7.4.1 (1009), §10.4';
const bytesOf = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 17 + 3) & 0xff);

const limitCases: WireCase[] = [
  { id: '9.1.1', title: `text of exactly the limit (${LIMIT} bytes) is echoed`, section, send: [text('a'.repeat(LIMIT))], expect: [echoText('a'.repeat(LIMIT))] },
  { id: '9.1.2', title: 'one binary frame of limit + 1 bytes -> 1009', section, send: [binary(bytesOf(LIMIT + 1))], fail: CloseCode.MessageTooBig },
  {
    id: '9.1.3',
    title: 'only the HEADER of a frame declaring limit + 1 bytes -> 1009 at once (nothing buffered)',
    section: 'RFC 6455 §10.4',
    send: [frame({ opcode: Op.Binary, declaredLength: BigInt(LIMIT + 1) })],
    fail: CloseCode.MessageTooBig,
    timeoutMs: 3000,
  },
  {
    id: '9.1.4',
    title: 'fragments of 16 KiB adding up to exactly the limit are echoed',
    section,
    send: [concatBytes(...fragments(Op.Binary, bytesOf(LIMIT), KIB16))],
    expect: [echoBinary(bytesOf(LIMIT))],
  },
  {
    id: '9.1.5',
    title: 'five 16 KiB fragments (80 KiB) -> 1009 at the fifth, message never finished',
    section,
    send: [
      binary(bytesOf(KIB16), { fin: false }),
      ...Array.from({ length: 4 }, () => continuation(bytesOf(KIB16), { fin: false })),
    ],
    fail: CloseCode.MessageTooBig,
    timeoutMs: 3000,
  },
  {
    id: '9.1.7',
    title: '4,000 one-byte fragments with pings between them, under the limit',
    section,
    send: [
      concatBytes(
        ...fragments(Op.Text, 'y'.repeat(4000), 1).flatMap((piece, i) => (i % 1000 === 999 && i < 3999 ? [piece, ping(`p${i}`)] : [piece])),
      ),
    ],
    expect: [expectPong('p999'), expectPong('p1999'), expectPong('p2999'), echoText('y'.repeat(4000))],
  },
  {
    id: '9.1.8',
    title: 'a 64-bit length of 2^63 - 1 (beyond Number.MAX_SAFE_INTEGER, MSB clear) -> 1009, header only',
    section: 'RFC 6455 §5.2, §10.4',
    send: [frame({ opcode: Op.Binary, declaredLength: 0x7fffffffffffffffn })],
    fail: CloseCode.MessageTooBig,
    timeoutMs: 3000,
  },
  {
    id: '9.1.9',
    title: 'a 64-bit length of 2^63 (MSB set) -> 1002, header only',
    section: 'RFC 6455 §5.2',
    send: [frame({ opcode: Op.Text, declaredLength: 0x8000000000000000n })],
    fail: CloseCode.ProtocolError,
    timeoutMs: 3000,
  },
  {
    id: '9.1.10',
    title: 'control frames do not count towards the message limit',
    section,
    send: [concatBytes(binary(bytesOf(LIMIT - 1), { fin: false }), ping('x'.repeat(125)), continuation(bytesOf(1)))],
    expect: [expectPong('x'.repeat(125)), echoBinary(concatBytes(bytesOf(LIMIT - 1), bytesOf(1)))],
  },
  {
    id: '9.2.1',
    title: 'decompression bomb: 4 MiB of zeros deflated to a few KiB -> 1009 after inflating past the limit',
    section: 'RFC 7692 §8.1',
    extensions: 'permessage-deflate',
    send: [binary(deflateMessage(new Uint8Array(4 * 1024 * 1024)), { rsv1: true })],
    fail: CloseCode.MessageTooBig,
  },
  {
    id: '9.2.2',
    title: 'decompression bomb split into fragments -> 1009',
    section: 'RFC 7692 §8.1',
    extensions: 'permessage-deflate',
    send: [concatBytes(...fragments(Op.Text, deflateMessage(new Uint8Array(2 * 1024 * 1024).fill(0x61)), 512, { rsv1: true }))],
    fail: CloseCode.MessageTooBig,
  },
  {
    id: '9.2.3',
    title: 'compressed message inflating to exactly the limit is echoed',
    section: 'RFC 7692 §8.1',
    extensions: 'permessage-deflate',
    send: [text(deflateMessage('z'.repeat(LIMIT)), { rsv1: true })],
    expect: [echoText('z'.repeat(LIMIT), true)],
  },
];

const defaultCases: WireCase[] = [
  {
    id: '9.3.1',
    title: 'default limits: a declared length of 2^40 -> 1009 from the header alone',
    section: 'RFC 6455 §10.4',
    send: [frame({ opcode: Op.Binary, declaredLength: 1n << 40n })],
    fail: CloseCode.MessageTooBig,
    timeoutMs: 3000,
  },
  {
    id: '9.3.2',
    title: 'default limits: a declared length of 2^53 -> 1009 from the header alone',
    section: 'RFC 6455 §10.4',
    send: [frame({ opcode: Op.Text, declaredLength: 1n << 53n })],
    fail: CloseCode.MessageTooBig,
    timeoutMs: 3000,
  },
];

describe(`conformance: limits with maxMessageBytes = ${LIMIT} (RFC 6455 §10.4, RFC 7692 §8.1)`, () => {
  const target = useEchoTarget({ maxMessageBytes: LIMIT });
  itRunsWireCases(target, limitCases);
});

describe('conformance: limits with default options', () => {
  const target = useEchoTarget();
  itRunsWireCases(target, defaultCases);
});
