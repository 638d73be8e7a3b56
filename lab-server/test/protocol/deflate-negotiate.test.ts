import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeflateParameters } from '../../src/protocol/deflate/codec.ts';
import {
  DEFAULT_DEFLATE_OFFER,
  acceptDeflateResponse,
  formatDeflateOffer,
  isExtensionsSyntaxError,
  negotiateDeflateAsServer,
  parseExtensionsHeader,
} from '../../src/protocol/deflate/negotiate.ts';
import type { DeflateClientOffer, DeflateServerPolicy, ExtensionElement } from '../../src/protocol/deflate/negotiate.ts';

function parse(header: string | string[]): ExtensionElement[] {
  const parsed = parseExtensionsHeader(header);
  if (isExtensionsSyntaxError(parsed)) throw new Error(parsed.reason);
  return parsed;
}

const DEFAULTS: DeflateParameters = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

describe('parseExtensionsHeader (RFC 6455 §9.1)', () => {
  it('RFC 6455 §9.1: two header lines equal one comma-joined line', () => {
    const expected = [
      { name: 'foo', params: [] },
      { name: 'bar', params: [{ name: 'baz', value: '2' }] },
    ];
    expect(parse(['foo', 'bar; baz=2'])).toEqual(expected);
    expect(parse('foo, bar; baz=2')).toEqual(expected);
  });

  it.each([
    ['a parameter without value', 'permessage-deflate; client_max_window_bits', [{ name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null }] }]],
    ['a quoted-string value, unescaped', 'x; a="1\\0"; b="15"', [{ name: 'x', params: [{ name: 'a', value: '10' }, { name: 'b', value: '15' }] }]],
    ['optional whitespace around every separator', ' x ;\ta = 1 , y ', [{ name: 'x', params: [{ name: 'a', value: '1' }] }, { name: 'y', params: [] }]],
    ['empty list elements (RFC 7230 §7)', 'x,, ,y,', [{ name: 'x', params: [] }, { name: 'y', params: [] }]],
    ['repeated parameters kept in order', 'x; a; a=2', [{ name: 'x', params: [{ name: 'a', value: null }, { name: 'a', value: '2' }] }]],
    ['an empty header', '', []],
  ])('parses %s', (_name, header, expected) => {
    expect(parse(header)).toEqual(expected);
  });

  it.each([
    ['a trailing semicolon', 'permessage-deflate;'],
    ['a missing extension name', '; a=1'],
    ['two tokens without separator', 'a b'],
    ['an unterminated quoted-string', 'a; b="10'],
    ['a quoted value that is not a token', 'a; b="1 0"'],
    ['an empty quoted value', 'a; b=""'],
    ['a missing value after "="', 'a; b='],
    ['a value on the extension name', 'a=1'],
    ['a separator inside a value', 'a; b=c/d'],
  ])('refuses %s', (_name, header) => {
    const parsed = parseExtensionsHeader(header);
    expect(isExtensionsSyntaxError(parsed)).toBe(true);
    if (isExtensionsSyntaxError(parsed)) {
      expect(parsed.section).toBe('RFC 6455 §9.1');
      expect(parsed.reason).toMatch(/^Sec-WebSocket-Extensions: /);
    }
  });
});

