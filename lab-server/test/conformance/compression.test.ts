/**
 * Autobahn 12.x/13.x-like permessage-deflate cases (RFC 7692): negotiation for various offers (the response is
 * validated by ws's client-side negotiation code), compressed messages echoed compressed under each negotiated set of
 * parameters (ws's inflater enforces the server's window size and no_context_takeover), the RFC 7692 §7.2.3 example
 * payloads, and RSV1 misuse.
 */
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/protocol/constants.ts';
import { binary, concatBytes, continuation, fragments, hex, Op, ping, text, utf8 } from '../support/frame-builder.ts';
import { ContextDeflater, deflateMessage, strictInflate } from '../support/deflate.ts';
import { useEchoTarget } from '../support/lab-server.ts';
import { RawClient } from '../support/raw-client.ts';
import { caseName, itRunsWireCases, echoBinary, echoText, expectPong, runWireCase } from '../support/wire-case.ts';
import type { ExpectedEvent, WireCase } from '../support/wire-case.ts';

const PMD = 'permessage-deflate';

/** Text whose repeats sit 2000 bytes apart: a server ignoring a small server_max_window_bits produces matches too far back. */
function farRepeats(length: number): string {
  let block = '';
  for (let i = 0; block.length < 2000; i++) block += `${(i * 7919) % 10007}-`;
  return block.slice(0, 2000).repeat(Math.ceil(length / 2000)).slice(0, length);
}
const compressibleBinary = Uint8Array.from({ length: 65536 }, (_, i) => ((i >> 4) * 13) & 0xff);

interface OfferCase {
  readonly id: string;
  readonly offer: string;
  readonly title: string;
  /** Checks of the server's response to this offer (RFC 7692 §7.1). */
  readonly check: (params: Record<string, unknown> | null) => void;
}

const accepted = (params: Record<string, unknown> | null): Record<string, unknown> => {
  expect(params, 'permessage-deflate must be accepted for this offer').not.toBeNull();
  return params!;
};

const offers: OfferCase[] = [
  {
    id: '12.1.1',
    offer: PMD,
    title: 'plain offer: accepted, no client_max_window_bits in the response (the client did not offer it)',
    check: (params) => expect(accepted(params)['client_max_window_bits']).toBeUndefined(),
  },
  {
    id: '12.1.2',
    offer: `${PMD}; client_max_window_bits`,
    title: 'client_max_window_bits without value: accepted',
    check: (params) => void accepted(params),
  },
  {
    id: '12.1.3',
    offer: `${PMD}; server_no_context_takeover`,
    title: 'server_no_context_takeover: accepted and echoed in the response (RFC 7692 §7.1.1.1)',
    check: (params) => expect(accepted(params)['server_no_context_takeover']).toBe(true),
  },
  {
    id: '12.1.4',
    offer: `${PMD}; client_no_context_takeover`,
    title: 'client_no_context_takeover: accepted',
    check: (params) => void accepted(params),
  },
  {
    id: '12.1.5',
    offer: `${PMD}; server_max_window_bits=10`,
    title: 'server_max_window_bits=10: response carries a value <= 10 (RFC 7692 §7.1.2.1)',
    check: (params) => expect(Number(accepted(params)['server_max_window_bits'])).toBeLessThanOrEqual(10),
  },
  {
    id: '12.1.6',
    offer: `${PMD}; server_max_window_bits=9; server_no_context_takeover; client_max_window_bits=9; client_no_context_takeover`,
    title: 'every parameter at once',
    check: (params) => {
      const p = accepted(params);
      expect(p['server_no_context_takeover']).toBe(true);
      expect(Number(p['server_max_window_bits'])).toBeLessThanOrEqual(9);
    },
  },
  {
    id: '12.1.7',
    offer: `${PMD}; server_max_window_bits=16, ${PMD}`,
    title: 'an invalid first offer is declined and the second one accepted (RFC 7692 §5.1, §7.1)',
    check: (params) => expect(accepted(params)['server_max_window_bits']).toBeUndefined(),
  },
  {
    id: '12.1.8',
    offer: `x-webkit-deflate-frame, ${PMD}; client_max_window_bits`,
    title: 'an unknown extension before the offer is ignored',
    check: (params) => void accepted(params),
  },
  {
    id: '12.1.9',
    offer: `${PMD}; server_max_window_bits=8`,
    title: 'server_max_window_bits=8: declined, or accepted with 8 and honoured',
    check: (params) => {
      if (params !== null) expect(Number(params['server_max_window_bits'])).toBe(8);
    },
  },
];

const declined: { readonly id: string; readonly offer: string; readonly title: string }[] = [
  { id: '12.2.1', offer: `${PMD}; server_max_window_bits=16`, title: 'server_max_window_bits=16 (out of range) is declined' },
  { id: '12.2.2', offer: `${PMD}; server_max_window_bits=7`, title: 'server_max_window_bits=7 (out of range) is declined' },
  { id: '12.2.3', offer: `${PMD}; client_max_window_bits=abc`, title: 'client_max_window_bits=abc is declined' },
  { id: '12.2.4', offer: `${PMD}; unknown_parameter`, title: 'an unknown parameter is declined' },
  { id: '12.2.5', offer: `${PMD}; server_no_context_takeover; server_no_context_takeover`, title: 'a repeated parameter is declined' },
  { id: '12.2.6', offer: `${PMD}; server_no_context_takeover=1`, title: 'server_no_context_takeover with a value is declined' },
];

