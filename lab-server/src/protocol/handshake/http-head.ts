/**
 * HTTP/1.1 message heads for the opening handshake (RFC 6455 §4 rides on RFC 7230 §3): the
 * incremental reader plus strict parsers for a request head (server side) and a response head
 * (client side). Strict because the handshake is a security boundary: lenient parsing of folded
 * lines or stray whitespace is how request smuggling starts (RFC 7230 §3.2.4, §9.5).
 */
import { isOws, isTokenChar, trimOws } from './headers.ts';
import { rejection } from './types.ts';
import type { HandshakeRejection, HandshakeRequest, HandshakeResponse, HeaderField } from './types.ts';

export { DEFAULT_MAX_HEAD_BYTES, HttpHeadReader } from './head-reader.ts';
export type { HeadAndRest } from './head-reader.ts';

const CRLF = '\r\n';
const HTTP_VERSION = /^HTTP\/([0-9])\.([0-9])$/;
const STATUS_CODE = /^[0-9]{3}$/;

/**
 * Decodes head bytes one byte per char (ISO-8859-1). Header bytes above 0x7F are obs-text
 * (RFC 7230 §3.2.6), not UTF-8, so this keeps every byte and shows it faithfully.
 */
export function decodeHeadBytes(bytes: Uint8Array): string {
  // Heads are ASCII in practice, where ISO-8859-1 and UTF-8 agree: one native decode. (Spreading the
  // bytes into fromCharCode made an iterator result per byte, ~12 KB of garbage per handshake.)
  if (isAscii(bytes)) return asciiDecoder.decode(bytes);
  let text = '';
  const STEP = 8192; // stays far below the engine's argument-count limit
  for (let i = 0; i < bytes.length; i += STEP) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + STEP) as unknown as number[]);
  }
  return text;
}

/** Used for ASCII input only (see decodeHeadBytes): TextDecoder has no true ISO-8859-1 (WHATWG maps it to windows-1252). */
const asciiDecoder = new TextDecoder();

function isAscii(bytes: Uint8Array): boolean {
  let any = 0;
  for (let i = 0; i < bytes.length; i++) any |= bytes[i]!;
  return any < 0x80;
}

/** Splits a head into its start line and field lines, checking line endings (RFC 7230 §3, §3.5). */
function splitLines(raw: string): { startLine: string; fieldLines: string[] } | HandshakeRejection {
  let text = raw;
  // RFC 7230 §3.5: a server SHOULD ignore empty lines received before the request line.
  while (text.startsWith(CRLF)) text = text.slice(CRLF.length);
  if (text.endsWith(CRLF + CRLF)) text = text.slice(0, -2 * CRLF.length);
  else if (text.endsWith(CRLF)) text = text.slice(0, -CRLF.length);
  const lines = text.split(CRLF);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.includes('\n')) return rejection(400, 'RFC 7230 §3.5', 'header lines must end with CRLF; a bare LF is not accepted');
    if (line.includes('\r')) return rejection(400, 'RFC 7230 §3.5', 'a CR must be followed by LF; a bare CR is invalid');
    if (line.length === 0) {
      return rejection(400, 'RFC 7230 §3', i === 0 ? 'the head has no start line' : 'the head must end at its first empty line');
    }
  }
  return { startLine: lines[0]!, fieldLines: lines.slice(1) };
}

/** RFC 7230 §3.2: header-field = field-name ":" OWS field-value OWS. */
function parseFieldLines(fieldLines: readonly string[]): HeaderField[] | HandshakeRejection {
  const headers: HeaderField[] = [];
  for (const line of fieldLines) {
    if (isOws(line.charCodeAt(0))) {
      // Also covers whitespace between the start line and the first field (RFC 7230 §3).
      return rejection(400, 'RFC 7230 §3.2.4', 'obsolete line folding (a line starting with whitespace) is not accepted');
    }
    const colon = line.indexOf(':');
    if (colon < 0) return rejection(400, 'RFC 7230 §3.2', 'a header line has no colon after the field name');
    if (colon === 0) return rejection(400, 'RFC 7230 §3.2', 'a header line has an empty field name');
    const name = line.slice(0, colon);
    if (isOws(name.charCodeAt(name.length - 1))) {
      return rejection(400, 'RFC 7230 §3.2.4', 'no whitespace is allowed between a field name and its colon');
    }
    for (let i = 0; i < name.length; i++) {
      if (!isTokenChar(name.charCodeAt(i))) return rejection(400, 'RFC 7230 §3.2', 'a field name must be a token');
    }
    const value = trimOws(line.slice(colon + 1));
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      // field-content allows VCHAR, obs-text, SP and HTAB; any other control byte is invalid.
      if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
        return rejection(400, 'RFC 7230 §3.2', 'a field value contains a control character');
      }
    }
    headers.push([name, value]);
  }
  return headers;
}