describe('negotiateDeflateAsServer (RFC 7692 §5, §7.1)', () => {
  it.each<[string, string, DeflateServerPolicy, string, Partial<DeflateParameters>, number]>([
    ['RFC 7692 §7.1.3: the simplest offer', 'permessage-deflate', {}, 'permessage-deflate', {}, 0],
    ['RFC 7692 §7.1.3: client_max_window_bits and server_max_window_bits=10', 'permessage-deflate; client_max_window_bits; server_max_window_bits=10', {}, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }, 0],
    ['RFC 7692 §7.1.3: the first of two offers (fallback present)', 'permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits', {}, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }, 0],
    ['RFC 7692 §7.1.3: fallback when server_max_window_bits=8 cannot be honoured (zlib)', 'permessage-deflate; server_max_window_bits=8, permessage-deflate; client_max_window_bits', {}, 'permessage-deflate', {}, 1],
    ['RFC 7692 §5.1: other extensions are skipped', 'x-webkit-deflate-frame, permessage-deflate', {}, 'permessage-deflate', {}, 1],
    ['RFC 7692 §7.1.1.1: server_no_context_takeover is echoed', 'permessage-deflate; server_no_context_takeover', {}, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }, 0],
    ['RFC 7692 §7.1.1.2: client_no_context_takeover is acknowledged', 'permessage-deflate; client_no_context_takeover', {}, 'permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }, 0],
    ['RFC 7692 §7.1.2.2: an offered client window binds the client', 'permessage-deflate; client_max_window_bits=10', {}, 'permessage-deflate', { clientMaxWindowBits: 10 }, 0],
    ['RFC 7692 §7.1.2.2: client_max_window_bits=8 is fine to inflate', 'permessage-deflate; client_max_window_bits=8', {}, 'permessage-deflate', { clientMaxWindowBits: 8 }, 0],
    ['RFC 7692 §7.1.2.1: a quoted value (RFC 6455 §9.1)', 'permessage-deflate; server_max_window_bits="12"', {}, 'permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 12 }, 0],
    ['RFC 7692 §7.1.1.1: policy adds server_no_context_takeover', 'permessage-deflate', { serverNoContextTakeover: true }, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }, 0],
    ['RFC 7692 §7.1.1.2: policy adds client_no_context_takeover', 'permessage-deflate', { clientNoContextTakeover: true }, 'permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }, 0],
    ['RFC 7692 §7.1.2.1: policy announces a smaller server window', 'permessage-deflate', { serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }, 0],
    ['RFC 7692 §7.1.2.1: the smaller of offer and policy', 'permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }, 0],
    ['RFC 7692 §7.1.2.1: the offer may be smaller than the policy', 'permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 9 }, 0],
    ['RFC 7692 §7.1.2.2: policy limits the client window when allowed', 'permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }, 0],
    ['RFC 7692 §7.1.2.2: the client value if below the policy', 'permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 9 }, 0],
    ['RFC 7692 §7.1.2.2: not sent when the client did not offer it', 'permessage-deflate', { clientMaxWindowBits: 10 }, 'permessage-deflate', {}, 0],
  ])('%s', (_name, header, policy, responseHeader, parameters, offerIndex) => {
    const { accepted } = negotiateDeflateAsServer(parse(header), policy);
    expect(accepted).not.toBeNull();
    expect(accepted!.responseHeader).toBe(responseHeader);
    expect(accepted!.parameters).toEqual({ ...DEFAULTS, ...parameters });
    expect(accepted!.offerIndex).toBe(offerIndex);
  });

  it.each([
    ['an unknown parameter', 'permessage-deflate; foo', 'RFC 7692 §7.1', /unknown parameter foo/],
    ['a repeated parameter', 'permessage-deflate; server_no_context_takeover; server_no_context_takeover', 'RFC 7692 §7.1', /more than once/],
    ['a value on server_no_context_takeover', 'permessage-deflate; server_no_context_takeover=1', 'RFC 7692 §7.1.1', /must not have a value/],
    ['a value on client_no_context_takeover', 'permessage-deflate; client_no_context_takeover="x"', 'RFC 7692 §7.1.1', /must not have a value/],
    ['server_max_window_bits without value', 'permessage-deflate; server_max_window_bits', 'RFC 7692 §7.1.2.1', /8 to 15/],
    ['server_max_window_bits=16', 'permessage-deflate; server_max_window_bits=16', 'RFC 7692 §7.1.2.1', /8 to 15/],
    ['server_max_window_bits=7', 'permessage-deflate; server_max_window_bits=7', 'RFC 7692 §7.1.2.1', /8 to 15/],
    ['a leading zero', 'permessage-deflate; server_max_window_bits=010', 'RFC 7692 §7.1.2.1', /8 to 15/],
    ['client_max_window_bits=abc', 'permessage-deflate; client_max_window_bits=abc', 'RFC 7692 §7.1.2.2', /8 to 15/],
    ['server_max_window_bits=8 (zlib cannot compress with it)', 'permessage-deflate; server_max_window_bits=8', 'RFC 7692 §7.1.2.1', /zlib/],
  ])('declines an offer with %s', (_name, header, section, mention) => {
    const { accepted, declined } = negotiateDeflateAsServer(parse(header));
    expect(accepted).toBeNull();
    expect(declined).toHaveLength(1);
    expect(declined[0]!.section).toBe(section);
    expect(declined[0]!.reason).toMatch(mention);
  });

  it('accepts nothing when nothing is offered', () => {
    expect(negotiateDeflateAsServer(parse('x-foo'))).toEqual({ accepted: null, declined: [] });
  });

  it('refuses a policy it could not honour (8-bit server window) with a RangeError', () => {
    expect(() => negotiateDeflateAsServer([], { serverMaxWindowBits: 8 })).toThrow(RangeError);
    expect(() => negotiateDeflateAsServer([], { clientMaxWindowBits: 16 })).toThrow(RangeError);
  });
});

describe('client side: offer and response (RFC 7692 §7.1)', () => {
  it.each<[string, DeflateClientOffer, string]>([
    ['the default offer, as browsers send it', DEFAULT_DEFLATE_OFFER, 'permessage-deflate; client_max_window_bits'],
    ['no parameters', {}, 'permessage-deflate'],
    ['every parameter', { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 }, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12'],
  ])('formats %s', (_name, offer, header) => {
    expect(formatDeflateOffer(offer)).toBe(header);
  });

  it('will not offer to compress with an 8-bit window', () => {
    expect(() => formatDeflateOffer({ clientMaxWindowBits: 8 })).toThrow(RangeError);
  });

  it.each<[string, string, DeflateClientOffer, Partial<DeflateParameters>]>([
    ['RFC 7692 §7.1.3: the plain acceptance', 'permessage-deflate', DEFAULT_DEFLATE_OFFER, {}],
    ['RFC 7692 §7.1.2.2: a client window chosen by the server', 'permessage-deflate; client_max_window_bits=10', DEFAULT_DEFLATE_OFFER, { clientMaxWindowBits: 10 }],
    ['RFC 7692 §7.1.1.1: unrequested server_no_context_takeover is allowed (erratum 4982)', 'permessage-deflate; server_no_context_takeover', {}, { serverNoContextTakeover: true }],
    ['RFC 7692 §7.1.1.2: unrequested client_no_context_takeover binds us', 'permessage-deflate; client_no_context_takeover', {}, { clientNoContextTakeover: true }],
    ['RFC 7692 §7.1.1.2: our own client_no_context_takeover binds us either way', 'permessage-deflate', { clientNoContextTakeover: true }, { clientNoContextTakeover: true }],
    ['RFC 7692 §7.1.2.1: a smaller server window than asked', 'permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 10 }, { serverMaxWindowBits: 9 }],
    ['RFC 7692 §7.1.2.1: an unrequested server window', 'permessage-deflate; server_max_window_bits=11', {}, { serverMaxWindowBits: 11 }],
    ['RFC 7692 §7.1.2.2: our offered client window applies when the response is silent', 'permessage-deflate', { clientMaxWindowBits: 11 }, { clientMaxWindowBits: 11 }],
  ])('accepts %s', (_name, header, offer, parameters) => {
    const result = acceptDeflateResponse(parse(header)[0]!, offer);
    expect(result).toEqual({ ok: true, parameters: { ...DEFAULTS, ...parameters } });
  });

  it.each<[string, string, DeflateClientOffer, string, RegExp]>([
    ['an unknown parameter', 'permessage-deflate; foo=1', DEFAULT_DEFLATE_OFFER, 'RFC 7692 §7.1', /unknown parameter/],
    ['a repeated parameter', 'permessage-deflate; client_max_window_bits=10; client_max_window_bits=10', DEFAULT_DEFLATE_OFFER, 'RFC 7692 §7.1', /more than once/],
    ['client_max_window_bits we did not offer', 'permessage-deflate; client_max_window_bits=10', {}, 'RFC 7692 §7.1.2.2', /requires it in the offer/],
    ['client_max_window_bits without a value', 'permessage-deflate; client_max_window_bits', DEFAULT_DEFLATE_OFFER, 'RFC 7692 §7.1.2.2', /must have a value/],
    ['client_max_window_bits above our offer', 'permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 10 }, 'RFC 7692 §7.1.2.2', /exceeds/],
    ['client_max_window_bits=8, which zlib cannot compress with', 'permessage-deflate; client_max_window_bits=8', DEFAULT_DEFLATE_OFFER, 'RFC 7692 §7.1', /zlib/],
    ['a server window above the one we asked for', 'permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 }, 'RFC 7692 §7.1.2.1', /server_max_window_bits=10/],
    ['silence about the server window we asked for', 'permessage-deflate', { serverMaxWindowBits: 10 }, 'RFC 7692 §7.1.2.1', /confirm/],
    ['an invalid window value', 'permessage-deflate; server_max_window_bits=99', {}, 'RFC 7692 §7.1.2.1', /8 to 15/],
    ['a value on a no_context_takeover parameter', 'permessage-deflate; server_no_context_takeover=true', {}, 'RFC 7692 §7.1.1', /must not have a value/],
  ])('fails on %s', (_name, header, offer, section, mention) => {
    const result = acceptDeflateResponse(parse(header)[0]!, offer);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.section).toBe(section);
      expect(result.reason).toMatch(mention);
    }
  });

  it('whatever our server answers, our client reads the same parameters (property)', () => {
    const bits = (min: number) => fc.option(fc.integer({ min, max: 15 }), { nil: undefined });
    const policy = fc.record({ serverNoContextTakeover: fc.boolean(), clientNoContextTakeover: fc.boolean(), serverMaxWindowBits: bits(9), clientMaxWindowBits: bits(9) });
    const offer = fc.record({
      serverNoContextTakeover: fc.boolean(),
      clientNoContextTakeover: fc.boolean(),
      serverMaxWindowBits: bits(9),
      clientMaxWindowBits: fc.oneof(fc.boolean(), fc.integer({ min: 9, max: 15 })),
    });
    fc.assert(
      fc.property(policy, offer, (serverPolicy, clientOffer) => {
        const { accepted } = negotiateDeflateAsServer(parse(formatDeflateOffer(clientOffer)), serverPolicy);
        expect(accepted).not.toBeNull();
        const client = acceptDeflateResponse(parse(accepted!.responseHeader)[0]!, clientOffer);
        expect(client).toEqual({ ok: true, parameters: accepted!.parameters });
      }),
      { numRuns: 500 },
    );
  });
});
