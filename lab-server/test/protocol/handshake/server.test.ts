import { describe, expect, it } from 'vitest';
import { parseRequestHead, parseResponseHead } from '../../../src/protocol/handshake/http-head.ts';
import { acceptClientHandshake, isWebSocketUpgrade, serializeResponse } from '../../../src/protocol/handshake/server.ts';
import type { ServerHandshakeOptions } from '../../../src/protocol/handshake/server.ts';
import { isRejection } from '../../../src/protocol/handshake/types.ts';
import type { HandshakeRequest } from '../../../src/protocol/handshake/types.ts';

type Fields = ReadonlyArray<readonly [string, string]>;

// RFC 6455 §1.2 / §4.2.2: the sample handshake.
const SAMPLE_FIELDS: Fields = [
  ['Host', 'server.example.com'],
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
  ['Origin', 'http://example.com'],
  ['Sec-WebSocket-Protocol', 'chat, superchat'],
  ['Sec-WebSocket-Version', '13'],
];

function request(options: { startLine?: string; fields?: Fields; without?: string[]; add?: Fields } = {}): HandshakeRequest {
  const without = (options.without ?? []).map((name) => name.toLowerCase());
  const fields = [...(options.fields ?? SAMPLE_FIELDS).filter(([name]) => !without.includes(name.toLowerCase())), ...(options.add ?? [])];
  let head = `${options.startLine ?? 'GET /chat HTTP/1.1'}\r\n`;
  for (const [name, value] of fields) head += `${name}: ${value}\r\n`;
  const parsed = parseRequestHead(`${head}\r\n`);
  if (isRejection(parsed)) throw new Error(`test request does not parse: ${parsed.reason}`);
  return parsed;
}

function replace(name: string, value: string): Fields {
  return SAMPLE_FIELDS.map(([field, old]) => [field, field === name ? value : old] as const);
}

