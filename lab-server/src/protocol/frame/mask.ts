/**
 * RFC 6455 §5.3: client-to-server payloads are XORed with a 32-bit masking key, octet i with key octet
 * i MOD 4. Masking and unmasking are the same operation, so one function does both.
 *
 * Speed matters here: every byte a server reads goes through this loop. Three tiers:
 * - short inputs take the plain byte loop (making an Int32Array view costs more than it saves, as in
 *   ws/bufferutil, which switch to native code only from 32 bytes);
 * - medium inputs XOR 32-bit words over the 4-byte aligned middle, with the key rotated to the phase of
 *   the first aligned byte (the word is assembled in a scratch buffer, so it has the platform's byte
 *   order without testing for endianness);
 * - long inputs go through the WebAssembly SIMD kernel of mask-simd.ts, in 64 KiB blocks copied in and
 *   out of its memory, about 3x the word loop even with the copies; where WebAssembly SIMD is missing,
 *   they take the word loop too.
 * A host may inject its own in-place masker for inputs from HOST_MASKER_THRESHOLD bytes (useHostMasker):
 * the lab server gives the core a native one (node/native-unmask.ts), which unmasks where the payload lies
 * in one pass instead of the kernel's three. The browser injects none; the core stays free of native code.
 */
import { createSimdMasker, SIMD_BLOCK_BYTES } from './mask-simd.ts';
import { copyBytes } from '../copy-bytes.ts';

/** Below this length the byte loop wins over creating a word view. */
const WORD_LOOP_THRESHOLD = 32;
/** From this length the SIMD kernel wins, its two copies and two views included (measured on Node 24). */
const SIMD_THRESHOLD = 512;

const scratchBytes = new Uint8Array(4);
// Int32, not Uint32: XOR yields int32 values, which then need no conversion on store.
const scratchWord = new Int32Array(scratchBytes.buffer);

/** Created on the first long input, so short-lived pages that never see one never compile it. */
let simd: ReturnType<typeof createSimdMasker> | undefined;

/**
 * XORs `data` in place. `key` holds the key octets for data[0], data[1], data[2] and data[3] in its bytes
 * from the lowest up (octet k at bits 8k to 8k+7), whatever the platform's byte order.
 */
export type HostMasker = (data: Uint8Array, key: number) => void;

/** From this length the lab server's native masker wins over the word loop, its call included (Node 24). */
export const HOST_MASKER_THRESHOLD = 128;

let hostMasker: HostMasker | null = null;

/** Installs (or, with null, removes) the host's in-place masker for long inputs. */
export function useHostMasker(masker: HostMasker | null): void {
  hostMasker = masker;
}

/** The key octets for position `offset` onwards, in HostMasker's layout. */
function phasedKey(maskingKey: Uint8Array, offset: number): number {
  return (maskingKey[offset & 3]! | (maskingKey[(offset + 1) & 3]! << 8) |
    (maskingKey[(offset + 2) & 3]! << 16) | (maskingKey[(offset + 3) & 3]! << 24)) >>> 0;
}

/**
 * XORs `data` in place with `maskingKey` (4 bytes). `offset` is the position of data[0] within the
 * frame's payload, so a payload that arrives in pieces can be unmasked piece by piece.
 */
export function applyMask(data: Uint8Array, maskingKey: Uint8Array, offset = 0): void {
  const length = data.length;
  if (length < WORD_LOOP_THRESHOLD) {
    for (let i = 0; i < length; i++) data[i]! ^= maskingKey[(offset + i) & 3]!;
    return;
  }
  if (hostMasker !== null && length >= HOST_MASKER_THRESHOLD) {
    hostMasker(data, phasedKey(maskingKey, offset));
    return;
  }
  if (length >= SIMD_THRESHOLD && (simd ??= createSimdMasker()) !== null) {
    simdMask(data, data, 0, maskingKey, offset, simd);
    return;
  }
  wordMask(data, maskingKey, offset);
}

/** The word loop alone (exported for the property tests that compare the tiers). */
export function wordMask(data: Uint8Array, maskingKey: Uint8Array, offset: number): void {
  const length = data.length;
  const misalignment = data.byteOffset & 3;
  const head = Math.min(misalignment === 0 ? 0 : 4 - misalignment, length);
  for (let i = 0; i < head; i++) data[i]! ^= maskingKey[(offset + i) & 3]!;

  const phase = offset + head;
  scratchBytes[0] = maskingKey[phase & 3]!;
  scratchBytes[1] = maskingKey[(phase + 1) & 3]!;
  scratchBytes[2] = maskingKey[(phase + 2) & 3]!;
  scratchBytes[3] = maskingKey[(phase + 3) & 3]!;
  const word = scratchWord[0]!;
  const wordCount = (length - head) >>> 2;
  const words = new Int32Array(data.buffer, data.byteOffset + head, wordCount);
  for (let w = 0; w < wordCount; w++) words[w]! ^= word;

  for (let i = head + wordCount * 4; i < length; i++) data[i]! ^= maskingKey[(offset + i) & 3]!;
}

/**
 * Writes `source` XORed with the key into `target` at `targetOffset`, leaving `source` as it is: the
 * parser's path for a payload that spans chunks, where it saves the SIMD tier one of its copies.
 * `offset` is the position of source[0] within the frame's payload, as for applyMask.
 */
export function maskInto(source: Uint8Array, target: Uint8Array, targetOffset: number, maskingKey: Uint8Array,
  offset: number): void {
  if (hostMasker === null && source.length >= SIMD_THRESHOLD && (simd ??= createSimdMasker()) !== null) {
    simdMask(source, target, targetOffset, maskingKey, offset, simd);
    return;
  }
  target.set(source, targetOffset);
  applyMask(target.subarray(targetOffset, targetOffset + source.length), maskingKey, offset);
}

/** The SIMD tier: block by block through the kernel's memory (see mask-simd.ts), from source into target. */
function simdMask(source: Uint8Array, target: Uint8Array, targetOffset: number, maskingKey: Uint8Array, offset: number,
  masker: NonNullable<typeof simd>): void {
  // WebAssembly memory is little-endian: the key's low byte masks the block's first byte. Blocks are
  // multiples of 4 bytes long, so every block starts at the same key phase.
  const key = phasedKey(maskingKey, offset);
  const memory = masker.memory;
  const length = source.length;
  for (let at = 0; at < length; at += SIMD_BLOCK_BYTES) {
    const blockLength = Math.min(SIMD_BLOCK_BYTES, length - at);
    memory.set(blockLength === length ? source : source.subarray(at, at + blockLength), 0);
    masker.xor(blockLength, key);
    target.set(blockLength === SIMD_BLOCK_BYTES ? memory : memory.subarray(0, blockLength), targetOffset + at);
  }
}

/** Whether long inputs take the WebAssembly SIMD tier on this engine (for tests and benchmarks). */
export function simdMaskAvailable(): boolean {
  return (simd ??= createSimdMasker()) !== null;
}

/** A masked copy of `source`; the source is left untouched (for frames a client writes). */
export function maskCopy(source: Uint8Array, maskingKey: Uint8Array): Uint8Array {
  const copy = copyBytes(source);
  applyMask(copy, maskingKey, 0);
  return copy;
}
