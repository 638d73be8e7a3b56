import type { CloseCode } from './constants.ts';

/**
 * A broken protocol rule, as a value. The same object produces the close frame a server sends, the
 * one-line log entry, and the learner's explanation in a visualizer (see STYLE.md: errors are values).
 */
export interface ProtocolViolation {
  /** The close code the failing endpoint sends (RFC 6455 §7.4.1), e.g. 1002, 1007, 1009. */
  readonly closeCode: CloseCode;
  /** One line, at most MAX_CLOSE_REASON_BYTES of UTF-8, so it fits the close frame as is. */
  readonly reason: string;
  /** Where the rule lives, e.g. "RFC 6455 §5.2" or "RFC 7692 §6.1". */
  readonly section: string;
  /** Byte offset in the connection's input stream where the violation was detected, when known. */
  readonly byteOffset?: number;
}

export function violation(
  closeCode: CloseCode,
  section: string,
  reason: string,
  byteOffset?: number,
): ProtocolViolation {
  return byteOffset === undefined ? { closeCode, section, reason } : { closeCode, section, reason, byteOffset };
}