describe('acceptClientHandshake: success (RFC 6455 §4.2.2)', () => {
  it('RFC 6455 §1.2/§4.2.2: answers the sample handshake with the sample 101 response', () => {
    const result = acceptClientHandshake(request(), { subprotocols: ['chat'] });
    if (!result.ok) throw new Error(result.rejection.reason);
    expect(result.key).toBe('dGhlIHNhbXBsZSBub25jZQ==');
    expect(result.accept).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(result.protocol).toBe('chat');
    expect(result.deflate).toBeNull();
    expect(result.extensionsHeader).toBeNull();
    expect(result.response.raw).toBe(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
        'Sec-WebSocket-Protocol: chat\r\n' +
        '\r\n',
    );
    expect(serializeResponse(result.response)).toBe(result.response.raw);
    // The response we write is one our own client-side parser reads back identically.
    const reparsed = parseResponseHead(result.response.raw);
    if (isRejection(reparsed)) throw new Error(reparsed.reason);
    expect(reparsed.headers).toEqual(result.response.headers);
  });

  it.each([
    ['server preference wins (RFC 6455 §4.2.2 item 5.4)', ['superchat', 'chat'], 'superchat'],
    ['only protocols the client offered', ['mqtt', 'chat'], 'chat'],
    ['none in common: no Sec-WebSocket-Protocol', ['mqtt'], null],
    ['server speaks none', [], null],
  ])('subprotocol: %s', (_name, subprotocols, expected) => {
    const result = acceptClientHandshake(request(), { subprotocols });
    if (!result.ok) throw new Error(result.rejection.reason);
    expect(result.protocol).toBe(expected);
    expect(result.response.headers.some(([name]) => name === 'Sec-WebSocket-Protocol')).toBe(expected !== null);
  });

  it('subprotocol names are case-sensitive and may be spread over several header lines', () => {
    const fields = [...replace('Sec-WebSocket-Protocol', 'Chat'), ['Sec-WebSocket-Protocol', 'v2.proto'] as const];
    const result = acceptClientHandshake(request({ fields }), { subprotocols: ['chat', 'v2.proto'] });
    if (!result.ok) throw new Error(result.rejection.reason);
    expect(result.protocol).toBe('v2.proto');
  });

  it.each([
    ['Upgrade in another case and among other tokens (RFC 7230 §6.7)', 'Upgrade', 'h2c, WebSocket'],
    ['Connection as a list with other options (RFC 7230 §6.1)', 'Connection', 'keep-alive, upgrade'],
    ['Host with a port', 'Host', 'server.example.com:8455'],
    ['Host as an IPv6 literal', 'Host', '[::1]:8455'],
  ])('accepts %s', (_name, field, value) => {
    expect(acceptClientHandshake(request({ fields: replace(field, value) })).ok).toBe(true);
  });

  it('accepts HTTP/1.2 as a later HTTP/1.x (RFC 7230 §2.6) and an absolute-form ws:// target', () => {
    expect(acceptClientHandshake(request({ startLine: 'GET /chat HTTP/1.2' })).ok).toBe(true);
    expect(acceptClientHandshake(request({ startLine: 'GET ws://server.example.com/chat HTTP/1.1' })).ok).toBe(true);
  });

  it('negotiates permessage-deflate only when a policy is given (RFC 7692 §5)', () => {
    const offered = request({ add: [['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits']] });
    const off = acceptClientHandshake(offered);
    expect(off.ok && off.deflate).toBeNull();
    const on = acceptClientHandshake(offered, { deflate: {} });
    if (!on.ok) throw new Error(on.rejection.reason);
    expect(on.extensionsHeader).toBe('permessage-deflate');
    expect(on.deflate).toEqual({ serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 });
    expect(on.response.headers).toContainEqual(['Sec-WebSocket-Extensions', 'permessage-deflate']);
  });

  it('reports declined offers and accepts the fallback (RFC 7692 §7.1.3)', () => {
    const offered = request({
      add: [['Sec-WebSocket-Extensions', 'permessage-deflate; server_max_window_bits=8, permessage-deflate']],
    });
    const result = acceptClientHandshake(offered, { deflate: {} });
    if (!result.ok) throw new Error(result.rejection.reason);
    expect(result.extensionsHeader).toBe('permessage-deflate');
    expect(result.declinedOffers).toHaveLength(1);
    expect(result.declinedOffers[0]).toMatchObject({ offerIndex: 0, section: 'RFC 7692 §7.1.2.1' });
  });

  it('isWebSocketUpgrade tells upgrade requests from plain GETs', () => {
    expect(isWebSocketUpgrade(request())).toBe(true);
    expect(isWebSocketUpgrade(request({ without: ['Upgrade'] }))).toBe(false);
  });
});

