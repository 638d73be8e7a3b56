/**
 * Building handshake responses: the 101 of RFC 6455 §4.2.2 and the plain-text error responses a
 * server sends when it refuses a handshake (RFC 6455 §4.2.2 "an appropriate error code").
 */
import { formatHeaderLines } from './headers.ts';
import type { HandshakeRejection, HandshakeResponse, HeaderField } from './types.ts';

/** Reason phrases (RFC 7231 §6.1, RFC 6585) for the statuses a WebSocket server uses. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  101: 'Switching Protocols',
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

const encoder = new TextEncoder();

/**
 * The wire text of a response: status line, header fields, empty line, then the body if any.
 * Non-ASCII can only appear in the body, which is UTF-8, so a host writes this text as UTF-8.
 */
export function serializeResponse(response: Pick<HandshakeResponse, 'startLine' | 'headers' | 'body'>): string {
  return `${response.startLine}\r\n${formatHeaderLines(response.headers)}\r\n${response.body ?? ''}`;
}

/** A response built by this module; `raw` is the complete text to write. */
export function buildResponse(status: number, headers: ReadonlyArray<HeaderField>, body?: string): HandshakeResponse {
  const statusText = STATUS_TEXT[status] ?? 'Unknown';
  const startLine = `HTTP/1.1 ${status} ${statusText}`;
  const base = body === undefined ? { startLine, headers } : { startLine, headers, body };
  return { ...base, raw: serializeResponse(base), httpVersion: '1.1', status, statusText };
}

/**
 * The error response for a rejection: the one-line reason as a plain-text body, and
 * `Connection: close`, since after a refused upgrade the server does not keep the connection.
 */
export function rejectionResponse(rejection: HandshakeRejection): HandshakeResponse {
  // The section lets a learner (or a curl user) look the rule up straight from the error.
  const body = `${rejection.reason} (${rejection.section})\n`;
  const extra = rejection.headers ?? [];
  // RFC 7230 §6.7: whoever sends Upgrade (as a 426 must, RFC 7231 §6.5.15) also lists it in Connection.
  const sendsUpgrade = extra.some(([name]) => name.toLowerCase() === 'upgrade');
  const headers: HeaderField[] = [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(encoder.encode(body).length)],
    ['Connection', sendsUpgrade ? 'Upgrade, close' : 'close'],
    ...extra,
  ];
  return buildResponse(rejection.status, headers, body);
}
