import { describe, expect, it } from 'vitest';
import { headerList, headerListHas, headerValues, sameFieldName } from '../../../src/protocol/handshake/headers.ts';
import { decodeHeadBytes } from '../../../src/protocol/handshake/http-head.ts';
import type { HeaderField } from '../../../src/protocol/handshake/types.ts';

const head = (...headers: HeaderField[]): { headers: HeaderField[] } => ({ headers });

describe('field names are case-insensitive (RFC 7230 §3.2)', () => {
  it.each([
    ['Connection', 'connection', true],
    ['SEC-WEBSOCKET-KEY', 'Sec-WebSocket-Key', true],
    ['Host', 'Hos', false],
    ['Host', 'Hosu', false],
    // Only ASCII letters fold: "[" (0x5B) is not "{" (0x7B), "@" is not "`".
    ['a[', 'A{', false],
    ['@', '`', false],
  ])('%s vs %s -> %s', (a, b, same) => {
    expect(sameFieldName(a, b)).toBe(same);
  });

  it('headerValues finds every line of a field whatever its case, in order', () => {
    expect(headerValues(head(['X-A', '1'], ['Host', 'h'], ['x-a', '2']), 'X-a')).toEqual(['1', '2']);
  });
});

describe('list-valued fields (RFC 7230 §7)', () => {
  const connection = head(['Connection', 'keep-alive ,\t, UPGRADE'], ['Upgrade', 'h2c, WebSocket'], ['connection', 'x']);

  it('headerListHas finds a token among OWS, empty elements, other lines and any ASCII case', () => {
    expect(headerListHas(connection, 'Connection', 'Upgrade')).toBe(true);
    expect(headerListHas(connection, 'connection', 'keep-alive')).toBe(true);
    expect(headerListHas(connection, 'CONNECTION', 'x')).toBe(true);
    expect(headerListHas(connection, 'Upgrade', 'websocket')).toBe(true);
  });

  it('headerListHas matches whole elements only, and never an empty one', () => {
    expect(headerListHas(connection, 'Connection', 'Upgrad')).toBe(false);
    expect(headerListHas(connection, 'Connection', 'keep')).toBe(false);
    expect(headerListHas(connection, 'Connection', '')).toBe(false);
    expect(headerListHas(head(['Connection', '']), 'Connection', '')).toBe(false);
    expect(headerListHas(head(['Upgrade', 'websocket']), 'Connection', 'websocket')).toBe(false);
  });

  it('headerListHas agrees with headerList on every element', () => {
    for (const element of headerList(connection, 'Connection')) {
      expect(headerListHas(connection, 'Connection', element)).toBe(true);
    }
    expect(headerList(connection, 'Connection')).toEqual(['keep-alive', 'UPGRADE', 'x']);
  });
});

describe('decodeHeadBytes keeps every byte as one char (ISO-8859-1, RFC 7230 §3.2.6 obs-text)', () => {
  it('decodes all 256 byte values to the char with that code, including 0x80-0x9F', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const decoded = decodeHeadBytes(all);
    expect(decoded.length).toBe(256);
    for (let i = 0; i < 256; i++) expect(decoded.charCodeAt(i)).toBe(i);
  });

  it('decodes ASCII heads, views into larger buffers included', () => {
    const buffer = new TextEncoder().encode('xxGET / HTTP/1.1\r\n\r\nyy');
    expect(decodeHeadBytes(buffer.subarray(2, buffer.length - 2))).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(decodeHeadBytes(new Uint8Array(0))).toBe('');
  });
});
