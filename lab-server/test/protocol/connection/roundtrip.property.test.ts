import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createZlibCompressor } from '../../../src/node/zlib-compressor.ts';
import type { Connection } from '../../../src/protocol/connection.ts';
import type { ConnectionEvent } from '../../../src/protocol/connection-types.ts';
import { CloseCode } from '../../../src/protocol/constants.ts';
import { client, drain, pump, server } from './helpers.ts';

type Message =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'binary'; readonly data: Uint8Array }
  | { readonly kind: 'ping'; readonly data: Uint8Array };

const messageArbitrary: fc.Arbitrary<Message> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map((text) => ({ kind: 'text' as const, text })) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((data) => ({ kind: 'binary' as const, data })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 125 }).map((data) => ({ kind: 'ping' as const, data })) },
);

const scenario = fc.record({
  messages: fc.array(fc.record({ message: messageArbitrary, fragmentSize: fc.option(fc.integer({ min: 1, max: 700 }), { nil: undefined }) }), { maxLength: 15 }),
  cut: fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 8 }),
  deflate: fc.boolean(),
  noContextTakeover: fc.boolean(),
  fromClient: fc.boolean(),
});

function expected(message: Message): ConnectionEvent['type'] {
  return message.kind;
}

function send(connection: Connection, message: Message, fragmentSize: number | undefined): void {
  const options = fragmentSize === undefined ? undefined : { fragmentSize };
  if (message.kind === 'text') connection.sendText(message.text, options);
  else if (message.kind === 'binary') connection.sendBinary(message.data, options);
  else connection.ping(message.data);
}

describe('round trip between two Connections (RFC 6455 §5, RFC 7692 §7.2)', () => {
  it('any message sequence arrives identically, for any chunking, fragmentation, compression and direction', () => {
    fc.assert(
      fc.property(scenario, ({ messages, cut, deflate, noContextTakeover, fromClient }) => {
        const parameters = {
          serverNoContextTakeover: noContextTakeover, clientNoContextTakeover: noContextTakeover,
          serverMaxWindowBits: 15, clientMaxWindowBits: 15,
        };
        const clientSide = client(deflate ? { compressor: createZlibCompressor(parameters, 'client') } : {});
        const serverSide = server(deflate ? { compressor: createZlibCompressor(parameters, 'server') } : {});
        const [sender, receiver] = fromClient ? [clientSide, serverSide] : [serverSide, clientSide];
        for (const { message, fragmentSize } of messages) send(sender, message, fragmentSize);
        sender.close(CloseCode.Normal, 'done');
        pump(sender, receiver, cut);
        const events = drain(receiver);
        const deliveries = events.filter((e) => e.type === 'text' || e.type === 'binary' || e.type === 'ping');
        expect(deliveries.map((e) => e.type)).toEqual(messages.map(({ message }) => expected(message)));
        deliveries.forEach((event, i) => {
          const message = messages[i]!.message;
          if (event.type === 'text' && message.kind === 'text') {
            expect(event.text).toBe(message.text);
            expect(event.compressed).toBe(deflate);
          } else if (event.type === 'binary' && message.kind === 'binary') {
            expect(event.data).toEqual(message.data);
            expect(event.compressed).toBe(deflate);
          } else if (event.type === 'ping' && message.kind === 'ping') {
            expect(event.data).toEqual(message.data);
          }
        });
        expect(events.at(-1)).toEqual({ type: 'closed', code: CloseCode.Normal, reason: 'done', wasClean: true });
        // Pongs and the close echo travel back, and the sender's handshake completes cleanly too.
        pump(receiver, sender, cut);
        const back = drain(sender);
        expect(back.filter((e) => e.type === 'pong')).toHaveLength(messages.filter(({ message }) => message.kind === 'ping').length);
        expect(back.at(-1)).toEqual({ type: 'closed', code: CloseCode.Normal, reason: '', wasClean: true });
      }),
      { numRuns: 150 },
    );
  });

  it('a message sent as one byte per TCP segment arrives intact (compressed, fragmented)', () => {
    const parameters = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
    const sender = client({ compressor: createZlibCompressor(parameters, 'client') });
    const receiver = server({ compressor: createZlibCompressor(parameters, 'server') });
    const text = 'Grüße, κόσμε, 🌍! '.repeat(50);
    sender.sendText(text, { fragmentSize: 17 });
    sender.sendText(text);
    pump(sender, receiver, [1]);
    expect(drain(receiver)).toEqual([
      { type: 'text', text, byteLength: new TextEncoder().encode(text).length, compressed: true, bytes: new TextEncoder().encode(text) },
      { type: 'text', text, byteLength: new TextEncoder().encode(text).length, compressed: true, bytes: new TextEncoder().encode(text) },
    ]);
  });
});

describe('robustness: arbitrary peer input (RFC 6455 §7.1.7)', () => {
  it('never throws; ends at most once, with a close frame queued when it fails, and then ignores input', () => {
    const parameters = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 12 }),
        fc.constantFrom('server', 'client'),
        fc.boolean(),
        (chunks, role, deflate) => {
          const compressor = deflate ? createZlibCompressor(parameters, role) : undefined;
          const options = { maxMessageBytes: 256, recordPreviewBytes: 8, ...(compressor === undefined ? {} : { compressor }) };
          const connection = role === 'server' ? server(options) : client(options);
          const events = [];
          for (const chunk of chunks) {
            connection.receive(chunk);
            events.push(...drain(connection));
          }
          const closed = events.filter((e) => e.type === 'closed');
          expect(closed.length).toBeLessThanOrEqual(1);
          if (closed.length === 1) {
            expect(events.at(-1)).toBe(closed[0]);
            expect(connection.state).toBe('closed');
            const violations = events.filter((e) => e.type === 'violation');
            if (violations.length > 0) {
              expect(violations).toHaveLength(1);
              const reasonBytes = new TextEncoder().encode(violations[0]!.type === 'violation' ? violations[0]!.violation.reason : '');
              expect(reasonBytes.length).toBeLessThanOrEqual(123);
            }
            // Whatever ended it, our close frame went out (a violation's or the echo of the peer's close).
            expect(connection.takeOutgoing().length).toBeGreaterThan(0);
            connection.receive(Uint8Array.of(0x81, 0x00));
            expect(drain(connection)).toEqual([]);
          } else {
            expect(connection.state).toBe('open');
          }
          compressor?.dispose();
        },
      ),
      { numRuns: 300 },
    );
  });
});
