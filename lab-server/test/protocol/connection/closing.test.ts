import { describe, expect, it } from 'vitest';
import { CloseCode, Opcode } from '../../../src/protocol/constants.ts';
import type { Role } from '../../../src/protocol/frame/types.ts';
import { ascii, behaviour, client, concat, drain, framesWritten, frameTo, hex, pump, server } from './helpers.ts';

const closeFrameTo = (role: Role, payload: Uint8Array) => frameTo(role, { opcode: Opcode.Close, payload });
const codeOf = (payload: Uint8Array) => (payload.length < 2 ? undefined : (payload[0]! << 8) | payload[1]!);

describe('closing handshake (RFC 6455 §5.5.1, §7.1)', () => {
  for (const initiator of ['client', 'server'] as const) {
    it(`§7.1.2: the ${initiator} initiates, the peer echoes the code, both end clean`, () => {
      const a = initiator === 'client' ? client() : server();
      const b = initiator === 'client' ? server() : client();
      expect(a.close(CloseCode.GoingAway, 'bye')).toBe(true);
      expect(a.state).toBe('closing');
      expect(behaviour(a)).toEqual([]);
      pump(a, b);
      expect(behaviour(b)).toEqual([
        { type: 'close-received', code: CloseCode.GoingAway, reason: 'bye' },
        { type: 'closed', code: CloseCode.GoingAway, reason: 'bye', wasClean: true },
      ]);
      expect(b.state).toBe('closed');
      pump(b, a);
      // The echo carries the code only ("typically echoing the status code it received").
      expect(behaviour(a)).toEqual([
        { type: 'close-received', code: CloseCode.GoingAway, reason: '' },
        { type: 'closed', code: CloseCode.GoingAway, reason: '', wasClean: true },
      ]);
      expect(a.state).toBe('closed');
      expect(a.takeOutgoing()).toEqual([]); // no third close frame
    });
  }

  for (const role of ['client', 'server'] as const) {
    it(`§5.5.1: an empty close (${role} receiving) is reported as 1005 and answered with an empty close`, () => {
      const connection = role === 'server' ? server() : client();
      connection.receive(closeFrameTo(role, new Uint8Array(0)));
      expect(behaviour(connection)).toEqual([
        { type: 'close-received', code: CloseCode.NoStatusReceived, reason: '' },
        { type: 'closed', code: CloseCode.NoStatusReceived, reason: '', wasClean: true },
      ]);
      const [reply] = framesWritten(connection);
      expect(reply).toMatchObject({ opcode: Opcode.Close, masked: role === 'client' });
      expect(reply!.payload.length).toBe(0);
    });
  }

  it('§7.1.2: close() without a code sends an empty payload', () => {
    const connection = server();
    connection.close();
    const [frame] = framesWritten(connection);
    expect(frame).toMatchObject({ opcode: Opcode.Close, fin: true });
    expect(frame!.payload.length).toBe(0);
  });

  it('§5.5.1: after our close frame no data frames (or pings) are sent; close() again is a no-op', () => {
    const connection = server();
    connection.close(CloseCode.Normal);
    connection.takeOutgoing();
    expect(connection.sendText('late')).toBe(false);
    expect(connection.sendBinary(ascii('late'))).toBe(false);
    expect(connection.ping()).toBe(false);
    expect(connection.pong()).toBe(false);
    expect(connection.close(CloseCode.Normal)).toBe(false);
    expect(connection.takeOutgoing()).toEqual([]);
  });

  it('§1.4: messages still arrive while our close is in flight, but pings are not answered', () => {
    const connection = server();
    connection.close(CloseCode.Normal);
    connection.takeOutgoing();
    connection.receive(concat([
      frameTo('server', { opcode: Opcode.Text, payload: 'in flight' }),
      frameTo('server', { opcode: Opcode.Ping, payload: 'p' }),
    ]));
    expect(behaviour(connection).map((e) => e.type)).toEqual(['text', 'ping']);
    expect(connection.takeOutgoing()).toEqual([]);
    expect(connection.state).toBe('closing');
  });

  it('§5.5.1: data after the peer\'s close frame is ignored, even within the same chunk', () => {
    const connection = server();
    connection.receive(concat([
      closeFrameTo('server', hex('03 e8')),
      frameTo('server', { opcode: Opcode.Text, payload: 'after close' }),
    ]));
    expect(behaviour(connection).map((e) => e.type)).toEqual(['close-received', 'closed']);
    connection.receive(frameTo('server', { opcode: Opcode.Text, payload: 'later' }));
    expect(drain(connection)).toEqual([]);
  });

  it('§7.1.5: receiveEnd() before the closing handshake reports 1006, which is never sent', () => {
    const connection = client();
    connection.receiveEnd();
    expect(behaviour(connection)).toEqual([{ type: 'closed', code: CloseCode.AbnormalClosure, reason: '', wasClean: false }]);
    expect(connection.takeOutgoing()).toEqual([]);
    expect(connection.state).toBe('closed');
    connection.receiveEnd();
    expect(drain(connection)).toEqual([]);
  });

  it('§7.1.5: receiveEnd() while our close awaits its answer is 1006 too; after a clean close it is a no-op', () => {
    const closing = server();
    closing.close(CloseCode.Normal);
    closing.receiveEnd();
    expect(behaviour(closing)).toEqual([{ type: 'closed', code: CloseCode.AbnormalClosure, reason: '', wasClean: false }]);
    const clean = server();
    clean.receive(closeFrameTo('server', hex('03 e8')));
    drain(clean);
    clean.receiveEnd();
    expect(clean.takeEvents()).toEqual([]);
  });

  it('§7.4: close() refuses codes that may not be sent and over-long reasons (host programming errors)', () => {
    const connection = server();
    for (const code of [999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
      expect(() => connection.close(code)).toThrow(RangeError);
    }
    expect(() => connection.close(CloseCode.Normal, 'x'.repeat(124))).toThrow(RangeError);
    expect(() => connection.close(undefined, 'reason without code')).toThrow(RangeError);
    expect(connection.state).toBe('open');
    expect(connection.close(CloseCode.Normal, 'x'.repeat(123))).toBe(true);
  });

  it('sendRawFrame(close) counts as our close: the peer\'s answer completes the handshake', () => {
    const connection = client();
    connection.sendRawFrame({ fin: true, opcode: Opcode.Close, payload: hex('0f a0') });
    expect(connection.state).toBe('closing');
    connection.receive(closeFrameTo('client', hex('0f a0')));
    expect(behaviour(connection).at(-1)).toEqual({ type: 'closed', code: 4000, reason: '', wasClean: true });
    expect(framesWritten(connection)).toHaveLength(1);
  });
});

describe('close payloads received (RFC 6455 §5.5.1, §7.4)', () => {
  const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
  for (const code of valid) {
    it(`§7.4.1/§7.4.2: code ${code} is accepted and echoed`, () => {
      const connection = server();
      connection.receive(closeFrameTo('server', Uint8Array.of(code >> 8, code & 0xff, 0x6f, 0x6b)));
      expect(behaviour(connection)).toEqual([
        { type: 'close-received', code, reason: 'ok' },
        { type: 'closed', code, reason: 'ok', wasClean: true },
      ]);
      expect(codeOf(framesWritten(connection)[0]!.payload)).toBe(code);
    });
  }

  const invalid: ReadonlyArray<readonly [string, Uint8Array, number, string]> = [
    ['§5.5.1: 1-byte payload', hex('03'), CloseCode.ProtocolError, 'RFC 6455 §5.5.1'],
    ['§7.4.2: code 0', hex('00 00'), CloseCode.ProtocolError, 'RFC 6455 §7.4'],
    ['§7.4.2: code 999', hex('03 e7'), CloseCode.ProtocolError, 'RFC 6455 §7.4'],
    ['§7.4.1: reserved code 1004', hex('03 ec'), CloseCode.ProtocolError, 'RFC 6455 §7.4'],
    ['§7.4.1: code 1005 must not be sent', hex('03 ed'), CloseCode.ProtocolError, 'RFC 6455 §7.4'],
    ['§7.4.1: code 1006 must not be sent', hex('03 ee'), CloseCode.ProtocolError, 'RFC 6455 §7.4'],
    ['§7.4.1: code 1015 must not be sent', hex('03 f7'), CloseCode.ProtocolError, 'RFC 6455 §7.4'],
    ['§7.4.2: code 1016 (reserved for the protocol)', hex('03 f8'), CloseCode.ProtocolError, 'RFC 6455 §7.4'],
    ['§7.4.2: code 2999', hex('0b b7'), CloseCode.ProtocolError, 'RFC 6455 §7.4'],
    ['§7.4.2: code 5000', hex('13 88'), CloseCode.ProtocolError, 'RFC 6455 §7.4'],
    ['§5.5.1: reason that is not UTF-8', hex('03 e8 ce ba e1 bd b9 cf 83 ed a0 80'), CloseCode.InvalidPayloadData, 'RFC 6455 §5.5.1'],
  ];
  for (const [name, payload, closeCode, section] of invalid) {
    for (const role of ['server', 'client'] as const) {
      it(`${name} fails the connection with ${closeCode} (${role} receiving)`, () => {
        const connection = role === 'server' ? server() : client();
        connection.receive(closeFrameTo(role, payload));
        const events = behaviour(connection);
        expect(events.map((e) => e.type)).toEqual(['violation', 'closed']);
        expect(events[0]).toMatchObject({ violation: { closeCode, section } });
        expect(events[1]).toMatchObject({ code: closeCode, wasClean: false });
        expect(codeOf(framesWritten(connection)[0]!.payload)).toBe(closeCode);
      });
    }
  }

  it('§7.1.7: a violation while our close is in flight sends no second close frame', () => {
    const connection = server();
    connection.close(CloseCode.Normal);
    connection.takeOutgoing();
    connection.receive(closeFrameTo('server', hex('03')));
    expect(behaviour(connection).map((e) => e.type)).toEqual(['violation', 'closed']);
    expect(connection.takeOutgoing()).toEqual([]);
  });
});

describe('the owed close frame waits for the host to drain events (RFC 6455 §5.5.1)', () => {
  /** A host like the lab server's echo endpoint: drain events, echo messages, then write. */
  function echoHost(connection: ReturnType<typeof server>): { events: string[]; wire: number[] } {
    const events: string[] = [];
    for (let batch = connection.takeEvents(); batch.length > 0; batch = connection.takeEvents()) {
      for (const event of batch) {
        events.push(event.type);
        if (event.type === 'text') connection.sendText(event.text);
      }
    }
    return { events, wire: framesWritten(connection).map((frame) => frame.opcode) };
  }

  it('§5.5.1: text and close in one segment: the echo of the text goes out before the close answer', () => {
    const connection = server();
    connection.receive(concat([
      frameTo('server', { opcode: Opcode.Text, payload: 'last words' }),
      closeFrameTo('server', hex('03 e8')),
    ]));
    expect(connection.state).toBe('closing');
    expect(echoHost(connection)).toEqual({
      events: ['text', 'close-received', 'closed'],
      wire: [Opcode.Text, Opcode.Close],
    });
    expect(connection.state).toBe('closed');
  });

  it('§7.1.7: a message before a violation in the same segment is echoed before the failing close', () => {
    const connection = server();
    connection.receive(concat([
      frameTo('server', { opcode: Opcode.Text, payload: 'fine' }),
      frameTo('server', { opcode: Opcode.Continuation, payload: 'stray' }),
      frameTo('server', { opcode: Opcode.Ping }),
    ]));
    expect(echoHost(connection)).toEqual({ events: ['text', 'violation', 'closed'], wire: [Opcode.Text, Opcode.Close] });
  });

  it('takeOutgoing() writes the owed close when the host does not drain again; closed follows at the next takeEvents()', () => {
    const connection = server();
    connection.receive(closeFrameTo('server', hex('03 e9')));
    expect(connection.takeEvents().map((e) => e.type)).toEqual(['close-received']);
    expect(connection.close(CloseCode.Normal)).toBe(false); // the answer is already owed
    expect(framesWritten(connection).map((f) => codeOf(f.payload))).toEqual([CloseCode.GoingAway]);
    expect(connection.takeEvents()).toEqual([{ type: 'closed', code: CloseCode.GoingAway, reason: '', wasClean: true }]);
    expect(connection.sendText('too late')).toBe(false);
  });

  it('§7.1.5: the transport ending before the owed close is written: not clean, with the peer\'s code, nothing written', () => {
    const connection = server();
    connection.receive(closeFrameTo('server', hex('03 e8')));
    connection.takeEvents();
    connection.receiveEnd();
    expect(connection.takeEvents()).toEqual([{ type: 'closed', code: CloseCode.Normal, reason: '', wasClean: false }]);
    expect(connection.takeOutgoing()).toEqual([]);
  });
});
