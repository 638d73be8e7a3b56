/**
 * What the close-code explorer shows (RFC 6455 §5.5.1, §7.4): the close codes of the core's CloseCode
 * constants with their meaning, who sends them and whether they may appear on the wire (the core's
 * isValidCloseCode decides); a close frame built by the core's encodeClosePayload and serializeFrame;
 * and the core's parseClosePayload verdict on pasted bytes. Pure and DOM-free.
 */
import { CloseCode, MAX_CLOSE_REASON_BYTES, Opcode } from '../../lab-server/src/protocol/constants.ts';
import { encodeClosePayload, isCloseViolation, isValidCloseCode, parseClosePayload } from '../../lab-server/src/protocol/frame/close-payload.ts';
import { describeFrame } from '../../lab-server/src/protocol/frame/record.ts';
import { serializeFrame } from '../../lab-server/src/protocol/frame/serializer.ts';
import type { Direction, FrameRecord } from '../../lab-server/src/protocol/frame/types.ts';
import { encodeUtf8 } from '../../lab-server/src/protocol/utf8.ts';
import type { ProtocolViolation } from '../../lab-server/src/protocol/violation.ts';
import { parseBytesInput } from './bytes-input.ts';

export type CloseCodeName = keyof typeof CloseCode;

export interface CloseCodeInfo {
  readonly name: CloseCodeName;
  readonly code: number;
  readonly meaning: string;
  readonly sentBy: string;
  /** False for the codes that only report locally what happened (1005, 1006, 1015). */
  readonly onWire: boolean;
}

const DESCRIPTIONS: Record<CloseCodeName, { readonly meaning: string; readonly sentBy: string }> = {
  Normal: { meaning: 'Normal closure: the purpose of the connection is fulfilled.', sentBy: 'Either endpoint' },
  GoingAway: { meaning: 'Going away: a server shutting down, or a browser leaving the page.', sentBy: 'Either endpoint' },
  ProtocolError: { meaning: 'Protocol error: the peer broke a rule of RFC 6455 (unmasked client frame, bad opcode, ...).', sentBy: 'The endpoint that saw the error' },
  UnsupportedData: { meaning: 'Unsupported data: a type of message this endpoint cannot accept (e.g. binary to a text-only endpoint).', sentBy: 'The receiver of the message' },
  NoStatusReceived: { meaning: 'No status received: the close frame had an empty payload. Reported to the application, never sent.', sentBy: 'Nobody (local report)' },
  AbnormalClosure: { meaning: 'Abnormal closure: the connection dropped without a close frame. Reported to the application, never sent.', sentBy: 'Nobody (local report)' },
  InvalidPayloadData: { meaning: 'Invalid payload data: data not consistent with the message type, such as invalid UTF-8 in a text message.', sentBy: 'The receiver of the data' },
  PolicyViolation: { meaning: 'Policy violation: a generic refusal when no more specific code fits (e.g. a forbidden message).', sentBy: 'Usually the server' },
  MessageTooBig: { meaning: 'Message too big to process.', sentBy: 'The receiver of the message' },
  MandatoryExtension: { meaning: 'Mandatory extension: the server did not negotiate an extension the client requires.', sentBy: 'The client only' },
  InternalError: { meaning: 'Internal error: an unexpected condition stopped the server from fulfilling the request.', sentBy: 'The server' },
  ServiceRestart: { meaning: 'Service restart: the server is restarting; reconnect with a delay (IANA registry).', sentBy: 'The server' },
  TryAgainLater: { meaning: 'Try again later: the server is overloaded (IANA registry).', sentBy: 'The server' },
  BadGateway: { meaning: 'Bad gateway: a gateway or proxy got an invalid answer from upstream (IANA registry).', sentBy: 'A gateway or proxy' },
  TlsHandshake: { meaning: 'TLS handshake failure. Reported to the application, never sent.', sentBy: 'Nobody (local report)' },
};

