import { describe, expect, it } from 'vitest';
import { createZlibCompressor } from '../../../src/node/zlib-compressor.ts';
import { CloseCode, Opcode } from '../../../src/protocol/constants.ts';
import type { FrameRecord } from '../../../src/protocol/frame/types.ts';
import { ascii, behaviour, client, concat, drain, framesWritten, frameTo, hex, pump, server } from './helpers.ts';

const params = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
const records = (events: ReturnType<typeof server>['takeEvents'] extends () => infer E ? E : never): FrameRecord[] =>
  events.flatMap((event) => (event.type === 'frame' ? [event.record] : []));

describe('ping and pong (RFC 6455 §5.5.2, §5.5.3)', () => {
  for (const role of ['server', 'client'] as const) {
    it(`§5.5.2: a ping is answered with a pong carrying the same payload (${role})`, () => {
      const connection = role === 'server' ? server() : client();
      connection.receive(frameTo(role, { opcode: Opcode.Ping, payload: 'are you there?' }));
      expect(behaviour(connection)).toEqual([{ type: 'ping', data: ascii('are you there?') }]);
      const [pong] = framesWritten(connection);
      expect(pong).toMatchObject({ opcode: Opcode.Pong, fin: true, masked: role === 'client', payload: ascii('are you there?') });
    });
  }

  it('§5.5.2: a ping with the maximum 125-byte payload and an empty ping are both answered', () => {
    const connection = server();
    connection.receive(concat([
      frameTo('server', { opcode: Opcode.Ping, payload: new Uint8Array(125).fill(7) }),
      frameTo('server', { opcode: Opcode.Ping }),
    ]));
    expect(framesWritten(connection).map((frame) => frame.payload.length)).toEqual([125, 0]);
  });

  it('autoPong: false leaves the answer to the host', () => {
    const connection = server({ autoPong: false });
    connection.receive(frameTo('server', { opcode: Opcode.Ping, payload: 'x' }));
    expect(behaviour(connection)).toEqual([{ type: 'ping', data: ascii('x') }]);
    expect(connection.takeOutgoing()).toEqual([]);
    expect(connection.pong(ascii('x'))).toBe(true);
    expect(framesWritten(connection)[0]).toMatchObject({ opcode: Opcode.Pong, payload: ascii('x') });
  });

  it('§5.5.3: an unsolicited pong is reported and not answered', () => {
    const connection = client();
    connection.receive(frameTo('client', { opcode: Opcode.Pong, payload: 'beat' }));
    expect(behaviour(connection)).toEqual([{ type: 'pong', data: ascii('beat') }]);
    expect(connection.takeOutgoing()).toEqual([]);
  });

  it('§5.5: ping() and pong() refuse payloads over 125 bytes', () => {
    const connection = client();
    expect(() => connection.ping(new Uint8Array(126))).toThrow(RangeError);
    expect(() => connection.pong(new Uint8Array(126))).toThrow(RangeError);
    expect(connection.ping(new Uint8Array(125))).toBe(true);
  });
});

describe('sending (RFC 6455 §5.3, §5.4; RFC 7692 §6.1)', () => {
  it('§5.3: a client masks every frame with a fresh key from randomBytes', () => {
    let calls = 0;
    const connection = client({ randomBytes: (length) => Uint8Array.from({ length }, () => ++calls) });
    connection.sendText('a');
    connection.sendText('b');
    const bytes = concat(connection.takeOutgoing());
    expect(bytes).toEqual(hex('81 81 01 02 03 04 60 81 81 05 06 07 08 67'));
  });

  it('§5.1: a server never masks; a large payload is written as a separate chunk without a copy', () => {
    const connection = server();
    const data = new Uint8Array(70_000).fill(1);
    connection.sendBinary(data);
    const chunks = connection.takeOutgoing();
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toEqual(hex('82 7f 00 00 00 00 00 01 11 70'));
    expect(chunks[1]).toBe(data);
  });

  it('§5.4: fragmentSize splits a message into a text frame and continuation frames', () => {
    const connection = server();
    connection.sendText('Hello', { fragmentSize: 2 });
    expect(framesWritten(connection).map((f) => [f.opcode, f.fin, new TextDecoder().decode(f.payload)])).toEqual([
      [Opcode.Text, false, 'He'], [Opcode.Continuation, false, 'll'], [Opcode.Continuation, true, 'o'],
    ]);
    expect(() => connection.sendText('x', { fragmentSize: 0 })).toThrow(RangeError);
  });

  it('RFC 7692 §6.1: a compressed message is fragmented after compression, RSV1 on the first frame only', () => {
    const connection = server({ compressor: createZlibCompressor(params, 'server') });
    connection.sendText('Hello', { fragmentSize: 3 });
    const frames = framesWritten(connection);
    expect(frames.map((f) => [f.opcode, f.fin, f.rsv1])).toEqual([
      [Opcode.Text, false, true], [Opcode.Continuation, false, false], [Opcode.Continuation, true, false],
    ]);
    expect(concat(frames.map((f) => f.payload))).toEqual(hex('f2 48 cd c9 c9 07 00'));
    connection.sendText('Hello', { compress: false });
    expect(framesWritten(connection)[0]).toMatchObject({ rsv1: false, payload: ascii('Hello') });
  });

  it('RFC 7692 §7.2.3.1: the client receives the fragmented compressed "Hello" (41 03 f2 48 cd | 80 04 c9 c9 07 00)', () => {
    const connection = client({ compressor: createZlibCompressor(params, 'client') });
    connection.receive(hex('41 03 f2 48 cd'));
    expect(behaviour(connection)).toEqual([]);
    connection.receive(hex('80 04 c9 c9 07 00'));
    expect(behaviour(connection)).toEqual([{ type: 'text', text: 'Hello', byteLength: 5, compressed: true, bytes: new TextEncoder().encode('Hello') }]);
  });

  it('sendRawFrame writes deliberately broken frames as given (teaching)', () => {
    const connection = server();
    connection.sendRawFrame({ fin: false, rsv2: true, opcode: 0x3, payload: ascii('odd') });
    expect(concat(connection.takeOutgoing())).toEqual(hex('23 03 6f 64 64'));
    const masking = client();
    masking.sendRawFrame({ fin: true, opcode: Opcode.Text, payload: ascii('x'), maskingKey: null });
    expect(concat(masking.takeOutgoing())).toEqual(hex('81 01 78')); // a client frame left unmasked on purpose
  });
});

