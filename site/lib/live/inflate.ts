/**
 * Reading DEFLATE (RFC 1951) for the simulated session: stored, fixed and dynamic Huffman blocks, with
 * back-references into the previous messages (permessage-deflate's context takeover, RFC 7692 §7.2.2).
 * Decoding tables are built as zlib's puff.c builds them.
 */
import { CLEN_ORDER, DIST_BASE, DIST_EXTRA, END_OF_BLOCK, LENGTH_BASE, LENGTH_EXTRA, SYNC_TAIL } from './deflate-tables.ts';

interface Huffman {
  readonly count: Uint16Array;
  readonly symbol: Uint16Array;
}

/** Canonical Huffman decoding tables from code lengths (RFC 1951 §3.2.2), as zlib's puff.c builds them. */
function huffman(lengths: ArrayLike<number>): Huffman {
  const count = new Uint16Array(16);
  for (let i = 0; i < lengths.length; i++) count[lengths[i]!]!++;
  count[0] = 0;
  // Symbols ordered by code length, then by value: the canonical code's order.
  const symbol = new Uint16Array(lengths.length);
  let at = 0;
  for (let len = 1; len < 16; len++) for (let i = 0; i < lengths.length; i++) if (lengths[i] === len) symbol[at++] = i;
  return { count, symbol: symbol.subarray(0, at) };
}

const FIXED_LITERALS = huffman(Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)));
const FIXED_DISTANCES = huffman(new Array<number>(30).fill(5));

class Inflater {
  readonly #input: Uint8Array;
  #position = 0;
  #bitBuffer = 0;
  #bitCount = 0;
  out: Uint8Array;
  length: number;
  readonly #limit: number;

  constructor(input: Uint8Array, history: Uint8Array, maxBytes: number) {
    this.#input = input;
    this.out = new Uint8Array(history.length + Math.max(1024, input.length * 4));
    this.out.set(history);
    this.length = history.length;
    this.#limit = history.length + maxBytes;
  }

  get done(): boolean {
    return this.#position >= this.#input.length && this.#bitCount < 8;
  }

  bits(count: number): number {
    while (this.#bitCount < count) {
      if (this.#position >= this.#input.length) throw new Error('DEFLATE data ends inside a block');
      this.#bitBuffer |= this.#input[this.#position++]! << this.#bitCount;
      this.#bitCount += 8;
    }
    const value = this.#bitBuffer & ((1 << count) - 1);
    this.#bitBuffer >>>= count;
    this.#bitCount -= count;
    return value;
  }

  decode(table: Huffman): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= this.bits(1);
      const count = table.count[len]!;
      if (code - count < first) return table.symbol[index + (code - first)]!;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new Error('invalid Huffman code');
  }

  /** false when the output limit is reached. */
  push(byte: number): boolean {
    if (this.length >= this.#limit) return false;
    if (this.length === this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = byte;
    return true;
  }

  stored(): boolean {
    this.#bitBuffer = 0;
    this.#bitCount = 0;
    const length = this.bits(8) | (this.bits(8) << 8);
    const complement = this.bits(8) | (this.bits(8) << 8);
    if ((length ^ 0xffff) !== complement) throw new Error('stored block length does not match its complement');
    for (let i = 0; i < length; i++) if (!this.push(this.bits(8))) return false;
    return true;
  }

  codes(literals: Huffman, distances: Huffman): boolean {
    for (;;) {
      const symbol = this.decode(literals);
      if (symbol < 256) {
        if (!this.push(symbol)) return false;
      } else if (symbol === END_OF_BLOCK) {
        return true;
      } else {
        const code = symbol - 257;
        if (code >= LENGTH_BASE.length) throw new Error('invalid length code');
        const length = LENGTH_BASE[code]! + this.bits(LENGTH_EXTRA[code]!);
        const dist = this.decode(distances);
        if (dist >= DIST_BASE.length) throw new Error('invalid distance code');
        const distance = DIST_BASE[dist]! + this.bits(DIST_EXTRA[dist]!);
        if (distance > this.length) throw new Error('distance reaches before the window');
        for (let k = 0; k < length; k++) if (!this.push(this.out[this.length - distance]!)) return false;
      }
    }
  }

  dynamic(): boolean {
    const literalCount = this.bits(5) + 257;
    const distanceCount = this.bits(5) + 1;
    const clenCount = this.bits(4) + 4;
    const clen = new Array<number>(19).fill(0);
    for (let i = 0; i < clenCount; i++) clen[CLEN_ORDER[i]!] = this.bits(3);
    const clenTable = huffman(clen);
    const lengths: number[] = [];
    while (lengths.length < literalCount + distanceCount) {
      const symbol = this.decode(clenTable);
      if (symbol < 16) lengths.push(symbol);
      else if (symbol === 16) {
        if (lengths.length === 0) throw new Error('repeat with no previous length');
        const last = lengths[lengths.length - 1]!;
        for (let n = 3 + this.bits(2); n > 0; n--) lengths.push(last);
      } else {
        for (let n = symbol === 17 ? 3 + this.bits(3) : 11 + this.bits(7); n > 0; n--) lengths.push(0);
      }
    }
    return this.codes(huffman(lengths.slice(0, literalCount)), huffman(lengths.slice(literalCount, literalCount + distanceCount)));
  }
}

/**
 * RFC 7692 §7.2.2: inflates one message's payload (00 00 ff ff appended) after `history`. Returns the
 * message, or null past maxBytes; throws on data that is not DEFLATE.
 */
export function inflateMessage(payload: Uint8Array, history: Uint8Array, maxBytes: number): Uint8Array | null {
  const input = new Uint8Array(payload.length + SYNC_TAIL.length);
  input.set(payload);
  input.set(SYNC_TAIL, payload.length);
  const inflater = new Inflater(input, history, maxBytes);
  while (!inflater.done) {
    const final = inflater.bits(1);
    const type = inflater.bits(2);
    const ok = type === 0 ? inflater.stored() : type === 1 ? inflater.codes(FIXED_LITERALS, FIXED_DISTANCES) : type === 2 ? inflater.dynamic() : null;
    if (ok === null) throw new Error('reserved block type 11');
    if (!ok) return null;
    if (final === 1) break;
  }
  return inflater.out.slice(history.length, inflater.length);
}