/** Every named close code, in numeric order. */
export const CLOSE_CODES: readonly CloseCodeInfo[] = (Object.entries(CloseCode) as [CloseCodeName, number][])
  .map(([name, code]) => ({ name, code, ...DESCRIPTIONS[name], onWire: isValidCloseCode(code) }))
  .sort((a, b) => a.code - b.code);

/** The verdict on a number typed as a close code (including unnamed ones such as 1004, 2999, 4000). */
export function classifyCloseCode(code: number): { readonly onWire: boolean; readonly note: string } {
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) return { onWire: false, note: 'Not a 16-bit unsigned integer: a close code is two bytes.' };
  if (code < CloseCode.Normal) return { onWire: false, note: '0-999 are not used (RFC 6455 §7.4.2).' };
  if (code === 1004) return { onWire: false, note: '1004 is reserved; its meaning may be defined in the future (RFC 6455 §7.4.1).' };
  const named = CLOSE_CODES.find((info) => info.code === code);
  if (named !== undefined) return { onWire: named.onWire, note: named.meaning };
  if (code < 3000) return { onWire: false, note: '1016-2999 are reserved for future revisions of the protocol (RFC 6455 §7.4.2).' };
  if (code < 4000) return { onWire: true, note: '3000-3999: for libraries, frameworks and applications, registered with IANA (RFC 6455 §7.4.2).' };
  if (code < 5000) return { onWire: true, note: '4000-4999: private use, agreed between the two applications (RFC 6455 §7.4.2).' };
  return { onWire: false, note: '5000 and above are not defined (RFC 6455 §7.4.2).' };
}

export type BuiltCloseFrame =
  | { readonly ok: true; readonly payload: Uint8Array; readonly frame: Uint8Array; readonly record: FrameRecord; readonly reasonBytes: number }
  | { readonly ok: false; readonly error: string };

/**
 * A close frame for `code` and `reason`, as the core writes it: unmasked from a server, masked with
 * `maskingKey` from a client. The core refuses codes that may not be sent and reasons over 123 bytes.
 */
export function buildCloseFrame(code: number | undefined, reason: string, direction: Direction, maskingKey: Uint8Array): BuiltCloseFrame {
  let payload: Uint8Array;
  try {
    payload = encodeClosePayload(code, reason);
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const masked = direction === 'client-to-server';
  const frame = serializeFrame({ fin: true, opcode: Opcode.Close, payload, maskingKey: masked ? maskingKey : null });
  const record = describeFrame(frame, direction, 0, 0, frame.length);
  return { ok: true, payload, frame, record, reasonBytes: encodeUtf8(reason).length };
}

export const MAX_REASON_BYTES = MAX_CLOSE_REASON_BYTES;

export type CloseVerdict =
  | { readonly kind: 'input-error'; readonly error: string }
  | { readonly kind: 'ok'; readonly code: number; readonly reason: string; readonly empty: boolean; readonly payloadLength: number }
  | { readonly kind: 'violation'; readonly violation: ProtocolViolation; readonly payloadLength: number };

/** parseClosePayload's verdict on a pasted close payload (the body of the close frame, unmasked). */
export function checkClosePayload(text: string): CloseVerdict {
  if (text.trim() === '') {
    const result = parseClosePayload(new Uint8Array(0));
    return isCloseViolation(result)
      ? { kind: 'violation', violation: result, payloadLength: 0 }
      : { kind: 'ok', code: result.code, reason: result.reason, empty: true, payloadLength: 0 };
  }
  const input = parseBytesInput(text, 'hex');
  if (!input.ok) return { kind: 'input-error', error: input.error };
  const result = parseClosePayload(input.bytes);
  if (isCloseViolation(result)) return { kind: 'violation', violation: result, payloadLength: input.bytes.length };
  return { kind: 'ok', code: result.code, reason: result.reason, empty: false, payloadLength: input.bytes.length };
}
