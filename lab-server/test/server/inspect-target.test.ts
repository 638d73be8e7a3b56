/** --inspect without sockets: which targets are allowed, and what the relay forwards and reads in the handshake. */
import { describe, expect, it } from 'vitest';
import { parseRequestHead, parseResponseHead } from '../../src/protocol/handshake/http-head.ts';
import type { HandshakeRequest, HandshakeResponse } from '../../src/protocol/handshake/types.ts';
import { checkInspectTarget, isLoopbackAddress, type InspectTarget } from '../../src/node/inspect-target.ts';
import { forwardedRequestHead, forwardedRequestTarget, readNegotiation } from '../../src/node/relay-head.ts';

const resolvesTo = (addresses: string[]) => async (): Promise<string[]> => addresses;

describe('the loopback rule', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.1.2', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['0.0.0.0', false],
    ['::', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:7f00:1', true], // ::ffff:127.0.0.1 as the URL parser writes it
    ['::ffff:a00:1', false],
    ['localhost', false], // a name, not an address: names are resolved first
  ])('%s is loopback: %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });

  it('a host name is allowed only when every address it resolves to is loopback', async () => {
    const ok = await checkInspectTarget({ target: new URL('ws://dev.test:3000/ws') }, resolvesTo(['127.0.0.1', '::1']));
    // The relay connects to the addresses checked here (each in turn), never to a later DNS answer.
    expect(ok).toMatchObject({ connectHost: '127.0.0.1', addresses: ['127.0.0.1', '::1'], port: 3000, authority: 'dev.test:3000', pathAndQuery: '/ws' });
    await expect(checkInspectTarget({ target: new URL('ws://dev.test:3000/') }, resolvesTo(['127.0.0.1', '93.184.215.14']))).rejects.toThrow(
      /dev\.test is not this machine \(dev\.test is 93\.184\.215\.14\)/,
    );
    await expect(checkInspectTarget({ target: new URL('ws://dev.test/') }, resolvesTo([]))).rejects.toThrow(/not this machine/);
  });

  it('an IPv4-mapped loopback URL is accepted; a mapped remote one is refused without repeating itself; port 0 is refused', async () => {
    const never = async (): Promise<string[]> => {
      throw new Error('looked up');
    };
    expect(await checkInspectTarget({ target: new URL('ws://[::ffff:127.0.0.1]:3000/') }, never)).toMatchObject({ connectHost: '::ffff:7f00:1' });
    await expect(checkInspectTarget({ target: new URL('ws://[::ffff:10.0.0.1]:3000/') }, never)).rejects.toThrow(
      /^--inspect: ::ffff:a00:1 is not this machine; only localhost/,
    );
    await expect(checkInspectTarget({ target: new URL('ws://127.0.0.1:0/') }, never)).rejects.toThrow(/port 0 is not a port a server listens on/);
  });

  it('a name that does not resolve is refused with one line', async () => {
    const failing = async (): Promise<string[]> => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
    };
    await expect(checkInspectTarget({ target: new URL('ws://nowhere.invalid/') }, failing)).rejects.toThrow(
      '--inspect: cannot resolve nowhere.invalid (ENOTFOUND)',
    );
  });

  it('IP literals need no lookup; IPv6 loses its brackets; ws:// defaults to port 80 (RFC 6455 §3)', async () => {
    const never = async (): Promise<string[]> => {
      throw new Error('looked up');
    };
    expect(await checkInspectTarget({ target: new URL('ws://[::1]/') }, never)).toMatchObject({ connectHost: '::1', port: 80, authority: '[::1]' });
    await expect(checkInspectTarget({ target: new URL('ws://192.0.2.1/') }, never)).rejects.toThrow(/--inspect-allow-remote/);
  });

  it('localhost resolves on this machine to loopback addresses', async () => {
    expect(isLoopbackAddress((await checkInspectTarget({ target: new URL('ws://localhost:1/') })).connectHost)).toBe(true);
  });

  it('allowRemote connects by name, without checking', async () => {
    const target = await checkInspectTarget({ target: new URL('ws://example.com/ws?x=1'), allowRemote: true }, resolvesTo(['93.184.215.14']));
    expect(target).toMatchObject({ connectHost: 'example.com', pathAndQuery: '/ws?x=1' });
  });
});

