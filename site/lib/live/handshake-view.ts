/**
 * The opening handshake of one subject connection as the server saw it, from its reports: the request
 * head line by line (the headers a learner should look at marked), the accept computation for the real
 * key, and the response. Pure.
 */
import type { AcceptReport, HandshakeRequestReport, HandshakeResponseReport, NegotiatedReport } from '../../../lab-server/src/reports/lab-report-types.ts';
import type { SessionEvent } from './session-events.ts';
import { acceptSteps } from '../../../lab-server/src/protocol/handshake/accept.ts';
import { headerValues } from '../../../lab-server/src/protocol/handshake/headers.ts';
import { parseRequestHead, parseResponseHead } from '../../../lab-server/src/protocol/handshake/http-head.ts';
import { isRejection } from '../../../lab-server/src/protocol/handshake/types.ts';

export interface HeadLine {
  readonly text: string;
  /** Why this line matters, when it does; the page highlights these. */
  readonly note: string | null;
}

export interface SubjectHandshake {
  readonly subject: number;
  readonly request: HandshakeRequestReport | null;
  readonly accept: AcceptReport | null;
  readonly response: HandshakeResponseReport | null;
  readonly negotiated: NegotiatedReport | null;
  /**
   * Relayed connections (--inspect): the Sec-WebSocket-Accept the application's server sent, when it is
   * not the one RFC 6455 §4.2.2 requires for the app's key (the app will fail the connection, §4.1).
   */
  readonly acceptMismatch: { readonly sent: string; readonly expected: string } | null;
}

/** The header fields a learner checks in a WebSocket request (RFC 6455 §4.1), with why. */
const NOTES: Readonly<Record<string, string>> = {
  origin: 'The page that opened the socket; a server may refuse pages it does not trust (RFC 6455 §10.2)',
  'sec-websocket-key': '16 random bytes in base64; the server proves it read them (RFC 6455 §4.1)',
  'sec-websocket-extensions': 'Extensions offered or accepted, here permessage-deflate (RFC 7692 §5)',
  'sec-websocket-version': 'Must be 13 (RFC 6455 §4.1)',
  'sec-websocket-accept': 'base64(SHA-1(key + GUID)), computed below (RFC 6455 §4.2.2)',
};

/** The head's lines in order, as received (the final empty line is dropped; CR LF ends every line). */
export function headLines(raw: string): HeadLine[] {
  const lines = raw.split('\r\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((text) => {
    const colon = text.indexOf(':');
    const name = colon > 0 ? text.slice(0, colon).trim().toLowerCase() : '';
    return { text, note: NOTES[name] ?? null };
  });
}

/**
 * The handshake of `subject`, or of the most recent subject when absent. `relayed` picks the connections
 * relayed by --inspect instead of the page's own. The lab server computes the accept steps only for
 * connections it answers itself; for a relayed one they are computed here from the app's key, with the
 * core's own acceptSteps, so the developer can check what their server answered.
 */
export function subjectHandshake(events: readonly SessionEvent[], subject?: number, relayed = false): SubjectHandshake | null {
  const isRelayed = (event: SessionEvent): boolean => 'relay' in event && event.relay === true;
  let chosen = subject;
  if (chosen === undefined) {
    for (let i = events.length - 1; i >= 0; i--) {
      const event = events[i]!;
      if (event.type === 'handshake-request' && isRelayed(event) === relayed) {
        chosen = event.subject;
        break;
      }
    }
  }
  if (chosen === undefined) return null;
  let request: HandshakeRequestReport | null = null;
  let accept: AcceptReport | null = null;
  let response: HandshakeResponseReport | null = null;
  let negotiated: NegotiatedReport | null = null;
  for (const event of events) {
    if (!('subject' in event) || event.subject !== chosen || isRelayed(event) !== relayed) continue;
    if (event.type === 'handshake-request') request = event;
    else if (event.type === 'accept') accept = event;
    else if (event.type === 'handshake-response') response = event;
    else if (event.type === 'negotiated') negotiated = event;
  }
  let acceptMismatch: SubjectHandshake['acceptMismatch'] = null;
  if (relayed && request !== null) {
    const key = headerValue(request.raw, 'sec-websocket-key', parseRequestHead);
    if (key !== null && accept === null) accept = { type: 'accept', t: request.t, subject: chosen, relay: true, ...acceptSteps(key) };
    const sent = response === null || response.status !== SWITCHING_PROTOCOLS ? null : headerValue(response.raw, 'sec-websocket-accept', parseResponseHead);
    if (accept !== null && sent !== null && sent !== accept.accept) acceptMismatch = { sent, expected: accept.accept };
  }
  return { subject: chosen, request, accept, response, negotiated, acceptMismatch };
}

const SWITCHING_PROTOCOLS = 101;

/** The first value of a header field in a reported head, read by the core's own head parser; null if absent. */
function headerValue(raw: string, name: string, parse: typeof parseRequestHead | typeof parseResponseHead): string | null {
  // A reported head may carry a body (a refusal's one-line reason) after its empty line.
  const head = parse(raw.split(HEAD_END)[0]! + HEAD_END);
  return isRejection(head) ? null : headerValues(head, name)[0] ?? null;
}

const HEAD_END = '\r\n\r\n';
