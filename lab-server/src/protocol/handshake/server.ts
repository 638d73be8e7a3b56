/**
 * The server's side of the opening handshake (RFC 6455 §4.2): validate the client's request
 * (§4.2.1) and build either the 101 response (§4.2.2) or an error response naming the rule broken.
 * Pure: the host reads the head (HttpHeadReader), calls acceptClientHandshake, writes response.raw.
 */
import { decodeBase64 } from '../base64.ts';
import { KEY_NONCE_BYTES, WEBSOCKET_VERSION } from '../constants.ts';
import type { DeflateParameters } from '../deflate/codec.ts';
import { isExtensionsSyntaxError, negotiateDeflateAsServer, parseExtensionsHeader } from '../deflate/negotiate.ts';
import type { DeclinedOffer, DeflateServerPolicy } from '../deflate/negotiate.ts';
import { computeAccept } from './accept.ts';
import { headerList, headerListHas, headerValues, isToken } from './headers.ts';
import { buildResponse, rejectionResponse } from './responses.ts';
import { rejection } from './types.ts';
import type { HandshakeRejection, HandshakeRequest, HandshakeResponse, HeaderField } from './types.ts';

export { serializeResponse, rejectionResponse } from './responses.ts';
export type { DeflateServerPolicy } from '../deflate/negotiate.ts';

export interface ServerHandshakeOptions {
  /** Subprotocols this endpoint speaks, most preferred first (RFC 6455 §4.2.2 item 5.4). */
  readonly subprotocols?: readonly string[];
  /** permessage-deflate policy; `{}` accepts offers as made. Absent or false: not negotiated. */
  readonly deflate?: DeflateServerPolicy | false;
  /**
   * RFC 6455 §10.2: browsers always send Origin, so a server can refuse pages it does not trust.
   * A list requires an Origin header matching one entry (ASCII case-insensitively); a function
   * decides for itself and is also called when Origin is absent (non-browser clients).
   */
  readonly allowedOrigins?: readonly string[] | ((origin: string | undefined) => boolean);
}

export type ServerHandshakeResult =
  | {
      readonly ok: true;
      readonly key: string;
      readonly accept: string;
      readonly protocol: string | null;
      readonly deflate: DeflateParameters | null;
      readonly extensionsHeader: string | null;
      readonly response: HandshakeResponse;
      /** permessage-deflate offers turned down, with the rule (for the lab to show). */
      readonly declinedOffers: readonly DeclinedOffer[];
    }
  | { readonly ok: false; readonly rejection: HandshakeRejection; readonly response: HandshakeResponse };

const SECTION = 'RFC 6455 §4.2.1';
/** RFC 3986 §3.2.2-3.2.3: host (IP-literal, IPv4 or reg-name) and an optional port. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]*)?$/;
/** RFC 6455 §3 / RFC 7230 §5.3: origin-form, or absolute-form with a ws/http(s) URI. */
const TARGET = /^(?:\/|(?:wss?|https?):\/\/)/i;

/**
 * Whether the request asks for a WebSocket at all (Upgrade lists "websocket"). A host can use it
 * to route plain HTTP requests elsewhere before running the full validation.
 */
export function isWebSocketUpgrade(request: HandshakeRequest): boolean {
  return headerListHas(request, 'Upgrade', 'websocket');
}

/** Validates the request of RFC 6455 §4.2.1 and builds the response of §4.2.2. */
export function acceptClientHandshake(request: HandshakeRequest, options: ServerHandshakeOptions = {}): ServerHandshakeResult {
  const refused = checkRequest(request, options);
  if (refused !== null) return { ok: false, rejection: refused, response: rejectionResponse(refused) };

  const key = headerValues(request, 'Sec-WebSocket-Key')[0]!;
  const offeredProtocols = headerList(request, 'Sec-WebSocket-Protocol');
  const protocolError = checkProtocolList(offeredProtocols);
  if (protocolError !== null) return { ok: false, rejection: protocolError, response: rejectionResponse(protocolError) };
  // RFC 6455 §4.2.2 item 5.4: the server picks one of the client's values, or none; we pick by
  // the server's own preference, so a client cannot steer us to a protocol we like less.
  const protocol = options.subprotocols?.find((candidate) => offeredProtocols.includes(candidate)) ?? null;

  let deflate: DeflateParameters | null = null;
  let extensionsHeader: string | null = null;
  let declinedOffers: readonly DeclinedOffer[] = [];
  const extensionValues = headerValues(request, 'Sec-WebSocket-Extensions');
  // An endpoint that negotiates no extension ignores the header (RFC 6455 §9.1 leaves it unread).
  if (options.deflate !== undefined && options.deflate !== false && extensionValues.length > 0) {
    const extensions = parseExtensionsHeader(extensionValues);
    if (isExtensionsSyntaxError(extensions)) {
      const refusal = rejection(400, extensions.section, extensions.reason);
      return { ok: false, rejection: refusal, response: rejectionResponse(refusal) };
    }
    const negotiation = negotiateDeflateAsServer(extensions, options.deflate);
    declinedOffers = negotiation.declined;
    if (negotiation.accepted !== null) {
      deflate = negotiation.accepted.parameters;
      extensionsHeader = negotiation.accepted.responseHeader;
    }
  }

  const accept = computeAccept(key);
  const headers: HeaderField[] = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', accept],
  ];
  if (protocol !== null) headers.push(['Sec-WebSocket-Protocol', protocol]);
  if (extensionsHeader !== null) headers.push(['Sec-WebSocket-Extensions', extensionsHeader]);
  const response = buildResponse(101, headers);
  return { ok: true, key, accept, protocol, deflate, extensionsHeader, response, declinedOffers };
}