describe('frame records for both directions', () => {
  it('records every frame read and written, in wire order per direction', () => {
    const connection = server({ recordPreviewBytes: 64 });
    connection.receive(concat([
      frameTo('server', { opcode: Opcode.Text, fin: false, payload: 'Hel' }),
      frameTo('server', { opcode: Opcode.Ping, payload: 'p' }),
      frameTo('server', { opcode: Opcode.Continuation, payload: 'lo' }),
    ]));
    connection.sendText('back');
    const events = drain(connection);
    expect(events.map((e) => (e.type === 'frame' ? `${e.record.direction}:${e.record.opcodeName}` : e.type))).toEqual([
      'client-to-server:text', 'client-to-server:ping', 'ping', 'server-to-client:pong',
      'client-to-server:continuation', 'text', 'server-to-client:text',
    ]);
    const written = records(events).filter((r) => r.direction === 'server-to-client');
    expect(written.map((r) => [r.index, r.streamOffset])).toEqual([[0, 0], [1, 3]]);
    expect(written[1]!.payload.unmasked).toEqual(ascii('back'));
    const read = records(events).filter((r) => r.direction === 'client-to-server');
    expect(read.map((r) => r.streamOffset)).toEqual([0, 9, 16]);
  });

  it('a written close frame and a client\'s masked frames are described like parsed ones', () => {
    const connection = client({ recordPreviewBytes: 8 });
    connection.close(CloseCode.Normal, 'done');
    const [record] = records(drain(connection));
    expect(record).toMatchObject({
      direction: 'client-to-server', opcodeName: 'close', masked: true, closeCode: 1000, closeReason: 'done', payloadLength: 6,
    });
    expect(record!.payload.unmasked).toEqual(hex('03 e8 64 6f 6e 65'));
  });

  it('RFC 7692: the final frame of a compressed message carries the inflated message, both directions', () => {
    const sender = client({ recordPreviewBytes: 3, compressor: createZlibCompressor(params, 'client') });
    const receiver = server({ recordPreviewBytes: 3, compressor: createZlibCompressor(params, 'server') });
    sender.sendText('Hello', { fragmentSize: 4 });
    const sent = records(drain(sender));
    expect(sent[0]!.inflated).toBeUndefined();
    expect(sent[1]!.inflated).toEqual({ preview: ascii('Hel'), length: 5, truncated: true });
    pump(sender, receiver);
    const events = drain(receiver);
    const received = records(events);
    expect(received[0]!.inflated).toBeUndefined();
    expect(received[1]!.inflated).toEqual({ preview: ascii('Hel'), length: 5, truncated: true });
    expect(events.at(-1)).toEqual({ type: 'text', text: 'Hello', byteLength: 5, compressed: true, bytes: new TextEncoder().encode('Hello') });
  });

  it('a parser violation is emitted as a frame record with .violation before the violation event', () => {
    const connection = server({ recordPreviewBytes: 8 });
    connection.receive(hex('83 80 00 00 00 00')); // reserved opcode 0x3
    const events = drain(connection);
    expect(events[0]).toMatchObject({ type: 'frame', record: { direction: 'client-to-server', violation: { closeCode: 1002 } } });
    expect(events[1]).toMatchObject({ type: 'violation', violation: { closeCode: 1002, section: 'RFC 6455 §5.2' } });
    // Our close frame's record, then 'closed'.
    expect(events[2]).toMatchObject({ type: 'frame', record: { direction: 'server-to-client', opcodeName: 'close', closeCode: 1002 } });
    expect(events[3]).toMatchObject({ type: 'closed', code: 1002, wasClean: false });
  });

  it('a message-level violation marks the record of the frame that broke the rule', () => {
    const connection = server({ recordPreviewBytes: 8 });
    connection.receive(frameTo('server', { opcode: Opcode.Continuation, payload: 'x' }));
    const events = drain(connection);
    expect(events[0]).toMatchObject({
      type: 'frame', record: { opcodeName: 'continuation', violation: { closeCode: 1002, section: 'RFC 6455 §5.4' } },
    });
    expect(events[1]!.type).toBe('violation');
  });

  it('without recordPreviewBytes no frame events are produced', () => {
    const connection = server();
    connection.receive(frameTo('server', { opcode: Opcode.Text, payload: 'x' }));
    connection.sendText('y');
    expect(drain(connection).some((e) => e.type === 'frame')).toBe(false);
  });
});
