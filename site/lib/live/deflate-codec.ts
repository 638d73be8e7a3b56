/**
 * A small DEFLATE (RFC 1951) for the browser's simulated session, which needs the core's synchronous
 * MessageCompressor and has no zlib. Compression: LZ77 matches coded with the fixed Huffman codes
 * (RFC 1951 §3.2.6), each message compressed on its own (so it never needs the peer's context) and
 * ended with the empty stored block of a sync flush, whose 00 00 ff ff is removed (RFC 7692 §7.2.1).
 * Inflation reads stored, fixed and dynamic blocks, with the previous messages' 32 KiB window
 * (context takeover, RFC 7692 §7.2.2). The lab server uses node:zlib; this only has to be correct.
 */
import type { MessageCompressor } from '../../../lab-server/src/protocol/deflate/codec.ts';

/** RFC 7692 §7.2.1: the tail of a sync flush, removed by the sender and put back by the receiver. */
const SYNC_TAIL = Uint8Array.of(0x00, 0x00, 0xff, 0xff);
const WINDOW_BYTES = 32 * 1024;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
/** How many earlier positions with the same 3-byte hash are tried: enough for teaching-sized messages. */
const MAX_CHAIN = 64;
const HASH_BITS = 15;
const END_OF_BLOCK = 256;

// RFC 1951 §3.2.5: base values and extra bits of the length (257-285) and distance (0-29) codes.
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** RFC 1951 §3.2.7: the order in which code length code lengths are stored. */
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

class BitWriter {
  bytes: number[] = [];
  #bits = 0;
  #count = 0;
  /** Writes `length` bits of `value`, least significant first (RFC 1951 §3.1.1). */
  bits(value: number, length: number): void {
    this.#bits |= value << this.#count;
    this.#count += length;
    while (this.#count >= 8) {
      this.bytes.push(this.#bits & 0xff);
      this.#bits >>>= 8;
      this.#count -= 8;
    }
  }
  /** A Huffman code is stored most significant bit first. */
  code(code: number, length: number): void {
    let reversed = 0;
    for (let i = 0; i < length; i++) reversed |= ((code >> i) & 1) << (length - 1 - i);
    this.bits(reversed, length);
  }
  alignToByte(): void {
    if (this.#count > 0) this.bits(0, 8 - this.#count);
  }
}

/** RFC 1951 §3.2.6: the fixed literal/length code. */
function writeFixedSymbol(out: BitWriter, symbol: number): void {
  if (symbol < 144) out.code(0x30 + symbol, 8);
  else if (symbol < 256) out.code(0x190 + symbol - 144, 9);
  else if (symbol < 280) out.code(symbol - 256, 7);
  else out.code(0xc0 + symbol - 280, 8);
}

function writeMatch(out: BitWriter, length: number, distance: number): void {
  let code = LENGTH_BASE.length - 1;
  while (LENGTH_BASE[code]! > length) code--;
  writeFixedSymbol(out, 257 + code);
  out.bits(length - LENGTH_BASE[code]!, LENGTH_EXTRA[code]!);
  let dist = DIST_BASE.length - 1;
  while (DIST_BASE[dist]! > distance) dist--;
  out.code(dist, 5);
  out.bits(distance - DIST_BASE[dist]!, DIST_EXTRA[dist]!);
}

/** One message: a fixed-Huffman block, then the sync flush's empty stored block without its last 4 bytes. */
export function deflateMessage(data: Uint8Array): Uint8Array {
  const out = new BitWriter();
  out.bits(0, 1); // BFINAL = 0: more messages follow in the same stream
  out.bits(1, 2); // BTYPE = 01, fixed Huffman codes
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const previous = new Int32Array(data.length);
  const hashAt = (i: number) => ((data[i]! << 10) ^ (data[i + 1]! << 5) ^ data[i + 2]!) & ((1 << HASH_BITS) - 1);
  const insert = (i: number) => {
    if (i + MIN_MATCH > data.length) return;
    const hash = hashAt(i);
    previous[i] = head[hash]!;
    head[hash] = i;
  };
  let i = 0;
  while (i < data.length) {
    let bestLength = 0;
    let bestDistance = 0;
    if (i + MIN_MATCH <= data.length) {
      let candidate = head[hashAt(i)]!;
      const limit = Math.min(MAX_MATCH, data.length - i);
      for (let chain = 0; candidate >= 0 && i - candidate <= WINDOW_BYTES && chain < MAX_CHAIN; chain++) {
        let length = 0;
        while (length < limit && data[candidate + length] === data[i + length]) length++;
        if (length > bestLength) {
          bestLength = length;
          bestDistance = i - candidate;
          if (length === limit) break;
        }
        candidate = previous[candidate]!;
      }
    }
    if (bestLength >= MIN_MATCH) {
      writeMatch(out, bestLength, bestDistance);
      for (let k = 0; k < bestLength; k++) insert(i + k);
      i += bestLength;
    } else {
      writeFixedSymbol(out, data[i]!);
      insert(i);
      i++;
    }
  }
  writeFixedSymbol(out, END_OF_BLOCK);
  // Sync flush: an empty stored block (BFINAL 0, BTYPE 00, aligned, LEN 0000, NLEN ffff).
  out.bits(0, 3);
  out.alignToByte();
  out.bytes.push(0x00, 0x00, 0xff, 0xff);
  return Uint8Array.from(out.bytes.slice(0, out.bytes.length - SYNC_TAIL.length));
}

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

/** The MessageCompressor the simulated client and server each use (context takeover when inflating). */
export class SimulatedDeflate implements MessageCompressor {
  #history: Uint8Array = new Uint8Array(0);

  compress(message: Uint8Array): Uint8Array {
    return deflateMessage(message);
  }

  decompress(payload: Uint8Array, maxBytes: number): Uint8Array | null {
    const message = inflateMessage(payload, this.#history, maxBytes);
    if (message !== null) {
      const joined = new Uint8Array(this.#history.length + message.length);
      joined.set(this.#history);
      joined.set(message, this.#history.length);
      this.#history = joined.slice(Math.max(0, joined.length - WINDOW_BYTES));
    }
    return message;
  }

  dispose(): void {
    this.#history = new Uint8Array(0);
  }
}
