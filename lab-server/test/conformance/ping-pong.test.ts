/**
 * Autobahn 2.x-like ping/pong cases over real TCP (RFC 6455 §5.5.2, §5.5.3): every ping is answered by a pong with the
 * same payload, control payloads over 125 bytes fail with 1002, unsolicited pongs are ignored.
 */
import { describe } from 'vitest';
import { CloseCode } from '../../src/protocol/constants.ts';
import { concatBytes, frame, Op, ping, pong, text } from '../support/frame-builder.ts';
import { useEchoTarget } from '../support/lab-server.ts';
import { itRunsWireCases, echoText, expectPong } from '../support/wire-case.ts';
import type { WireCase } from '../support/wire-case.ts';

const allBytes = Uint8Array.from({ length: 125 }, (_, i) => (i * 2 + 0x80) & 0xff);
const payloadOfLength = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 7 + 1) & 0xff);
const tenPings = Array.from({ length: 10 }, (_, i) => `ping ${i}`);

const cases: WireCase[] = [
  { id: '2.1', title: 'ping without payload', section: 'RFC 6455 §5.5.2', send: [ping()], expect: [expectPong()] },
  {
    id: '2.2',
    title: 'ping with a small text payload',
    section: 'RFC 6455 §5.5.3',
    send: [ping('Hello, world!')],
    expect: [expectPong('Hello, world!')],
  },
  {
    id: '2.3',
    title: 'ping with a binary payload (bytes 0x80-0xff and more)',
    section: 'RFC 6455 §5.5.3',
    send: [ping(Uint8Array.of(0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff))],
    expect: [expectPong(Uint8Array.of(0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff))],
  },
  { id: '2.4', title: 'ping with a 125-byte payload', section: 'RFC 6455 §5.5', send: [ping(allBytes)], expect: [expectPong(allBytes)] },
  {
    id: '2.5',
    title: 'ping with a 126-byte payload -> 1002',
    section: 'RFC 6455 §5.5',
    send: [ping(payloadOfLength(126))],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '2.5.1',
    title: 'ping with a 3-byte payload in a non-minimal 16-bit length is accepted: §5.2 binds the sender, §5.5 limits the actual length (ws rejects it)',
    section: 'RFC 6455 §5.2, §5.5',
    send: [frame({ opcode: Op.Ping, payload: 'abc', lengthEncoding: '16-bit' })],
    expect: [expectPong('abc')],
  },
  {
    id: '2.5.2',
    title: 'ping declaring a 64-bit length of 2^16 -> 1002 (before the payload arrives)',
    section: 'RFC 6455 §5.5',
    send: [frame({ opcode: Op.Ping, declaredLength: 65536n })],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '2.6',
    title: 'ping with a 125-byte payload written one byte at a time',
    section: 'RFC 6455 §5.5.2',
    send: [{ chop: ping(allBytes), size: 1 }],
    expect: [expectPong(allBytes)],
  },
  {
    id: '2.7',
    title: 'unsolicited pong without payload is ignored',
    section: 'RFC 6455 §5.5.3',
    send: [pong(), text('after pong')],
    expect: [echoText('after pong')],
  },
  {
    id: '2.8',
    title: 'unsolicited pong with payload is ignored',
    section: 'RFC 6455 §5.5.3',
    send: [pong('unsolicited pong payload'), text('after pong')],
    expect: [echoText('after pong')],
  },
  {
    id: '2.9',
    title: 'unsolicited pong, then ping: only the ping is answered',
    section: 'RFC 6455 §5.5.3',
    send: [pong('unsolicited'), ping('ping payload')],
    expect: [expectPong('ping payload')],
  },
  {
    id: '2.10',
    title: '10 pings in one write get 10 pongs in order',
    section: 'RFC 6455 §5.5.2',
    send: [concatBytes(...tenPings.map((payload) => ping(payload)))],
    expect: tenPings.map((payload) => expectPong(payload)),
  },
  {
    id: '2.11',
    title: '10 pings, each written in 1-byte pieces',
    section: 'RFC 6455 §5.5.2',
    send: tenPings.map((payload) => ({ chop: ping(payload), size: 1 })),
    expect: tenPings.map((payload) => expectPong(payload)),
  },
  {
    id: '2.12',
    title: 'pings with every payload length 0..125, in one write, answered in order',
    section: 'RFC 6455 §5.5, §5.5.3',
    send: [concatBytes(...Array.from({ length: 126 }, (_, length) => ping(payloadOfLength(length))))],
    expect: Array.from({ length: 126 }, (_, length) => expectPong(payloadOfLength(length))),
  },
  {
    id: '2.13',
    title: 'ping with FIN clear (fragmented control frame) -> 1002',
    section: 'RFC 6455 §5.5',
    send: [ping('fragmented', { fin: false })],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '2.14',
    title: 'pong with a 126-byte payload -> 1002',
    section: 'RFC 6455 §5.5',
    send: [pong(payloadOfLength(126))],
    fail: CloseCode.ProtocolError,
  },
];

describe('conformance: ping/pong (Autobahn 2.x, RFC 6455 §5.5.2-§5.5.3)', () => {
  const target = useEchoTarget();

  itRunsWireCases(target, cases);
});
