/**
 * permessage-deflate (RFC 7692) for the protocol core, on node:zlib.
 *
 * The core is a synchronous state machine, so compression must be synchronous too, AND it must keep
 * the LZ77 window between messages (context takeover, RFC 7692 §7.1.1). node:zlib has no public
 * synchronous streaming API, so there were two candidates:
 *
 *  1. Re-create a one-shot stream per message (deflateRawSync / inflateRawSync, public API) with the
 *     last 2^windowBits bytes of history as a preset `dictionary`. Correct, but every message pays a
 *     full deflateInit (~256 KiB of tables) plus re-hashing a 32 KiB dictionary: measured on Node 24,
 *     ~62 µs to deflate and ~24 µs to inflate a 135-byte message.
 *  2. One persistent zlib stream per direction, driven synchronously. `_processChunk(chunk, flush)`
 *     (what inflateRawSync uses) is NOT usable any more: since Node 22 it closes the handle after each
 *     call. Its body, however, is a loop over the native handle's `writeSync(flush, in, inOff, inLen,
 *     out, outOff, outLen)` reporting progress in `_writeState` — an internal interface unchanged
 *     since Node 10. Driving that loop ourselves: ~2.2 µs deflate, ~5 µs inflate for the same message.
 *
 * We use (2), 10-25x faster, and check the internals exist when a stream is created, so an
 * incompatible Node fails loudly at the first compressed message instead of corrupting data.
 * Streams are created lazily on first use: an idle connection that negotiated deflate holds no zlib
 * memory (a deflate stream with windowBits 15 and memLevel 8 costs ~256 KiB native memory).
 */
import zlib from 'node:zlib';
import { DEFLATE_TRAILER, MAX_WINDOW_BITS, MIN_WINDOW_BITS } from '../protocol/constants.ts';
import type { CompressorFactory, DeflateParameters, MessageCompressor } from '../protocol/deflate/codec.ts';
import type { Role } from '../protocol/frame/types.ts';

/** The native handle of a node:zlib stream, as lib/zlib.js's processChunkSync drives it. */
interface NativeZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inputOffset: number,
    inputLength: number,
    output: Uint8Array,
    outputOffset: number,
    outputLength: number,
  ): void;
  reset(): void;
}
interface ZlibStreamInternals {
  readonly _handle: NativeZlibHandle | null;
  /** [availOutAfter, availInAfter] of the last writeSync. */
  readonly _writeState: Uint32Array;
}
type RawStream = (zlib.DeflateRaw | zlib.InflateRaw) & ZlibStreamInternals;

export interface ZlibCompressorOptions {
  /** zlib compression level 0-9 (default zlib's 6, as ws uses). */
  readonly level?: number;
  /** zlib memLevel 1-9 (default 8): memory vs. speed of the compressor only. */
  readonly memLevel?: number;
}

/** Output is produced into this shared buffer first: most messages fit, and it is copied out before reuse. */
const SCRATCH_BYTES = 16 * 1024;
let scratch: Uint8Array | null = null;
/** Growth cap for the extra output buffers of large messages. */
const MAX_OUTPUT_CHUNK = 1024 * 1024;

/** Thrown for data zlib rejects; the connection fails with 1007 (RFC 7692 §7.2.2). */
export class DeflateDataError extends Error {
  override readonly name = 'DeflateDataError';
}

/**
 * Pushes `inputs` through `stream` with Z_SYNC_FLUSH and returns everything produced as one array,
 * or null as soon as the output exceeds `maxBytes` (a decompression bomb stops here, having
 * allocated at most maxBytes + 1 bytes of output). `ended` reports that the stream reached the end
 * of a final block (BFINAL) with input left over.
 */
