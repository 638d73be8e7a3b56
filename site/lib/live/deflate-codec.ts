/**
 * A small DEFLATE (RFC 1951) for the browser's simulated session, which needs the core's synchronous
 * MessageCompressor and has no zlib. Compression: LZ77 matches coded with the fixed Huffman codes
 * (RFC 1951 §3.2.6), each message compressed on its own (so it never needs the peer's context) and
 * ended with the empty stored block of a sync flush, whose 00 00 ff ff is removed (RFC 7692 §7.2.1).
 * Inflation reads stored, fixed and dynamic blocks, with the previous messages' 32 KiB window
 * (context takeover, RFC 7692 §7.2.2). The lab server uses node:zlib; this only has to be correct.
 */
import type { MessageCompressor } from '../../../lab-server/src/protocol/deflate/codec.ts';
import { DIST_BASE, DIST_EXTRA, END_OF_BLOCK, LENGTH_BASE, LENGTH_EXTRA, SYNC_TAIL } from './deflate-tables.ts';
import { inflateMessage } from './inflate.ts';

export { inflateMessage } from './inflate.ts';

const WINDOW_BYTES = 32 * 1024;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
/** How many earlier positions with the same 3-byte hash are tried: enough for teaching-sized messages. */
const MAX_CHAIN = 64;
const HASH_BITS = 15;

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
