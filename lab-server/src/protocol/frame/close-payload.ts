/**
 * The body of a close frame (RFC 6455 §5.5.1): empty, or a 2-byte big-endian status code followed by
 * a UTF-8 reason, 123 bytes at most so the whole payload fits a control frame.
 */
import {
  CLOSE_CODE_BYTES,
  CloseCode,
  FIRST_REGISTERED_CLOSE_CODE,
  LAST_PRIVATE_CLOSE_CODE,
  MAX_CLOSE_REASON_BYTES,
} from '../constants.ts';
import { decodeUtf8, encodeUtf8, isValidUtf8 } from '../utf8.ts';
import { violation, type ProtocolViolation } from '../violation.ts';

/**
 * True iff `code` may appear in a close frame on the wire (RFC 6455 §7.4.1, §7.4.2 and the IANA
 * registry of §11.7): 1000-1003 and 1007-1014 are defined, 3000-4999 are for libraries and
 * applications. 1004 is reserved, 1005, 1006 and 1015 must never be sent (they only report what
 * happened locally), 1016-2999 are reserved for future revisions.
 */
export function isValidCloseCode(code: number): boolean {
  return Number.isInteger(code) && (
    (code >= CloseCode.Normal && code <= CloseCode.UnsupportedData) ||
    (code >= CloseCode.InvalidPayloadData && code <= CloseCode.BadGateway) ||
    (code >= FIRST_REGISTERED_CLOSE_CODE && code <= LAST_PRIVATE_CLOSE_CODE)
  );
}

/**
 * The payload of a close frame this endpoint sends. No code gives an empty payload (a reason cannot be
 * sent without a code, RFC 6455 §5.5.1). Throws RangeError on a code that must not be sent or a
 * reason longer than 123 bytes of UTF-8: those are programming errors of the caller, not peer input.
 */
export function encodeClosePayload(code: number | undefined, reason = ''): Uint8Array {
  if (code === undefined) {
    if (reason !== '') throw new RangeError('a close reason needs a close code (RFC 6455 §5.5.1)');
    return new Uint8Array(0);
  }
  if (!isValidCloseCode(code)) {
    throw new RangeError(`close code ${code} may not be sent in a close frame (RFC 6455 §7.4)`);
  }
  const reasonBytes = encodeUtf8(reason);
  if (reasonBytes.length > MAX_CLOSE_REASON_BYTES) {
    throw new RangeError(
      `close reason is ${reasonBytes.length} bytes of UTF-8; at most ${MAX_CLOSE_REASON_BYTES} fit (RFC 6455 §5.5)`,
    );
  }
  const payload = new Uint8Array(CLOSE_CODE_BYTES + reasonBytes.length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.set(reasonBytes, CLOSE_CODE_BYTES);
  return payload;
}

/** The status code and reason of a received close frame, or the rule its payload breaks. */
export function parseClosePayload(payload: Uint8Array): { code: number; reason: string } | ProtocolViolation {
  if (payload.length === 0) return { code: CloseCode.NoStatusReceived, reason: '' }; // RFC 6455 §7.1.5
  if (payload.length < CLOSE_CODE_BYTES) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §5.5.1',
      'close payload of 1 byte: a status code needs 2 bytes');
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) {
    return violation(CloseCode.ProtocolError, 'RFC 6455 §7.4',
      `close code ${code} is not allowed on the wire (valid: 1000-1003, 1007-1014, 3000-4999)`);
  }
  const reasonBytes = payload.subarray(CLOSE_CODE_BYTES);
  if (!isValidUtf8(reasonBytes)) {
    return violation(CloseCode.InvalidPayloadData, 'RFC 6455 §5.5.1', 'close reason is not valid UTF-8');
  }
  return { code, reason: decodeUtf8(reasonBytes) };
}

/** Distinguishes the two results of parseClosePayload. */
export function isCloseViolation(
  result: { code: number; reason: string } | ProtocolViolation,
): result is ProtocolViolation {
  return 'closeCode' in result;
}