/**
 * Builds the frames of several compressed messages as the client would send them under the negotiated parameters, and
 * the echoes expected back (compressed).
 */
async function compressedExchange(params: Record<string, unknown>): Promise<{ send: Uint8Array[]; expect: ExpectedEvent[] }> {
  const clientWindow = typeof params['client_max_window_bits'] === 'number' ? (params['client_max_window_bits'] as number) : 15;
  const noContext = params['client_no_context_takeover'] === true;
  const windowBits = Math.max(clientWindow, 9); // zlib cannot deflate with 8; 9 keeps distances <= 250 anyway.
  const context = noContext ? null : new ContextDeflater(windowBits);
  const compress = async (message: Uint8Array | string): Promise<Uint8Array> =>
    context === null ? deflateMessage(message, windowBits) : context.compress(message);
  try {
    const hello = 'Hello, compressed world! Hello, compressed world!';
    const far = farRepeats(8000);
    const send: Uint8Array[] = [];
    const expected: ExpectedEvent[] = [];
    for (let i = 0; i < 3; i++) {
      // The same message three times: with context takeover the later copies are mostly back-references.
      send.push(text(await compress(hello), { rsv1: true }));
      expected.push(echoText(hello, true));
    }
    send.push(text(await compress(far), { rsv1: true }));
    expected.push(echoText(far, true));
    send.push(text(await compress(far), { rsv1: true }));
    expected.push(echoText(far, true));
    send.push(binary(await compress(compressibleBinary), { rsv1: true }));
    expected.push(echoBinary(compressibleBinary, true));
    const fragmented = await compress(utf8('fragmented compressed message '.repeat(20)));
    send.push(...fragments(Op.Text, fragmented, [3, 5], { rsv1: true }));
    expected.push(echoText('fragmented compressed message '.repeat(20), true));
    send.push(text(await compress(''), { rsv1: true }));
    // An uncompressed message (RSV1 clear) on a compressed connection: fine (RFC 7692 §6); the echo may be either.
    send.push(text('plain, not compressed'));
    expected.push(echoText(''), echoText('plain, not compressed'));
    return { send, expect: expected };
  } finally {
    context?.close();
  }
}

