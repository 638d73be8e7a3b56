import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createZlibCompressor, DeflateDataError, zlibCompressorFactory } from '../../src/node/zlib-compressor.ts';
import type { DeflateParameters } from '../../src/protocol/deflate/codec.ts';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(' ').map((byte) => Number.parseInt(byte, 16)));
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const defaults: DeflateParameters = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};
const MAX = 1 << 20;

describe('RFC 7692 §7.2.3 examples', () => {
  it('§7.2.3.1: "Hello" compresses to f2 48 cd c9 c9 07 00', () => {
    const compressor = createZlibCompressor(defaults, 'server');
    expect(compressor.compress(ascii('Hello'))).toEqual(hex('f2 48 cd c9 c9 07 00'));
    compressor.dispose();
  });

  it('§7.2.3.2: with context takeover the second "Hello" compresses to f2 00 11 00 00', () => {
    const compressor = createZlibCompressor(defaults, 'client');
    compressor.compress(ascii('Hello'));
    expect(compressor.compress(ascii('Hello'))).toEqual(hex('f2 00 11 00 00'));
    compressor.dispose();
  });

  it('§7.2.3.2: the receiver inflates both messages sharing the LZ77 window', () => {
    const compressor = createZlibCompressor(defaults, 'server');
    expect(compressor.decompress(hex('f2 48 cd c9 c9 07 00'), MAX)).toEqual(ascii('Hello'));
    expect(compressor.decompress(hex('f2 00 11 00 00'), MAX)).toEqual(ascii('Hello'));
    compressor.dispose();
  });

  it('§7.1.1.1: server_no_context_takeover: the second "Hello" compresses like the first', () => {
    const compressor = createZlibCompressor({ ...defaults, serverNoContextTakeover: true }, 'server');
    compressor.compress(ascii('Hello'));
    expect(compressor.compress(ascii('Hello'))).toEqual(hex('f2 48 cd c9 c9 07 00'));
    // The rule constrains the server's compressor only: a client with the same parameters keeps context.
    const client = createZlibCompressor({ ...defaults, serverNoContextTakeover: true }, 'client');
    client.compress(ascii('Hello'));
    expect(client.compress(ascii('Hello'))).toEqual(hex('f2 00 11 00 00'));
    compressor.dispose();
    client.dispose();
  });

  it('§7.2.3.1: the fragmented message f2 48 cd | c9 c9 07 00 inflates once joined', () => {
    const compressor = createZlibCompressor(defaults, 'client');
    const joined = new Uint8Array([...hex('f2 48 cd'), ...hex('c9 c9 07 00')]);
    expect(compressor.decompress(joined, MAX)).toEqual(ascii('Hello'));
    compressor.dispose();
  });

  it('§7.2.3.3: a DEFLATE block with no compression (stored) inflates to "Hello"', () => {
    const compressor = createZlibCompressor(defaults, 'server');
    expect(compressor.decompress(hex('00 05 00 fa ff 48 65 6c 6c 6f 00'), MAX)).toEqual(ascii('Hello'));
    compressor.dispose();
  });

  it('§7.2.3.4: a DEFLATE block with BFINAL set inflates, and the next message still inflates', () => {
    const compressor = createZlibCompressor(defaults, 'server');
    expect(compressor.decompress(hex('f3 48 cd c9 c9 07 00 00'), MAX)).toEqual(ascii('Hello'));
    expect(compressor.decompress(hex('f2 48 cd c9 c9 07 00'), MAX)).toEqual(ascii('Hello'));
    compressor.dispose();
  });

  it('§7.2.3.5: two DEFLATE blocks in one message inflate to "Hello"', () => {
    const compressor = createZlibCompressor(defaults, 'server');
    expect(compressor.decompress(hex('f2 48 05 00 00 00 ff ff ca c9 c9 07 00'), MAX)).toEqual(ascii('Hello'));
    compressor.dispose();
  });

  it('§7.2.3.6: an empty message compresses to the single byte 00 and inflates back to empty', () => {
    const compressor = createZlibCompressor(defaults, 'server');
    expect(compressor.compress(new Uint8Array(0))).toEqual(hex('00'));
    expect(compressor.decompress(hex('00'), MAX)).toEqual(new Uint8Array(0));
    // Also right after another message, where zlib has no flush left to write.
    compressor.compress(ascii('Hello'));
    expect(compressor.compress(new Uint8Array(0))).toEqual(hex('00'));
    expect(compressor.compress(new Uint8Array(0))).toEqual(hex('00'));
    compressor.dispose();
  });
});

