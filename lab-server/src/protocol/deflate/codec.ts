import type { Role } from '../frame/types.ts';

/**
 * RFC 7692 §7.1: the parameters both ends agreed on for permessage-deflate.
 * "server" parameters constrain what the server compresses, "client" ones what the client compresses.
 */
export interface DeflateParameters {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  /** 8-15; 15 when the parameter was absent (RFC 7692 §7.1.2). */
  readonly serverMaxWindowBits: number;
  readonly clientMaxWindowBits: number;
}

/**
 * The compression the protocol core needs, injected by its host (node:zlib in the lab server, possibly
 * another inflater in a browser). The core stays free of I/O and of any particular zlib.
 * Both methods work on whole messages and are synchronous, so the core stays a plain state machine.
 */
export interface MessageCompressor {
  /**
   * RFC 7692 §7.2.1: DEFLATE one whole message with the sender's window and context-takeover rules,
   * returning the bytes with the final empty block's 00 00 ff ff removed.
   */
  compress(message: Uint8Array): Uint8Array;
  /**
   * RFC 7692 §7.2.2: append 00 00 ff ff and INFLATE the concatenated payload of one message.
   * Returns null when the output would exceed maxBytes (the caller fails with 1009), and throws
   * only on corrupt data (the caller fails with 1007, as the data cannot be a valid message).
   */
  decompress(payload: Uint8Array, maxBytes: number): Uint8Array | null;
  /** Frees native resources; the compressor is not used afterwards. */
  dispose(): void;
}

/** How a host makes a compressor for one connection, for the role this endpoint plays. */
export type CompressorFactory = (parameters: DeflateParameters, role: Role) => MessageCompressor;
