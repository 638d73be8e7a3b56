/**
 * The client's side of the opening handshake (RFC 6455 §4.1): build the request, then validate
 * the server's response, failing the connection on any rule broken (§4.1, "the client MUST
 * _Fail the WebSocket Connection_").
 */
import { encodeBase64 } from '../base64.ts';
import { KEY_NONCE_BYTES, WEBSOCKET_VERSION } from '../constants.ts';
import type { DeflateParameters } from '../deflate/codec.ts';
import {
  DEFAULT_DEFLATE_OFFER,
  PERMESSAGE_DEFLATE,
  acceptDeflateResponse,
  formatDeflateOffer,
  isExtensionsSyntaxError,
  parseExtensionsHeader,
} from '../deflate/negotiate.ts';
import type { DeflateClientOffer } from '../deflate/negotiate.ts';
import { computeAccept } from './accept.ts';
import { headerList, headerListHas, headerValues, isSafeFieldValue, isToken } from './headers.ts';
import type { HandshakeResponse, HeaderField } from './types.ts';

export type { DeflateClientOffer } from '../deflate/negotiate.ts';

export interface ClientHandshakeOptions {
  /** Host header value: host, plus ":port" when not the scheme's default (RFC 6455 §4.1 item 4). */
  readonly host: string;
  /** The resource name: path and query, starting with "/" (RFC 6455 §3). */
  readonly path: string;
  readonly origin?: string;
  /** Subprotocols to offer, most preferred first. */
  readonly protocols?: readonly string[];
  /** true: the browsers' offer (permessage-deflate; client_max_window_bits); or a custom offer. */
  readonly deflate?: boolean | DeflateClientOffer;
  /** A fixed Sec-WebSocket-Key (tests, lessons); normally a fresh random nonce is used. */
  readonly key?: string;
  readonly randomBytes?: (n: number) => Uint8Array;
  readonly extraHeaders?: ReadonlyArray<readonly [string, string]>;
}

export interface ClientHandshake {
  readonly key: string;
  /** The full request head text, ending with the empty line. ASCII. */
  readonly request: string;
  readonly protocols: readonly string[];
  /** The permessage-deflate offer sent, or null; pass it back to validateServerResponse. */
  readonly deflateOffer: DeflateClientOffer | null;
}

/** What the client sent, needed to check the answer. */
export interface SentHandshake {
  readonly key: string;
  readonly protocols?: readonly string[];
  readonly deflateOffered: boolean;
  /** The exact offer; when deflateOffered is true and this is absent, the default offer is assumed. */
  readonly deflateOffer?: DeflateClientOffer | null;
}

export type ClientHandshakeResult =
  | { readonly ok: true; readonly protocol: string | null; readonly deflate: DeflateParameters | null }
  | { readonly ok: false; readonly reason: string; readonly section: string };

const SECTION = 'RFC 6455 §4.1';
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]*)?$/;

function defaultRandomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Builds the request of RFC 6455 §4.1. Throws TypeError on options that would corrupt the head. */
export function createClientHandshake(options: ClientHandshakeOptions): ClientHandshake {
  if (!HOST.test(options.host)) throw new TypeError('host must be host[:port] (RFC 3986 §3.2.2)');
  if (!/^\/[\x21-\x7e]*$/.test(options.path)) throw new TypeError('path must start with "/" and hold only visible ASCII');
  const protocols = options.protocols ?? [];
  if (protocols.some((protocol) => !isToken(protocol)) || new Set(protocols).size !== protocols.length) {
    throw new TypeError('protocols must be unique tokens (RFC 6455 §4.1)');
  }
  const nonceKey = (): string => {
    const nonce = (options.randomBytes ?? defaultRandomBytes)(KEY_NONCE_BYTES);
    if (nonce.length !== KEY_NONCE_BYTES) throw new TypeError('randomBytes must return the requested number of bytes');
    return encodeBase64(nonce);
  };
  // §4.1 item 7: a nonce "randomly selected for each connection", base64-encoded.
  const key = options.key ?? nonceKey();
  const deflateOffer =
    options.deflate === true ? DEFAULT_DEFLATE_OFFER : options.deflate === false || options.deflate === undefined ? null : options.deflate;

  // §4.1 items 2-10, in the order browsers send them.
  const headers: HeaderField[] = [
    ['Host', options.host],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', WEBSOCKET_VERSION],
  ];
  if (options.origin !== undefined) headers.push(['Origin', options.origin]);
  if (protocols.length > 0) headers.push(['Sec-WebSocket-Protocol', protocols.join(', ')]);
  if (deflateOffer !== null) headers.push(['Sec-WebSocket-Extensions', formatDeflateOffer(deflateOffer)]);
  for (const [name, value] of options.extraHeaders ?? []) headers.push([name, value]);

  let request = `GET ${options.path} HTTP/1.1\r\n`;
  for (const [name, value] of headers) {
    if (!isToken(name) || !isSafeFieldValue(value)) throw new TypeError(`header ${JSON.stringify(name)} would corrupt the request`);
    request += `${name}: ${value}\r\n`;
  }
  request += '\r\n';
  return { key, request, protocols, deflateOffer };
}