describe('bounds and errors (RFC 7692 §8.1, §7.2.2)', () => {
  it('§8.1: inflating beyond maxBytes returns null instead of allocating the bomb', () => {
    const bomb = deflateRawSync(new Uint8Array(10 * MAX), { finishFlush: constants.Z_SYNC_FLUSH });
    const payload = bomb.subarray(0, bomb.length - 4);
    expect(payload.length).toBeLessThan(20_000);
    const compressor = createZlibCompressor(defaults, 'server');
    expect(compressor.decompress(payload, MAX)).toBeNull();
    // The bound is inclusive: exactly maxBytes is accepted.
    expect(compressor.decompress(payload, 10 * MAX)?.length).toBe(10 * MAX);
    compressor.dispose();
  });

  it('§7.2.2: corrupt data throws DeflateDataError (the connection fails with 1007)', () => {
    const compressor = createZlibCompressor(defaults, 'server');
    expect(() => compressor.decompress(hex('ff ff ff ff'), MAX)).toThrow(DeflateDataError);
    // A later message starts on a fresh inflater rather than a destroyed stream.
    expect(compressor.decompress(hex('f2 48 cd c9 c9 07 00'), MAX)).toEqual(ascii('Hello'));
    compressor.dispose();
  });

  it('§7.1.2: max_window_bits=8 cannot be honoured by zlib and is refused for our direction', () => {
    expect(() => createZlibCompressor({ ...defaults, serverMaxWindowBits: 8 }, 'server')).toThrow(RangeError);
    // The peer's window does not matter: we inflate with 15 bits.
    expect(() => createZlibCompressor({ ...defaults, serverMaxWindowBits: 8 }, 'client').dispose()).not.toThrow();
  });

  it('§7.1.2.1: compresses with the negotiated window (data beyond 512 bytes back is not referenced)', () => {
    const compressor = zlibCompressorFactory({ level: 9 })({ ...defaults, clientMaxWindowBits: 9 }, 'client');
    const block = Uint8Array.from({ length: 600 }, (_, i) => (i * 7919) % 251);
    const message = new Uint8Array([...block, ...block]);
    const compressed = compressor.compress(message);
    // A 9-bit inflater (512-byte window) must be able to inflate it.
    const trailer = new Uint8Array([0, 0, 0xff, 0xff]);
    const inflated = inflateRawSync(new Uint8Array([...compressed, ...trailer]), { windowBits: 9, finishFlush: constants.Z_SYNC_FLUSH });
    expect(new Uint8Array(inflated)).toEqual(message);
    compressor.dispose();
  });
});

describe('properties', () => {
  it('any message sequence round-trips compressor -> decompressor for every context-takeover setting', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.string({ maxLength: 500 }).map(ascii)), { maxLength: 12 }),
        fc.boolean(),
        fc.integer({ min: 9, max: 15 }),
        (messages, noContextTakeover, windowBits) => {
          const parameters = { ...defaults, clientNoContextTakeover: noContextTakeover, clientMaxWindowBits: windowBits };
          const sender = createZlibCompressor(parameters, 'client');
          const receiver = createZlibCompressor(parameters, 'server');
          for (const message of messages) {
            expect(receiver.decompress(sender.compress(message), MAX)).toEqual(message);
          }
          sender.dispose();
          receiver.dispose();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('large messages (output spanning many zlib buffers) round-trip', () => {
    const message = Uint8Array.from({ length: 3 * MAX }, (_, i) => (i * 2654435761) >>> 27);
    const sender = createZlibCompressor(defaults, 'server');
    const receiver = createZlibCompressor(defaults, 'client');
    const compressed = sender.compress(message);
    expect(receiver.decompress(compressed, 3 * MAX)).toEqual(message);
    expect(receiver.decompress(sender.compress(message), 3 * MAX - 1)).toBeNull();
    sender.dispose();
    receiver.dispose();
  });

  it('dispose() is idempotent and a disposed compressor refuses work', () => {
    const compressor = createZlibCompressor(defaults, 'server');
    compressor.compress(ascii('x'));
    compressor.dispose();
    compressor.dispose();
    expect(() => compressor.compress(ascii('x'))).toThrow();
  });
});