function drive(
  stream: RawStream,
  inputs: readonly Uint8Array[],
  maxBytes: number,
): { output: Uint8Array; ended: boolean } | null {
  const state = stream._writeState;
  const pieces: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  let buffer = (scratch ??= new Uint8Array(SCRATCH_BYTES));
  let offset = 0;
  for (const input of inputs) {
    let inputOffset = 0;
    let inputLength = input.length;
    for (;;) {
      const room = buffer.length - offset;
      const handle = stream._handle;
      if (handle === null) throw new DeflateDataError('zlib stream is closed');
      handle.writeSync(zlib.constants.Z_SYNC_FLUSH, input, inputOffset, inputLength, buffer, offset, room);
      // On bad data zlib's error callback destroys the stream synchronously; _writeState is stale then.
      if (stream.errored) throw new DeflateDataError(stream.errored.message);
      const availOut = state[0] ?? 0;
      const availIn = state[1] ?? 0;
      const produced = room - availOut;
      if (produced > 0) {
        pieces.push(buffer.subarray(offset, offset + produced));
        offset += produced;
        total += produced;
        if (total > maxBytes) return null;
      }
      inputOffset += inputLength - availIn;
      inputLength = availIn;
      if (availOut !== 0) {
        // zlib stopped with output room left: input consumed, or the final block ended (leftover input).
        if (availIn > 0) ended = true;
        break;
      }
      // Output full: continue into a fresh buffer (never the scratch again: earlier pieces may view it),
      // sized to grow geometrically but never beyond what the bound still allows.
      const next = Math.min(Math.max(buffer.length * 2, SCRATCH_BYTES), MAX_OUTPUT_CHUNK, maxBytes - total + 1);
      buffer = new Uint8Array(next);
      offset = 0;
    }
    if (ended) break;
  }
  return { output: join(pieces, total), ended };
}

/**
 * One copy out of the scratch buffer (or of the pieces), so results never alias zlib's buffers.
 * Buffer.allocUnsafe takes small results from Node's slab pool: a fresh Uint8Array above 64 bytes is
 * an off-heap allocation costing more than compressing a short message.
 */
function join(pieces: readonly Uint8Array[], total: number): Uint8Array {
  // A plain Uint8Array view, so the core hands the same type to its host in Node and in browsers.
  const pooled = Buffer.allocUnsafe(total);
  const output = new Uint8Array(pooled.buffer, pooled.byteOffset, total);
  if (pieces.length === 1) {
    output.set(pieces[0]!, 0);
    return output;
  }
  let position = 0;
  for (const piece of pieces) {
    output.set(piece, position);
    position += piece.length;
  }
  return output;
}

function checkInternals(stream: RawStream): RawStream {
  const handle = stream._handle as Partial<NativeZlibHandle> | null;
  if (typeof handle?.writeSync !== 'function' || !(stream._writeState instanceof Uint32Array)) {
    stream.close();
    throw new Error('node:zlib internals changed: synchronous streaming (handle.writeSync) is unavailable');
  }
  // zlib reports errors through an 'error' event on the next tick as well; we already threw synchronously.
  stream.on('error', ignoreError);
  return stream;
}
function ignoreError(): void {}

class ZlibMessageCompressor implements MessageCompressor {
  readonly #compressWindowBits: number;
  readonly #compressNoContextTakeover: boolean;
  readonly #decompressNoContextTakeover: boolean;
  readonly #options: ZlibCompressorOptions;
  #deflate: RawStream | null = null;
  #inflate: RawStream | null = null;
  #disposed = false;

