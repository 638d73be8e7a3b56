/**
 * Autobahn 5.x-like fragmentation cases (RFC 6455 §5.4): fragmented text and binary messages are reassembled, control
 * frames may be interleaved, control frames themselves cannot be fragmented, and continuation/interleaving errors fail
 * with 1002.
 */
import { describe } from 'vitest';
import { CloseCode } from '../../src/protocol/constants.ts';
import { binary, close, concatBytes, continuation, fragments, Op, ping, pong, text } from '../support/frame-builder.ts';
import { useEchoTarget } from '../support/lab-server.ts';
import { itRunsWireCases, echoBinary, echoText, expectPong } from '../support/wire-case.ts';
import type { WireCase } from '../support/wire-case.ts';

const section = 'RFC 6455 §5.4';
const twoFragments = (): Uint8Array[] => [text('fragment1', { fin: false }), continuation('fragment2')];
const withPing = (): Uint8Array[] => [text('fragment1', { fin: false }), ping('ping payload'), continuation('fragment2')];
const bigBinary = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 13) & 0xff);

const cases: WireCase[] = [
  { id: '5.1', title: 'ping split in two fragments -> 1002', section: 'RFC 6455 §5.5', send: [ping('fragment1', { fin: false }), continuation('fragment2')], fail: CloseCode.ProtocolError },
  { id: '5.2', title: 'pong split in two fragments -> 1002', section: 'RFC 6455 §5.5', send: [pong('fragment1', { fin: false }), continuation('fragment2')], fail: CloseCode.ProtocolError },
  { id: '5.3', title: 'text in two fragments', section, send: [concatBytes(...twoFragments())], expect: [echoText('fragment1fragment2')] },
  { id: '5.4', title: 'text in two fragments, written frame by frame with a pause', section, send: [twoFragments()[0]!, { pause: 50 }, twoFragments()[1]!], expect: [echoText('fragment1fragment2')] },
  { id: '5.5', title: 'text in two fragments, written one byte at a time', section, send: [{ chop: concatBytes(...twoFragments()), size: 1 }], expect: [echoText('fragment1fragment2')] },
  { id: '5.6', title: 'text in two fragments with a ping in between: pong first, then the echo', section, send: [concatBytes(...withPing())], expect: [expectPong('ping payload'), echoText('fragment1fragment2')] },
  { id: '5.7', title: 'the same, frame by frame', section, send: [withPing()[0]!, withPing()[1]!, { awaitEvents: 1 }, withPing()[2]!], expect: [expectPong('ping payload'), echoText('fragment1fragment2')] },
  { id: '5.8', title: 'the same, one byte at a time', section, send: [{ chop: concatBytes(...withPing()), size: 1 }], expect: [expectPong('ping payload'), echoText('fragment1fragment2')] },
  { id: '5.9', title: 'continuation (FIN) without a message started -> 1002', section, send: [continuation('non-continuation payload'), text('Hello')], fail: CloseCode.ProtocolError },
  { id: '5.10', title: 'the same, one byte at a time', section, send: [{ chop: concatBytes(continuation('non-continuation payload'), text('Hello')), size: 1 }], fail: CloseCode.ProtocolError },
  { id: '5.12', title: 'continuation (no FIN) without a message started -> 1002', section, send: [continuation('non-continuation payload', { fin: false }), text('Hello')], fail: CloseCode.ProtocolError },
  {
    id: '5.15',
    title: 'complete fragmented text, then a stray continuation pair -> echo, then 1002',
    section,
    send: [concatBytes(text('fragment1', { fin: false }), continuation('fragment2'), continuation('fragment3', { fin: false }), text('fragment4'))],
    expect: [echoText('fragment1fragment2')],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '5.18',
    title: 'text (no FIN) followed by a new text frame instead of a continuation -> 1002',
    section,
    send: [text('fragment1', { fin: false }), text('fragment2')],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '5.18.1',
    title: 'binary (no FIN) followed by a new binary frame -> 1002',
    section,
    send: [binary('fragment1', { fin: false }), binary('fragment2')],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '5.19',
    title: 'text in 5 fragments with pings in between, with pauses',
    section,
    send: [
      text('fragment1', { fin: false }),
      continuation('fragment2', { fin: false }),
      ping('pongme 1!'),
      { awaitEvents: 1 },
      continuation('fragment3', { fin: false }),
      { pause: 20 },
      continuation('fragment4', { fin: false }),
      ping('pongme 2!'),
      { awaitEvents: 2 },
      continuation('fragment5'),
    ],
    expect: [expectPong('pongme 1!'), expectPong('pongme 2!'), echoText('fragment1fragment2fragment3fragment4fragment5')],
  },
  {
    id: '5.20',
    title: 'the same, all in one write',
    section,
    send: [
      concatBytes(
        text('fragment1', { fin: false }),
        continuation('fragment2', { fin: false }),
        ping('pongme 1!'),
        continuation('fragment3', { fin: false }),
        continuation('fragment4', { fin: false }),
        ping('pongme 2!'),
        continuation('fragment5'),
      ),
    ],
    expect: [expectPong('pongme 1!'), expectPong('pongme 2!'), echoText('fragment1fragment2fragment3fragment4fragment5')],
  },
  {
    id: '5.21',
    title: 'binary of 200,000 bytes in 1000-byte fragments',
    section,
    send: [concatBytes(...fragments(Op.Binary, bigBinary, 1000))],
    expect: [echoBinary(bigBinary)],
  },
  {
    id: '5.22',
    title: 'text of 1,000 one-byte fragments',
    section,
    send: [concatBytes(...fragments(Op.Text, 'x'.repeat(1000), 1))],
    expect: [echoText('x'.repeat(1000))],
  },
  {
    id: '5.23',
    title: 'text made of empty fragments only (first, middle and last empty)',
    section,
    send: [concatBytes(text('', { fin: false }), continuation('', { fin: false }), continuation(''))],
    expect: [echoText('')],
  },
  {
    id: '5.24',
    title: 'text with empty first and last fragments around the data',
    section,
    send: [concatBytes(text('', { fin: false }), continuation('middle', { fin: false }), continuation(''))],
    expect: [echoText('middle')],
  },
  {
    id: '5.25',
    title: 'pong interleaved in a fragmented binary message is ignored',
    section,
    send: [concatBytes(binary(Uint8Array.of(1, 2), { fin: false }), pong('ignored'), continuation(Uint8Array.of(3, 4)))],
    expect: [echoBinary(Uint8Array.of(1, 2, 3, 4))],
  },
  {
    id: '5.26',
    title: 'close in the middle of a fragmented message: the close is answered, the message is dropped',
    section: 'RFC 6455 §5.4, §5.5.1',
    send: [text('fragment1', { fin: false })],
    clientClose: close(1000),
    expect: [],
  },
  {
    id: '5.27',
    title: 'text (no FIN) then ping (fragmented control) inside it -> 1002',
    section: 'RFC 6455 §5.5',
    send: [text('fragment1', { fin: false }), ping('p', { fin: false })],
    fail: CloseCode.ProtocolError,
  },
];

describe('conformance: fragmentation (Autobahn 5.x, RFC 6455 §5.4)', () => {
  const target = useEchoTarget();

  itRunsWireCases(target, cases);
});
