/**
 * Reading bytes a learner pastes: hex (spaced or not), base64, or a hex dump as Wireshark, tcpdump -X
 * or xxd print it (offset column, hex, ASCII column). Pure and DOM-free, so the frame inspector and the
 * unit tests share it. Every failure is a value with a sentence a learner can act on, never a throw.
 */
import { decodeBase64 } from '../../lab-server/src/protocol/base64.ts';

export type BytesFormat = 'hex' | 'base64' | 'dump';
export type BytesFormatChoice = BytesFormat | 'auto';

export type BytesInputResult =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly format: BytesFormat }
  | { readonly ok: false; readonly error: string; readonly format: BytesFormat | null };

/** What the inspector accepts at most: enough for any teaching frame, small enough for the DOM. */
export const MAX_INPUT_BYTES = 1 << 20;

const HEX_SEPARATORS = /[\s,:;-]+/;
const HEX_DIGITS = /^[0-9a-fA-F]*$/;

function fail(error: string, format: BytesFormat | null): BytesInputResult {
  return { ok: false, error, format };
}

function success(bytes: Uint8Array, format: BytesFormat): BytesInputResult {
  if (bytes.length > MAX_INPUT_BYTES) {
    return fail(`That is ${bytes.length} bytes; the inspector reads at most ${MAX_INPUT_BYTES}.`, format);
  }
  return { ok: true, bytes, format };
}

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `"${char}"`;
}

