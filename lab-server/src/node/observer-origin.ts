/**
 * Who may open /lab/observe. Browsers apply no same-origin rule to WebSockets, so without this check
 * any web page the user visits could open ws://127.0.0.1:8455/lab/observe?watch=inspect and read every
 * relayed handshake (cookies, Authorization) and message. RFC 6455 §10.2: "servers that are not
 * intended to process input from any web page but only for certain sites SHOULD verify the |Origin|
 * field"; §4.2.2 item 8 lets the server refuse with an HTTP error when it does not accept the origin.
 */
import { isIP } from 'node:net';
import { headerValues } from '../protocol/handshake/headers.ts';
import type { HandshakeRequest } from '../protocol/handshake/types.ts';

/** The CLI flag that lets one more origin (a page served elsewhere) observe. */
export const ALLOW_ORIGIN_FLAG = '--allow-origin';

/** Origin: null is sent by sandboxed and file: pages; it names no site, so it is never accepted. */
const OPAQUE_ORIGIN = 'null';

/** Normalizes an --allow-origin value to its serialized origin (RFC 6454 §6.1); throws a one-line Error. */
export function parseAllowedOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${ALLOW_ORIGIN_FLAG} needs an origin like https://my.dev.site, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${ALLOW_ORIGIN_FLAG} needs an http:// or https:// origin, got ${url.protocol}//`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new Error(`${ALLOW_ORIGIN_FLAG} takes an origin (scheme://host[:port]) without a path, got "${text}"`);
  }
  return url.origin;
}

/**
 * Why this Origin may not observe, or null when it may:
 * - no Origin header: not a browser (scripts, curl, `ws`), which could read the port anyway;
 * - an origin the user allowed with --allow-origin;
 * - the lab server's own pages, `http://<Host header>`, but only when that host is an IP literal or
 *   `localhost`: a domain name could be DNS-rebound to 127.0.0.1 by an attacker's page, which would
 *   then be "same origin" with its own Host header.
 * The classroom case (--host 0.0.0.0, students on http://192.168.1.5:8455/) is an IP literal, so it passes.
 */
export function observerOriginRefusal(origin: string | undefined, hostHeader: string | undefined, allowed: readonly string[]): string | null {
  if (origin === undefined) return null;
  const normalized = normalizeOrigin(origin);
  if (normalized !== null && allowed.includes(normalized)) return null;
  const shown = JSON.stringify(origin.slice(0, MAX_QUOTED_ORIGIN_CHARS));
  const own = hostHeader === undefined ? null : normalizeOrigin(`http://${hostHeader}`);
  if (normalized === null || own === null || normalized !== own) {
    return `Origin ${shown} may not observe this lab server: only its own pages may (start it with ${ALLOW_ORIGIN_FLAG} ORIGIN to allow another)`;
  }
  if (!isRebindingSafe(new URL(own).hostname)) {
    return `Origin ${shown} is a domain name, which DNS rebinding could point here: open the lab by IP address or localhost, or start it with ${ALLOW_ORIGIN_FLAG} ${normalized}`;
  }
  return null;
}

/** Longest part of a refused Origin quoted back in the one-line reason. */
const MAX_QUOTED_ORIGIN_CHARS = 100;

function normalizeOrigin(text: string): string | null {
  if (text === OPAQUE_ORIGIN) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** IP literals cannot be rebound; `localhost` always resolves to loopback (RFC 6761 §6.3). */
function isRebindingSafe(hostname: string): boolean {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return bare === 'localhost' || isIP(bare) !== 0;
}

/** Why a request may not open an observer channel, as an HTTP refusal; null when it may. */
export interface OriginRefusal {
  readonly status: number;
  readonly section: string;
  readonly reason: string;
}

const BAD_REQUEST = 400;
const FORBIDDEN = 403;

/**
 * The Origin check for every observer channel (/lab/observe, /pvp/observe): RFC 6455 §10.2 and §4.2.2
 * item 8. An observer sees every reported handshake and message, or can start experiments that open
 * sockets on this machine, so only the server's own pages (or --allow-origin ones) and non-browser
 * clients may open one.
 */
export function observerRequestRefusal(request: HandshakeRequest, allowed: readonly string[]): OriginRefusal | null {
  const origins = headerValues(request, 'origin');
  if (origins.length > 1) return { status: BAD_REQUEST, section: 'RFC 6454 §7.3', reason: 'the Origin header must appear at most once' };
  const reason = observerOriginRefusal(origins[0], headerValues(request, 'host')[0], allowed);
  return reason === null ? null : { status: FORBIDDEN, section: 'RFC 6455 §10.2', reason };
}