/** The request checks of RFC 6455 §4.2.1 in order; null when the request is a valid handshake. */
function checkRequest(request: HandshakeRequest, options: ServerHandshakeOptions): HandshakeRejection | null {
  // Item 1: "An HTTP/1.1 or higher GET request". RFC 7231 §6.5.5: a 405 lists the allowed methods.
  if (request.method !== 'GET') {
    return rejection(405, SECTION, 'the opening handshake must be a GET request', [['Allow', 'GET']]);
  }
  // httpVersion is "major.minor" (one digit each, RFC 7230 §2.6) for every parsed request.
  const dot = request.httpVersion.indexOf('.');
  const major = dot < 0 ? request.httpVersion : request.httpVersion.slice(0, dot);
  const minor = dot < 0 ? '0' : request.httpVersion.slice(dot + 1);
  if (Number(major) >= 2) {
    // RFC 7231 §6.6.6: 505 is for a major version the server does not speak on this connection.
    return rejection(505, 'RFC 7231 §6.6.6', 'the handshake is HTTP/1.1; a different major HTTP version is not supported here');
  }
  if (Number(major) < 1 || Number(minor) < 1) {
    // Not 505: we do speak HTTP/1.x. But HTTP/1.0 has no Upgrade (RFC 7230 §6.7: a server MUST
    // ignore Upgrade in an HTTP/1.0 request), so the request is simply not a valid handshake.
    return rejection(400, SECTION, 'the opening handshake requires HTTP/1.1 or later; HTTP/1.0 has no Upgrade mechanism');
  }
  if (!TARGET.test(request.target)) {
    return rejection(400, 'RFC 6455 §3', 'the request target must be a path (origin-form) or an absolute ws/http URI');
  }
  // Item 2, and RFC 7230 §5.4: missing, repeated or malformed Host is a 400.
  const hosts = headerValues(request, 'Host');
  if (hosts.length !== 1) return rejection(400, 'RFC 7230 §5.4', 'the Host header must appear exactly once');
  if (!HOST.test(hosts[0]!)) return rejection(400, 'RFC 7230 §5.4', 'the Host header is not a valid host[:port]');
  // Item 3: Upgrade is a token list (RFC 7230 §6.7), so "websocket" may sit among other protocols.
  if (!isWebSocketUpgrade(request)) {
    return rejection(400, SECTION, 'the Upgrade header must contain the token "websocket"');
  }
  // Item 4: Connection is a list of options (RFC 7230 §6.1), e.g. "keep-alive, Upgrade".
  if (!headerListHas(request, 'Connection', 'Upgrade')) {
    return rejection(400, SECTION, 'the Connection header must contain the token "Upgrade"');
  }
  // Item 6 and §4.4: a version we do not speak gets 426 plus the versions we do.
  const versions = headerValues(request, 'Sec-WebSocket-Version');
  if (versions.length !== 1 || versions[0] !== WEBSOCKET_VERSION) {
    return rejection(426, 'RFC 6455 §4.4', `Sec-WebSocket-Version must be ${WEBSOCKET_VERSION}`, [
      ['Upgrade', 'websocket'],
      ['Sec-WebSocket-Version', WEBSOCKET_VERSION],
    ]);
  }
  // Item 5: the key is the base64 of a 16-byte nonce (§4.1), and appears once.
  const keys = headerValues(request, 'Sec-WebSocket-Key');
  if (keys.length !== 1) return rejection(400, SECTION, 'the Sec-WebSocket-Key header must appear exactly once');
  const nonce = decodeBase64(keys[0]!);
  if (nonce === null || nonce.length !== KEY_NONCE_BYTES) {
    return rejection(400, SECTION, 'Sec-WebSocket-Key must be the base64 encoding of exactly 16 bytes');
  }
  // After the head come frames; a request body would be ambiguous with them (RFC 7230 §3.3).
  const lengths = headerValues(request, 'Content-Length');
  let bodyLength = false;
  for (let i = 0; i < lengths.length; i++) if (lengths[i] !== '0') bodyLength = true;
  if (bodyLength || headerValues(request, 'Transfer-Encoding').length > 0) {
    return rejection(400, 'RFC 7230 §3.3', 'the handshake request must not have a body; bytes after the head are frames');
  }
  return checkOrigin(request, options.allowedOrigins);
}

function checkOrigin(request: HandshakeRequest, allowed: ServerHandshakeOptions['allowedOrigins']): HandshakeRejection | null {
  if (allowed === undefined) return null;
  const origins = headerValues(request, 'Origin');
  // RFC 6454 §7.3: a user agent sends at most one Origin header.
  if (origins.length > 1) return rejection(400, 'RFC 6454 §7.3', 'the Origin header must appear at most once');
  const origin = origins[0];
  const permitted =
    typeof allowed === 'function'
      ? allowed(origin)
      : origin !== undefined && allowed.some((entry) => entry.toLowerCase() === origin.toLowerCase());
  if (permitted) return null;
  return origin === undefined
    ? rejection(403, 'RFC 6455 §10.2', 'this server only accepts handshakes with an allowed Origin header')
    : rejection(403, 'RFC 6455 §10.2', 'the Origin of this handshake is not allowed');
}

/** RFC 6455 §4.1: subprotocol names are tokens (U+0021-U+007E minus separators) and unique. */
function checkProtocolList(protocols: readonly string[]): HandshakeRejection | null {
  const seen = new Set<string>();
  for (const protocol of protocols) {
    if (!isToken(protocol)) return rejection(400, 'RFC 6455 §4.1', 'each Sec-WebSocket-Protocol value must be a token');
    if (seen.has(protocol)) return rejection(400, 'RFC 6455 §4.1', 'Sec-WebSocket-Protocol values must be unique');
    seen.add(protocol);
  }
  return null;
}
