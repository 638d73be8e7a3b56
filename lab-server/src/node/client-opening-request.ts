/**
 * The Node client's opening request: check the ws: URL (RFC 6455 §3), then build the request of §4.1 for it,
 * with where to connect. Nothing touches the network here, so a bad URL is refused before any socket exists.
 */
import { WS_DEFAULT_PORT } from '../protocol/constants.ts';
import { createClientHandshake, type ClientHandshake } from '../protocol/handshake/client.ts';
import type { ConnectOptions } from './client.ts';

const URI_SECTION = 'RFC 6455 §3';

export interface OpeningRequest {
  /** What net.connect takes: an IPv6 literal without the URL's brackets. */
  readonly hostname: string;
  readonly port: number;
  /** The resource name (RFC 6455 §3): path and query. */
  readonly path: string;
  readonly handshake: ClientHandshake;
  /** Needed again to check the server's answer (RFC 7692 §5: no extension it was not offered). */
  readonly deflateOffered: boolean;
}

export type OpeningRequestResult =
  | ({ readonly ok: true } & OpeningRequest)
  | { readonly ok: false; readonly reason: string; readonly section: string };

/** Throws (as createClientHandshake does) only on options that would corrupt the request head. */
export function buildOpeningRequest(
  url: string,
  options: Pick<ConnectOptions, 'protocols' | 'deflate' | 'origin' | 'extraHeaders'>,
): OpeningRequestResult {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, reason: `not a URL: ${url}`, section: URI_SECTION };
  }
  if (target.protocol === 'wss:') {
    return { ok: false, reason: 'wss:// needs TLS, which this client does not implement', section: URI_SECTION };
  }
  if (target.protocol !== 'ws:') {
    return { ok: false, reason: `the URL scheme must be ws: (got ${target.protocol})`, section: URI_SECTION };
  }
  if (target.hash !== '') {
    return { ok: false, reason: 'a WebSocket URL must not have a fragment', section: URI_SECTION };
  }
  const hostname = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  const port = target.port === '' ? WS_DEFAULT_PORT : Number(target.port);
  const path = `${target.pathname}${target.search}`;
  const deflateOffered = options.deflate === true;
  const handshake = createClientHandshake({
    host: target.host,
    path,
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    ...(options.protocols === undefined ? {} : { protocols: options.protocols }),
    deflate: deflateOffered,
    ...(options.extraHeaders === undefined ? {} : { extraHeaders: options.extraHeaders }),
  });
  return { ok: true, hostname, port, path, handshake, deflateOffered };
}
