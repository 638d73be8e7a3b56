import { describe, expect, it } from 'vitest';
import { CloseCode, Opcode } from '../../../src/protocol/constants.ts';
import type { ConnectionEvent } from '../../../src/protocol/connection-types.ts';
import { createZlibCompressor } from '../../../src/node/zlib-compressor.ts';
import { ascii, behaviour, concat, drain, type FrameSpec, framesWritten, frameTo, server } from './helpers.ts';

const T = Opcode.Text;
const B = Opcode.Binary;
const C = Opcode.Continuation;

interface Case {
  readonly name: string;
  readonly frames: readonly FrameSpec[];
  /** The messages delivered, in order ('ping:x' for pings). */
  readonly delivered: readonly string[];
  /** The close code the server fails with, or undefined when the connection stays open. */
  readonly failsWith?: number;
  readonly section?: string;
  readonly deflate?: boolean;
}

const cases: readonly Case[] = [
  { name: 'RFC 6455 §5.4: unfragmented text', frames: [{ opcode: T, payload: 'Hello' }], delivered: ['Hello'] },
  {
    name: 'RFC 6455 §5.4: fragmented text "Hel" + "lo" (§5.7 example)',
    frames: [{ opcode: T, fin: false, payload: 'Hel' }, { opcode: C, payload: 'lo' }],
    delivered: ['Hello'],
  },
  {
    name: 'RFC 6455 §5.4: three fragments including an empty one',
    frames: [{ opcode: B, fin: false, payload: 'ab' }, { opcode: C, fin: false }, { opcode: C, payload: 'c' }],
    delivered: ['binary:abc'],
  },
  {
    name: 'RFC 6455 §5.4: control frames may be injected between fragments',
    frames: [{ opcode: T, fin: false, payload: 'He' }, { opcode: Opcode.Ping, payload: 'p' },
      { opcode: Opcode.Pong, payload: 'q' }, { opcode: C, payload: 'llo' }],
    delivered: ['ping:p', 'pong:q', 'Hello'],
  },
  {
    name: 'RFC 6455 §5.4: continuation frame with no message started',
    frames: [{ opcode: C, payload: 'x' }], delivered: [], failsWith: CloseCode.ProtocolError, section: 'RFC 6455 §5.4',
  },
  {
    name: 'RFC 6455 §5.4: continuation after a complete message',
    frames: [{ opcode: T, payload: 'a' }, { opcode: C, payload: 'b' }],
    delivered: ['a'], failsWith: CloseCode.ProtocolError, section: 'RFC 6455 §5.4',
  },
  {
    name: 'RFC 6455 §5.4: new text frame while a fragmented message is open',
    frames: [{ opcode: T, fin: false, payload: 'a' }, { opcode: T, payload: 'b' }],
    delivered: [], failsWith: CloseCode.ProtocolError, section: 'RFC 6455 §5.4',
  },
  {
    name: 'RFC 6455 §5.4: new binary frame while a fragmented text message is open',
    frames: [{ opcode: T, fin: false, payload: 'a' }, { opcode: B, fin: false, payload: 'b' }],
    delivered: [], failsWith: CloseCode.ProtocolError, section: 'RFC 6455 §5.4',
  },
  {
    name: 'RFC 6455 §5.2: RSV1 without permessage-deflate',
    frames: [{ opcode: T, rsv1: true, payload: 'a' }], delivered: [], failsWith: CloseCode.ProtocolError, section: 'RFC 6455 §5.2',
  },
  {
    name: 'RFC 7692 §6.1: RSV1 on a continuation frame',
    deflate: true,
    frames: [{ opcode: T, fin: false, payload: 'a' }, { opcode: C, rsv1: true, payload: 'b' }],
    delivered: [], failsWith: CloseCode.ProtocolError, section: 'RFC 7692 §6.1',
  },
  {
    name: 'RFC 7692 §6.1: RSV1 on a ping (control frames are never compressed)',
    deflate: true,
    frames: [{ opcode: Opcode.Ping, rsv1: true }], delivered: [], failsWith: CloseCode.ProtocolError, section: 'RFC 7692 §6.1',
  },
  {
    name: 'RFC 7692 §6: uncompressed messages stay legal when deflate is negotiated',
    deflate: true,
    frames: [{ opcode: T, payload: 'plain' }], delivered: ['plain'],
  },
  {
    name: 'RFC 7692 §7.2.2: compressed payload that is not DEFLATE fails with 1007',
    deflate: true,
    frames: [{ opcode: B, rsv1: true, payload: Uint8Array.of(0xff, 0xff, 0xff) }],
    delivered: [], failsWith: CloseCode.InvalidPayloadData, section: 'RFC 7692 §7.2.2',
  },
];

