/**
 * The bytes a WebSocket client puts on the wire, prepared once so the load generator spends its CPU on
 * sockets, not on framing: the opening handshake request (RFC 6455 §4.1) and its expected accept, masked
 * client frames (RFC 6455 §5.2-5.3), and a streaming reader of the server's unmasked frames that checks
 * what it counts.
 */
import { createHash, randomBytes } from 'node:crypto';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const FIN = 0x80;
const MASK = 0x80;
export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
const NORMAL_CLOSURE = 1000;
/** Frames prepared per stream, each with its own random masking key, used in turn. */
const DISTINCT_KEYS = 64;

export interface HandshakeBytes {
  readonly request: Buffer;
  /** The Sec-WebSocket-Accept a correct server answers with (RFC 6455 §4.2.2). */
  readonly accept: string;
}

export function handshakeBytes(url: URL): HandshakeBytes {
  const key = randomBytes(16).toString('base64');
  const request = Buffer.from(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    'latin1',
  );
  const accept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
  return { request, accept };
}

/** Checks a 101 response head (without the blank line); returns null when it is right, else why not. */
export function responseProblem(head: string, accept: string): string | null {
  if (!/^HTTP\/1\.1 101 /.test(head)) return `expected 101, got "${head.split('\r\n')[0]}"`;
  const match = /\r\nsec-websocket-accept:\s*([^\r\n]*)/i.exec(head);
  if (match?.[1]?.trim() !== accept) return `wrong Sec-WebSocket-Accept: ${match?.[1] ?? '(none)'}`;
  return null;
}

/** One masked client frame (FIN set) of `payload`. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const extended = length < 126 ? 0 : length <= 0xffff ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + extended + 4 + length);
  frame[0] = FIN | opcode;
  frame[1] = MASK | (extended === 0 ? length : extended === 2 ? 126 : 127);
  if (extended === 2) frame.writeUInt16BE(length, 2);
  if (extended === 8) frame.writeBigUInt64BE(BigInt(length), 2);
  const keyAt = 2 + extended;
  randomBytes(4).copy(frame, keyAt);
  for (let i = 0; i < length; i++) frame[keyAt + 4 + i] = (payload[i] as number) ^ (frame[keyAt + (i & 3)] as number);
  return frame;
}

/** A masked close frame with status 1000 (RFC 6455 §5.5.1, §7.4.1). */
export function closeFrame(): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(NORMAL_CLOSURE);
  return clientFrame(OPCODE_CLOSE, payload);
}

/**
 * `count` frames of the same message back to back, each with its own masking key, so a sender can write any
 * run of k consecutive frames as one slice: frames(i, k) starting at frame i, wrapping around.
 */
export class FrameRing {
  readonly frameBytes: number;
  readonly #bytes: Buffer;

  constructor(opcode: number, payload: Buffer) {
    const frames = Array.from({ length: DISTINCT_KEYS }, () => clientFrame(opcode, payload));
    this.frameBytes = frames[0]!.length;
    // Twice over, so any run of up to DISTINCT_KEYS frames is one contiguous slice.
    this.#bytes = Buffer.concat([...frames, ...frames]);
  }

  /** `count` (<= 64) consecutive frames starting at frame `first` (mod 64). */
  frames(first: number, count: number): Buffer {
    const start = (first % DISTINCT_KEYS) * this.frameBytes;
    return this.#bytes.subarray(start, start + count * this.frameBytes);
  }

  static readonly SIZE = DISTINCT_KEYS;
}

/**
 * Reads the server's frames from a byte stream, in any chunking: every frame must be a final, unmasked
 * data frame of `opcode` carrying `expected.length` bytes; every `contentEvery`-th one is compared with
 * `expected` byte for byte. Calls onMessage per frame; returns a reason on the first wrong frame.
 */
export class EchoReader {
  readonly #expected: Buffer;
  readonly #opcode: number;
  readonly #contentEvery: number;
  readonly #header = Buffer.alloc(10);
  #headerFilled = 0;
  #headerNeeded = 2;
  #payloadLeft = -1;
  #payloadAt = 0;
  #checking = false;
  #frames = 0;
  problem: string | null = null;

  constructor(expected: Buffer, opcode: number, contentEvery: number) {
    this.#expected = expected;
    this.#opcode = opcode;
    this.#contentEvery = contentEvery;
  }

  /** Returns how many frames this chunk completed. */
  push(chunk: Buffer): number {
    let completed = 0;
    let at = 0;
    while (at < chunk.length && this.problem === null) {
      if (this.#payloadLeft < 0) {
        while (this.#headerFilled < this.#headerNeeded && at < chunk.length) this.#header[this.#headerFilled++] = chunk[at++] as number;
        if (this.#headerFilled < this.#headerNeeded) break;
        // Not done: a problem (the loop ends), or the extended length still to read.
        if (!this.#headerDone()) continue;
        if (this.#payloadLeft === 0) completed += this.#frameDone();
        continue;
      }
      const take = Math.min(this.#payloadLeft, chunk.length - at);
      if (this.#checking && !chunk.subarray(at, at + take).equals(this.#expected.subarray(this.#payloadAt, this.#payloadAt + take))) {
        this.problem = 'an echo differs from what was sent';
        break;
      }
      this.#payloadAt += take;
      this.#payloadLeft -= take;
      at += take;
      if (this.#payloadLeft === 0) completed += this.#frameDone();
    }
    return completed;
  }

  /** False while more header bytes are needed or when the frame is wrong. */
  #headerDone(): boolean {
    const first = this.#header[0] as number;
    const second = this.#header[1] as number;
    if (this.#headerNeeded === 2) {
      if (first !== (FIN | this.#opcode) || (second & MASK) !== 0) {
        this.problem = `unexpected frame: first bytes 0x${first.toString(16)} 0x${second.toString(16)}`;
        return false;
      }
      const code = second & 0x7f;
      if (code >= 126) {
        this.#headerNeeded = code === 126 ? 4 : 10;
        return false;
      }
      return this.#payloadStart(code);
    }
    const length = this.#headerNeeded === 4 ? this.#header.readUInt16BE(2) : Number(this.#header.readBigUInt64BE(2));
    return this.#payloadStart(length);
  }

  #payloadStart(length: number): boolean {
    if (length !== this.#expected.length) {
      this.problem = `an echo of ${length} bytes, expected ${this.#expected.length}`;
      return false;
    }
    this.#payloadLeft = length;
    this.#payloadAt = 0;
    this.#checking = this.#frames % this.#contentEvery === 0;
    return true;
  }

  #frameDone(): number {
    this.#frames++;
    this.#payloadLeft = -1;
    this.#headerFilled = 0;
    this.#headerNeeded = 2;
    return 1;
  }
}
