/**
 * What the simulation puts on the wire, written out as text so its sizes are counted, not assumed:
 * the request heads a Chromium page sends for fetch(), EventSource, a form-less POST and the WebSocket
 * opening handshake (RFC 6455 §4.1), the response heads a Node server answers with, SSE's event text
 * and chunked framing, and WebSocket frame headers from the protocol core's own encoder (RFC 6455 §5.2).
 */
import { Opcode } from '../../../lab-server/src/protocol/constants.ts';
import { encodeFrameHeader } from '../../../lab-server/src/protocol/frame/serializer.ts';
import type { PushEvent } from '../../../lab-server/src/reports/push-vs-poll-types.ts';

const CRLF = '\r\n';
const encoder = new TextEncoder();

export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Who is asking: the page's origin and the browser's identity, as the real request would carry them. */
export interface BrowserIdentity {
  /** "127.0.0.1:8455" */
  readonly host: string;
  /** "http://127.0.0.1:8455" */
  readonly origin: string;
  /** The page that runs the experiment, sent as Referer. */
  readonly referer: string;
  readonly userAgent: string;
  /** The `Cookie:` header value, "" for none. */
  readonly cookie: string;
  /**
   * User-agent client hints (sec-ch-ua, -mobile, -platform) that Chromium adds to fetch and EventSource
   * requests in secure contexts (localhost counts); null for browsers that send none.
   */
  readonly clientHints: ClientHints | null;
}

export interface ClientHints {
  /** The sec-ch-ua value, e.g. `"Not:A-Brand";v="8", "Chromium";v="156"`. */
  readonly brands: string;
  readonly mobile: boolean;
  readonly platform: string;
}

/** The client hints this browser sends, from navigator.userAgentData where the browser has it. */
export function clientHintsOf(navigator: Navigator): ClientHints | null {
  const data = (navigator as Navigator & { userAgentData?: { brands: { brand: string; version: string }[]; mobile: boolean; platform: string } }).userAgentData;
  if (data === undefined) return null;
  return { brands: data.brands.map(({ brand, version }) => `"${brand}";v="${version}"`).join(', '), mobile: data.mobile, platform: data.platform };
}

export type RequestFlavour = 'fetch' | 'event-source' | 'post' | 'websocket';

/** A fixed-size stand-in for Sec-WebSocket-Key: 16 random bytes are always 24 base64 characters (RFC 6455 §4.1). */
const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
/** Sec-WebSocket-Accept is a base64 SHA-1: always 28 characters (RFC 6455 §4.2.2). */
const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
/** An IMF-fixdate is always 29 characters (RFC 9110 §5.6.7). */
const SAMPLE_DATE = 'Tue, 24 Nov 2026 08:00:00 GMT';

/** The request line and headers, in the order Chromium sends them, ending with the blank line. */
export function requestHead(flavour: RequestFlavour, target: string, who: BrowserIdentity, bodyBytes = 0): string {
  const method = flavour === 'post' ? 'POST' : 'GET';
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${who.host}`];
  if (flavour === 'websocket') {
    lines.push('Connection: Upgrade', 'Pragma: no-cache', 'Cache-Control: no-cache', `User-Agent: ${who.userAgent}`,
      'Upgrade: websocket', `Origin: ${who.origin}`, 'Sec-WebSocket-Version: 13', 'Accept-Encoding: gzip, deflate, br, zstd',
      'Accept-Language: en-US,en;q=0.9');
    if (who.cookie !== '') lines.push(`Cookie: ${who.cookie}`);
    lines.push(`Sec-WebSocket-Key: ${SAMPLE_KEY}`, 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits');
    return lines.join(CRLF) + CRLF + CRLF;
  }
  lines.push('Connection: keep-alive');
  if (flavour === 'post') lines.push(`Content-Length: ${bodyBytes}`);
  // fetch(..., { cache: 'no-store' }) and EventSource both ask caches along the way not to answer.
  else lines.push('Pragma: no-cache', 'Cache-Control: no-cache');
  const hints = who.clientHints;
  if (hints !== null) lines.push(`sec-ch-ua-platform: "${hints.platform}"`);
  lines.push(`User-Agent: ${who.userAgent}`);
  if (hints !== null) lines.push(`sec-ch-ua: ${hints.brands}`, `sec-ch-ua-mobile: ?${hints.mobile ? 1 : 0}`);
  if (flavour === 'post') lines.push('Content-Type: application/json');
  lines.push(`Accept: ${flavour === 'event-source' ? 'text/event-stream' : '*/*'}`);
  if (flavour === 'post') lines.push(`Origin: ${who.origin}`);
  lines.push('Sec-Fetch-Site: same-origin', 'Sec-Fetch-Mode: cors', 'Sec-Fetch-Dest: empty',
    `Referer: ${who.referer}`, 'Accept-Encoding: gzip, deflate, br, zstd', 'Accept-Language: en-US,en;q=0.9');
  if (who.cookie !== '') lines.push(`Cookie: ${who.cookie}`);
  return lines.join(CRLF) + CRLF + CRLF;
}

export type ResponseFlavour = 'json' | 'event-stream' | 'no-content' | 'switching-protocols';

/**
 * The status line and headers the lab server's /pvp endpoints answer with (Node's HTTP server adds Date,
 * Connection and Keep-Alive), ending with the blank line.
 */
export function responseHead(flavour: ResponseFlavour, bodyBytes = 0): string {
  const keepAlive = [`Date: ${SAMPLE_DATE}`, 'Connection: keep-alive', 'Keep-Alive: timeout=5'];
  const lines = flavour === 'json'
    ? ['HTTP/1.1 200 OK', 'Content-Type: application/json', `Content-Length: ${bodyBytes}`, 'Cache-Control: no-store', ...keepAlive]
    : flavour === 'event-stream'
      // X-Accel-Buffering: no asks nginx-style proxies not to hold the stream back.
      ? ['HTTP/1.1 200 OK', 'Content-Type: text/event-stream', 'Cache-Control: no-store', 'X-Accel-Buffering: no', ...keepAlive, 'Transfer-Encoding: chunked']
      : flavour === 'no-content'
        ? ['HTTP/1.1 204 No Content', 'Cache-Control: no-store', ...keepAlive]
        : ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${SAMPLE_ACCEPT}`];
  return lines.join(CRLF) + CRLF + CRLF;
}

/** One Server-Sent Event as the stream carries it: an id line, a data line, a blank line (HTML §9.2.6). */
export function sseEventText(event: PushEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Chunked transfer coding around one write (RFC 9112 §7.1): the hex size line before, CRLF after. */
export function chunkFramingBytes(chunkBytes: number): number {
  return byteLength(chunkBytes.toString(16)) + CRLF.length + CRLF.length;
}

/** A text frame's header: servers never mask; clients always do, adding a 4-byte key (RFC 6455 §5.1, §5.3). */
export function textFrameHeaderBytes(payloadBytes: number, masked: boolean): number {
  return encodeFrameHeader({
    fin: true, opcode: Opcode.Text, payload: new Uint8Array(payloadBytes),
    maskingKey: masked ? new Uint8Array(4) : null,
  }).length;
}

/** A server's close frame header (RFC 6455 §5.5.1): unmasked, a 2-byte status code and the reason as payload. */
export function closeFrameHeaderBytes(payloadBytes: number): number {
  return encodeFrameHeader({ fin: true, opcode: Opcode.Close, payload: new Uint8Array(payloadBytes) }).length;
}
