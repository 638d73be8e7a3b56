/**
 * Strict, streaming UTF-8 validation (RFC 3629 §4), as RFC 6455 §5.6 and §8.1 require for text
 * messages and close reasons: no overlong forms, no surrogates (U+D800-U+DFFF), nothing above U+10FFFF.
 *
 * A DFA in the style of Bjoern Hoehrmann's decoder: every byte maps to a class, and (state, class)
 * maps to the next state. The REJECT state is absorbing, and it is entered at the very first byte that
 * no valid continuation could follow, so a connection fails fast (e.g. on 0xC0, 0xF5, ED A0, F4 90)
 * instead of buffering a whole message first. The state survives between pushes, so a code point
 * split across frames or TCP segments validates like any other. Runs of ASCII and whole valid
 * sequences skip the table.
 */

/** Byte classes: which bytes behave alike in the RFC 3629 §4 grammar. */
const C_ASCII = 0; // 00-7F
const C_CONT_80_8F = 1; // continuation 80-8F
const C_CONT_90_9F = 2; // continuation 90-9F
const C_CONT_A0_BF = 3; // continuation A0-BF
const C_LEAD2 = 4; // C2-DF: 2-byte sequence
const C_E0 = 5; // E0: next must be A0-BF (else overlong)
const C_LEAD3 = 6; // E1-EC, EE-EF: 3-byte sequence
const C_ED = 7; // ED: next must be 80-9F (else a surrogate)
const C_F0 = 8; // F0: next must be 90-BF (else overlong)
const C_LEAD4 = 9; // F1-F3: 4-byte sequence
const C_F4 = 10; // F4: next must be 80-8F (else above U+10FFFF)
const C_INVALID = 11; // C0, C1 (always overlong), F5-FF (beyond U+10FFFF)
const CLASS_COUNT = 12;

const BYTE_CLASS = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  BYTE_CLASS[byte] =
    byte < 0x80 ? C_ASCII
    : byte < 0x90 ? C_CONT_80_8F
    : byte < 0xa0 ? C_CONT_90_9F
    : byte < 0xc0 ? C_CONT_A0_BF
    : byte < 0xc2 ? C_INVALID
    : byte < 0xe0 ? C_LEAD2
    : byte === 0xe0 ? C_E0
    : byte === 0xed ? C_ED
    : byte < 0xf0 ? C_LEAD3
    : byte === 0xf0 ? C_F0
    : byte < 0xf4 ? C_LEAD4
    : byte === 0xf4 ? C_F4
    : C_INVALID;
}

/** States, premultiplied by CLASS_COUNT so a transition is one table read. */
const ACCEPT = 0; // on a code point boundary
const REJECT = 1 * CLASS_COUNT; // absorbing: the bytes can no longer become valid UTF-8
const NEED_1 = 2 * CLASS_COUNT; // one continuation byte (80-BF) left
const NEED_2 = 3 * CLASS_COUNT; // two continuation bytes left
const NEED_3 = 4 * CLASS_COUNT; // three continuation bytes left
const AFTER_E0 = 5 * CLASS_COUNT; // A0-BF, then one more
const AFTER_ED = 6 * CLASS_COUNT; // 80-9F, then one more
const AFTER_F0 = 7 * CLASS_COUNT; // 90-BF, then two more
const AFTER_F4 = 8 * CLASS_COUNT; // 80-8F, then two more
const STATE_COUNT = 9;

const TRANSITION = new Uint8Array(STATE_COUNT * CLASS_COUNT).fill(REJECT);
function allow(from: number, classes: readonly number[], to: number): void {
  for (const byteClass of classes) TRANSITION[from + byteClass] = to;
}
const ANY_CONTINUATION = [C_CONT_80_8F, C_CONT_90_9F, C_CONT_A0_BF];
allow(ACCEPT, [C_ASCII], ACCEPT);
allow(ACCEPT, [C_LEAD2], NEED_1);
allow(ACCEPT, [C_E0], AFTER_E0);
allow(ACCEPT, [C_LEAD3], NEED_2);
allow(ACCEPT, [C_ED], AFTER_ED);
allow(ACCEPT, [C_F0], AFTER_F0);
allow(ACCEPT, [C_LEAD4], NEED_3);
allow(ACCEPT, [C_F4], AFTER_F4);
allow(NEED_1, ANY_CONTINUATION, ACCEPT);
allow(NEED_2, ANY_CONTINUATION, NEED_1);
allow(NEED_3, ANY_CONTINUATION, NEED_2);
allow(AFTER_E0, [C_CONT_A0_BF], NEED_1);
allow(AFTER_ED, [C_CONT_80_8F, C_CONT_90_9F], NEED_1);
allow(AFTER_F0, [C_CONT_90_9F, C_CONT_A0_BF], NEED_2);
allow(AFTER_F4, [C_CONT_80_8F], NEED_2);

