/**
 * /echo's memory for large received payloads, given back once the echo of them has been written.
 *
 * Why: a payload over 64 KiB that spans socket reads needs its own buffer (the core's `allocate` hook).
 * Made afresh for every message, a 1 MiB buffer is a new mapping whose pages fault on first write, and
 * external memory that makes V8 run a full garbage collection every few dozen messages. /echo is the one
 * consumer that knows when it is done with a payload (the socket has taken its bytes), so it can hand
 * the buffer back for the next message.
 *
 * Bounds: the pool keeps at most POOL_BYTES server-wide; buffers in use belong to their connections
 * and are bounded as before (the parser asks for one only once half its payload has arrived, RFC 6455
 * §10.4). Only buffers this pool lent, whole and from offset 0, are taken back.
 */

/** Buffers come in multiples of this, so payloads of nearby sizes share them. */
const SIZE_STEP_BYTES = 64 * 1024;
/** What the pool may keep while nobody uses it: a few 1 MiB echoes in flight on a few connections. */
const POOL_BYTES = 16 * 1024 * 1024;

export class EchoMemory {
  /** Free buffers by size in SIZE_STEP_BYTES units. */
  readonly #free = new Map<number, ArrayBuffer[]>();
  #freeBytes = 0;
  /** Buffers lent out and not yet given back: only these are taken back. */
  readonly #lent = new WeakSet<ArrayBuffer>();

  /** The core's allocate hook: `length` writable bytes, zeroed or stale (the parser overwrites them all). */
  readonly allocate = (length: number): Uint8Array => {
    const steps = Math.ceil(length / SIZE_STEP_BYTES);
    let buffer = this.#free.get(steps)?.pop();
    if (buffer === undefined) {
      // Zero-filled, but measured faster than Node's unfilled Buffer.allocUnsafeSlow, and reused from then on.
      buffer = new ArrayBuffer(steps * SIZE_STEP_BYTES);
    } else {
      this.#freeBytes -= buffer.byteLength;
    }
    this.#lent.add(buffer);
    return new Uint8Array(buffer, 0, length);
  };

  /** Whether `bytes` came from allocate() and may be given back once nothing refers to it any more. */
  lent(bytes: Uint8Array): boolean {
    return bytes.byteOffset === 0 && this.#lent.has(bytes.buffer as ArrayBuffer);
  }

  /** Takes back a buffer allocate() lent; the caller guarantees that nothing refers to it any more. */
  giveBack(bytes: Uint8Array): void {
    const buffer = bytes.buffer as ArrayBuffer;
    if (!this.lent(bytes)) return;
    this.#lent.delete(buffer);
    if (this.#freeBytes + buffer.byteLength > POOL_BYTES) return; // the garbage collector takes it
    const steps = buffer.byteLength / SIZE_STEP_BYTES;
    let list = this.#free.get(steps);
    if (list === undefined) this.#free.set(steps, (list = []));
    list.push(buffer);
    this.#freeBytes += buffer.byteLength;
  }

  /** Bytes held for reuse (for tests and diagnostics). */
  get freeBytes(): number {
    return this.#freeBytes;
  }
}
