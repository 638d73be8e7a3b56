/**
 * Header-field helpers shared by both handshake roles: the RFC 7230 token grammar, case-insensitive
 * lookup, and comma-separated lists (RFC 7230 §7).
 */
import type { HeaderField, HttpHead } from './types.ts';

/**
 * RFC 7230 §3.2.6: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_"
 * / "`" / "|" / "~" / DIGIT / ALPHA. Indexed by char code.
 */
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

export function isTokenChar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

/** RFC 7230 §3.2.6: token = 1*tchar. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}

/** RFC 7230 §3.2.3: OWS = *( SP / HTAB ). */
export function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

export function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isOws(text.charCodeAt(start))) start++;
  while (end > start && isOws(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** A-Z to a-z; every other code unit as it is (RFC 7230 names and tokens are ASCII). */
function asciiLower(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

/**
 * Whether text[start, end) equals `lower` (already lowercase ASCII), ASCII case-insensitively.
 * Compared in place: the handshake looks up a dozen fields per connection, and lowercased copies
 * of every name and element were most of the garbage a handshake left behind.
 */
function equalsIgnoringAsciiCase(text: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if (asciiLower(text.charCodeAt(start + i)) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Field names are case-insensitive (RFC 7230 §3.2); they are tokens, so ASCII case is all there is. */
export function sameFieldName(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y && asciiLower(x) !== asciiLower(y)) return false;
  }
  return true;
}

/** Every value of the field `name`, one per header line, in order. */
export function headerValues(head: Pick<HttpHead, 'headers'>, name: string): string[] {
  const values: string[] = [];
  const headers = head.headers;
  for (let h = 0; h < headers.length; h++) {
    const field = headers[h]!;
    if (sameFieldName(field[0], name)) values.push(field[1]);
  }
  return values;
}

/**
 * The elements of a list-valued field (RFC 7230 §7: 1#element) across all its header lines, in
 * order, with OWS trimmed. Empty elements are dropped, as RFC 7230 §7 requires a recipient to
 * accept them ("a, , b"). Not for fields whose elements may contain quoted commas
 * (Sec-WebSocket-Extensions has its own parser).
 */
export function headerList(head: Pick<HttpHead, 'headers'>, name: string): string[] {
  const elements: string[] = [];
  for (const value of headerValues(head, name)) {
    for (const part of value.split(',')) {
      const element = trimOws(part);
      if (element.length > 0) elements.push(element);
    }
  }
  return elements;
}

/**
 * Whether a list-valued field holds `token`, compared ASCII case-insensitively: the elements of
 * headerList, found in place without splitting the value.
 */
export function headerListHas(head: Pick<HttpHead, 'headers'>, name: string, token: string): boolean {
  const wanted = token.toLowerCase();
  if (wanted.length === 0) return false; // empty elements do not count (RFC 7230 §7)
  const headers = head.headers;
  for (let h = 0; h < headers.length; h++) {
    const field = headers[h]!;
    if (!sameFieldName(field[0], name)) continue;
    const value = field[1];
    let start = 0;
    while (start <= value.length) {
      let end = value.indexOf(',', start);
      if (end < 0) end = value.length;
      let from = start;
      let to = end;
      while (from < to && isOws(value.charCodeAt(from))) from++;
      while (to > from && isOws(value.charCodeAt(to - 1))) to--;
      if (equalsIgnoringAsciiCase(value, from, to, wanted)) return true;
      start = end + 1;
    }
  }
  return false;
}

/** A header value is safe to emit when it holds no CR, LF or other control byte (no header injection). */
export function isSafeFieldValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f || code > 0xff) return false;
  }
  return true;
}

export function formatHeaderLines(headers: ReadonlyArray<HeaderField>): string {
  let text = '';
  for (let i = 0; i < headers.length; i++) text += `${headers[i]![0]}: ${headers[i]![1]}\r\n`;
  return text;
}
