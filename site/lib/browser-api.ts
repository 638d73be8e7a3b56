/**
 * Lesson 12: the small pure parts of the browser API playground: readyState names, where the lab
 * server's /echo is, and how a message event's data is described (string, Blob or ArrayBuffer,
 * depending on binaryType).
 */

/** WebSocket.readyState values (WHATWG WebSockets Standard): the numbers a page sees. */
export const READY_STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const;

export function readyStateName(state: number): string {
  return `${state} ${READY_STATES[state] ?? 'unknown'}`;
}

/**
 * The /echo URL on this origin, or null when this is a static copy under a base path (the lab
 * server serves the site at "/", so a base path means no lab server behind it).
 */
export function echoUrl(location: { protocol: string; host: string }, baseUrl: string): string | null {
  if (baseUrl.replace(/\/$/, '') !== '') return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/echo`;
}

/** What a message event's data is, as a learner should read it. */
export function describeData(data: unknown): string {
  if (typeof data === 'string') {
    const preview = data.length > 40 ? `${data.slice(0, 40)}…` : data;
    return `string (text message, ${data.length} characters): "${preview}"`;
  }
  if (typeof Blob !== 'undefined' && data instanceof Blob) return `Blob of ${data.size.toLocaleString('en')} bytes (binaryType "blob"): read it with await data.arrayBuffer()`;
  if (data instanceof ArrayBuffer) return `ArrayBuffer of ${data.byteLength.toLocaleString('en')} bytes (binaryType "arraybuffer"): ready to wrap in a Uint8Array`;
  return `${Object.prototype.toString.call(data)}`;
}

/** A binary payload of `bytes` bytes with a recognisable pattern (0, 1, 2 … 255, 0, 1 …). */
export function patternBytes(bytes: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = i & 0xff;
  return data;
}

/** Close codes a page may pass to close(): 1000, or 3000-4999 (WHATWG; the others are the browser's own). */
export function isPageCloseCode(code: number): boolean {
  return code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999);
}