/** Whether `byte` is a continuation byte 80-BF. */
function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/**
 * Runs the DFA over bytes[start..end) from `state`. Returns the final state, or the bitwise complement
 * (~index, always negative) of the index of the first rejected byte.
 *
 * On a code point boundary, whole sequences that are valid and lie inside the input are skipped
 * without the table (ASCII 8 bytes at a time). Anything else, including every error and every
 * sequence cut by the end of the input, goes through the DFA byte by byte, which finds the exact
 * failing byte.
 */
function run(bytes: Uint8Array, start: number, end: number, state: number): number {
  let i = start;
  while (i < end) {
    if (state === ACCEPT) {
      const lead = bytes[i]!;
      if (lead < 0x80) {
        i++;
        // Within a run of ASCII, take 8 bytes at a time (tried only after two ASCII bytes in a row,
        // so text that mixes scripts does not pay for it on every character).
        if (i < end && bytes[i]! < 0x80) {
          while (i + 8 <= end &&
            ((bytes[i]! | bytes[i + 1]! | bytes[i + 2]! | bytes[i + 3]! |
              bytes[i + 4]! | bytes[i + 5]! | bytes[i + 6]! | bytes[i + 7]!) & 0x80) === 0) i += 8;
        }
        continue;
      }
      // RFC 3629 §4: the second byte's range depends on the lead (no overlongs, surrogates, > U+10FFFF).
      if (lead >= 0xc2 && lead <= 0xdf && i + 1 < end && isContinuation(bytes[i + 1]!)) {
        i += 2;
        continue;
      }
      if (lead >= 0xe0 && lead <= 0xef && i + 2 < end) {
        const second = bytes[i + 1]!;
        const low = lead === 0xe0 ? 0xa0 : 0x80;
        const high = lead === 0xed ? 0x9f : 0xbf;
        if (second >= low && second <= high && isContinuation(bytes[i + 2]!)) {
          i += 3;
          continue;
        }
      } else if (lead >= 0xf0 && lead <= 0xf4 && i + 3 < end) {
        const second = bytes[i + 1]!;
        const low = lead === 0xf0 ? 0x90 : 0x80;
        const high = lead === 0xf4 ? 0x8f : 0xbf;
        if (second >= low && second <= high && isContinuation(bytes[i + 2]!) && isContinuation(bytes[i + 3]!)) {
          i += 4;
          continue;
        }
      }
    }
    state = TRANSITION[state + BYTE_CLASS[bytes[i]!]!]!;
    if (state === REJECT) return ~i;
    i++;
  }
  return state;
}

export class Utf8Validator {
  #state = ACCEPT;
  #bytesSeen = 0;
  #failedAt = -1;

  /**
   * Validates the next bytes of the stream. Returns false as soon as the bytes so far cannot be a
   * prefix of valid UTF-8 (and keeps returning false until reset()).
   */
  push(bytes: Uint8Array): boolean {
    if (this.#state === REJECT) return false;
    const result = run(bytes, 0, bytes.length, this.#state);
    if (result < 0) {
      this.#state = REJECT;
      this.#failedAt = this.#bytesSeen + ~result;
      this.#bytesSeen += bytes.length;
      return false;
    }
    this.#state = result;
    this.#bytesSeen += bytes.length;
    return true;
  }

  /** True iff the stream so far is valid and ends on a code point boundary (a message may end here). */
  end(): boolean {
    return this.#state === ACCEPT;
  }

  /** Offset in the stream of the first byte that made it invalid, or -1 while it is valid. */
  get failedAt(): number {
    return this.#failedAt;
  }

  reset(): void {
    this.#state = ACCEPT;
    this.#bytesSeen = 0;
    this.#failedAt = -1;
  }
}

/** True iff `bytes` is complete, valid UTF-8 (RFC 3629). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return run(bytes, 0, bytes.length, ACCEPT) === ACCEPT;
}

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF: it is part of the message, not a byte-order mark (RFC 6455 §5.6).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

const strictDecoder = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });

/** Decodes UTF-8; validate first (invalid sequences would become U+FFFD here, never an error). */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Validates and decodes a whole message in one native pass; null when it is not valid UTF-8.
 * Faster than isValidUtf8 + decodeUtf8 for an unfragmented message, which needs no fail-fast
 * streaming (a fragmented one should go through Utf8Validator fragment by fragment).
 */
export function decodeUtf8Strict(bytes: Uint8Array): string | null {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}
