/**
 * Memory for the small byte arrays the connection writes (frame headers joined to payloads, masked
 * copies, encoded text), cut from shared slabs.
 *
 * Why: `new Uint8Array(n)` with n above V8's on-heap limit (64 bytes) makes an off-heap backing store,
 * which measured ~0.3-1 µs per allocation under load on Node 24 — more than everything else in
 * sending a 100-byte message. A view into a slab costs ~20 ns. Node's Buffer pool does the same, but
 * the core may not use Buffer (it must run in browsers). Views stay valid forever: the slab is only
 * ever appended to, and a full slab is replaced, not reused, so memory a host still holds (e.g. a
 * chunk queued on a socket) is never overwritten. The cost is that a live view keeps its 64 KiB slab
 * alive, which is why only short-lived outgoing chunks come from here.
 */

const SLAB_BYTES = 64 * 1024;
/** Larger requests get their own buffer: their allocation cost is small next to their copy. */
export const MAX_POOLED_BYTES = 8 * 1024;
/** Views start 8-byte aligned so 32-bit masking of a payload at a fixed header offset stays cheap. */
const ALIGN = 8;

let slab: ArrayBuffer | null = null;
let slabUsed = 0;

function claim(length: number): number {
  if (slab === null || slabUsed + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const offset = slabUsed;
  slabUsed = (offset + length + ALIGN - 1) & ~(ALIGN - 1);
  return offset;
}

/** A zero-filled-or-stale, writable array of `length` bytes; the caller overwrites all of it. */
export function allocate(length: number): Uint8Array {
  if (length > MAX_POOLED_BYTES) return new Uint8Array(length);
  const offset = claim(length);
  return new Uint8Array(slab!, offset, length);
}

const encoder = new TextEncoder();

/** UTF-8 of `text` (RFC 3629); a UTF-16 code unit never takes more than 3 UTF-8 bytes. */
export function encodeText(text: string): Uint8Array {
  const maxLength = text.length * 3;
  if (maxLength > MAX_POOLED_BYTES) return encoder.encode(text);
  const offset = claim(maxLength);
  const written = encoder.encodeInto(text, new Uint8Array(slab!, offset, maxLength)).written;
  // Give back the unused tail: nothing else was claimed in between (all of this is synchronous).
  slabUsed = (offset + written + ALIGN - 1) & ~(ALIGN - 1);
  return new Uint8Array(slab!, offset, written);
}
