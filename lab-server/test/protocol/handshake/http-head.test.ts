import { describe, expect, it } from 'vitest';
import { HttpHeadReader, decodeHeadBytes, parseRequestHead, parseResponseHead } from '../../../src/protocol/handshake/http-head.ts';
import { isRejection } from '../../../src/protocol/handshake/types.ts';
import type { HandshakeRejection } from '../../../src/protocol/handshake/types.ts';

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (ch) => ch.charCodeAt(0));
const text = (data: Uint8Array): string => decodeHeadBytes(data);

// RFC 6455 §1.2: the sample client handshake.
const SAMPLE_REQUEST =
  'GET /chat HTTP/1.1\r\n' +
  'Host: server.example.com\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Origin: http://example.com\r\n' +
  'Sec-WebSocket-Protocol: chat, superchat\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  '\r\n';
const FRAME = '\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58'; // RFC 6455 §5.7 masked "Hello"

function expectRejection(value: unknown, status: number, section: string, mention: RegExp): void {
  expect(isRejection(value), JSON.stringify(value)).toBe(true);
  const refusal = value as HandshakeRejection;
  expect(refusal.status).toBe(status);
  expect(refusal.section).toBe(section);
  expect(refusal.reason).toMatch(mention);
}

describe('HttpHeadReader (RFC 7230 §3)', () => {
  it('returns the head through CRLF CRLF and the frame bytes behind it at every split point', () => {
    const stream = SAMPLE_REQUEST + FRAME;
    for (let split = 0; split <= stream.length; split++) {
      const reader = new HttpHeadReader(4096);
      const first = reader.push(bytes(stream.slice(0, split)));
      const result = first ?? reader.push(bytes(stream.slice(split)));
      expect(result, `split ${split}`).not.toBeNull();
      if (result === null || isRejection(result)) throw new Error(`split ${split}: ${JSON.stringify(result)}`);
      // When the first part already held the whole head, the rest of the stream was never pushed.
      const rest = first === null ? text(result.rest) : text(result.rest) + stream.slice(split);
      expect(text(result.head)).toBe(SAMPLE_REQUEST);
      expect(rest).toBe(FRAME);
    }
  });

  it('reads one byte at a time', () => {
    const reader = new HttpHeadReader(4096);
    const stream = bytes(SAMPLE_REQUEST + FRAME);
    let result = null;
    let i = 0;
    for (; i < stream.length && result === null; i++) result = reader.push(stream.subarray(i, i + 1));
    if (result === null || isRejection(result)) throw new Error('no head');
    expect(i).toBe(SAMPLE_REQUEST.length);
    expect(text(result.head)).toBe(SAMPLE_REQUEST);
    expect(result.rest).toHaveLength(0);
  });

  it('skips empty lines before the request line (RFC 7230 §3.5) at every split point', () => {
    const stream = '\r\n\r\n' + SAMPLE_REQUEST;
    for (let split = 0; split <= stream.length; split++) {
      const reader = new HttpHeadReader(4096);
      const result = reader.push(bytes(stream.slice(0, split))) ?? reader.push(bytes(stream.slice(split)));
      if (result === null || isRejection(result)) throw new Error(`split ${split}: ${JSON.stringify(result)}`);
      expect(text(result.head), `split ${split}`).toBe(SAMPLE_REQUEST);
    }
  });

  it('accepts a head of exactly maxHeadBytes and refuses one byte more with 431 (RFC 6585 §5)', () => {
    const exact = new HttpHeadReader(SAMPLE_REQUEST.length).push(bytes(SAMPLE_REQUEST));
    expect(exact !== null && !isRejection(exact)).toBe(true);
    const over = new HttpHeadReader(SAMPLE_REQUEST.length - 1).push(bytes(SAMPLE_REQUEST));
    expectRejection(over, 431, 'RFC 6585 §5', /Request Header Fields Too Large/);
  });

  it('refuses with 431 as soon as the buffered bytes pass the limit, without waiting for CRLF CRLF', () => {
    const reader = new HttpHeadReader(1024);
    const line = bytes(`X-Filler: ${'a'.repeat(100)}\r\n`);
    let result = reader.push(bytes('GET / HTTP/1.1\r\n'));
    for (let i = 0; i < 20 && result === null; i++) result = reader.push(line);
    expectRejection(result, 431, 'RFC 6585 §5', /exceeds 1024 bytes/);
    expect(reader.bytesReceived).toBeLessThanOrEqual(1024 + line.length);
    // Sticky: later input gets the same answer.
    expect(reader.push(bytes('\r\n\r\n'))).toBe(result);
  });

  it('counts skipped leading empty lines against the limit', () => {
    expectRejection(new HttpHeadReader(64).push(bytes('\r\n'.repeat(40))), 431, 'RFC 6585 §5', /Too Large/);
  });

  it.each([
    ['a bare LF ends a line', 'GET / HTTP/1.1\nHost: a\n\n', /bare LF/],
    ['a bare LF in the middle of the head', 'GET / HTTP/1.1\r\nHost: a\nb\r\n\r\n', /bare LF/],
    ['a bare CR', 'GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n', /bare CR/],
  ])('refuses at once when %s (RFC 7230 §3.5)', (_name, head, mention) => {
    const reader = new HttpHeadReader(4096);
    let result = null;
    for (let i = 0; i < head.length && result === null; i++) result = reader.push(bytes(head[i]!));
    expectRejection(result, 400, 'RFC 7230 §3.5', mention);
  });

  it('throws if pushed to after the head is complete (later bytes belong to the connection)', () => {
    const reader = new HttpHeadReader(4096);
    reader.push(bytes(SAMPLE_REQUEST));
    expect(() => reader.push(bytes(FRAME))).toThrow(/complete/);
  });

  it('does not copy when one chunk holds the whole head', () => {
    const chunk = bytes(SAMPLE_REQUEST + FRAME);
    const result = new HttpHeadReader(4096).push(chunk);
    if (result === null || isRejection(result)) throw new Error('no head');
    expect(result.head.buffer).toBe(chunk.buffer);
    expect(result.rest.buffer).toBe(chunk.buffer);
  });
});