function request(raw: string): HandshakeRequest {
  const parsed = parseRequestHead(raw);
  if ('reason' in parsed && !('startLine' in parsed)) throw new Error(parsed.reason);
  return parsed as HandshakeRequest;
}

function response(raw: string): HandshakeResponse {
  return parseResponseHead(raw) as HandshakeResponse;
}

async function target(url: string): Promise<InspectTarget> {
  return checkInspectTarget({ target: new URL(url) });
}

describe('the forwarded request head', () => {
  it('rewrites only the request-target and Host; every other line passes byte for byte, in order and case', async () => {
    const app = request(
      'GET /inspect?room=7 HTTP/1.1\r\nhost: 127.0.0.1:8455\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin:  http://app.test\r\nsec-websocket-extensions: permessage-deflate; client_max_window_bits\r\n' +
        'Sec-WebSocket-Version: 13\r\n\r\n',
    );
    expect(forwardedRequestHead(app, await target('ws://127.0.0.1:3000/socket'))).toBe(
      'GET /socket?room=7 HTTP/1.1\r\nhost: 127.0.0.1:3000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin:  http://app.test\r\nsec-websocket-extensions: permessage-deflate; client_max_window_bits\r\n' +
        'Sec-WebSocket-Version: 13\r\n\r\n',
    );
  });

  it('adds Host when the app sent none (RFC 7230 §5.4)', async () => {
    const app = request('GET /inspect HTTP/1.1\r\nUpgrade: websocket\r\n\r\n');
    expect(forwardedRequestHead(app, await target('ws://127.0.0.1/'))).toBe('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\r\n');
  });

  it.each([
    ['/inspect', 'ws://127.0.0.1:3000/socket', '/socket'],
    ['/inspect?token=abc', 'ws://127.0.0.1:3000/socket', '/socket?token=abc'],
    ['/inspect?token=abc', 'ws://127.0.0.1:3000/socket?fixed=1', '/socket?fixed=1'],
    ['ws://127.0.0.1:8455/inspect?a=b', 'ws://127.0.0.1:3000/', '/?a=b'],
  ])('app target %s relayed to %s is sent as %s', async (appTarget, url, expected) => {
    expect(forwardedRequestTarget(appTarget, await target(url))).toBe(expected);
  });
});

describe("reading the target's 101", () => {
  it('permessage-deflate parameters come from the response (RFC 7692 §7.1)', () => {
    const negotiation = readNegotiation(response(
      'HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Protocol: chat\r\n' +
        'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=10\r\n\r\n',
    ));
    expect(negotiation).toEqual({
      protocol: 'chat',
      extensions: 'permessage-deflate; server_no_context_takeover; client_max_window_bits=10',
      deflate: { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 10 },
      deflateProblem: null,
    });
  });

  it('no extension, another extension, or an unreadable one leave compression off (with the reason)', () => {
    expect(readNegotiation(response('HTTP/1.1 101 Switching Protocols\r\n\r\n'))).toMatchObject({ deflate: null, extensions: null, deflateProblem: null });
    expect(readNegotiation(response('HTTP/1.1 101 OK\r\nSec-WebSocket-Extensions: x-other\r\n\r\n'))).toMatchObject({ deflate: null, deflateProblem: null });
    const bad = readNegotiation(response('HTTP/1.1 101 OK\r\nSec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=99\r\n\r\n'));
    expect(bad.deflate).toBeNull();
    expect(bad.deflateProblem).toMatch(/server_max_window_bits/);
  });
});
