/**
 * The lab server's `allocate` hook for the core (FrameParser / Connection option): memory for payloads
 * over 64 KiB that span socket reads, without zero-filling, since the parser overwrites every byte.
 */

/** Below this, zero-filling costs less than the extra allocation (and small Buffers would share a pool). */
const UNFILLED_MIN_BYTES = 4096;

/**
 * Memory for payloads that span socket reads, without zero-filling: its own ArrayBuffer (never Node's
 * shared pool), handed on as a plain Uint8Array so slice() keeps copy semantics in the core.
 */
export function allocateUnfilled(length: number): Uint8Array {
  if (length < UNFILLED_MIN_BYTES) return new Uint8Array(length);
  const buffer = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}