describe('parseRequestHead (RFC 7230 §3.1.1, §3.2)', () => {
  it('parses the RFC 6455 §1.2 sample handshake, keeping order, case and raw text', () => {
    const request = parseRequestHead(bytes(SAMPLE_REQUEST));
    if (isRejection(request)) throw new Error(request.reason);
    expect(request.method).toBe('GET');
    expect(request.target).toBe('/chat');
    expect(request.httpVersion).toBe('1.1');
    expect(request.startLine).toBe('GET /chat HTTP/1.1');
    expect(request.raw).toBe(SAMPLE_REQUEST);
    expect(request.headers).toEqual([
      ['Host', 'server.example.com'],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ['Origin', 'http://example.com'],
      ['Sec-WebSocket-Protocol', 'chat, superchat'],
      ['Sec-WebSocket-Version', '13'],
    ]);
  });

  it('trims OWS around values, keeps inner spaces, keeps obs-text bytes and repeated fields (RFC 7230 §3.2.2)', () => {
    const request = parseRequestHead(bytes('GET / HTTP/1.1\r\nX-A: \t one  two \t\r\nx-a:\r\nX-Name: caf\xe9\r\n\r\n'));
    if (isRejection(request)) throw new Error(request.reason);
    expect(request.headers).toEqual([
      ['X-A', 'one  two'],
      ['x-a', ''],
      ['X-Name', 'caf\xe9'],
    ]);
  });

  it('accepts a string head with or without the final empty line', () => {
    for (const head of ['GET / HTTP/1.1\r\nHost: a', 'GET / HTTP/1.1\r\nHost: a\r\n', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n']) {
      const request = parseRequestHead(head);
      if (isRejection(request)) throw new Error(request.reason);
      expect(request.headers).toEqual([['Host', 'a']]);
    }
  });

  it.each([
    ['obs-fold (RFC 7230 §3.2.4)', 'GET / HTTP/1.1\r\nX-A: one\r\n two\r\n\r\n', 'RFC 7230 §3.2.4', /folding/],
    ['whitespace after the start line (RFC 7230 §3)', 'GET / HTTP/1.1\r\n Host: a\r\n\r\n', 'RFC 7230 §3.2.4', /folding/],
    ['a tab-folded line', 'GET / HTTP/1.1\r\nX-A: one\r\n\ttwo\r\n\r\n', 'RFC 7230 §3.2.4', /folding/],
    ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', 'RFC 7230 §3.2.4', /between a field name and its colon/],
    ['a missing colon', 'GET / HTTP/1.1\r\nHost a\r\n\r\n', 'RFC 7230 §3.2', /no colon/],
    ['an empty field name', 'GET / HTTP/1.1\r\n: a\r\n\r\n', 'RFC 7230 §3.2', /empty field name/],
    ['a field name that is not a token', 'GET / HTTP/1.1\r\nX(A): a\r\n\r\n', 'RFC 7230 §3.2', /token/],
    ['a control character in a value', 'GET / HTTP/1.1\r\nX-A: a\x00b\r\n\r\n', 'RFC 7230 §3.2', /control character/],
    ['a bare LF', 'GET / HTTP/1.1\nHost: a\r\n\r\n', 'RFC 7230 §3.5', /bare LF/],
    ['a bare CR', 'GET / HTTP/1.1\r\nHost: a\rX\r\n\r\n', 'RFC 7230 §3.5', /bare CR/],
    ['an empty line inside the head', 'GET / HTTP/1.1\r\n\r\nHost: a\r\n\r\n', 'RFC 7230 §3', /first empty line/],
    ['an empty head', '\r\n\r\n', 'RFC 7230 §3', /no start line/],
    ['a request line with two spaces', 'GET  / HTTP/1.1\r\n\r\n', 'RFC 7230 §3.1.1', /method SP request-target SP HTTP-version/],
    ['a request line without version', 'GET /\r\n\r\n', 'RFC 7230 §3.1.1', /method SP request-target SP HTTP-version/],
    ['a method that is not a token', 'G(T / HTTP/1.1\r\n\r\n', 'RFC 7230 §3.1.1', /method must be a token/],
    ['a control byte in the target', 'GET /a\x7fb HTTP/1.1\r\n\r\n', 'RFC 7230 §5.3', /request target/],
    ['a malformed HTTP version', 'GET / HTTP/1.10\r\n\r\n', 'RFC 7230 §2.6', /HTTP version/],
    ['a lowercase HTTP name', 'GET / http/1.1\r\n\r\n', 'RFC 7230 §2.6', /HTTP version/],
  ])('refuses %s with 400', (_name, head, section, mention) => {
    expectRejection(parseRequestHead(bytes(head)), 400, section, mention);
  });
});

describe('parseResponseHead (RFC 7230 §3.1.2)', () => {
  // RFC 6455 §1.2: the sample server handshake.
  const SAMPLE_RESPONSE =
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
    'Sec-WebSocket-Protocol: chat\r\n' +
    '\r\n';

  it('parses the RFC 6455 §1.2 sample response', () => {
    const response = parseResponseHead(bytes(SAMPLE_RESPONSE));
    if (isRejection(response)) throw new Error(response.reason);
    expect(response).toMatchObject({ httpVersion: '1.1', status: 101, statusText: 'Switching Protocols', raw: SAMPLE_RESPONSE });
    expect(response.headers[2]).toEqual(['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=']);
  });

  it.each([
    ['HTTP/1.1 101 \r\n\r\n', ''],
    ['HTTP/1.1 101\r\n\r\n', ''],
    ['HTTP/1.1 404 Not  Found here\r\n\r\n', 'Not  Found here'],
  ])('tolerates any reason phrase, even none: %j', (head, statusText) => {
    const response = parseResponseHead(head);
    if (isRejection(response)) throw new Error(response.reason);
    expect(response.statusText).toBe(statusText);
  });

  it.each([
    ['no status code', 'HTTP/1.1\r\n\r\n', 'RFC 7230 §3.1.2', /status line/],
    ['a two-digit status', 'HTTP/1.1 10 Hm\r\n\r\n', 'RFC 7230 §3.1.2', /three digits/],
    ['a bad version', 'HTTP/x 101 Switching Protocols\r\n\r\n', 'RFC 7230 §2.6', /HTTP version/],
    ['obs-fold', 'HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n  more\r\n\r\n', 'RFC 7230 §3.2.4', /folding/],
    ['whitespace before a colon', 'HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n', 'RFC 7230 §3.2.4', /colon/],
  ])('refuses %s', (_name, head, section, mention) => {
    expectRejection(parseResponseHead(head), 400, section, mention);
  });
});
