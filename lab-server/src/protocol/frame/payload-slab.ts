/**
 * Memory for received payloads of up to 64 KiB that span chunks, cut from a shared slab (../slab.ts).
 *
 * Why: at 16 KiB, a buffer of its own per payload measured 1-3 µs on Node 24 (see slab.ts), more than
 * parsing and unmasking the payload. Worse, in some processes glibc handed the freed memory back to the
 * kernel at every collection, so every new buffer page-faulted again: parse 16 KiB fell from ~10 GB/s to
 * ~3.5 GB/s, with 25 times the page faults.
 *
 * As with any payload handed on as a view into its socket chunk, a payload a consumer keeps also keeps its
 * slab alive; consumers that store many messages for long should copy them.
 */

import { Slab } from '../slab.ts';

/** Payloads up to this size come from a slab (spanning-payload.ts gives exactly these their buffer at once). */
export const MAX_SLAB_PAYLOAD_BYTES = 64 * 1024;
/**
 * Six 16 KiB payloads per slab, and what a kept payload can hold alive. Below glibc's 128 KiB mmap threshold
 * on purpose: larger slabs were mapped afresh each time and page-faulted on first write (measured slower at
 * 120 KiB, 256 KiB and 1 MiB than at 96 KiB; parse 16 KiB, Node 24, 2026-11-24).
 */
const SLAB_BYTES = 96 * 1024;
const slab = new Slab(SLAB_BYTES);

/** A writable array of `length` (<= MAX_SLAB_PAYLOAD_BYTES) bytes; the caller overwrites all of it. */
export function takeFromSlab(length: number): Uint8Array {
  return slab.take(length);
}
