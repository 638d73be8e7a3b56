/**
 * A frame payload that spans chunks, assembled piece by piece for the frame parser.
 *
 * Memory follows what the peer sent, not what it declared: pieces are kept as they came until half the
 * payload (or all of a small one) has arrived, and only then does the payload get a buffer of its
 * declared size. A peer that declares a 16 MiB frame and sends one byte must not make us reserve
 * 16 MiB (RFC 6455 §10.4: resource limits); what we hold stays within twice what the peer really sent.
 * From then on each piece is copied into the buffer while still in the CPU cache, unmasked on the way
 * (RFC 6455 §5.3).
 */
import { maskInto } from './mask.ts';
import { MAX_SLAB_PAYLOAD_BYTES, takeFromSlab } from './payload-slab.ts';

/** Payloads up to this size get their buffer with their first piece, from a shared slab (payload-slab.ts). */
const EAGER_BUFFER_BYTES = MAX_SLAB_PAYLOAD_BYTES;

/** add()'s answer when the payload is complete but no buffer of its size could be had (a 1009 for the parser). */
export const UNBUFFERABLE = Symbol('unbufferable');

export class SpanningPayload {
  readonly length: number;
  /** Null for an unmasked payload. Must stay unchanged until the payload is complete. */
  readonly #maskingKey: Uint8Array | null;
  readonly #allocate: ((length: number) => Uint8Array) | undefined;
  #received = 0;
  /** The payload's own buffer, once it has one. */
  #buffer: Uint8Array | null = null;
  /**
   * Pieces as on the wire (still masked) while there is no buffer: unmasked in the one copy that joins them.
   * Null when none are held, so a payload that gets its buffer with its first piece allocates no list after it.
   */
  #pieces: Uint8Array[] | null = null;

  constructor(length: number, maskingKey: Uint8Array | null, allocate: ((length: number) => Uint8Array) | undefined) {
    this.length = length;
    this.#maskingKey = maskingKey;
    this.#allocate = allocate;
  }

  /** Payload bytes received so far. */
  get received(): number {
    return this.#received;
  }

  /**
   * Takes the next piece (at most the bytes still missing; the caller must not reuse its memory).
   * Returns the whole unmasked payload when this piece completes it, null while it is incomplete.
   */
  add(piece: Uint8Array): Uint8Array | null | typeof UNBUFFERABLE {
    const at = this.#received;
    this.#received = at + piece.length;
    const buffer = this.#buffer;
    if (buffer !== null) {
      this.#copyIn(piece, buffer, at);
      return this.#received === this.length ? buffer : null;
    }
    (this.#pieces ??= []).push(piece);
    if (this.#received === this.length) return this.#join();
    if (this.length <= EAGER_BUFFER_BYTES || this.#received * 2 >= this.length) this.#moveToBuffer();
    return null;
  }

  /** Gives the payload its buffer and copies the pieces in; keeps collecting when it cannot be had. */
  #moveToBuffer(): void {
    let buffer: Uint8Array;
    try {
      buffer = this.#allocateBuffer();
    } catch {
      return; // #join decides at the payload's end: join, or give up.
    }
    this.#copyPiecesInto(buffer);
    this.#buffer = buffer;
  }

  /** The last piece of a payload that never got its buffer. */
  #join(): Uint8Array | typeof UNBUFFERABLE {
    let payload: Uint8Array;
    try {
      payload = new Uint8Array(this.length);
    } catch {
      this.#pieces = null;
      return UNBUFFERABLE;
    }
    this.#copyPiecesInto(payload);
    return payload;
  }

  #allocateBuffer(): Uint8Array {
    if (this.length <= EAGER_BUFFER_BYTES) return takeFromSlab(this.length);
    const allocate = this.#allocate;
    return allocate === undefined ? new Uint8Array(this.length) : allocate(this.length);
  }

  #copyPiecesInto(buffer: Uint8Array): void {
    const pieces = this.#pieces;
    if (pieces === null) return;
    let at = 0;
    for (const piece of pieces) {
      this.#copyIn(piece, buffer, at);
      at += piece.length;
    }
    this.#pieces = null;
  }

  #copyIn(piece: Uint8Array, buffer: Uint8Array, at: number): void {
    const key = this.#maskingKey;
    if (key === null) buffer.set(piece, at);
    else maskInto(piece, buffer, at, key, at);
  }
}
