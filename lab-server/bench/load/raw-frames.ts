/**
 * The bytes a WebSocket client puts on the wire, prepared once so the load generator spends its CPU on
 * sockets, not on framing, and the checks of what comes back. All of it is the core's own code: the opening
 * handshake request and its validation (RFC 6455 §4.1), the serializer for masked client frames (§5.2-5.3)
 * and the frame parser in the client role for the server's echoes.
 */
import { randomBytes } from 'node:crypto';
import { CloseCode, Opcode } from '../../src/protocol/constants.ts';
import { encodeClosePayload } from '../../src/protocol/frame/close-payload.ts';
import { FrameParser } from '../../src/protocol/frame/parser.ts';
import { serializeFrame } from '../../src/protocol/frame/serializer.ts';
import { createClientHandshake, validateServerResponse } from '../../src/protocol/handshake/client.ts';
import { parseResponseHead } from '../../src/protocol/handshake/http-head.ts';
import { isRejection } from '../../src/protocol/handshake/types.ts';

export const OPCODE_TEXT = Opcode.Text;
export const OPCODE_BINARY = Opcode.Binary;
/** Frames prepared per stream, each with its own random masking key, used in turn. */
const DISTINCT_KEYS = 64;

export interface HandshakeBytes {
  readonly request: Buffer;
  /** The request's Sec-WebSocket-Key, to check the server's accept against (RFC 6455 §4.2.2). */
  readonly key: string;
}

export function handshakeBytes(url: URL): HandshakeBytes {
  const handshake = createClientHandshake({ host: url.host, path: `${url.pathname}${url.search}` });
  return { request: Buffer.from(handshake.request, 'latin1'), key: handshake.key };
}

/** Checks a 101 response head with the core's client-side rules; returns null when it is right, else why not. */
export function responseProblem(head: Uint8Array | string, key: string): string | null {
  const response = parseResponseHead(head);
  if (isRejection(response)) return `unreadable response head: ${response.reason}`;
  const result = validateServerResponse(response, { key, deflateOffered: false });
  return result.ok ? null : result.reason;
}

/** One masked client frame (FIN set) of `payload`, with a fresh random masking key. */
export function clientFrame(opcode: Opcode, payload: Uint8Array): Buffer {
  const frame = serializeFrame({ fin: true, opcode, payload, maskingKey: randomBytes(4) });
  return Buffer.from(frame.buffer, frame.byteOffset, frame.length);
}

/** The payload of every close frame the load sends: status 1000, no reason (RFC 6455 §5.5.1, §7.4.1). */
const NORMAL_CLOSE_PAYLOAD = encodeClosePayload(CloseCode.Normal, '');

/** A masked close frame with status 1000, with a fresh random masking key. */
export function closeFrame(): Buffer {
  return clientFrame(Opcode.Close, NORMAL_CLOSE_PAYLOAD);
}

/** 64 close frames with status 1000, each with its own masking key, for loads that close thousands of connections. */
export function closeFrameRing(): FrameRing {
  return new FrameRing(Opcode.Close, NORMAL_CLOSE_PAYLOAD);
}

/** The same message as 64 frames, each with its own masking key, handed out in turn. */
export class FrameRing {
  readonly #frames: Buffer[];

  constructor(opcode: Opcode, payload: Uint8Array) {
    this.#frames = Array.from({ length: DISTINCT_KEYS }, () => clientFrame(opcode, payload));
  }

  /** Frame `index` (mod 64). */
  frame(index: number): Buffer {
    return this.#frames[index % DISTINCT_KEYS]!;
  }
}

/**
 * Memory for the echo reader's large payloads (over 64 KiB; smaller ones come from the core's slab): two buffers
 * per size, handed out in turn. Each echo is checked inside push() and dropped, so a buffer is free again by the
 * time it comes round: within one push() at most one payload completes in such a buffer and one more starts.
 * Without this, each 1 MiB echo cost the load a fresh zero-filled MiB (0.86 ms of its CPU per MiB against 0.65 now),
 * which made the load generator, not the server, set the 1 MiB echo rate.
 */
function reusedPayloadMemory(): (length: number) => Uint8Array {
  const buffers = new Map<number, Uint8Array[]>();
  let turn = 0;
  return (length) => {
    let pair = buffers.get(length);
    if (pair === undefined) {
      pair = [new Uint8Array(length), new Uint8Array(length)];
      buffers.set(length, pair);
    }
    return pair[turn++ & 1]!;
  };
}

/**
 * Reads the server's frames with the core's parser (client role: frames must be unmasked, RFC 6455 §5.1), in
 * any chunking: every frame must be a final data frame of `opcode` carrying `expected.length` bytes; every
 * `contentEvery`-th one is compared with `expected` byte for byte. Sets `problem` on the first wrong frame.
 */
export class EchoReader {
  readonly #expected: Buffer;
  readonly #opcode: Opcode;
  readonly #contentEvery: number;
  readonly #parser = new FrameParser({ role: 'client', allocate: reusedPayloadMemory() });
  #frames = 0;
  problem: string | null = null;

  constructor(expected: Buffer, opcode: Opcode, contentEvery: number) {
    this.#expected = expected;
    this.#opcode = opcode;
    this.#contentEvery = contentEvery;
  }

  /** Returns how many echoes this chunk completed. */
  push(chunk: Uint8Array): number {
    if (this.problem !== null) return 0;
    const frames = this.#parser.push(chunk);
    for (const frame of frames) {
      const payload = frame.payload;
      if (!frame.fin || frame.opcode !== this.#opcode) {
        this.problem = `unexpected frame: opcode ${frame.opcode}, FIN ${frame.fin}`;
      } else if (payload.length !== this.#expected.length) {
        this.problem = `an echo of ${payload.length} bytes, expected ${this.#expected.length}`;
      } else if (this.#frames % this.#contentEvery === 0 && !this.#expected.equals(payload)) {
        this.problem = 'an echo differs from what was sent';
      }
      if (this.problem !== null) return 0;
      this.#frames++;
    }
    const violation = this.#parser.violation;
    if (violation !== null) this.problem = `not a valid frame: ${violation.reason}`;
    return frames.length;
  }
}
