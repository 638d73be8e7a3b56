/**
 * The opening handshake as data (RFC 6455 §4). Heads keep every header line in order with its
 * original case and the raw text, because the lab shows a learner the request exactly as the
 * browser sent it.
 */

/** One header field as received: [field-name with its original case, field-value without OWS]. */
export type HeaderField = readonly [name: string, value: string];

/** An HTTP/1.1 message head (RFC 7230 §3): start line plus header fields. */
export interface HttpHead {
  /** The request line or status line, without its CRLF. */
  readonly startLine: string;
  /** Header fields in the order received (RFC 7230 §3.2.2: order matters for repeated fields). */
  readonly headers: ReadonlyArray<HeaderField>;
  /**
   * The text exactly as on the wire (each byte one char, ISO-8859-1, so nothing is lost).
   * For a response built by this module it is the complete response to write, body included.
   */
  readonly raw: string;
}

export interface HandshakeRequest extends HttpHead {
  readonly method: string;
  readonly target: string;
  /** "major.minor", e.g. "1.1" (the digits of RFC 7230 §2.6 HTTP-version). */
  readonly httpVersion: string;
}

export interface HandshakeResponse extends HttpHead {
  /** "major.minor", e.g. "1.1". */
  readonly httpVersion: string;
  readonly status: number;
  readonly statusText: string;
  /** Body text of a built error response (the one-line reason and "\n"); absent for a 101 or a parsed head. */
  readonly body?: string;
}

/**
 * Why a handshake (or a head) was refused. On the server, `status` and `headers` go into the HTTP
 * error response; on the client side `status` only classifies the failure.
 */
export interface HandshakeRejection {
  readonly status: number;
  /** One line naming the rule broken; sent as the response body. */
  readonly reason: string;
  /** Where the rule lives, e.g. "RFC 6455 §4.2.1". */
  readonly section: string;
  /** Extra response header fields, e.g. Allow for 405 or Sec-WebSocket-Version for 426. */
  readonly headers?: ReadonlyArray<HeaderField>;
}

export function isRejection(value: unknown): value is HandshakeRejection {
  return typeof value === 'object' && value !== null && 'reason' in value && 'section' in value && 'status' in value && !('startLine' in value);
}

export function rejection(
  status: number,
  section: string,
  reason: string,
  headers?: ReadonlyArray<HeaderField>,
): HandshakeRejection {
  return headers === undefined ? { status, section, reason } : { status, section, reason, headers };
}
