/**
 * `/lab?session=ID&deflate=off`: the learner's choice to study a connection without permessage-deflate,
 * even when their browser offers it. The server then declines every offer (RFC 7692 §5: a server
 * declines by leaving the extension out of its response), and the `negotiated` report says why.
 */
import type { DeclinedOffer } from '../protocol/deflate/negotiate.ts';
import { isExtensionsSyntaxError, parseExtensionsHeader, PERMESSAGE_DEFLATE } from '../protocol/deflate/negotiate.ts';
import { headerValues } from '../protocol/handshake/headers.ts';
import type { HandshakeRequest } from '../protocol/handshake/types.ts';

/** The query parameter and its one accepted value. */
export const DEFLATE_PARAM = 'deflate';
export const DEFLATE_OFF = 'off';

/** Longest part of an unknown ?deflate= value quoted back in the 400. */
const MAX_QUOTED_VALUE_CHARS = 40;
const DECLINED_REASON = `permessage-deflate declined: the subject URL asked for ?${DEFLATE_PARAM}=${DEFLATE_OFF}`;

/** Whether the subject URL turns deflate off; a string is the one-line reason for a 400. */
export function deflateTurnedOff(url: URL): boolean | string {
  const value = url.searchParams.get(DEFLATE_PARAM);
  if (value === null) return false;
  if (value === DEFLATE_OFF) return true;
  return `unknown ${DEFLATE_PARAM}=${JSON.stringify(value.slice(0, MAX_QUOTED_VALUE_CHARS))}: use ${DEFLATE_PARAM}=${DEFLATE_OFF} to decline permessage-deflate, or leave it out`;
}

/** Every permessage-deflate offer of the request, as declined by the learner's ?deflate=off. */
export function offersDeclinedByChoice(request: HandshakeRequest): DeclinedOffer[] {
  const values = headerValues(request, 'Sec-WebSocket-Extensions');
  if (values.length === 0) return [];
  const extensions = parseExtensionsHeader(values);
  // Not negotiating, the server does not read the header (RFC 6455 §9.1): a malformed one is no refusal.
  if (isExtensionsSyntaxError(extensions)) return [];
  const declined: DeclinedOffer[] = [];
  extensions.forEach((offer, offerIndex) => {
    if (offer.name === PERMESSAGE_DEFLATE) declined.push({ offerIndex, reason: DECLINED_REASON, section: 'RFC 7692 §5' });
  });
  return declined;
}
