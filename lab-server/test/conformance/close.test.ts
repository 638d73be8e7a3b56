/**
 * Autobahn 7.x-like closing-handshake cases (RFC 6455 §5.5.1, §7.1, §7.4): the server answers a close frame by echoing
 * its status code, ignores anything after it, closes TCP first, rejects malformed close payloads (1-byte payload,
 * invalid codes -> 1002, reason not UTF-8 -> 1007).
 */
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/protocol/constants.ts';
import { bytes, close, concatBytes, continuation, frame, hex, Op, ping, text } from '../support/frame-builder.ts';
import { useEchoTarget, startTestServer } from '../support/lab-server.ts';
import { RawClient, describeEvents } from '../support/raw-client.ts';
import { itRunsWireCases, echoText } from '../support/wire-case.ts';
import type { WireCase } from '../support/wire-case.ts';

const section = 'RFC 6455 §5.5.1, §7.1';
const validCodes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
const invalidCodes = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
const bigText = 'x'.repeat(256 * 1024);

const cases: WireCase[] = [
  {
    id: '7.1.1',
    title: 'text and close in one write: the text is echoed before the close answer',
    section,
    send: [],
    clientClose: concatBytes(text('Hello World'), close(1000)),
    expect: [echoText('Hello World')],
    closeImmediately: true,
  },
  {
    id: '7.1.1.1',
    title: 'text then close in back-to-back writes: the text is echoed before the close answer',
    section,
    send: [text('Hello World')],
    expect: [echoText('Hello World')],
    closeImmediately: true,
  },
  { id: '7.1.2', title: 'two close frames: the second is ignored', section, send: [], clientClose: concatBytes(close(1000), close(1000)) },
  { id: '7.1.3', title: 'ping after close is not answered', section, send: [], clientClose: concatBytes(close(1000), ping('Hello World')) },
  { id: '7.1.4', title: 'text after close is not echoed', section, send: [], clientClose: concatBytes(close(1000), text('Hello World')) },
  {
    id: '7.1.5',
    title: 'fragmented text, close, then the final fragment: nothing echoed',
    section,
    send: [text('fragment1', { fin: false })],
    clientClose: concatBytes(close(1000), continuation('fragment2')),
  },
  {
    id: '7.1.6',
    title: '256 KiB text, close, ping: the text is echoed, the ping is not answered',
    section,
    send: [text(bigText)],
    clientClose: concatBytes(close(1000), ping('Hello World')),
    expect: [echoText(bigText)],
    closeImmediately: true,
  },
  {
    id: '7.3.1',
    title: 'close without payload: answered (no status code, or 1000)',
    section: 'RFC 6455 §5.5.1, §7.1.5',
    send: [],
    clientClose: close(),
    closeCode: [CloseCode.NoStatusReceived, CloseCode.Normal],
  },
  {
    id: '7.3.2',
    title: 'close with a 1-byte payload -> 1002',
    section: 'RFC 6455 §5.5.1',
    send: [frame({ opcode: Op.Close, payload: bytes(0x03) })],
    fail: CloseCode.ProtocolError,
  },
  { id: '7.3.3', title: 'close 1000 without reason', section, send: [], clientClose: close(1000) },
  { id: '7.3.4', title: 'close 1000 with a reason', section, send: [], clientClose: close(1000, 'Hello World!') },
  { id: '7.3.5', title: 'close 1000 with a 123-byte reason (maximum)', section: 'RFC 6455 §5.5', send: [], clientClose: close(1000, '*'.repeat(123)) },
  {
    id: '7.3.6',
    title: 'close 1000 with a 124-byte reason (control payload of 126) -> 1002',
    section: 'RFC 6455 §5.5',
    send: [close(1000, '*'.repeat(124))],
    fail: CloseCode.ProtocolError,
  },
  {
    id: '7.5.1',
    title: 'close reason that is not UTF-8 -> 1007',
    section: 'RFC 6455 §5.5.1, §8.1',
    send: [close(1000, hex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64'))],
    fail: CloseCode.InvalidPayloadData,
  },
  {
    id: '7.5.2',
    title: 'close reason with a truncated code point -> 1007',
    section: 'RFC 6455 §5.5.1, §8.1',
    send: [close(1000, hex('61 62 e2 82'))],
    fail: CloseCode.InvalidPayloadData,
  },
  {
    id: '7.5.3',
    title: 'close reason with valid multi-byte UTF-8 is accepted',
    section: 'RFC 6455 §5.5.1',
    send: [],
    clientClose: close(1000, 'κόσμε €𝄞'),
  },
  ...validCodes.map(
    (code, i): WireCase => ({
      id: `7.7.${i + 1}`,
      title: `valid close code ${code} is echoed`,
      section: 'RFC 6455 §7.4.1, §7.4.2',
      send: [],
      clientClose: close(code),
      closeCode: code,
    }),
  ),
  ...invalidCodes.map(
    (code, i): WireCase => ({
      id: `7.9.${i + 1}`,
      title: `invalid close code ${code} -> 1002`,
      section: 'RFC 6455 §7.4.1, §7.4.2',
      send: [close(code)],
      fail: CloseCode.ProtocolError,
    }),
  ),
];

describe('conformance: close handling (Autobahn 7.x, RFC 6455 §7)', () => {
  const target = useEchoTarget();

  itRunsWireCases(target, cases);

  it('7.13.2 close frame chopped into 1-byte writes is answered (RFC 6455 §5.5.1)', async () => {
    const client = await RawClient.open({ port: target().port });
    try {
      await client.sendChopped(close(3000, 'chopped'), 1);
      const end = await client.waitClosed();
      expect(describeEvents(client.events)).toMatch(/^\[close 3000 "[^"]*"\]$/);
      expect(end.how).toBe('fin');
    } finally {
      client.destroy();
    }
  });

  it('7.13.3 after the closing handshake the server closes TCP first, with a FIN, and sends nothing more (RFC 6455 §7.1.1)', async () => {
    // The client never half-closes: only the server's own FIN can end this connection cleanly.
    const client = await RawClient.open({ port: target().port });
    try {
      await client.send(close(1000, 'bye'));
      const end = await client.waitClosed();
      expect(end.how).toBe('fin');
      expect(client.bytesAfterClose).toBe(0);
    } finally {
      client.destroy();
    }
  });
});

describe.skipIf(process.env['WIRE_TARGET'] === 'ws')('conformance: server-initiated close (RFC 6455 §7.1.2, §7.4.1)', () => {
  it('7.14.1 server shutdown sends close 1001 to an open client, then closes TCP after the client answers', async () => {
    const server = await startTestServer();
    const client = await RawClient.open({ port: server.port });
    try {
      await client.send(text('before shutdown'));
      await client.waitForEvents(1);
      const closing = server.close();
      await client.waitFor(() => client.events.some((event) => event.type === 'close'), 5000, 'the server close frame');
      await client.send(close(1001));
      const end = await client.waitClosed();
      await closing;
      expect(describeEvents(client.events)).toMatch(/^\[text "before shutdown", close 1001 /);
      expect(['fin', 'reset']).toContain(end.how);
    } finally {
      client.destroy();
    }
  });
});
