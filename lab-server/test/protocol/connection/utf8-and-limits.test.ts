import { deflateRawSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createZlibCompressor } from '../../../src/node/zlib-compressor.ts';
import { CloseCode, Opcode } from '../../../src/protocol/constants.ts';
import type { DeflateParameters } from '../../../src/protocol/deflate/codec.ts';
import { behaviour, drain, frameTo, hex, server } from './helpers.ts';

const params: DeflateParameters = {
  serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15,
};
const deflated = (bytes: Uint8Array): Uint8Array => {
  const out = deflateRawSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
  return new Uint8Array(out.subarray(0, out.length - 4));
};

describe('UTF-8 of text messages (RFC 6455 §5.6, §8.1)', () => {
  it('§8.1: a code point split across fragments is valid ("κόσμε" one byte per frame)', () => {
    const connection = server();
    const bytes = new TextEncoder().encode('κόσμε');
    bytes.forEach((byte, i) => {
      connection.receive(frameTo('server', {
        opcode: i === 0 ? Opcode.Text : Opcode.Continuation, fin: i === bytes.length - 1, payload: Uint8Array.of(byte),
      }));
    });
    expect(behaviour(connection)).toEqual([{ type: 'text', text: 'κόσμε', byteLength: bytes.length, compressed: false, bytes }]);
  });

  const failFast: ReadonlyArray<readonly [string, string]> = [
    ['0xC0 (overlong lead byte)', 'c0'],
    ['0xF5 (beyond U+10FFFF)', 'f5'],
    ['ED A0 (UTF-16 surrogate)', 'ed a0'],
    ['F4 90 (> U+10FFFF)', 'f4 90'],
    ['a lone continuation byte', '80'],
  ];
  for (const [name, bad] of failFast) {
    it(`§8.1 fail fast: ${name} in the 2nd fragment fails there, before the message ends`, () => {
      const connection = server({ recordPreviewBytes: 16 });
      connection.receive(frameTo('server', { opcode: Opcode.Text, fin: false, payload: 'ok ' }));
      expect(behaviour(connection)).toEqual([]);
      connection.receive(frameTo('server', { opcode: Opcode.Continuation, fin: false, payload: hex(`61 ${bad}`) }));
      const events = drain(connection);
      const broken = events.find((e) => e.type === 'violation');
      expect(broken).toMatchObject({ violation: { closeCode: CloseCode.InvalidPayloadData, section: 'RFC 6455 §8.1' } });
      // The record of the fragment that broke the rule carries the violation, before the violation event.
      const index = events.indexOf(broken!);
      expect(events[index - 1]).toMatchObject({ type: 'frame', record: { index: 1, violation: { closeCode: 1007 } } });
      // byteOffset points at the first impossible byte: frame 0 is 2+4+3 = 9 bytes, frame 1's payload starts at 15.
      const firstBad = bad === 'ed a0' || bad === 'f4 90' ? 1 : 0;
      expect(broken?.type === 'violation' && broken.violation.byteOffset).toBe(15 + 1 + firstBad);
      expect(connection.state).toBe('closed');
    });
  }

  it('§8.1: a message ending inside a code point fails at its final fragment', () => {
    const connection = server();
    connection.receive(frameTo('server', { opcode: Opcode.Text, fin: false, payload: hex('ce') }));
    expect(behaviour(connection)).toEqual([]);
    connection.receive(frameTo('server', { opcode: Opcode.Continuation, fin: true, payload: hex('') }));
    expect(behaviour(connection)[0]).toMatchObject({ type: 'violation', violation: { closeCode: CloseCode.InvalidPayloadData } });
  });

  it('§8.1: invalid UTF-8 in a single-frame text message fails with 1007', () => {
    const connection = server();
    connection.receive(frameTo('server', { opcode: Opcode.Text, payload: hex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64') }));
    expect(behaviour(connection)[0]).toMatchObject({ type: 'violation', violation: { closeCode: CloseCode.InvalidPayloadData } });
  });

  it('RFC 7692 §6: compressed text is validated after inflation (1007)', () => {
    const connection = server({ compressor: createZlibCompressor(params, 'server') });
    connection.receive(frameTo('server', { opcode: Opcode.Text, rsv1: true, payload: deflated(hex('61 ff 62')) }));
    expect(behaviour(connection)[0]).toMatchObject({ type: 'violation', violation: { closeCode: CloseCode.InvalidPayloadData } });
  });

  it('binary messages are not UTF-8 checked', () => {
    const connection = server();
    connection.receive(frameTo('server', { opcode: Opcode.Binary, payload: hex('ff fe c0') }));
    expect(behaviour(connection)[0]).toMatchObject({ type: 'binary', data: hex('ff fe c0') });
  });
});

describe('message size limits (1009)', () => {
  it('RFC 6455 §10.4: a single frame over maxMessageBytes fails when its length is read, before its payload', () => {
    const connection = server({ maxMessageBytes: 1000 });
    const bytes = frameTo('server', { opcode: Opcode.Binary, payload: new Uint8Array(1001) });
    connection.receive(bytes.subarray(0, 4)); // 2 header bytes + 16-bit length: nothing buffered yet
    expect(behaviour(connection)[0]).toMatchObject({ type: 'violation', violation: { closeCode: CloseCode.MessageTooBig } });
  });

  it('RFC 6455 §7.4.1: fragments together over maxMessageBytes fail at the fragment that crosses it', () => {
    const connection = server({ maxMessageBytes: 1000 });
    for (let i = 0; i < 3; i++) {
      connection.receive(frameTo('server', { opcode: i === 0 ? Opcode.Binary : Opcode.Continuation, fin: false, payload: new Uint8Array(400) }));
      if (i < 2) expect(behaviour(connection)).toEqual([]);
    }
    expect(behaviour(connection)[0]).toMatchObject({ type: 'violation', violation: { closeCode: CloseCode.MessageTooBig } });
    expect(connection.state).toBe('closed');
  });

  it('exactly maxMessageBytes across fragments is accepted', () => {
    const connection = server({ maxMessageBytes: 1000 });
    connection.receive(frameTo('server', { opcode: Opcode.Binary, fin: false, payload: new Uint8Array(600) }));
    connection.receive(frameTo('server', { opcode: Opcode.Continuation, payload: new Uint8Array(400) }));
    expect(behaviour(connection)[0]).toMatchObject({ type: 'binary', compressed: false });
  });

  it('RFC 7692 §8.1: a compressed message inflating beyond maxMessageBytes fails with 1009 (decompression bomb)', () => {
    const connection = server({ maxMessageBytes: 64 * 1024, compressor: createZlibCompressor(params, 'server') });
    const bomb = deflated(new Uint8Array(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    connection.receive(frameTo('server', { opcode: Opcode.Binary, rsv1: true, payload: bomb }));
    expect(behaviour(connection)[0]).toMatchObject({
      type: 'violation', violation: { closeCode: CloseCode.MessageTooBig, section: 'RFC 7692 §8.1' },
    });
  });

  it('RFC 7692 §8.1: a fragmented compressed message inflating beyond the bound fails with 1009', () => {
    const connection = server({ maxMessageBytes: 10_000, compressor: createZlibCompressor(params, 'server') });
    const payload = deflated(new Uint8Array(20_000).fill(0x61));
    connection.receive(frameTo('server', { opcode: Opcode.Text, rsv1: true, fin: false, payload: payload.subarray(0, 5) }));
    connection.receive(frameTo('server', { opcode: Opcode.Continuation, payload: payload.subarray(5) }));
    expect(behaviour(connection)[0]).toMatchObject({ type: 'violation', violation: { closeCode: CloseCode.MessageTooBig } });
  });

  it('a compressed message inflating to exactly maxMessageBytes is accepted', () => {
    const connection = server({ maxMessageBytes: 10_000, compressor: createZlibCompressor(params, 'server') });
    connection.receive(frameTo('server', { opcode: Opcode.Text, rsv1: true, payload: deflated(new Uint8Array(10_000).fill(0x61)) }));
    expect(behaviour(connection)[0]).toMatchObject({ type: 'text', byteLength: 10_000, compressed: true });
  });
});
