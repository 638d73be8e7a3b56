import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeBase64 } from '../../lab-server/src/protocol/base64.ts';
import { detectFormat, formatHex, parseBase64, parseBytesInput, parseDump, parseHex, toUrlHex } from './bytes-input.ts';

// RFC 6455 §5.7: a single-frame unmasked text message "Hello".
const HELLO = Uint8Array.of(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f);
// RFC 6455 §5.7: a single-frame masked text message "Hello".
const MASKED_HELLO = Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);

function bytesOf(text: string, format?: Parameters<typeof parseBytesInput>[1]): number[] {
  const result = parseBytesInput(text, format);
  if (!result.ok) throw new Error(`expected bytes from ${JSON.stringify(text)}, got: ${result.error}`);
  return [...result.bytes];
}

describe('parseHex', () => {
  it.each([
    ['spaced', '81 05 48 65 6c 6c 6f'],
    ['unspaced', '810548656c6c6f'],
    ['grouped by two bytes', '8105 4865 6c6c 6f'],
    ['upper case with 0x and commas', '0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F'],
    ['C escapes', '\\x81\\x05\\x48\\x65\\x6c\\x6c\\x6f'],
    ['colons', '81:05:48:65:6c:6c:6f'],
    ['line breaks', '81 05\n48 65\r\n6c 6c 6f\n'],
  ])('reads the RFC 6455 §5.7 "Hello" frame written %s', (_name, text) => {
    expect(bytesOf(text, 'hex')).toEqual([...HELLO]);
  });

  it.each([
    ['a non-hex letter', '81 0g', /"g".*not a hex digit/],
    ['an odd group', '81 5 48', /"5" has an odd number of hex digits/],
    ['an odd unspaced run', '81054', /odd number/],
    ['nothing', '   ', /no hex digits/],
    ['a control character', '81\u000705', /U\+0007/],
  ])('explains %s', (_name, text, message) => {
    const result = parseHex(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});

describe('parseBase64', () => {
  it('reads standard base64 of the masked "Hello" frame (RFC 6455 §5.7)', () => {
    expect(bytesOf(encodeBase64(MASKED_HELLO), 'base64')).toEqual([...MASKED_HELLO]);
  });
  it('accepts the URL-safe alphabet, missing padding and line breaks', () => {
    const bytes = Uint8Array.of(0xfb, 0xff, 0xbf, 0x01);
    expect(encodeBase64(bytes)).toBe('+/+/AQ==');
    expect(bytesOf('-_-_\nAQ', 'base64')).toEqual([...bytes]);
  });
  it.each([
    ['a character outside the alphabet', 'gQVI*Q==', /"\*" is not a base64 character/],
    ['an impossible length', 'gQVIZ', /cannot be whole bytes/],
    ['non-zero pad bits', 'gR==', /not valid base64/],
  ])('explains %s', (_name, text, message) => {
    const result = parseBase64(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});

describe('parseDump', () => {
  it('reads a Wireshark "Copy as Hex Dump" with an ASCII column', () => {
    const dump = [
      '0000   81 85 37 fa 21 3d 7f 9f 4d 51 58 81 05 48 65 6c   ..7.!=..MQX..Hel',
      '0010   6c 6f                                             lo',
    ].join('\n');
    expect(bytesOf(dump)).toEqual([...MASKED_HELLO, ...HELLO]);
  });
  it('drops an ASCII column that is itself valid hex ("cafe")', () => {
    expect(bytesOf('0000  63 61 66 65  cafe', 'dump')).toEqual([0x63, 0x61, 0x66, 0x65]);
  });
  it('reads tcpdump -X and xxd layouts (byte pairs, colon after the offset)', () => {
    expect(bytesOf('\t0x0000:  8105 4865 6c6c 6f                   ..Hello')).toEqual([...HELLO]);
    expect(bytesOf('00000000: 8105 4865 6c6c 6f                        ..Hello')).toEqual([...HELLO]);
  });
  it('accepts a dump of one layer that starts at a later offset', () => {
    expect(bytesOf('0042   81 05 48 65 6c 6c 6f   ..Hello')).toEqual([...HELLO]);
  });
  it('reports a missing line by its offsets', () => {
    const result = parseDump('0000  81 05 48 65 6c 6c 6f 81 05 48 65 6c 6c 6f 81 05\n0020  48 65');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/Line 2 starts at offset 0x0020.*end at 0x0010/);
  });
  it('reports a line without an offset', () => {
    const result = parseDump('0000  81 05\nhello');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/Line 2 does not start with an offset/);
  });
});

describe('detectFormat and parseBytesInput', () => {
  it.each([
    ['81 05 48 65', 'hex'],
    ['81054865', 'hex'],
    ['gQVIZWxsbw==', 'base64'],
    ['0000   81 05 48 65   ..He', 'dump'],
    ['', null],
  ] as const)('%j looks like %s', (text, format) => {
    expect(detectFormat(text)).toBe(format);
  });

  it('prefers hex for text that is both hex and base64', () => {
    expect(bytesOf('81054865')).toEqual([0x81, 0x05, 0x48, 0x65]);
  });

  it('says what to paste when the input is not bytes at all', () => {
    const result = parseBytesInput('hello, world!');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/paste them as hex, base64 or a hex dump/);
  });

  it('round-trips any bytes through hex, URL hex and base64 (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      if (bytes.length === 0) return;
      expect(bytesOf(formatHex(bytes), 'hex')).toEqual([...bytes]);
      expect(bytesOf(toUrlHex(bytes), 'hex')).toEqual([...bytes]);
      expect(bytesOf(encodeBase64(bytes), 'base64')).toEqual([...bytes]);
    }));
  });
});
