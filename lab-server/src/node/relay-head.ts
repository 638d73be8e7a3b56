/**
 * The opening handshake as the relay (--inspect) forwards it: the app's request head goes to the
 * target with only the request-target and Host rewritten, so everything else (Sec-WebSocket-Key,
 * Origin, extension and subprotocol offers) is negotiated end to end between the app and the target.
 */
import { isExtensionsSyntaxError, parseExtensionsHeader, PERMESSAGE_DEFLATE } from '../protocol/deflate/negotiate.ts';
import { isDeflateParamError, readDeflateParams } from '../protocol/deflate/deflate-params.ts';
import type { DeflateParameters } from '../protocol/deflate/codec.ts';
import { MAX_WINDOW_BITS } from '../protocol/constants.ts';
import { headerValues, sameFieldName } from '../protocol/handshake/headers.ts';
import type { HandshakeRequest, HandshakeResponse } from '../protocol/handshake/types.ts';
import type { InspectTarget } from './inspect-target.ts';

const CRLF = '\r\n';

/**
 * The request-target sent to the target (RFC 7230 §5.3.1 origin-form): the target's path and query;
 * when the target URL has no query, the app's query is kept, so an app can still pass parameters.
 */
export function forwardedRequestTarget(appTarget: string, target: InspectTarget): string {
  if (target.url.search !== '') return target.pathAndQuery;
  const hash = appTarget.indexOf('#');
  const withoutHash = hash < 0 ? appTarget : appTarget.slice(0, hash);
  const query = withoutHash.indexOf('?');
  return query < 0 ? target.pathAndQuery : `${target.pathAndQuery}${withoutHash.slice(query)}`;
}

/**
 * The app's head with the request-target replaced and every Host line's value set to the target's
 * authority (RFC 7230 §5.4); every other line byte for byte, in its order and case.
 */
export function forwardedRequestHead(request: HandshakeRequest, target: InspectTarget): string {
  let text = request.raw;
  // RFC 7230 §3.5: empty lines before the request line were ignored on the way in; they are not forwarded.
  while (text.startsWith(CRLF)) text = text.slice(CRLF.length);
  const lines = text.split(CRLF);
  const end = lines.indexOf('');
  const fieldLines = lines.slice(1, end < 0 ? lines.length : end);
  const version = request.startLine.slice(request.startLine.lastIndexOf(' ') + 1);
  let head = `${request.method} ${forwardedRequestTarget(request.target, target)} ${version}${CRLF}`;
  let hostSeen = false;
  for (const line of fieldLines) {
    const name = line.slice(0, line.indexOf(':'));
    if (sameFieldName(name, 'host')) {
      hostSeen = true;
      head += `${name}: ${target.authority}${CRLF}`;
    } else {
      head += `${line}${CRLF}`;
    }
  }
  // HTTP/1.1 requires Host (RFC 7230 §5.4); an app that left it out gets one for the target.
  if (!hostSeen) head = head.replace(CRLF, `${CRLF}Host: ${target.authority}${CRLF}`);
  return `${head}${CRLF}`;
}

export interface RelayNegotiation {
  readonly protocol: string | null;
  readonly extensions: string | null;
  /** null when permessage-deflate is not in force (or its response could not be read, see `deflateProblem`). */
  readonly deflate: DeflateParameters | null;
  /** Why a permessage-deflate response could not be read: the app will most likely fail the connection. */
  readonly deflateProblem: string | null;
}

/**
 * What the target's 101 put in force (RFC 6455 §4.2.2, RFC 7692 §7.1), read with the core's parsers.
 * The relay only needs to know how each direction is compressed; judging the response is the app's job.
 */
export function readNegotiation(response: HandshakeResponse): RelayNegotiation {
  const protocol = headerValues(response, 'sec-websocket-protocol')[0] ?? null;
  const extensionValues = headerValues(response, 'sec-websocket-extensions');
  const extensions = extensionValues.length === 0 ? null : extensionValues.join(', ');
  const none = { protocol, extensions, deflate: null };
  if (extensions === null) return { ...none, deflateProblem: null };
  const elements = parseExtensionsHeader(extensionValues);
  if (isExtensionsSyntaxError(elements)) return { ...none, deflateProblem: elements.reason };
  const element = elements.find((candidate) => candidate.name === PERMESSAGE_DEFLATE);
  if (element === undefined) return { ...none, deflateProblem: null };
  const values = readDeflateParams(element, 'response');
  if (isDeflateParamError(values)) return { ...none, deflateProblem: values.reason };
  const deflate: DeflateParameters = {
    serverNoContextTakeover: values.serverNoContextTakeover,
    clientNoContextTakeover: values.clientNoContextTakeover,
    serverMaxWindowBits: values.serverMaxWindowBits ?? MAX_WINDOW_BITS,
    clientMaxWindowBits: values.clientMaxWindowBits === true || values.clientMaxWindowBits === undefined ? MAX_WINDOW_BITS : values.clientMaxWindowBits,
  };
  return { protocol, extensions, deflate, deflateProblem: null };
}
