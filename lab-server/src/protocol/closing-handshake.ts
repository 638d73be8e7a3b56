/**
 * The close frames the connection itself decides to send (RFC 6455 §5.5.1, §7.1.7), as values: the
 * payload to write and the 'closed' event that follows once it is written.
 */
import { CloseCode, MAX_CLOSE_REASON_BYTES } from './constants.ts';
import { encodeClosePayload, isValidCloseCode } from './frame/close-payload.ts';
import { encodeUtf8 } from './utf8.ts';
import type { ProtocolViolation } from './violation.ts';

export interface OwedClose {
  readonly payload: Uint8Array;
  /** The 'closed' event's fields. */
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/**
 * The answer to the peer's close (RFC 6455 §5.5.1): "typically echoing the status code it received".
 * An empty close (reported as 1005, which may not be sent) is answered with an empty one. The
 * connection's close code is the peer's (RFC 6455 §7.1.5).
 */
export function answerToClose(code: number, reason: string): OwedClose {
  return {
    payload: encodeClosePayload(code === CloseCode.NoStatusReceived ? undefined : code),
    code,
    reason,
    wasClean: true,
  };
}

/** _Fail the WebSocket Connection_ (RFC 6455 §7.1.7): a close frame with the violation's code and reason. */
export function closeForViolation(broken: ProtocolViolation): OwedClose {
  const code = isValidCloseCode(broken.closeCode) ? broken.closeCode : CloseCode.ProtocolError;
  return {
    payload: encodeClosePayload(code, fitReason(broken.reason)),
    code: broken.closeCode,
    reason: broken.reason,
    wasClean: false,
  };
}

/** A violation's reason is meant to fit a close frame; cut at a code point boundary if one does not. */
export function fitReason(reason: string): string {
  if (encodeUtf8(reason).length <= MAX_CLOSE_REASON_BYTES) return reason;
  let fitted = '';
  let bytes = 0;
  for (const codePoint of reason) {
    const size = encodeUtf8(codePoint).length;
    if (bytes + size > MAX_CLOSE_REASON_BYTES) break;
    fitted += codePoint;
    bytes += size;
  }
  return fitted;
}
