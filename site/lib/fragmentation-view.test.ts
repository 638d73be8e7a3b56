import { describe, expect, it } from 'vitest';
import { Opcode } from '../../lab-server/src/protocol/constants.ts';
import { encodeUtf8 } from '../../lab-server/src/protocol/utf8.ts';
import { formatHex } from './bytes-input.ts';
import { fragmentMessage, utf8Verdict, type FragmentationOptions } from './fragmentation-view.ts';

const SERVER: FragmentationOptions = { opcode: Opcode.Text, fragmentSize: 3, pingAfter: null, direction: 'server-to-client', maskingKey: Uint8Array.of(1, 2, 3, 4) };

describe('fragmentation explorer logic (RFC 6455 §5.4)', () => {
  it('§5.7: "Hello" in fragments of 3 is 01 03 48 65 6c, then 80 02 6c 6f', () => {
    const result = fragmentMessage(encodeUtf8('Hello'), SERVER);
    if (!result.ok) throw new Error(result.error);
    expect(result.frames.map((built) => formatHex(built.frame.bytes))).toEqual(['01 03 48 65 6c', '80 02 6c 6f']);
    expect(result.frames.map((built) => [built.frame.record.opcodeName, built.frame.record.fin])).toEqual([['text', false], ['continuation', true]]);
    expect(formatHex(result.wire)).toBe('01 03 48 65 6c 80 02 6c 6f');
  });

  it('§5.4: a ping may sit between two fragments, with its own FIN set', () => {
    const result = fragmentMessage(encodeUtf8('Hello'), { ...SERVER, fragmentSize: 2, pingAfter: 1 });
    if (!result.ok) throw new Error(result.error);
    expect(result.frames.map((built) => `${built.kind}:${built.frame.record.opcodeName}:${built.frame.record.fin}`))
      .toEqual(['data:text:false', 'ping:ping:true', 'data:continuation:false', 'data:continuation:true']);
    expect(result.frames.map((built) => built.frame.record.streamOffset)).toEqual([0, 4, 10, 14]);
  });

  it('§5.3: client fragments are each masked', () => {
    const result = fragmentMessage(encodeUtf8('Hi'), { ...SERVER, direction: 'client-to-server', fragmentSize: 1 });
    if (!result.ok) throw new Error(result.error);
    expect(result.frames.every((built) => built.frame.record.masked)).toBe(true);
  });

  it('refuses a size of 0 and too many fragments', () => {
    expect(fragmentMessage(encodeUtf8('Hello'), { ...SERVER, fragmentSize: 0 }).ok).toBe(false);
    expect(fragmentMessage(new Uint8Array(100), { ...SERVER, fragmentSize: 1 }).ok).toBe(false);
  });
});

describe('UTF-8 across fragments (RFC 6455 §5.6, §8.1)', () => {
  it('"é" (c3 a9) split between two fragments is valid once the message is complete', () => {
    const result = fragmentMessage(encodeUtf8('é'), { ...SERVER, fragmentSize: 1 });
    if (!result.ok) throw new Error(result.error);
    expect(result.frames.map((built) => built.utf8)).toEqual([
      { valid: true, atBoundary: false, failedAt: -1 },
      { valid: true, atBoundary: true, failedAt: -1 },
    ]);
    expect(utf8Verdict(result.frames)).toMatchObject({ ok: true, closeCode: null });
  });

  it('an invalid byte fails at its fragment with 1007, before the message ends', () => {
    const result = fragmentMessage(Uint8Array.of(0x48, 0x69, 0xff, 0x21), { ...SERVER, fragmentSize: 2 });
    if (!result.ok) throw new Error(result.error);
    expect(result.frames[1]!.utf8).toMatchObject({ valid: false, failedAt: 2 });
    expect(utf8Verdict(result.frames)).toMatchObject({ ok: false, closeCode: 1007 });
  });

  it('a message that ends inside a character fails with 1007', () => {
    const result = fragmentMessage(Uint8Array.of(0x48, 0xe2, 0x82), SERVER);
    if (!result.ok) throw new Error(result.error);
    expect(utf8Verdict(result.frames)).toMatchObject({ ok: false, closeCode: 1007 });
  });

  it('binary messages are not validated', () => {
    const result = fragmentMessage(Uint8Array.of(0xff), { ...SERVER, opcode: Opcode.Binary });
    if (!result.ok) throw new Error(result.error);
    expect(result.frames[0]!.utf8).toBeUndefined();
    expect(utf8Verdict(result.frames).ok).toBe(true);
  });
});
