/**
 * Memory for the small byte arrays the connection writes (frame headers joined to payloads, masked
 * copies, encoded text), cut from a shared Slab (slab.ts): sending a 100-byte message otherwise spends
 * more on allocating than on everything else. A live view keeps its 64 KiB slab alive, which is why only
 * short-lived outgoing chunks come from here.
 */
import { Slab } from './slab.ts';

const SLAB_BYTES = 64 * 1024;
/** Larger requests get their own buffer: their allocation cost is small next to their copy. */
export const MAX_POOLED_BYTES = 8 * 1024;

const slab = new Slab(SLAB_BYTES);

/** A zero-filled-or-stale, writable array of `length` bytes; the caller overwrites all of it. */
export function allocate(length: number): Uint8Array {
  return length > MAX_POOLED_BYTES ? new Uint8Array(length) : slab.take(length);
}

const encoder = new TextEncoder();

/** UTF-8 of `text` (RFC 3629); a UTF-16 code unit never takes more than 3 UTF-8 bytes. */
export function encodeText(text: string): Uint8Array {
  const maxLength = text.length * 3;
  if (maxLength > MAX_POOLED_BYTES) return encoder.encode(text);
  const room = slab.take(maxLength);
  // Give back the unused tail: nothing else was claimed in between (all of this is synchronous).
  return slab.shrinkLast(room, encoder.encodeInto(text, room).written);
}
