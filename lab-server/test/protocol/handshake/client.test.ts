import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../../../src/protocol/base64.ts';
import { createClientHandshake, validateServerResponse } from '../../../src/protocol/handshake/client.ts';
import type { SentHandshake } from '../../../src/protocol/handshake/client.ts';
import { parseRequestHead, parseResponseHead } from '../../../src/protocol/handshake/http-head.ts';
import { acceptClientHandshake } from '../../../src/protocol/handshake/server.ts';
import { isRejection } from '../../../src/protocol/handshake/types.ts';
import type { HandshakeResponse } from '../../../src/protocol/handshake/types.ts';

const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

function response(statusLine: string, fields: ReadonlyArray<readonly [string, string]>): HandshakeResponse {
  let head = `${statusLine}\r\n`;
  for (const [name, value] of fields) head += `${name}: ${value}\r\n`;
  const parsed = parseResponseHead(`${head}\r\n`);
  if (isRejection(parsed)) throw new Error(parsed.reason);
  return parsed;
}

const GOOD: ReadonlyArray<readonly [string, string]> = [
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Accept', SAMPLE_ACCEPT],
];

describe('createClientHandshake (RFC 6455 §4.1)', () => {
  it('RFC 6455 §1.2: builds the sample request', () => {
    const handshake = createClientHandshake({
      host: 'server.example.com',
      path: '/chat',
      origin: 'http://example.com',
      protocols: ['chat', 'superchat'],
      key: SAMPLE_KEY,
    });
    expect(handshake.key).toBe(SAMPLE_KEY);
    expect(handshake.deflateOffer).toBeNull();
    expect(handshake.request).toBe(
      'GET /chat HTTP/1.1\r\n' +
        'Host: server.example.com\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${SAMPLE_KEY}\r\n` +
        'Sec-WebSocket-Version: 13\r\n' +
        'Origin: http://example.com\r\n' +
        'Sec-WebSocket-Protocol: chat, superchat\r\n' +
        '\r\n',
    );
  });

  it('§4.1 item 7: the key is the base64 of 16 bytes from randomBytes, or of fresh random bytes', () => {
    const fixed = createClientHandshake({ host: 'h', path: '/', randomBytes: (n) => new Uint8Array(n).fill(0xab) });
    expect(decodeBase64(fixed.key)).toEqual(new Uint8Array(16).fill(0xab));
    const a = createClientHandshake({ host: 'h', path: '/' }).key;
    const b = createClientHandshake({ host: 'h', path: '/' }).key;
    expect(decodeBase64(a)).toHaveLength(16);
    expect(a).not.toBe(b);
  });

  it('offers permessage-deflate as browsers do, and sends extra headers last', () => {
    const handshake = createClientHandshake({ host: 'h:1', path: '/echo?x=1', deflate: true, key: SAMPLE_KEY, extraHeaders: [['User-Agent', 'lab']] });
    expect(handshake.request).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nUser-Agent: lab\r\n\r\n');
    expect(handshake.request.startsWith('GET /echo?x=1 HTTP/1.1\r\nHost: h:1\r\n')).toBe(true);
    expect(handshake.deflateOffer).toEqual({ clientMaxWindowBits: true });
  });

  it.each([
    ['a host with a space', { host: 'a b', path: '/' }],
    ['a path without leading slash', { host: 'h', path: 'chat' }],
    ['a path with CRLF', { host: 'h', path: '/a\r\nX: y' }],
    ['a subprotocol that is not a token', { host: 'h', path: '/', protocols: ['a b'] }],
    ['a repeated subprotocol', { host: 'h', path: '/', protocols: ['a', 'a'] }],
    ['header injection through a value', { host: 'h', path: '/', origin: 'x\r\nEvil: 1' }],
    ['a header name that is not a token', { host: 'h', path: '/', extraHeaders: [['Bad Name', 'v']] as const }],
    ['a short randomBytes', { host: 'h', path: '/', randomBytes: () => new Uint8Array(4) }],
  ])('throws TypeError on %s', (_name, options) => {
    expect(() => createClientHandshake(options)).toThrow(TypeError);
  });

  it('round trip: our request passes our server, whose response passes our client', () => {
    const handshake = createClientHandshake({ host: '127.0.0.1:8455', path: '/echo', protocols: ['b', 'a'], deflate: true });
    const request = parseRequestHead(handshake.request);
    if (isRejection(request)) throw new Error(request.reason);
    const server = acceptClientHandshake(request, { subprotocols: ['a', 'b'], deflate: { clientMaxWindowBits: 12 } });
    if (!server.ok) throw new Error(server.rejection.reason);
    const reply = parseResponseHead(server.response.raw);
    if (isRejection(reply)) throw new Error(reply.reason);
    const client = validateServerResponse(reply, { key: handshake.key, protocols: handshake.protocols, deflateOffered: true, deflateOffer: handshake.deflateOffer });
    expect(client).toEqual({ ok: true, protocol: 'a', deflate: server.deflate });
    expect(server.deflate?.clientMaxWindowBits).toBe(12);
  });
});

