/**
 * RFC 6455 §5.3: client-to-server payloads are XORed with a 32-bit masking key, octet i with key octet
 * i MOD 4. Masking and unmasking are the same operation, so one function does both.
 *
 * Speed matters here: every byte a server reads goes through this loop. Short inputs take the plain
 * byte loop (making an Int32Array view costs more than it saves, as in ws/bufferutil, which switch to
 * native code only from 32 bytes). Longer inputs XOR 32-bit words over the 4-byte aligned middle,
 * with the key rotated to the phase of the first aligned byte. The word is assembled in a scratch
 * buffer so it has the platform's byte order without testing for endianness.
 */

/** Below this length the byte loop wins over creating a word view. */
const WORD_LOOP_THRESHOLD = 32;

const scratchBytes = new Uint8Array(4);
// Int32, not Uint32: XOR yields int32 values, which then need no conversion on store.
const scratchWord = new Int32Array(scratchBytes.buffer);

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
  const misalignment = data.byteOffset & 3;
  const head = misalignment === 0 ? 0 : 4 - misalignment;
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

/** A masked copy of `source`; the source is left untouched (for frames a client writes). */
export function maskCopy(source: Uint8Array, maskingKey: Uint8Array): Uint8Array {
  const copy = source.slice();
  applyMask(copy, maskingKey, 0);
  return copy;
}
