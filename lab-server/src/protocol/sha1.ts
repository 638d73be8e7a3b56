/**
 * SHA-1 (FIPS 180-4 §6.1), in plain TypeScript so the protocol core runs unchanged in a browser
 * visualizer (no node:crypto, and WebCrypto's digest is asynchronous, which a sans-I/O state
 * machine cannot wait for).
 *
 * RFC 6455 §1.3 uses SHA-1 only to prove the server read the key, not for security, so SHA-1's
 * collision weakness does not matter here (RFC 6455 §10.8 makes the same point).
 *
 * Speed matters for handshakes-per-second benchmarks: the message schedule lives in one reusable
 * Int32Array and whole blocks are read straight from the input, so one call allocates only the
 * 20-byte result and, for the final one or two blocks, a 128-byte scratch tail.
 */

/** FIPS 180-4 §5.3.1: the initial hash value H(0). */
const H0 = 0x67452301;
const H1 = 0xefcdab89;
const H2 = 0x98badcfe;
const H3 = 0x10325476;
const H4 = 0xc3d2e1f0;

/** FIPS 180-4 §4.2.1: the four round constants K. */
const K0 = 0x5a827999;
const K1 = 0x6ed9eba1;
const K2 = 0x8f1bbcdc;
const K3 = 0xca62c1d6;

export const SHA1_DIGEST_BYTES = 20;
const BLOCK_BYTES = 64;
/** FIPS 180-4 §5.1.1: the message length is appended as a 64-bit big-endian bit count. */
const LENGTH_FIELD_BYTES = 8;

/** The message schedule W0..W79, shared by every call (the code is synchronous, so never re-entered). */
const schedule = new Int32Array(80);
/** The 1 or 2 padded final blocks (FIPS 180-4 §5.1.1). */
const tail = new Uint8Array(2 * BLOCK_BYTES);
const state = new Int32Array(5);

function processBlock(block: Uint8Array, offset: number): void {
  const w = schedule;
  for (let t = 0; t < 16; t++) {
    const i = offset + t * 4;
    w[t] = (block[i]! << 24) | (block[i + 1]! << 16) | (block[i + 2]! << 8) | block[i + 3]!;
  }
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  // FIPS 180-4 §6.1.2 step 3, with the round function f_t of §4.1.1 unrolled per 20-round range.
  for (let t = 0; t < 20; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + K0 + w[t]!) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = temp;
  }
  for (let t = 20; t < 40; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + K1 + w[t]!) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = temp;
  }
  for (let t = 40; t < 60; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + K2 + w[t]!) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = temp;
  }
  for (let t = 60; t < 80; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + K3 + w[t]!) | 0;
    e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = temp;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
}

/** The 20-byte SHA-1 digest of `data` (FIPS 180-4 §6.1). */
export function sha1(data: Uint8Array): Uint8Array {
  state[0] = H0;
  state[1] = H1;
  state[2] = H2;
  state[3] = H3;
  state[4] = H4;
  const length = data.length;
  const wholeBlockBytes = length - (length % BLOCK_BYTES);
  for (let offset = 0; offset < wholeBlockBytes; offset += BLOCK_BYTES) processBlock(data, offset);

  // FIPS 180-4 §5.1.1: append 0x80, zeros, then the 64-bit bit length, filling 1 or 2 blocks.
  const remaining = length - wholeBlockBytes;
  const tailBytes = remaining + 1 + LENGTH_FIELD_BYTES <= BLOCK_BYTES ? BLOCK_BYTES : 2 * BLOCK_BYTES;
  tail.fill(0, 0, tailBytes);
  tail.set(data.subarray(wholeBlockBytes), 0);
  tail[remaining] = 0x80;
  // The bit length may exceed 2^32, so split it without 32-bit overflow.
  const bitsHigh = Math.floor(length / 0x20000000);
  const bitsLow = (length * 8) >>> 0;
  const lengthAt = tailBytes - LENGTH_FIELD_BYTES;
  tail[lengthAt] = bitsHigh >>> 24;
  tail[lengthAt + 1] = bitsHigh >>> 16;
  tail[lengthAt + 2] = bitsHigh >>> 8;
  tail[lengthAt + 3] = bitsHigh;
  tail[lengthAt + 4] = bitsLow >>> 24;
  tail[lengthAt + 5] = bitsLow >>> 16;
  tail[lengthAt + 6] = bitsLow >>> 8;
  tail[lengthAt + 7] = bitsLow;
  for (let offset = 0; offset < tailBytes; offset += BLOCK_BYTES) processBlock(tail, offset);

  const digest = new Uint8Array(SHA1_DIGEST_BYTES);
  for (let i = 0; i < 5; i++) {
    const word = state[i]!;
    digest[i * 4] = word >>> 24;
    digest[i * 4 + 1] = word >>> 16;
    digest[i * 4 + 2] = word >>> 8;
    digest[i * 4 + 3] = word;
  }
  return digest;
}
