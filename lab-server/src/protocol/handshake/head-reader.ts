/**
 * Reads an HTTP/1.1 message head off a byte stream (RFC 7230 §3): everything up to and including
 * the first empty line (CRLF CRLF). Bytes after it already belong to the WebSocket connection
 * (a client may send its first frames right behind the request), so they come back as `rest`.
 */
import { copyBytes } from '../copy-bytes.ts';
import { isRejection, rejection } from './types.ts';
import type { HandshakeRejection } from './types.ts';

const CR = 0x0d;
const LF = 0x0a;

/** `rest` when nothing followed the head; never written to. */
const NO_REST = new Uint8Array(0);

/** A generous default for one head; browsers send well under 2 KiB. */
export const DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

/** Where the scanner is relative to line ends. */
const Scan = {
  /** Inside a line that has content. */
  InLine: 0,
  /** Saw CR after content; LF must follow. */
  AfterCr: 1,
  /** At the first byte of a line. */
  LineStart: 2,
  /** Saw CR as the first byte of a line: an empty line if LF follows. */
  EmptyLineCr: 3,
} as const;
type Scan = (typeof Scan)[keyof typeof Scan];

export interface HeadAndRest {
  /** The head, from the start line through the final CRLF CRLF. May be a view into a pushed chunk. */
  readonly head: Uint8Array;
  /** Bytes received after the head (possibly the first WebSocket frames). May be a view. */
  readonly rest: Uint8Array;
}

/**
 * Incremental head reader: push chunks of any size (down to one byte) until it returns the head.
 * Returns null while more bytes are needed, and a rejection (sticky) when the head is malformed at
 * the line level or larger than `maxHeadBytes`. Line-level errors are reported as soon as seen,
 * so a peer sending bare LF lines is refused at once rather than at the size limit.
 */
export class HttpHeadReader {
  readonly maxHeadBytes: number;
  #chunks: Uint8Array[] = [];
  #received = 0;
  /** Bytes of leading empty lines skipped so far (RFC 7230 §3.5: a server SHOULD ignore them). */
  #skipped = 0;
  #state: Scan = Scan.LineStart;
  #sawStartLine = false;
  #result: HeadAndRest | HandshakeRejection | null = null;

  constructor(maxHeadBytes: number = DEFAULT_MAX_HEAD_BYTES) {
    if (!Number.isSafeInteger(maxHeadBytes) || maxHeadBytes < 4) throw new RangeError('maxHeadBytes must be an integer >= 4');
    this.maxHeadBytes = maxHeadBytes;
  }

  /** Bytes taken into the head so far (leading empty lines included). */
  get bytesReceived(): number {
    return this.#received;
  }

  push(chunk: Uint8Array): HeadAndRest | null | HandshakeRejection {
    if (this.#result !== null) {
      if (isRejection(this.#result)) return this.#result;
      throw new Error('HttpHeadReader: the head is complete; later bytes belong to the WebSocket connection');
    }
    const end = this.#scan(chunk);
    if (typeof end !== 'number') {
      this.#result = end;
      return end;
    }
    if (end < 0) {
      this.#received += chunk.length;
      if (this.#received > this.maxHeadBytes) return this.#fail(tooLarge(this.maxHeadBytes));
      if (chunk.length > 0) this.#chunks.push(copyBytes(chunk));
      return null;
    }
    this.#received += end;
    if (this.#received > this.maxHeadBytes) return this.#fail(tooLarge(this.maxHeadBytes));
    // A head that fills its chunk (the usual handshake) needs no views: the chunk itself, and no rest.
    const rest = end === chunk.length ? NO_REST : chunk.subarray(end);
    const result: HeadAndRest = { head: this.#assemble(chunk, end), rest };
    if (this.#chunks.length > 0) this.#chunks = [];
    this.#result = result;
    return result;
  }

  #fail(failure: HandshakeRejection): HandshakeRejection {
    this.#chunks = [];
    this.#result = failure;
    return failure;
  }

  /** Returns the index in `chunk` just past the final CRLF CRLF, -1 if not there yet, or a rejection. */
  #scan(chunk: Uint8Array): number | HandshakeRejection {
    let state = this.#state;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      switch (state) {
        case Scan.InLine:
          if (byte === CR) state = Scan.AfterCr;
          else if (byte === LF) return bareLf();
          break;
        case Scan.AfterCr:
          if (byte !== LF) return bareCr();
          state = Scan.LineStart;
          break;
        case Scan.LineStart:
          if (byte === CR) state = Scan.EmptyLineCr;
          else if (byte === LF) return bareLf();
          else {
            this.#sawStartLine = true;
            state = Scan.InLine;
          }
          break;
        case Scan.EmptyLineCr:
          if (byte !== LF) return bareCr();
          if (this.#sawStartLine) {
            this.#state = state;
            return i + 1;
          }
          // RFC 7230 §3.5: an empty line before the request line is skipped, not part of the head.
          this.#skipped = this.#received + i + 1;
          state = Scan.LineStart;
          break;
      }
    }
    this.#state = state;
    return -1;
  }

  #assemble(chunk: Uint8Array, end: number): Uint8Array {
    const skipped = this.#skipped;
    if (this.#chunks.length === 0) return skipped === 0 && end === chunk.length ? chunk : chunk.subarray(skipped, end);
    const head = new Uint8Array(this.#received - skipped);
    let stream = 0;
    let offset = 0;
    for (const part of [...this.#chunks, chunk.subarray(0, end)]) {
      const from = Math.max(0, skipped - stream);
      if (from < part.length) {
        head.set(from === 0 ? part : part.subarray(from), offset);
        offset += part.length - from;
      }
      stream += part.length;
    }
    return head;
  }
}

function tooLarge(maxHeadBytes: number): HandshakeRejection {
  return rejection(431, 'RFC 6585 §5', `Request Header Fields Too Large: the head exceeds ${maxHeadBytes} bytes`);
}

function bareLf(): HandshakeRejection {
  return rejection(400, 'RFC 7230 §3.5', 'header lines must end with CRLF; a bare LF is not accepted');
}

function bareCr(): HandshakeRejection {
  return rejection(400, 'RFC 7230 §3.5', 'a CR must be followed by LF; a bare CR is invalid');
}