/** Hex digits to bytes; `digits` holds only hex digits and has even length. */
function hexDigitsToBytes(digits: string): Uint8Array {
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Hex: "81 05 48 65", "8105 4865", "81054865", "0x81, 0x05", "\x81\x05", "81:05". Each separated
 * group must hold whole bytes (an even number of digits), so "8 1" is an error rather than a guess.
 */
export function parseHex(text: string): BytesInputResult {
  const normalized = text.replace(/\\x/gi, ' ').replace(/\b0x/gi, ' ');
  const groups = normalized.split(HEX_SEPARATORS).filter((group) => group.length > 0);
  if (groups.length === 0) return fail('There are no hex digits here yet.', 'hex');
  let digits = '';
  for (const group of groups) {
    if (!HEX_DIGITS.test(group)) {
      const bad = [...group].find((char) => !/[0-9a-fA-F]/.test(char)) ?? group;
      return fail(`${describeChar(bad)} (in "${group.slice(0, 16)}") is not a hex digit: hex uses 0-9 and a-f.`, 'hex');
    }
    if (group.length % 2 !== 0) {
      return fail(`"${group.slice(0, 16)}" has an odd number of hex digits; every byte is two digits (write 08, not 8).`, 'hex');
    }
    digits += group;
  }
  return success(hexDigitsToBytes(digits), 'hex');
}

/** Base64, standard or URL-safe alphabet; whitespace and line breaks are ignored, padding may be omitted. */
export function parseBase64(text: string): BytesInputResult {
  let compact = text.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (compact.length === 0) return fail('There is no base64 text here yet.', 'base64');
  const bad = [...compact].find((char) => !/[A-Za-z0-9+/=]/.test(char));
  if (bad !== undefined) return fail(`${describeChar(bad)} is not a base64 character (A-Z, a-z, 0-9, +, /, =).`, 'base64');
  if (compact.length % 4 === 1) return fail(`${compact.length} base64 characters cannot be whole bytes (one too many or too few).`, 'base64');
  if (!compact.includes('=')) compact += '='.repeat((4 - (compact.length % 4)) % 4);
  const bytes = decodeBase64(compact);
  if (bytes === null) return fail('This is not valid base64: check the padding (=) and for characters lost when copying.', 'base64');
  return success(bytes, 'base64');
}

/** One dump line: offset (4-8 hex digits, maybe "0x" and ":"), then the hex and ASCII columns. */
const DUMP_LINE = /^\s*(?:0x)?([0-9a-fA-F]{4,8})(:?)(\s+)(.*)$/;
/** How a dump's ASCII column shows a byte: printable ASCII as itself, anything else as ".". */
function asciiColumn(digits: string): string {
  let text = '';
  for (let i = 0; i < digits.length; i += 2) {
    const byte = Number.parseInt(digits.slice(i, i + 2), 16);
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  }
  return text;
}

/**
 * The hex column of one dump line. Groups of hex digits (Wireshark prints bytes, tcpdump and xxd pairs
 * of bytes) are read until a group that is not whole hex bytes; then, since an ASCII column such as
 * "cafe" is itself valid hex, a tail after a gap of two or more spaces that spells exactly the ASCII
 * rendering of the bytes before it is recognised as the ASCII column and dropped.
 */
function dumpLineBytes(rest: string): string {
  const tokens: { digits: string; gapBefore: number; at: number }[] = [];
  const token = /( *)([^ ]+)/g;
  for (let match = token.exec(rest); match !== null; match = token.exec(rest)) {
    const digits = match[2]!;
    if (!HEX_DIGITS.test(digits) || digits.length % 2 !== 0) break;
    tokens.push({ digits, gapBefore: match[1]!.length, at: match.index + match[1]!.length });
  }
  for (let k = 1; k < tokens.length; k++) {
    if (tokens[k]!.gapBefore < 2) continue;
    const before = tokens.slice(0, k).map((t) => t.digits).join('');
    if (rest.slice(tokens[k]!.at).trim() === asciiColumn(before)) return before;
  }
  return tokens.map((t) => t.digits).join('');
}

/**
 * A hex dump: every non-empty line starts with an offset, and each line's offset must continue where
 * the previous line ended (Wireshark's "Copy as Hex Dump" of the WebSocket layer may start at any
 * offset, so the first one is free). The ASCII column is ignored.
 */
export function parseDump(text: string): BytesInputResult {
  const lines = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (lines.length === 0) return fail('There is no hex dump here yet.', 'dump');
  let digits = '';
  let expectedOffset: number | null = null;
  for (const [index, line] of lines.entries()) {
    const match = DUMP_LINE.exec(line);
    if (match === null) {
      return fail(`Line ${index + 1} does not start with an offset like "0000" or "0x0010:": "${line.trim().slice(0, 24)}".`, 'dump');
    }
    const offset = Number.parseInt(match[1]!, 16);
    if (expectedOffset !== null && offset !== expectedOffset) {
      return fail(`Line ${index + 1} starts at offset 0x${match[1]}, but the lines before it end at 0x${expectedOffset.toString(16).padStart(4, '0')}: a line is missing or repeated.`, 'dump');
    }
    const lineDigits = dumpLineBytes(match[4]!);
    if (lineDigits.length === 0) return fail(`Line ${index + 1} has an offset but no hex bytes after it.`, 'dump');
    digits += lineDigits;
    expectedOffset = offset + lineDigits.length / 2;
  }
  return success(hexDigitsToBytes(digits), 'dump');
}

/**
 * Which format a paste looks like. A dump needs an offset followed by ":" or at least two spaces on
 * every line, which plain spaced hex ("81 05") never has. Anything that reads as hex is hex (so
 * "81054865" is hex although it is also valid base64); base64 is the remaining alphabet.
 */
export function detectFormat(text: string): BytesFormat | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return null;
  const lines = trimmed.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (lines.every((line) => /^\s*(?:0x)?[0-9a-fA-F]{4,8}(?::\s*|\s{2,})[0-9a-fA-F]{2}/.test(line))) return 'dump';
  if (parseHex(trimmed).ok) return 'hex';
  if (/^[A-Za-z0-9+/=_\s-]+$/.test(trimmed) && /[g-zG-Z+/=_]/.test(trimmed)) return 'base64';
  return 'hex';
}

/** Reads `text` as bytes in the given format, or in the format it looks like. */
export function parseBytesInput(text: string, format: BytesFormatChoice = 'auto'): BytesInputResult {
  const chosen = format === 'auto' ? detectFormat(text) : format;
  if (chosen === null) return fail('Paste some bytes: hex (81 05 48 65 6c 6c 6f), base64 (gQVIZWxsbw==) or a Wireshark hex dump.', null);
  const result = chosen === 'dump' ? parseDump(text) : chosen === 'base64' ? parseBase64(text) : parseHex(text);
  if (result.ok || format !== 'auto') return result;
  return fail(`${result.error} If these are bytes, paste them as hex, base64 or a hex dump, or pick the format explicitly.`, chosen);
}

/** One byte as two lowercase hex digits ("0a"). */
export function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** "81 05 48" (spaced, lowercase), the form the inspector displays. */
export function formatHex(bytes: Uint8Array, separator = ' '): string {
  return Array.from(bytes, hexByte).join(separator);
}

/** Compact hex for a shareable URL (?hex=810548...). */
export function toUrlHex(bytes: Uint8Array): string {
  return formatHex(bytes, '');
}