describe('validateServerResponse (RFC 6455 §4.1)', () => {
  it('RFC 6455 §1.2: accepts the sample response', () => {
    const sample = response('HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Protocol', 'chat']]);
    expect(validateServerResponse(sample, { key: SAMPLE_KEY, protocols: ['chat', 'superchat'], deflateOffered: false })).toEqual({
      ok: true,
      protocol: 'chat',
      deflate: null,
    });
  });

  it('accepts header values in any case and Connection as a list, and no subprotocol though some were offered', () => {
    const lenient = response('HTTP/1.1 101 Switching Protocols', [['upgrade', 'WebSocket'], ['connection', 'keep-alive, upgrade'], ['sec-websocket-accept', SAMPLE_ACCEPT]]);
    expect(validateServerResponse(lenient, { key: SAMPLE_KEY, protocols: ['chat'], deflateOffered: false })).toEqual({ ok: true, protocol: null, deflate: null });
  });

  it('assumes the default deflate offer when only deflateOffered is given', () => {
    const accepted = response('HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits=10']]);
    const result = validateServerResponse(accepted, { key: SAMPLE_KEY, deflateOffered: true });
    expect(result.ok && result.deflate?.clientMaxWindowBits).toBe(10);
  });

  const sent: SentHandshake = { key: SAMPLE_KEY, protocols: ['chat'], deflateOffered: true, deflateOffer: {} };
  const without = (name: string) => GOOD.filter(([field]) => field !== name);
  it.each<[string, string, ReadonlyArray<readonly [string, string]>, SentHandshake, string, RegExp]>([
    ['a status other than 101 (§4.1 item 1)', 'HTTP/1.1 200 OK', GOOD, sent, 'RFC 6455 §4.1', /answered 200 instead of 101/],
    ['a 426 refusal (§4.1 item 1)', 'HTTP/1.1 426 Upgrade Required', GOOD, sent, 'RFC 6455 §4.1', /426/],
    ['no Upgrade (§4.1 item 2)', 'HTTP/1.1 101 Switching Protocols', without('Upgrade'), sent, 'RFC 6455 §4.1', /Upgrade header must be "websocket"/],
    ['another Upgrade value (§4.1 item 2)', 'HTTP/1.1 101 Switching Protocols', [['Upgrade', 'h2c'], ...without('Upgrade')], sent, 'RFC 6455 §4.1', /"websocket"/],
    ['no Connection (§4.1 item 3)', 'HTTP/1.1 101 Switching Protocols', without('Connection'), sent, 'RFC 6455 §4.1', /Connection header must contain "Upgrade"/],
    ['no Sec-WebSocket-Accept (§4.1 item 4)', 'HTTP/1.1 101 Switching Protocols', without('Sec-WebSocket-Accept'), sent, 'RFC 6455 §4.1', /exactly one Sec-WebSocket-Accept/],
    ['two Sec-WebSocket-Accept (§4.1 item 4)', 'HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Accept', SAMPLE_ACCEPT]], sent, 'RFC 6455 §4.1', /exactly one/],
    ['a wrong Sec-WebSocket-Accept (§4.1 item 4)', 'HTTP/1.1 101 Switching Protocols', [...without('Sec-WebSocket-Accept'), ['Sec-WebSocket-Accept', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=']], sent, 'RFC 6455 §4.1', /does not match/],
    ['an accept computed from another key (§4.1 item 4)', 'HTTP/1.1 101 Switching Protocols', GOOD, { ...sent, key: 'AAAAAAAAAAAAAAAAAAAAAA==' }, 'RFC 6455 §4.1', /does not match/],
    ['an extension we did not offer (§4.1 item 5)', 'HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Extensions', 'x-foo']], sent, 'RFC 6455 §4.1', /did not offer/],
    ['permessage-deflate when not offered (§4.1 item 5)', 'HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Extensions', 'permessage-deflate']], { ...sent, deflateOffered: false }, 'RFC 6455 §4.1', /did not offer/],
    ['permessage-deflate accepted twice (RFC 7692 §5)', 'HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Extensions', 'permessage-deflate'], ['Sec-WebSocket-Extensions', 'permessage-deflate']], sent, 'RFC 7692 §5', /more than once/],
    ['client_max_window_bits not offered (RFC 7692 §7.1.2.2)', 'HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits=10']], sent, 'RFC 7692 §7.1.2.2', /requires it in the offer/],
    ['a malformed extensions header (RFC 6455 §9.1)', 'HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Extensions', 'permessage-deflate;;']], sent, 'RFC 6455 §9.1', /Sec-WebSocket-Extensions/],
    ['a subprotocol we did not offer (§4.1 item 6)', 'HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Protocol', 'superchat']], sent, 'RFC 6455 §4.1', /did not offer/],
    ['a subprotocol when we offered none (§4.1 item 6)', 'HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Protocol', 'chat']], { key: SAMPLE_KEY, deflateOffered: false }, 'RFC 6455 §4.1', /did not offer/],
    ['two subprotocols (§4.1 item 6)', 'HTTP/1.1 101 Switching Protocols', [...GOOD, ['Sec-WebSocket-Protocol', 'chat, chat']], sent, 'RFC 6455 §4.1', /exactly one subprotocol/],
  ])('fails on %s', (_name, statusLine, fields, sentHandshake, section, mention) => {
    const result = validateServerResponse(response(statusLine, fields), sentHandshake);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.section).toBe(section);
      expect(result.reason).toMatch(mention);
    }
  });
});
