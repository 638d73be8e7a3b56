import type { CompressorFactory, DeflateParameters, MessageCompressor } from '../protocol/deflate/codec.ts';
import type { Role } from '../protocol/frame/types.ts';

/**
 * A MessageCompressor that creates the real one on first use. A zlib deflate/inflate pair holds
 * hundreds of KiB of window and state; most negotiated connections (browsers always offer
 * permessage-deflate, RFC 7692 §5) sit idle, so an idle connection must not pay for zlib.
 */
export class LazyCompressor implements MessageCompressor {
  #factory: CompressorFactory;
  #parameters: DeflateParameters;
  #role: Role;
  #inner: MessageCompressor | null = null;
  #disposed = false;

  constructor(factory: CompressorFactory, parameters: DeflateParameters, role: Role) {
    this.#factory = factory;
    this.#parameters = parameters;
    this.#role = role;
  }

  compress(message: Uint8Array): Uint8Array {
    return this.#get().compress(message);
  }

  decompress(payload: Uint8Array, maxBytes: number): Uint8Array | null {
    return this.#get().decompress(payload, maxBytes);
  }

  dispose(): void {
    this.#disposed = true;
    this.#inner?.dispose();
    this.#inner = null;
  }

  #get(): MessageCompressor {
    if (this.#disposed) throw new Error('compressor used after dispose');
    this.#inner ??= this.#factory(this.#parameters, this.#role);
    return this.#inner;
  }
}