  constructor(parameters: DeflateParameters, role: Role, options: ZlibCompressorOptions) {
    // We compress with the window and context rules of our own direction (RFC 7692 §7.1.1, §7.1.2).
    const ours = role === 'server' ? 'server' : 'client';
    this.#compressWindowBits = ours === 'server' ? parameters.serverMaxWindowBits : parameters.clientMaxWindowBits;
    this.#compressNoContextTakeover =
      ours === 'server' ? parameters.serverNoContextTakeover : parameters.clientNoContextTakeover;
    this.#decompressNoContextTakeover =
      ours === 'server' ? parameters.clientNoContextTakeover : parameters.serverNoContextTakeover;
    this.#options = options;
    if (
      !Number.isInteger(this.#compressWindowBits) ||
      this.#compressWindowBits < MIN_WINDOW_BITS ||
      this.#compressWindowBits > MAX_WINDOW_BITS
    ) {
      throw new RangeError(`max_window_bits must be ${MIN_WINDOW_BITS}-${MAX_WINDOW_BITS} (RFC 7692 §7.1.2)`);
    }
    if (this.#compressWindowBits === MIN_WINDOW_BITS) {
      // zlib cannot write raw deflate with a 256-byte window (it uses 512), which a peer that asked for
      // 8 bits may be unable to inflate; negotiation must decline such offers (see deflate/negotiate.ts).
      throw new RangeError('zlib cannot compress with max_window_bits=8; decline that offer (RFC 7692 §7.1.2.1)');
    }
  }

  compress(message: Uint8Array): Uint8Array {
    const stream = (this.#deflate ??= this.#create('deflate'));
    const result = drive(stream, [message], Number.POSITIVE_INFINITY);
    const output = result!.output;
    // zlib skips a sync flush that would repeat the previous one (an empty message right after another
    // message): nothing to send but the empty stored block, which RFC 7692 §7.2.3.6 writes as one 00.
    if (output.length === 0) {
      if (this.#compressNoContextTakeover) stream._handle!.reset();
      return Uint8Array.of(0x00);
    }
    // RFC 7692 §7.2.1: a sync flush ends with an empty stored block 00 00 ff ff, which is removed.
    if (!endsWithTrailer(output)) throw new Error('zlib sync flush did not end with 00 00 ff ff');
    if (this.#compressNoContextTakeover) stream._handle!.reset();
    return output.subarray(0, output.length - DEFLATE_TRAILER.length);
  }

  decompress(payload: Uint8Array, maxBytes: number): Uint8Array | null {
    const stream = (this.#inflate ??= this.#create('inflate'));
    let result: ReturnType<typeof drive>;
    try {
      // RFC 7692 §7.2.2: append 00 00 ff ff to the message's payload, then inflate.
      result = drive(stream, [payload, DEFLATE_TRAILER], maxBytes);
    } catch (error) {
      // The stream is destroyed; a later message (there should be none: the connection fails) starts afresh.
      this.#inflate = null;
      throw error;
    }
    if (result === null) {
      // Over the bound (RFC 7692 §8.1): the window is mid-message, so drop it; the connection fails anyway.
      stream.close();
      this.#inflate = null;
      return null;
    }
    // RFC 7692 §7.2.3.4: a peer may end a message with a BFINAL block, which ends the deflate stream; its
    // next message starts a new stream, so start our inflater afresh too.
    if (result.ended || this.#decompressNoContextTakeover) stream._handle!.reset();
    return result.output;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#deflate?.close();
    this.#inflate?.close();
    this.#deflate = null;
    this.#inflate = null;
  }

  #create(kind: 'deflate' | 'inflate'): RawStream {
    if (this.#disposed) throw new Error('compressor used after dispose()');
    if (kind === 'inflate') {
      // A 15-bit window inflates anything a peer compressed with a smaller one (RFC 7692 §7.1.2.1).
      return checkInternals(zlib.createInflateRaw({ windowBits: MAX_WINDOW_BITS }) as RawStream);
    }
    const options: zlib.ZlibOptions = { windowBits: this.#compressWindowBits };
    if (this.#options.level !== undefined) options.level = this.#options.level;
    if (this.#options.memLevel !== undefined) options.memLevel = this.#options.memLevel;
    return checkInternals(zlib.createDeflateRaw(options) as RawStream);
  }
}

function endsWithTrailer(bytes: Uint8Array): boolean {
  const start = bytes.length - DEFLATE_TRAILER.length;
  if (start < 0) return false;
  for (let i = 0; i < DEFLATE_TRAILER.length; i++) if (bytes[start + i] !== DEFLATE_TRAILER[i]) return false;
  return true;
}

/** A CompressorFactory with non-default zlib tuning. */
export function zlibCompressorFactory(options: ZlibCompressorOptions = {}): CompressorFactory {
  return (parameters, role) => new ZlibMessageCompressor(parameters, role, options);
}

/** The CompressorFactory the lab server uses: node:zlib with its default level and memLevel. */
export const createZlibCompressor: CompressorFactory = zlibCompressorFactory();
