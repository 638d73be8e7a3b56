/**
 * Lesson 11: which handshakes does a server with an Origin allow-list accept? Each case is a real
 * request head, parsed and judged by the protocol core's acceptClientHandshake with allowedOrigins
 * (RFC 6455 §10.2), so the demo shows exactly what the lab server's code decides.
 */
import { acceptClientHandshake, isRejection, parseRequestHead } from '../../lab-server/src/protocol/index.ts';

export interface OriginCase {
  readonly label: string;
  /** The Origin header sent, or undefined for a client that sends none (curl, a native app). */
  readonly origin: string | undefined;
}

export interface OriginVerdict extends OriginCase {
  readonly status: number;
  readonly accepted: boolean;
  readonly reason: string;
  readonly section: string;
  readonly request: string;
}

export const DEFAULT_ALLOWED = ['https://chat.example.com'];

export const ORIGIN_CASES: readonly OriginCase[] = [
  { label: 'The chat\'s own page', origin: 'https://chat.example.com' },
  { label: 'Same origin, other letter case', origin: 'HTTPS://Chat.Example.COM' },
  { label: 'An attacker\'s page', origin: 'https://evil.example.net' },
  { label: 'A look-alike domain', origin: 'https://chat.example.com.evil.net' },
  { label: 'Same site, other subdomain', origin: 'https://blog.example.com' },
  { label: 'Plain http of the same host', origin: 'http://chat.example.com' },
  { label: 'A sandboxed iframe or file: page', origin: 'null' },
  { label: 'No Origin (curl, a native client)', origin: undefined },
];

/** The handshake a browser on `origin` sends, as text (Origin omitted when undefined). */
export function handshakeFrom(origin: string | undefined): string {
  const lines = [
    'GET /chat HTTP/1.1',
    'Host: chat.example.com',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...(origin === undefined ? [] : [`Origin: ${origin}`]),
    'Cookie: session=4f1c2e',
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Splits the allow-list text (one origin per line, or commas), dropping blanks. */
export function parseAllowList(text: string): string[] {
  return text.split(/[\n,]/).map((entry) => entry.trim()).filter((entry) => entry.length > 0);
}

/** Judges each case with the core; an empty allow-list means "no Origin check" (the core's default). */
export function judgeOrigins(allowed: readonly string[], cases: readonly OriginCase[]): OriginVerdict[] {
  return cases.map((item) => {
    const request = handshakeFrom(item.origin);
    const parsed = parseRequestHead(request);
    if (isRejection(parsed)) {
      return { ...item, status: parsed.status, accepted: false, reason: parsed.reason, section: parsed.section, request };
    }
    const result = acceptClientHandshake(parsed, allowed.length > 0 ? { allowedOrigins: allowed } : {});
    return result.ok
      ? { ...item, status: 101, accepted: true, reason: 'accepted: the connection opens, with the cookie of the handshake', section: 'RFC 6455 §4.2.2', request }
      : { ...item, status: result.rejection.status, accepted: false, reason: result.rejection.reason, section: result.rejection.section, request };
  });
}
