/**
 * Memory for received payloads of up to 64 KiB that span chunks, cut from shared slabs.
 *
 * Why: each `new Uint8Array(n)` above V8's on-heap limit is a malloc, a zero-fill, an ArrayBuffer for the
 * garbage collector to track and a free on its sweeper thread. At 16 KiB that measured 1-3 µs per payload
 * on Node 24, more than parsing and unmasking the payload. Worse, in some processes glibc handed the freed
 * memory back to the kernel at every collection, so every new buffer page-faulted again: parse 16 KiB fell
 * from ~10 GB/s to ~3.5 GB/s, with 25 times the page faults. A view into a slab costs one small object.
 * Node's Buffer pool does the same for its small buffers; the core may not use Buffer (it runs in browsers).
 *
 * Views stay valid forever: a slab is only appended to and a full slab is replaced, never reused. The cost,
 * as with any payload handed on as a view into its socket chunk, is that a payload a consumer keeps also
 * keeps its slab alive; consumers that store many messages for long should copy them.
 */

/** Payloads up to this size come from a slab (spanning-payload.ts gives exactly these their buffer at once). */
export const MAX_SLAB_PAYLOAD_BYTES = 64 * 1024;
/**
 * Six 16 KiB payloads per slab, and what a kept payload can hold alive. Below glibc's 128 KiB mmap threshold
 * on purpose: larger slabs were mapped afresh each time and page-faulted on first write (measured slower at
 * 120 KiB, 256 KiB and 1 MiB than at 96 KiB; parse 16 KiB, Node 24, 2026-11-24).
 */
const SLAB_BYTES = 96 * 1024;
/** Views start 8-byte aligned so word-wise unmasking of the payload stays on aligned words. */
const ALIGN = 8;

let slab: Uint8Array | null = null;
let slabUsed = 0;

/** A writable array of `length` (<= MAX_SLAB_PAYLOAD_BYTES) bytes; the caller overwrites all of it. */
export function takeFromSlab(length: number): Uint8Array {
  let offset = slabUsed;
  if (slab === null || offset + length > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    offset = 0;
  }
  slabUsed = (offset + length + ALIGN - 1) & ~(ALIGN - 1);
  return slab.subarray(offset, offset + length);
}