function fail(reason: string, section: string = SECTION): ClientHandshakeResult {
  return { ok: false, reason, section };
}

/** The client's checks of RFC 6455 §4.1 ("the client MUST validate the server's response"). */
export function validateServerResponse(response: HandshakeResponse, sent: SentHandshake): ClientHandshakeResult {
  // Item 1: anything but 101 ends the handshake (a 3xx is not followed here; RFC 6455 §4.1 allows it to be).
  if (response.status !== 101) return fail(`the server answered ${response.status} instead of 101 Switching Protocols`);
  // Items 2-3: the same Upgrade and Connection tokens the request carried.
  const upgrade = headerList(response, 'Upgrade');
  if (upgrade.length !== 1 || upgrade[0]!.toLowerCase() !== 'websocket') {
    return fail('the response Upgrade header must be "websocket"');
  }
  if (!headerListHas(response, 'Connection', 'Upgrade')) return fail('the response Connection header must contain "Upgrade"');
  // Item 4: proof that the server read our key (§1.3).
  const accepts = headerValues(response, 'Sec-WebSocket-Accept');
  if (accepts.length !== 1) return fail('the response must carry exactly one Sec-WebSocket-Accept header');
  if (accepts[0] !== computeAccept(sent.key)) return fail('Sec-WebSocket-Accept does not match base64(SHA-1(key + GUID))');

  // Item 5: only extensions we offered.
  let deflate: DeflateParameters | null = null;
  const extensionValues = headerValues(response, 'Sec-WebSocket-Extensions');
  if (extensionValues.length > 0) {
    const extensions = parseExtensionsHeader(extensionValues);
    if (isExtensionsSyntaxError(extensions)) return fail(extensions.reason, extensions.section);
    for (const extension of extensions) {
      if (extension.name !== PERMESSAGE_DEFLATE || !sent.deflateOffered) {
        return fail('the response names an extension the client did not offer');
      }
      // RFC 7692 §5: a server accepts one offer, so one element for the extension at most.
      if (deflate !== null) return fail('the response accepts permessage-deflate more than once', 'RFC 7692 §5');
      const outcome = acceptDeflateResponse(extension, sent.deflateOffer ?? DEFAULT_DEFLATE_OFFER);
      if (!outcome.ok) return fail(outcome.reason, outcome.section);
      deflate = outcome.parameters;
    }
  }

  // Item 6: a subprotocol, if any, must be one we offered; exactly one value.
  const protocolValues = headerValues(response, 'Sec-WebSocket-Protocol');
  let protocol: string | null = null;
  if (protocolValues.length > 0) {
    const selected = headerList(response, 'Sec-WebSocket-Protocol');
    if (protocolValues.length !== 1 || selected.length !== 1) return fail('the response must select exactly one subprotocol');
    if (!(sent.protocols ?? []).includes(selected[0]!)) return fail('the response selects a subprotocol the client did not offer');
    protocol = selected[0]!;
  }
  return { ok: true, protocol, deflate };
}
