/**
 * The client side of permessage-deflate for raw tests (RFC 7692 §7.2.1), on node:zlib directly: independent of the
 * project's zlib-compressor, so a bug there cannot hide itself.
 */
import zlib from 'node:zlib';

const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

function stripTrailer(data: Buffer): Uint8Array {
  if (data.length >= 4 && data.subarray(data.length - 4).equals(TRAILER)) return data.subarray(0, data.length - 4);
  throw new Error('deflate output does not end with 00 00 ff ff');
}

/** One whole message, no context (client_no_context_takeover, or the first message). */
export function deflateMessage(message: Uint8Array | string, windowBits = 15): Uint8Array {
  const input = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return stripTrailer(zlib.deflateRawSync(input, { windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH }));
}

/** Compresses successive messages keeping the LZ77 window between them (context takeover, RFC 7692 §7.2.1). */
export class ContextDeflater {
  private readonly stream: zlib.DeflateRaw;
  private readonly chunks: Buffer[] = [];

  constructor(windowBits = 15) {
    this.stream = zlib.createDeflateRaw({ windowBits });
    this.stream.on('data', (chunk: Buffer) => this.chunks.push(chunk));
  }

  compress(message: Uint8Array | string): Promise<Uint8Array> {
    const input = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    return new Promise((resolve, reject) => {
      this.stream.write(input);
      this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        try {
          const out = Buffer.concat(this.chunks.splice(0));
          resolve(stripTrailer(out));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
  }

  close(): void {
    this.stream.close();
  }
}

/**
 * Re-inflates the server's compressed messages under the negotiated rules, STRICTLY: zlib checks a back-reference
 * against its window only when the distance reaches beyond the current inflate call's output, so inflating in 64-byte
 * output chunks (zlib's minimum) makes every distance > 64 go through the window of 2^windowBits bytes. A server that
 * ignores server_max_window_bits, or keeps its context despite server_no_context_takeover, fails here with "invalid
 * distance too far back" (RFC 7692 §7.1.1.1, §7.1.2.1).
 */
export async function strictInflate(messages: readonly Uint8Array[], windowBits: number, noContextTakeover: boolean): Promise<Buffer[]> {
  if (noContextTakeover) {
    return messages.map((message) =>
      zlib.inflateRawSync(Buffer.concat([message, TRAILER]), { windowBits, chunkSize: 64, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    );
  }
  const stream = zlib.createInflateRaw({ windowBits, chunkSize: 64 });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  // On a zlib error the flush callback never runs: the error event settles the wait instead.
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => undefined);
  const out: Buffer[] = [];
  try {
    for (const message of messages) {
      stream.write(Buffer.concat([message, TRAILER]));
      await Promise.race([new Promise<void>((resolve) => stream.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve())), failed]);
      out.push(Buffer.concat(chunks.splice(0)));
    }
  } finally {
    stream.close();
  }
  return out;
}