function parseVersion(text: string): string | null {
  const match = HTTP_VERSION.exec(text);
  return match === null ? null : `${match[1]}.${match[2]}`;
}

function invalidRequestLine(): HandshakeRejection {
  return rejection(400, 'RFC 7230 §3.1.1', 'the request line must be: method SP request-target SP HTTP-version');
}

/** Parses a request head (RFC 7230 §3.1.1: method SP request-target SP HTTP-version). */
export function parseRequestHead(head: Uint8Array | string): HandshakeRequest | HandshakeRejection {
  const raw = typeof head === 'string' ? head : decodeHeadBytes(head);
  const lines = splitLines(raw);
  if ('status' in lines) return lines;
  const { startLine } = lines;
  const parts = startLine.split(' ');
  if (parts.length !== 3) return invalidRequestLine();
  const [method, target, versionText] = parts as [string, string, string];
  if (method.length === 0 || target.length === 0) return invalidRequestLine();
  for (let i = 0; i < method.length; i++) {
    if (!isTokenChar(method.charCodeAt(i))) return rejection(400, 'RFC 7230 §3.1.1', 'the method must be a token');
  }
  for (let i = 0; i < target.length; i++) {
    const code = target.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f) return rejection(400, 'RFC 7230 §5.3', 'the request target contains a byte not allowed in a URI');
  }
  const httpVersion = parseVersion(versionText);
  if (httpVersion === null) return rejection(400, 'RFC 7230 §2.6', 'the HTTP version must look like HTTP/1.1');
  const headers = parseFieldLines(lines.fieldLines);
  if ('status' in headers) return headers;
  return { startLine, headers, raw, method, target, httpVersion };
}

/**
 * Parses a response head (RFC 7230 §3.1.2: HTTP-version SP status-code SP reason-phrase).
 * A missing reason phrase (with or without its SP) is tolerated: it carries no meaning (§3.1.2).
 * Rejections from here use status 400 only to classify the failure; nothing is sent back.
 */
export function parseResponseHead(head: Uint8Array | string): HandshakeResponse | HandshakeRejection {
  const raw = typeof head === 'string' ? head : decodeHeadBytes(head);
  const lines = splitLines(raw);
  if ('status' in lines) return lines;
  const { startLine } = lines;
  const invalidLine = rejection(400, 'RFC 7230 §3.1.2', 'the status line must be: HTTP-version SP status-code SP reason-phrase');
  const firstSpace = startLine.indexOf(' ');
  if (firstSpace < 0) return invalidLine;
  const httpVersion = parseVersion(startLine.slice(0, firstSpace));
  if (httpVersion === null) return rejection(400, 'RFC 7230 §2.6', 'the HTTP version must look like HTTP/1.1');
  const secondSpace = startLine.indexOf(' ', firstSpace + 1);
  const codeText = secondSpace < 0 ? startLine.slice(firstSpace + 1) : startLine.slice(firstSpace + 1, secondSpace);
  if (!STATUS_CODE.test(codeText)) return rejection(400, 'RFC 7230 §3.1.2', 'the status code must be three digits');
  const statusText = secondSpace < 0 ? '' : startLine.slice(secondSpace + 1);
  for (let i = 0; i < statusText.length; i++) {
    const code = statusText.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return invalidLine;
  }
  const headers = parseFieldLines(lines.fieldLines);
  if ('status' in headers) return headers;
  return { startLine, headers, raw, httpVersion, status: Number(codeText), statusText };
}
