/**
 * The Sec-WebSocket-Extensions header (RFC 6455 §9.1):
 *   extension-list = 1#extension
 *   extension      = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 * with optional whitespace around separators (the implied *LWS of RFC 2616, now OWS, RFC 7230 §3.2.3).
 * Order is kept everywhere: a client lists its offers in preference order (RFC 6455 §9.1), and
 * duplicate parameters must stay visible so negotiation can decline them (RFC 7692 §7.1).
 */
import { isOws, isToken, isTokenChar } from '../handshake/headers.ts';

export interface ExtensionParam {
  readonly name: string;
  /** The value with quoted-string escapes removed; null when the parameter has no "=value". */
  readonly value: string | null;
}

/** One element of the list: an extension offered (request) or accepted (response) with its parameters. */
export interface ExtensionElement {
  readonly name: string;
  readonly params: readonly ExtensionParam[];
}

export interface ExtensionsSyntaxError {
  readonly reason: string;
  readonly section: string;
}

const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const SECTION = 'RFC 6455 §9.1';

/**
 * Parses all Sec-WebSocket-Extensions values, one per header line, as one list (RFC 7230 §3.2.2:
 * repeated list fields are equivalent to one comma-joined field). Empty list elements are skipped
 * (RFC 7230 §7). Returns the elements in order, or the first syntax error.
 */
export function parseExtensionsHeader(values: string | readonly string[]): ExtensionElement[] | ExtensionsSyntaxError {
  const list = typeof values === 'string' ? [values] : values;
  const elements: ExtensionElement[] = [];
  for (const value of list) {
    const error = parseList(value, elements);
    if (error !== null) return error;
  }
  return elements;
}

export function isExtensionsSyntaxError(value: ExtensionElement[] | ExtensionsSyntaxError): value is ExtensionsSyntaxError {
  return !Array.isArray(value);
}

function parseList(text: string, out: ExtensionElement[]): ExtensionsSyntaxError | null {
  let pos = 0;
  const length = text.length;
  const skipOws = (): void => {
    while (pos < length && isOws(text.charCodeAt(pos))) pos++;
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < length && isTokenChar(text.charCodeAt(pos))) pos++;
    return text.slice(start, pos);
  };
  while (pos < length) {
    skipOws();
    if (pos === length) break;
    if (text.charCodeAt(pos) === COMMA) {
      pos++;
      continue;
    }
    const name = readToken();
    if (name.length === 0) return error(`an extension name must be a token (at character ${pos + 1})`);
    const params: ExtensionParam[] = [];
    skipOws();
    while (pos < length && text.charCodeAt(pos) === SEMICOLON) {
      pos++;
      skipOws();
      const paramName = readToken();
      if (paramName.length === 0) return error(`a parameter name must be a token (at character ${pos + 1})`);
      skipOws();
      let value: string | null = null;
      if (pos < length && text.charCodeAt(pos) === EQUALS) {
        pos++;
        skipOws();
        if (pos < length && text.charCodeAt(pos) === DQUOTE) {
          const quoted = readQuotedString(text, pos);
          if (quoted === null) return error(`an unterminated or invalid quoted-string (at character ${pos + 1})`);
          pos = quoted.end;
          // RFC 6455 §9.1: a quoted value, once unescaped, must still be a token.
          if (!isToken(quoted.value)) return error(`the quoted value of "${paramName}" is not a token after unescaping`);
          value = quoted.value;
        } else {
          value = readToken();
          if (value.length === 0) return error(`the value of "${paramName}" must be a token or quoted-string`);
        }
        skipOws();
      }
      params.push({ name: paramName, value });
    }
    if (pos < length && text.charCodeAt(pos) !== COMMA) return error(`unexpected character (at character ${pos + 1})`);
    out.push({ name, params });
  }
  return null;
}

/** RFC 7230 §3.2.6: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE. */
function readQuotedString(text: string, start: number): { value: string; end: number } | null {
  let value = '';
  for (let pos = start + 1; pos < text.length; pos++) {
    const code = text.charCodeAt(pos);
    if (code === DQUOTE) return { value, end: pos + 1 };
    if (code === BACKSLASH) {
      pos++;
      if (pos >= text.length) return null;
      const escaped = text.charCodeAt(pos);
      if ((escaped < 0x20 && escaped !== 0x09) || escaped === 0x7f) return null;
      value += text[pos];
    } else if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
      return null;
    } else {
      value += text[pos];
    }
  }
  return null;
}

function error(reason: string): ExtensionsSyntaxError {
  return { reason: `Sec-WebSocket-Extensions: ${reason}`, section: SECTION };
}

/** Serializes one element; values that are tokens are written bare, as RFC 7692's examples do. */
export function formatExtension(element: ExtensionElement): string {
  let text = element.name;
  for (const { name, value } of element.params) text += value === null ? `; ${name}` : `; ${name}=${value}`;
  return text;
}
