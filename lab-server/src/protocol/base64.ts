/**
 * Base64 (RFC 4648 §4, the standard alphabet with "=" padding), in plain TypeScript so the
 * protocol core needs neither Buffer nor atob/btoa (which work on "binary strings", not bytes).
 *
 * Decoding is strict on purpose: RFC 6455 §4.2.1 item 5 requires Sec-WebSocket-Key to be the
 * base64 of a 16-byte nonce, and only a canonical encoding (RFC 4648 §3.5: pad bits zero, no
 * whitespace, correct padding) has a single meaning, so anything else is refused.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // "="
const INVALID = 0xff;

/** 6-bit value -> ASCII code of its character. */
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (char) => char.charCodeAt(0));

/** ASCII code -> 6-bit value, INVALID for characters outside the alphabet. */
const DECODE_TABLE = new Uint8Array(256).fill(INVALID);
for (let i = 0; i < ALPHABET.length; i++) DECODE_TABLE[ALPHABET.charCodeAt(i)] = i;

/** All 4096 two-character pairs, so encoding does one table lookup per 12 bits. */
const PAIRS: string[] = [];
for (let i = 0; i < 4096; i++) PAIRS.push(ALPHABET[i >> 6]! + ALPHABET[i & 63]!);

/**
 * Char codes of short encodings, one reused array per output length (an array's length never changes,
 * so filling it allocates nothing; all of this is synchronous, so one call at a time uses them).
 */
const shortCodes: number[][] = [];
/** Up to this many input bytes, the output is built as one string from char codes (no rope of pieces). */
const SHORT_INPUT_BYTES = 96;

/** RFC 4648 §4 encoding with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  const length = bytes.length;
  if (length <= SHORT_INPUT_BYTES) return encodeShort(bytes);
  const whole = length - (length % 3);
  const parts: string[] = [];
  let out = '';
  for (let i = 0; i < whole; i += 3) {
    const triple = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += PAIRS[triple >> 12]! + PAIRS[triple & 0xfff]!;
    // Flush now and then: very long += chains make rope strings that are slow to flatten.
    if (out.length >= 8192) {
      parts.push(out);
      out = '';
    }
  }
  if (length - whole === 1) {
    const value = bytes[whole]! << 4;
    out += PAIRS[value]! + '==';
  } else if (length - whole === 2) {
    const value = (bytes[whole]! << 10) | (bytes[whole + 1]! << 2);
    out += PAIRS[value >> 6]! + ALPHABET[value & 63]! + '=';
  }
  if (parts.length === 0) return out;
  parts.push(out);
  return parts.join('');
}

/**
 * encodeBase64 for short inputs such as a Sec-WebSocket-Accept digest (20 bytes): the chars go into
 * a reused array and become one string, where += would leave a string object per step behind.
 */
function encodeShort(bytes: Uint8Array): string {
  const length = bytes.length;
  const outputLength = Math.ceil(length / 3) * 4;
  const codes = (shortCodes[outputLength] ??= new Array<number>(outputLength).fill(0));
  let i = 0;
  let o = 0;
  for (; i + 2 < length; i += 3) {
    const triple = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    codes[o++] = ALPHABET_CODES[triple >> 18]!;
    codes[o++] = ALPHABET_CODES[(triple >> 12) & 63]!;
    codes[o++] = ALPHABET_CODES[(triple >> 6) & 63]!;
    codes[o++] = ALPHABET_CODES[triple & 63]!;
  }
  if (length - i === 1) {
    const value = bytes[i]!;
    codes[o++] = ALPHABET_CODES[value >> 2]!;
    codes[o++] = ALPHABET_CODES[(value & 3) << 4]!;
    codes[o++] = PAD;
    codes[o++] = PAD;
  } else if (length - i === 2) {
    const value = (bytes[i]! << 8) | bytes[i + 1]!;
    codes[o++] = ALPHABET_CODES[value >> 10]!;
    codes[o++] = ALPHABET_CODES[(value >> 4) & 63]!;
    codes[o++] = ALPHABET_CODES[(value & 15) << 2]!;
    codes[o++] = PAD;
  }
  return String.fromCharCode.apply(null, codes);
}

/**
 * Strict RFC 4648 §4 decoding: returns null unless `text` is exactly what encodeBase64 would
 * produce for some bytes (length a multiple of 4, only alphabet characters, 0-2 trailing "=",
 * and zero pad bits per RFC 4648 §3.5).
 */
export function decodeBase64(text: string): Uint8Array | null {
  const length = text.length;
  if (length % 4 !== 0) return null;
  if (length === 0) return new Uint8Array(0);
  const padding = text.charCodeAt(length - 1) === PAD ? (text.charCodeAt(length - 2) === PAD ? 2 : 1) : 0;
  const out = new Uint8Array((length / 4) * 3 - padding);
  let o = 0;
  let i = 0;
  // Whole quads first: four 6-bit values make three bytes.
  const wholeQuadChars = padding === 0 ? length : length - 4;
  for (; i < wholeQuadChars; i += 4) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    const d = sextet(text, i + 3);
    // INVALID (0xff) has bits above 63, so one test covers all four characters.
    if ((a | b | c | d) > 63) return null;
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = triple >> 16;
    out[o++] = (triple >> 8) & 0xff;
    out[o++] = triple & 0xff;
  }
  if (padding === 0) return out;
  // The final quad carries 1 or 2 bytes; its unused low bits must be zero (RFC 4648 §3.5).
  const a = sextet(text, i);
  const b = sextet(text, i + 1);
  if ((a | b) > 63) return null;
  if (padding === 2) {
    if ((b & 0x0f) !== 0) return null;
    out[o] = (a << 2) | (b >> 4);
    return out;
  }
  const c = sextet(text, i + 2);
  if (c > 63 || (c & 0x03) !== 0) return null;
  out[o++] = (a << 2) | (b >> 4);
  out[o] = ((b & 0x0f) << 4) | (c >> 2);
  return out;
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 256 ? DECODE_TABLE[code]! : INVALID;
}
