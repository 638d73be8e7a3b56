/**
 * Reads the HTTP/1.1 messages of one relayed connection (RFC 9112): request heads and bodies one way,
 * response heads and bodies the other, with the body framing (Content-Length, chunked, or until close)
 * told apart from the body's own bytes. Test support only: the server never parses HTTP this way.
 */

export interface HttpMessageBytes {
  /** Request: "GET /pvp/poll?..."; response: "HTTP/1.1 200 OK". */
  readonly startLine: string;
  readonly headers: ReadonlyMap<string, string>;
  /** Start line, header fields and the blank line. */
  readonly headBytes: number;
  /** The body's own bytes (chunk data for the chunked coding). */
  readonly bodyBytes: number;
  /** Chunk-size lines, chunk CRLFs and the last chunk: framing around the body. */
  readonly framingBytes: number;
  /** Bytes after this message that are not HTTP (a 101 response: the WebSocket frames). */
  readonly upgradedBytes?: Buffer;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

function parseHead(bytes: Buffer, at: number): { startLine: string; headers: Map<string, string>; end: number } | null {
  const end = bytes.indexOf(CRLF_CRLF, at);
  if (end < 0) return null;
  const [startLine = '', ...lines] = bytes.subarray(at, end).toString('latin1').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { startLine, headers, end: end + CRLF_CRLF.length };
}

/** Reads a chunked body from `at`; returns the data and framing sizes and where it ends (or the end of input). */
function readChunked(bytes: Buffer, at: number): { data: number; framing: number; end: number } {
  let data = 0;
  let framing = 0;
  let position = at;
  for (;;) {
    const lineEnd = bytes.indexOf(CRLF, position);
    if (lineEnd < 0) {
      framing += bytes.length - position;
      return { data, framing, end: bytes.length };
    }
    const size = Number.parseInt(bytes.subarray(position, lineEnd).toString('latin1'), 16);
    framing += lineEnd + CRLF.length - position;
    position = lineEnd + CRLF.length;
    if (size === 0) {
      // The last chunk, (no trailers) and the final CRLF.
      const finalEnd = Math.min(bytes.length, position + CRLF.length);
      framing += finalEnd - position;
      return { data, framing, end: finalEnd };
    }
    const dataEnd = Math.min(bytes.length, position + size);
    data += dataEnd - position;
    position = dataEnd;
    const crlfEnd = Math.min(bytes.length, position + CRLF.length);
    framing += crlfEnd - position;
    position = crlfEnd;
    if (position >= bytes.length) return { data, framing, end: position };
  }
}

export function parseRequests(bytes: Buffer): HttpMessageBytes[] {
  const messages: HttpMessageBytes[] = [];
  let at = 0;
  while (at < bytes.length) {
    const head = parseHead(bytes, at);
    if (head === null) throw new Error(`incomplete request head at byte ${at}`);
    const length = Number(head.headers.get('content-length') ?? '0');
    const bodyEnd = Math.min(bytes.length, head.end + length);
    const upgraded = head.headers.get('upgrade') !== undefined;
    messages.push({ startLine: head.startLine, headers: head.headers, headBytes: head.end - at, bodyBytes: bodyEnd - head.end, framingBytes: 0,
      ...(upgraded ? { upgradedBytes: bytes.subarray(bodyEnd) } : {}) });
    if (upgraded) break;
    at = bodyEnd;
  }
  return messages;
}

export function parseResponses(bytes: Buffer): HttpMessageBytes[] {
  const messages: HttpMessageBytes[] = [];
  let at = 0;
  while (at < bytes.length) {
    const head = parseHead(bytes, at);
    if (head === null) throw new Error(`incomplete response head at byte ${at}`);
    const status = Number(head.startLine.split(' ')[1]);
    const base = { startLine: head.startLine, headers: head.headers, headBytes: head.end - at };
    if (status === 101) {
      messages.push({ ...base, bodyBytes: 0, framingBytes: 0, upgradedBytes: bytes.subarray(head.end) });
      break;
    }
    if (status === 204 || status === 304) {
      messages.push({ ...base, bodyBytes: 0, framingBytes: 0 });
      at = head.end;
    } else if (head.headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
      const chunked = readChunked(bytes, head.end);
      messages.push({ ...base, bodyBytes: chunked.data, framingBytes: chunked.framing });
      at = chunked.end;
    } else if (head.headers.has('content-length')) {
      const end = Math.min(bytes.length, head.end + Number(head.headers.get('content-length')));
      messages.push({ ...base, bodyBytes: end - head.end, framingBytes: 0 });
      at = end;
    } else {
      // RFC 9112 §6.3 item 8: the body runs until the connection closes.
      messages.push({ ...base, bodyBytes: bytes.length - head.end, framingBytes: 0 });
      at = bytes.length;
    }
  }
  return messages;
}