describe('conformance: permessage-deflate (Autobahn 12.x/13.x, RFC 7692)', () => {
  const target = useEchoTarget();

  for (const offer of offers) {
    it(`${offer.id} offer "${offer.offer}": ${offer.title}; compressed echoes under the negotiated parameters (RFC 7692 §7)`, async () => {
      const probe = await RawClient.open({ port: target().port, extensions: offer.offer });
      const params = probe.deflateParams;
      probe.destroy();
      offer.check(params);
      if (params === null) return;
      const exchange = await compressedExchange(params);
      const outcome = await runWireCase(target().port, {
        id: offer.id,
        title: offer.title,
        section: 'RFC 7692 §7',
        extensions: offer.offer,
        send: exchange.send,
        expect: exchange.expect,
        timeoutMs: 8000,
      });
      // The same compressed bytes, re-inflated under the negotiated window and context rules, strictly.
      const serverWindow = typeof params['server_max_window_bits'] === 'number' ? (params['server_max_window_bits'] as number) : 15;
      const inflated = await strictInflate(outcome.client.compressedMessages, serverWindow, params['server_no_context_takeover'] === true);
      const compressedEchoes = outcome.events.flatMap((event) =>
        (event.type === 'text' || event.type === 'binary') && event.compressed
          ? [event.type === 'text' ? Buffer.from(event.text, 'utf8') : event.data]
          : [],
      );
      expect(inflated.length).toBe(compressedEchoes.length);
      inflated.forEach((message, i) => expect(Buffer.compare(message, compressedEchoes[i]!), `compressed echo ${i}`).toBe(0));
    });
  }

  for (const offer of declined) {
    it(`${offer.id} offer "${offer.offer}": ${offer.title}, the handshake still succeeds (RFC 7692 §5.1, §7.1)`, async () => {
      const client = await RawClient.open({ port: target().port, extensions: offer.offer });
      try {
        expect(client.response?.status).toBe(101);
        expect(client.response?.headers.get('sec-websocket-extensions')).toBeUndefined();
        expect(client.deflateParams).toBeNull();
      } finally {
        client.destroy();
      }
    });
  }

  it('12.3.0 without an offer the response has no Sec-WebSocket-Extensions (RFC 6455 §9.1)', async () => {
    const client = await RawClient.open({ port: target().port });
    try {
      expect(client.response?.headers.get('sec-websocket-extensions')).toBeUndefined();
    } finally {
      client.destroy();
    }
  });

  const vectors: WireCase[] = [
    { id: '12.3.1', title: 'RFC example: "Hello" compressed in one frame (f2 48 cd c9 c9 07 00)', section: 'RFC 7692 §7.2.3.1', send: [text(hex('f2 48 cd c9 c9 07 00'), { rsv1: true })], expect: [echoText('Hello', true)] },
    {
      id: '12.3.2',
      title: 'RFC example: "Hello" compressed, fragmented (f2 48 cd | c9 c9 07 00)',
      section: 'RFC 7692 §7.2.3.1',
      send: [text(hex('f2 48 cd'), { rsv1: true, fin: false }), continuation(hex('c9 c9 07 00'))],
      expect: [echoText('Hello', true)],
    },
    {
      id: '12.3.4',
      title: 'RFC example: DEFLATE block with no compression (00 05 00 fa ff 48 65 6c 6c 6f 00)',
      section: 'RFC 7692 §7.2.3.3',
      send: [text(hex('00 05 00 fa ff 48 65 6c 6c 6f 00'), { rsv1: true })],
      expect: [echoText('Hello', true)],
    },
    {
      id: '12.3.5',
      title: 'RFC example: DEFLATE block with BFINAL set (f3 48 cd c9 c9 07 00 00)',
      section: 'RFC 7692 §7.2.3.4',
      send: [text(hex('f3 48 cd c9 c9 07 00 00'), { rsv1: true })],
      expect: [echoText('Hello', true)],
    },
    {
      id: '12.3.6',
      title: 'RFC example: two DEFLATE blocks in one message (f2 48 05 00 00 00 ff ff ca c9 c9 07 00)',
      section: 'RFC 7692 §7.2.3.5',
      send: [text(hex('f2 48 05 00 00 00 ff ff ca c9 c9 07 00'), { rsv1: true })],
      expect: [echoText('Hello', true)],
    },
  ].map((c) => ({ ...c, extensions: PMD }));

  const errors: WireCase[] = [
    {
      id: '12.4.1',
      title: 'RSV1 on a continuation frame -> 1002',
      section: 'RFC 7692 §6.1',
      extensions: PMD,
      send: [text(hex('f2 48 cd'), { rsv1: true, fin: false }), continuation(hex('c9 c9 07 00'), { rsv1: true })],
      fail: CloseCode.ProtocolError,
    },
    {
      id: '12.4.2',
      title: 'RSV1 on a ping -> 1002',
      section: 'RFC 7692 §6',
      extensions: PMD,
      send: [ping('x', { rsv1: true })],
      fail: CloseCode.ProtocolError,
    },
    {
      id: '12.4.3',
      title: 'RSV2 on a compressed connection -> 1002',
      section: 'RFC 6455 §5.2',
      extensions: PMD,
      send: [text(hex('f2 48 cd c9 c9 07 00'), { rsv1: true, rsv2: true })],
      fail: CloseCode.ProtocolError,
    },
    {
      id: '12.4.4',
      title: 'corrupt DEFLATE data -> 1007',
      section: 'RFC 7692 §8.1 (contract: codec throws -> 1007)',
      extensions: PMD,
      send: [binary(hex('ff ff ff ff ff ff'), { rsv1: true })],
      fail: CloseCode.InvalidPayloadData,
    },
    {
      id: '12.4.5',
      title: 'compressed text inflating to invalid UTF-8 -> 1007',
      section: 'RFC 6455 §8.1, RFC 7692 §6',
      extensions: PMD,
      send: [text(deflateMessage(hex('48 65 6c 6c 6f ed a0 80')), { rsv1: true })],
      fail: CloseCode.InvalidPayloadData,
    },
    {
      id: '12.4.6',
      title: 'compressed text then a ping between its fragments: pong first, then the echo',
      section: 'RFC 7692 §6.1, RFC 6455 §5.4',
      extensions: PMD,
      send: [concatBytes(text(hex('f2 48 cd'), { rsv1: true, fin: false }), ping('between'), continuation(hex('c9 c9 07 00')))],
      expect: [expectPong('between'), echoText('Hello', true)],
    },
  ];

  const sharedWindow: WireCase = {
    id: '12.3.3',
    title: 'RFC example: two "Hello" sharing the LZ77 window (second payload f2 00 11 00 00)',
    section: 'RFC 7692 §7.2.3.2',
    extensions: PMD,
    send: [text(hex('f2 48 cd c9 c9 07 00'), { rsv1: true }), text(hex('f2 00 11 00 00'), { rsv1: true })],
    expect: [echoText('Hello', true), echoText('Hello', true)],
  };
  it(caseName(sharedWindow), async (context) => {
    const probe = await RawClient.open({ port: target().port, extensions: PMD });
    probe.destroy();
    // Only meaningful when the server lets the client keep its window (it may demand client_no_context_takeover).
    if (probe.deflateParams?.['client_no_context_takeover'] === true) context.skip();
    await runWireCase(target().port, sharedWindow);
  });

  itRunsWireCases(target, [...vectors, ...errors]);
});