describe('acceptClientHandshake: every rejection names its rule (RFC 6455 §4.2.1)', () => {
  const cases: ReadonlyArray<{
    name: string;
    request: () => HandshakeRequest;
    options?: ServerHandshakeOptions;
    status: number;
    section: string;
    mention: RegExp;
    headers?: Fields;
  }> = [
    { name: 'method POST -> 405 with Allow (§4.2.1 item 1)', request: () => request({ startLine: 'POST /chat HTTP/1.1' }), status: 405, section: 'RFC 6455 §4.2.1', mention: /GET/, headers: [['Allow', 'GET']] },
    { name: 'HTTP/1.0 -> 400, it has no Upgrade (§4.2.1 item 1, RFC 7230 §6.7)', request: () => request({ startLine: 'GET /chat HTTP/1.0' }), status: 400, section: 'RFC 6455 §4.2.1', mention: /HTTP\/1\.1 or later/ },
    { name: 'HTTP/2.0 on an HTTP/1 connection -> 505 (RFC 7231 §6.6.6)', request: () => request({ startLine: 'GET /chat HTTP/2.0' }), status: 505, section: 'RFC 7231 §6.6.6', mention: /major HTTP version/ },
    { name: 'asterisk-form target -> 400 (§3)', request: () => request({ startLine: 'GET * HTTP/1.1' }), status: 400, section: 'RFC 6455 §3', mention: /request target/ },
    { name: 'missing Host -> 400 (§4.2.1 item 2, RFC 7230 §5.4)', request: () => request({ without: ['Host'] }), status: 400, section: 'RFC 7230 §5.4', mention: /Host header must appear exactly once/ },
    { name: 'two Host headers -> 400 (RFC 7230 §5.4)', request: () => request({ add: [['host', 'evil.example']] }), status: 400, section: 'RFC 7230 §5.4', mention: /exactly once/ },
    { name: 'invalid Host value -> 400 (RFC 7230 §5.4)', request: () => request({ fields: replace('Host', 'a b') }), status: 400, section: 'RFC 7230 §5.4', mention: /not a valid host/ },
    { name: 'missing Upgrade -> 400 (§4.2.1 item 3)', request: () => request({ without: ['Upgrade'] }), status: 400, section: 'RFC 6455 §4.2.1', mention: /Upgrade header must contain the token "websocket"/ },
    { name: 'Upgrade without websocket token -> 400 (§4.2.1 item 3)', request: () => request({ fields: replace('Upgrade', 'websockets, h2c') }), status: 400, section: 'RFC 6455 §4.2.1', mention: /"websocket"/ },
    { name: 'missing Connection -> 400 (§4.2.1 item 4)', request: () => request({ without: ['Connection'] }), status: 400, section: 'RFC 6455 §4.2.1', mention: /Connection header must contain the token "Upgrade"/ },
    { name: 'Connection without Upgrade token -> 400 (§4.2.1 item 4)', request: () => request({ fields: replace('Connection', 'keep-alive, Upgrade-Insecure') }), status: 400, section: 'RFC 6455 §4.2.1', mention: /"Upgrade"/ },
    { name: 'Sec-WebSocket-Version 8 -> 426 (§4.4)', request: () => request({ fields: replace('Sec-WebSocket-Version', '8') }), status: 426, section: 'RFC 6455 §4.4', mention: /Sec-WebSocket-Version must be 13/, headers: [['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13']] },
    { name: 'missing Sec-WebSocket-Version -> 426 (§4.4)', request: () => request({ without: ['Sec-WebSocket-Version'] }), status: 426, section: 'RFC 6455 §4.4', mention: /13/ },
    { name: 'two versions listed -> 426 (§4.4)', request: () => request({ fields: replace('Sec-WebSocket-Version', '13, 8') }), status: 426, section: 'RFC 6455 §4.4', mention: /13/ },
    { name: 'missing Sec-WebSocket-Key -> 400 (§4.2.1 item 5)', request: () => request({ without: ['Sec-WebSocket-Key'] }), status: 400, section: 'RFC 6455 §4.2.1', mention: /Sec-WebSocket-Key header must appear exactly once/ },
    { name: 'two Sec-WebSocket-Key headers -> 400 (§4.2.1 item 5)', request: () => request({ add: [['Sec-WebSocket-Key', 'AAAAAAAAAAAAAAAAAAAAAA==']] }), status: 400, section: 'RFC 6455 §4.2.1', mention: /exactly once/ },
    { name: 'key of 15 bytes -> 400 (§4.2.1 item 5)', request: () => request({ fields: replace('Sec-WebSocket-Key', 'AAAAAAAAAAAAAAAAAAAA') }), status: 400, section: 'RFC 6455 §4.2.1', mention: /16 bytes/ },
    { name: 'key of 17 bytes -> 400 (§4.2.1 item 5)', request: () => request({ fields: replace('Sec-WebSocket-Key', 'AAAAAAAAAAAAAAAAAAAAAAA=') }), status: 400, section: 'RFC 6455 §4.2.1', mention: /16 bytes/ },
    { name: 'non-canonical base64 key -> 400 (§4.2.1 item 5)', request: () => request({ fields: replace('Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZR==') }), status: 400, section: 'RFC 6455 §4.2.1', mention: /base64/ },
    { name: 'key that is not base64 -> 400 (§4.2.1 item 5)', request: () => request({ fields: replace('Sec-WebSocket-Key', 'not a base64 key at all!') }), status: 400, section: 'RFC 6455 §4.2.1', mention: /base64/ },
    { name: 'a request body -> 400 (RFC 7230 §3.3)', request: () => request({ add: [['Content-Length', '5']] }), status: 400, section: 'RFC 7230 §3.3', mention: /body/ },
    { name: 'a chunked body -> 400 (RFC 7230 §3.3)', request: () => request({ add: [['Transfer-Encoding', 'chunked']] }), status: 400, section: 'RFC 7230 §3.3', mention: /body/ },
    { name: 'Origin not in the allow-list -> 403 (§10.2)', request: () => request(), options: { allowedOrigins: ['https://lab.example'] }, status: 403, section: 'RFC 6455 §10.2', mention: /Origin .*not allowed/ },
    { name: 'no Origin with an allow-list -> 403 (§10.2)', request: () => request({ without: ['Origin'] }), options: { allowedOrigins: ['http://example.com'] }, status: 403, section: 'RFC 6455 §10.2', mention: /allowed Origin/ },
    { name: 'Origin refused by a predicate -> 403 (§10.2)', request: () => request(), options: { allowedOrigins: () => false }, status: 403, section: 'RFC 6455 §10.2', mention: /not allowed/ },
    { name: 'two Origin headers -> 400 (RFC 6454 §7.3)', request: () => request({ add: [['Origin', 'http://evil.example']] }), options: { allowedOrigins: ['http://example.com'] }, status: 400, section: 'RFC 6454 §7.3', mention: /at most once/ },
    { name: 'subprotocol that is not a token -> 400 (§4.1)', request: () => request({ fields: replace('Sec-WebSocket-Protocol', 'chat, super chat') }), status: 400, section: 'RFC 6455 §4.1', mention: /token/ },
    { name: 'repeated subprotocol -> 400 (§4.1)', request: () => request({ fields: replace('Sec-WebSocket-Protocol', 'chat, chat') }), status: 400, section: 'RFC 6455 §4.1', mention: /unique/ },
    { name: 'malformed Sec-WebSocket-Extensions -> 400 (§9.1)', request: () => request({ add: [['Sec-WebSocket-Extensions', 'permessage-deflate; =1']] }), options: { deflate: {} }, status: 400, section: 'RFC 6455 §9.1', mention: /Sec-WebSocket-Extensions/ },
  ];

  it.each(cases)('$name', ({ request: make, options, status, section, mention, headers }) => {
    const result = acceptClientHandshake(make(), options);
    if (result.ok) throw new Error('expected a rejection');
    expect(result.rejection.status).toBe(status);
    expect(result.rejection.section).toBe(section);
    expect(result.rejection.reason).toMatch(mention);
    expect(new TextEncoder().encode(result.rejection.reason).length).toBeLessThanOrEqual(123);
    const { response } = result;
    expect(response.status).toBe(status);
    expect(response.startLine).toMatch(new RegExp(`^HTTP/1\\.1 ${status} [A-Z]`));
    expect(response.body).toBe(`${result.rejection.reason} (${result.rejection.section})\n`);
    expect(response.headers).toContainEqual(['Content-Type', 'text/plain; charset=utf-8']);
    expect(response.headers).toContainEqual(['Content-Length', String(new TextEncoder().encode(response.body!).length)]);
    const connection = response.headers.find(([name]) => name === 'Connection');
    expect(connection?.[1]).toMatch(/close/);
    for (const header of headers ?? []) expect(response.headers).toContainEqual(header);
    expect(response.raw).toBe(`${serializeResponse({ ...response, body: '' })}${response.body}`);
    expect(response.raw.endsWith(`\r\n\r\n${result.rejection.reason} (${result.rejection.section})\n`)).toBe(true);
  });

  it('a 426 lists Upgrade in Connection, as whoever sends Upgrade must (RFC 7230 §6.7)', () => {
    const result = acceptClientHandshake(request({ fields: replace('Sec-WebSocket-Version', '8') }));
    expect(result.response.headers).toContainEqual(['Connection', 'Upgrade, close']);
  });

  it('accepts origins case-insensitively and lets a predicate admit clients without Origin', () => {
    expect(acceptClientHandshake(request(), { allowedOrigins: ['HTTP://EXAMPLE.COM'] }).ok).toBe(true);
    const seen: Array<string | undefined> = [];
    const predicate = (origin: string | undefined): boolean => {
      seen.push(origin);
      return origin === undefined;
    };
    expect(acceptClientHandshake(request({ without: ['Origin'] }), { allowedOrigins: predicate }).ok).toBe(true);
    expect(seen).toEqual([undefined]);
  });
});
