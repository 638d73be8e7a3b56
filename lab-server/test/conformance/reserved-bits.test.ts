/**
 * Autobahn 3.x-like cases: RSV1-3 must be 0 unless an extension defines them (RFC 6455 §5.2); no extension is negotiated
 * here, so every reserved bit fails the connection with 1002, and frames before the bad one are still answered.
 */
import { describe } from 'vitest';
import { CloseCode } from '../../src/protocol/constants.ts';
import { binary, close, concatBytes, ping, text } from '../support/frame-builder.ts';
import { useEchoTarget } from '../support/lab-server.ts';
import { itRunsWireCases, echoText } from '../support/wire-case.ts';
import type { WireCase } from '../support/wire-case.ts';

const section = 'RFC 6455 §5.2';
const cases: WireCase[] = [
  { id: '3.1', title: 'text with RSV1 (no extension negotiated) -> 1002', section, send: [text('Hello', { rsv1: true })], fail: CloseCode.ProtocolError },
  {
    id: '3.2',
    title: 'text, then text with RSV2, then ping: echo, then 1002, no pong',
    section,
    send: [concatBytes(text('Hello'), text('Hello', { rsv2: true }), ping())],
    expect: [echoText('Hello')],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '3.3',
    title: 'text, then text with RSV1+RSV2, then ping, written frame by frame',
    section,
    send: [text('Hello'), { awaitEvents: 1 }, text('Hello', { rsv1: true, rsv2: true }), ping()],
    expect: [echoText('Hello')],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '3.4',
    title: 'text with RSV3, then ping, written one byte at a time',
    section,
    send: [text('Hello'), { chop: concatBytes(text('Hello', { rsv3: true }), ping()), size: 1 }],
    expect: [echoText('Hello')],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '3.5',
    title: 'binary with RSV1+RSV3 -> 1002',
    section,
    send: [binary(Uint8Array.of(0, 1, 2, 0xff), { rsv1: true, rsv3: true })],
    fail: CloseCode.ProtocolError,
  },
  { id: '3.6', title: 'ping with RSV2+RSV3 -> 1002', section, send: [ping('Hello', { rsv2: true, rsv3: true })], fail: CloseCode.ProtocolError },
  {
    id: '3.7',
    title: 'close with RSV1+RSV2+RSV3 -> 1002',
    section,
    send: [close(1000, '', { rsv1: true, rsv2: true, rsv3: true })],
    fail: CloseCode.ProtocolError,
  },
  { id: '3.8', title: 'empty binary frame with RSV2 -> 1002', section, send: [binary('', { rsv2: true })], fail: CloseCode.ProtocolError },
];

describe('conformance: reserved bits (Autobahn 3.x, RFC 6455 §5.2)', () => {
  const target = useEchoTarget();

  itRunsWireCases(target, cases);
});
