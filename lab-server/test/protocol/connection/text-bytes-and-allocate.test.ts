import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../src/protocol/constants.ts';
import { FrameParser } from '../../../src/protocol/frame/parser.ts';
import { concat, drain, frameTo, server } from './helpers.ts';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("the 'text' event's bytes and sendTextBytes (RFC 6455 §5.6)", () => {
  it('a text event carries the validated UTF-8 it was decoded from, single-frame and fragmented', () => {
    const connection = server();
    connection.receive(concat([
      frameTo('server', { opcode: Opcode.Text, payload: utf8('κόσμε') }),
      frameTo('server', { fin: false, opcode: Opcode.Text, payload: utf8('κό').subarray(0, 3) }),
      frameTo('server', { opcode: Opcode.Continuation, payload: utf8('κό').subarray(3) }),
    ]));
    const texts = drain(connection).filter((event) => event.type === 'text');
    expect(texts.map((event) => event.text)).toEqual(['κόσμε', 'κό']);
    expect(texts.map((event) => [...event.bytes])).toEqual([[...utf8('κόσμε')], [...utf8('κό')]]);
    expect(texts.map((event) => event.byteLength)).toEqual([utf8('κόσμε').length, utf8('κό').length]);
  });

  it('sendTextBytes writes a text frame with exactly those bytes, like sendText of the same string', () => {
    const viaBytes = server();
    const viaString = server();
    expect(viaBytes.sendTextBytes(utf8('héllo 𝄞'))).toBe(true);
    viaString.sendText('héllo 𝄞');
    const wireViaBytes = concat(viaBytes.takeOutgoing());
    expect(wireViaBytes).toEqual(concat(viaString.takeOutgoing()));
    const [frame] = new FrameParser({ role: 'client' }).push(wireViaBytes);
    expect(frame).toMatchObject({ fin: true, opcode: Opcode.Text });
    expect([...frame!.payload]).toEqual([...utf8('héllo 𝄞')]);
  });

  it('sendTextBytes is dropped once our close frame is sent (RFC 6455 §5.5.1)', () => {
    const connection = server();
    connection.close();
    expect(connection.sendTextBytes(utf8('late'))).toBe(false);
  });
});

describe('allocate: memory for payloads over 64 KiB that span chunks', () => {
  it('is asked once per spanning payload, for its length, and the payload arrives in it, unmasked', () => {
    const lengths: number[] = [];
    const parser = new FrameParser({
      role: 'server',
      allocate: (length) => {
        lengths.push(length);
        return new Uint8Array(length).fill(0xaa); // stale bytes: the parser must overwrite every one
      },
    });
    const payload = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);
    const wire = frameTo('server', { opcode: Opcode.Binary, payload });
    const frames = [];
    for (let at = 0; at < wire.length; at += 10_000) frames.push(...parser.push(wire.slice(at, at + 10_000)));
    expect(parser.violation).toBeNull();
    expect(lengths).toEqual([100_000]);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload).toEqual(payload);
  });

  it('is not asked for a spanning payload of up to 64 KiB (cut from the shared slab)', () => {
    let calls = 0;
    const connection = server({ allocate: (length) => { calls++; return new Uint8Array(length); } });
    const payload = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 5) & 0xff);
    const wire = frameTo('server', { opcode: Opcode.Binary, payload });
    for (let at = 0; at < wire.length; at += 1000) connection.receive(wire.slice(at, at + 1000));
    const events = drain(connection);
    expect(events.map((event) => event.type)).toEqual(['binary']);
    expect((events[0] as { data: Uint8Array }).data).toEqual(payload);
    expect(calls).toBe(0);
  });

  it('is not asked for a payload that lies within one chunk (handed on as a view)', () => {
    let calls = 0;
    const connection = server({ allocate: (length) => { calls++; return new Uint8Array(length); } });
    connection.receive(frameTo('server', { opcode: Opcode.Binary, payload: new Uint8Array(5000) }));
    expect(drain(connection).map((event) => event.type)).toEqual(['binary']);
    expect(calls).toBe(0);
  });
});
