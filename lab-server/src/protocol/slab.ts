/**
 * Append-only memory for many small byte arrays: views are cut one after another from one large array,
 * 8-byte aligned. A full slab is replaced, never reused, so a view stays valid for as long as anyone holds
 * it; the cost is that a live view keeps its whole slab alive.
 *
 * Why: `new Uint8Array(n)` above V8's on-heap limit (64 bytes) makes an off-heap backing store (a malloc,
 * a zero-fill, a free on the GC's sweeper thread), about 0.3-3 µs each under load on Node 24. A view into
 * a slab costs one small object. Node's Buffer pool does the same; the core may not use Buffer (it runs in
 * browsers). Used for outgoing chunks (byte-pool.ts) and for received payloads that span chunks
 * (frame/payload-slab.ts).
 */

/** Views start 8-byte aligned, so word-wise masking of a payload stays on aligned words. */
const ALIGN = 8;

function aligned(offset: number): number {
  return (offset + ALIGN - 1) & ~(ALIGN - 1);
}

export class Slab {
  readonly #size: number;
  #bytes: Uint8Array | null = null;
  #used = 0;

  constructor(size: number) {
    this.#size = size;
  }

  /** `length` (at most the slab size) writable bytes, zeroed or stale: the caller overwrites all of them. */
  take(length: number): Uint8Array {
    let offset = this.#used;
    if (this.#bytes === null || offset + length > this.#size) {
      this.#bytes = new Uint8Array(this.#size);
      offset = 0;
    }
    this.#used = aligned(offset + length);
    return this.#bytes.subarray(offset, offset + length);
  }

  /**
   * Keeps the first `keep` bytes of `last`, the view take() returned last, and gives the rest back. Nothing
   * may have been taken since (callers are synchronous).
   */
  shrinkLast(last: Uint8Array, keep: number): Uint8Array {
    this.#used = aligned(last.byteOffset + keep);
    return last.subarray(0, keep);
  }
}