function describeEvent(event: ConnectionEvent): string {
  switch (event.type) {
    case 'text': return event.text;
    case 'binary': return `binary:${new TextDecoder().decode(event.data)}`;
    case 'ping': return `ping:${new TextDecoder().decode(event.data)}`;
    case 'pong': return `pong:${new TextDecoder().decode(event.data)}`;
    default: return event.type;
  }
}

describe('message assembly rules', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const compressor = testCase.deflate === true
        ? createZlibCompressor({ serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 }, 'server')
        : undefined;
      const connection = server(compressor === undefined ? {} : { compressor });
      connection.receive(concat(testCase.frames.map((spec) => frameTo('server', spec))));
      const events = behaviour(connection);
      const delivered = events.filter((e) => ['text', 'binary', 'ping', 'pong'].includes(e.type)).map(describeEvent);
      expect(delivered).toEqual(testCase.delivered);
      const broken = events.find((e) => e.type === 'violation');
      if (testCase.failsWith === undefined) {
        expect(broken).toBeUndefined();
        expect(connection.state).toBe('open');
        return;
      }
      expect(broken?.type === 'violation' && broken.violation.closeCode).toBe(testCase.failsWith);
      expect(broken?.type === 'violation' && broken.violation.section).toBe(testCase.section);
      expect(events.at(-1)).toMatchObject({ type: 'closed', code: testCase.failsWith, wasClean: false });
      expect(connection.state).toBe('closed');
      // RFC 6455 §7.1.7: a close frame with the violation's code is the last thing written.
      const written = framesWritten(connection);
      const close = written.at(-1)!;
      expect(close.opcode).toBe(Opcode.Close);
      expect((close.payload[0]! << 8) | close.payload[1]!).toBe(testCase.failsWith);
      compressor?.dispose();
    });
  }

  it('RFC 6455 §7.1.7: input after a violation is ignored', () => {
    const connection = server();
    connection.receive(frameTo('server', { opcode: C, payload: 'x' }));
    drain(connection);
    connection.takeOutgoing();
    connection.receive(frameTo('server', { opcode: T, payload: 'late' }));
    expect(drain(connection)).toEqual([]);
    expect(connection.takeOutgoing()).toEqual([]);
  });

  it('RFC 6455 §5.2: a frame-level violation from the parser fails the connection the same way', () => {
    const connection = server();
    connection.receive(frameTo('client', { opcode: T, payload: 'unmasked' })); // a client must mask
    const events = behaviour(connection);
    expect(events.map((e) => e.type)).toEqual(['violation', 'closed']);
    expect(events[0]).toMatchObject({ violation: { closeCode: CloseCode.ProtocolError, section: 'RFC 6455 §5.1' } });
  });

  it('RFC 6455 §5.6: a leading U+FEFF is part of the text, not a byte order mark', () => {
    const connection = server();
    connection.receive(frameTo('server', { opcode: T, payload: Uint8Array.of(0xef, 0xbb, 0xbf, 0x61) }));
    expect(behaviour(connection)).toEqual([{ type: 'text', text: '\uFEFFa', byteLength: 4, compressed: false, bytes: new TextEncoder().encode('\uFEFFa') }]);
  });

  it('single-frame binary messages are handed on without a copy (a view into the received chunk)', () => {
    const connection = server();
    const bytes = frameTo('server', { opcode: B, payload: ascii('abcdef') });
    connection.receive(bytes);
    const [event] = behaviour(connection);
    expect(event?.type === 'binary' && event.data.buffer).toBe(bytes.buffer);
  });
});
