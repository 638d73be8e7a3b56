/**
 * Sec-WebSocket-Accept (RFC 6455 §1.3, §4.2.2 item 5.4): base64( SHA-1( key + GUID ) ).
 * The server proves it read this very handshake, so a cache or a non-WebSocket server cannot
 * accidentally "accept" (RFC 6455 §1.3, §10.3). It is not authentication.
 */
import { encodeBase64 } from '../base64.ts';
import { WEBSOCKET_GUID } from '../constants.ts';
import { toHex } from '../hex.ts';
import { sha1 } from '../sha1.ts';

const encoder = new TextEncoder();

/** Bytes of `key + GUID`. Keys are ASCII base64, so the fast path skips the UTF-8 encoder. */
function concatenatedBytes(concatenated: string): Uint8Array {
  const bytes = new Uint8Array(concatenated.length);
  for (let i = 0; i < concatenated.length; i++) {
    const code = concatenated.charCodeAt(i);
    if (code > 0x7f) return encoder.encode(concatenated);
    bytes[i] = code;
  }
  return bytes;
}

/** RFC 6455 §1.3: the Sec-WebSocket-Accept value for a Sec-WebSocket-Key (used as given, not decoded). */
export function computeAccept(key: string): string {
  return encodeBase64(sha1(concatenatedBytes(key + WEBSOCKET_GUID)));
}

/** Each step of the §1.3 computation, for the lab to show a learner with their browser's real key. */
export interface AcceptSteps {
  /** Sec-WebSocket-Key exactly as sent. */
  readonly key: string;
  /** key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11". */
  readonly concatenated: string;
  /** The 20-byte SHA-1 digest, in lowercase hex. */
  readonly sha1Hex: string;
  /** base64 of the digest: the Sec-WebSocket-Accept value. */
  readonly accept: string;
}

export function acceptSteps(key: string): AcceptSteps {
  const concatenated = key + WEBSOCKET_GUID;
  const digest = sha1(concatenatedBytes(concatenated));
  return { key, concatenated, sha1Hex: toHex(digest), accept: encodeBase64(digest) };
}
