/**
 * permessage-deflate negotiation (RFC 7692 §5 and §7.1) for both roles, on top of the
 * Sec-WebSocket-Extensions parser. The results are DeflateParameters (deflate/codec.ts), which
 * the host turns into a MessageCompressor.
 *
 * One constraint is not in the RFC but in zlib: raw DEFLATE cannot be *compressed* with an 8-bit
 * window (zlib silently uses 9, and a peer inflating with 256 bytes of window would then read
 * distances it does not have). So this endpoint never agrees to compress with window bits 8: the
 * server declines an offer demanding server_max_window_bits=8 (the client may have sent a fallback
 * offer, RFC 7692 §7.1.3), and policies cannot ask for it. Inflating with 8 is fine (zlib uses a
 * larger window, which is always safe), so a server accepts client_max_window_bits=8; a client
 * fails a response asking it to compress with 8 (RFC 7692 §7.1: a configuration it cannot support).
 */
import { MAX_WINDOW_BITS, MIN_WINDOW_BITS } from '../constants.ts';
import type { DeflateParameters } from './codec.ts';
import { DeflateParam, PERMESSAGE_DEFLATE, isDeflateParamError, readDeflateParams } from './deflate-params.ts';
import { formatExtension } from './extensions-header.ts';
import type { ExtensionElement, ExtensionParam } from './extensions-header.ts';

export { formatExtension, isExtensionsSyntaxError, parseExtensionsHeader } from './extensions-header.ts';
export type { ExtensionElement, ExtensionParam, ExtensionsSyntaxError } from './extensions-header.ts';
export { DeflateParam, PERMESSAGE_DEFLATE, parseWindowBits } from './deflate-params.ts';

/** The smallest window this endpoint can compress with (see the module comment). */
export const MIN_COMPRESS_WINDOW_BITS = 9;

/** What a server is willing to agree to. Absent fields accept what the client asks. */
export interface DeflateServerPolicy {
  /** Always reset the server's compression context per message (RFC 7692 §7.1.1.1). */
  readonly serverNoContextTakeover?: boolean;
  /** Ask the client to reset its context per message (RFC 7692 §7.1.1.2). */
  readonly clientNoContextTakeover?: boolean;
  /** Largest window the server compresses with, 9-15 (RFC 7692 §7.1.2.1; 8 is not supported). */
  readonly serverMaxWindowBits?: number;
  /** Largest window the client may compress with, 8-15; sent only when the client allows it (§7.1.2.2). */
  readonly clientMaxWindowBits?: number;
}

export interface DeflateAgreement {
  readonly parameters: DeflateParameters;
  /** The Sec-WebSocket-Extensions value of the response, e.g. "permessage-deflate; server_max_window_bits=10". */
  readonly responseHeader: string;
  /** Index, among all elements of the request's header, of the offer accepted. */
  readonly offerIndex: number;
}

/** An offer the server turned down, with the rule, so the lab can say why. */
export interface DeclinedOffer {
  readonly offerIndex: number;
  readonly reason: string;
  readonly section: string;
}

export interface DeflateServerNegotiation {
  readonly accepted: DeflateAgreement | null;
  readonly declined: readonly DeclinedOffer[];
}

function checkBits(value: number | undefined, min: number, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > MAX_WINDOW_BITS)) {
    throw new RangeError(`${name} must be an integer from ${min} to ${MAX_WINDOW_BITS}`);
  }
}

/**
 * Server side (RFC 7692 §5.1, §7.1): walks the client's permessage-deflate offers in the client's
 * preference order and accepts the first one that is valid and supported, applying `policy`.
 * Other extensions in the list are ignored (not accepted).
 */
export function negotiateDeflateAsServer(
  extensions: readonly ExtensionElement[],
  policy: DeflateServerPolicy = {},
): DeflateServerNegotiation {
  checkBits(policy.serverMaxWindowBits, MIN_COMPRESS_WINDOW_BITS, 'serverMaxWindowBits');
  checkBits(policy.clientMaxWindowBits, MIN_WINDOW_BITS, 'clientMaxWindowBits');
  const declined: DeclinedOffer[] = [];
  for (let offerIndex = 0; offerIndex < extensions.length; offerIndex++) {
    const offer = extensions[offerIndex]!;
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    const values = readDeflateParams(offer, 'offer');
    if (isDeflateParamError(values)) {
      // RFC 7692 §7.1: a server MUST decline an offer with unknown, repeated or invalid parameters.
      declined.push({ offerIndex, reason: values.reason, section: values.section });
      continue;
    }
    if (values.serverMaxWindowBits !== undefined && values.serverMaxWindowBits < MIN_COMPRESS_WINDOW_BITS) {
      declined.push({
        offerIndex,
        reason: 'permessage-deflate: server_max_window_bits=8 is not supported (zlib cannot compress with an 8-bit window)',
        section: 'RFC 7692 §7.1.2.1',
      });
      continue;
    }
    const params: ExtensionParam[] = [];
    // RFC 7692 §7.1.1.1: accepting an offer with server_no_context_takeover means echoing it; the
    // server may also add it on its own.
    const serverNoContextTakeover = values.serverNoContextTakeover || policy.serverNoContextTakeover === true;
    if (serverNoContextTakeover) params.push({ name: DeflateParam.ServerNoContextTakeover, value: null });
    // RFC 7692 §7.1.1.2: an offered client_no_context_takeover is the client's promise either way;
    // the server may add it to require the client to reset its context.
    const clientNoContextTakeover = values.clientNoContextTakeover || policy.clientNoContextTakeover === true;
    if (clientNoContextTakeover) params.push({ name: DeflateParam.ClientNoContextTakeover, value: null });
    // RFC 7692 §7.1.2.1: an offered server_max_window_bits must be answered with the same or a
    // smaller value; without one, the server may still announce a smaller window of its own.
    let serverMaxWindowBits = MAX_WINDOW_BITS;
    if (values.serverMaxWindowBits !== undefined) {
      serverMaxWindowBits = Math.min(values.serverMaxWindowBits, policy.serverMaxWindowBits ?? MAX_WINDOW_BITS);
      params.push({ name: DeflateParam.ServerMaxWindowBits, value: String(serverMaxWindowBits) });
    } else if (policy.serverMaxWindowBits !== undefined && policy.serverMaxWindowBits < MAX_WINDOW_BITS) {
      serverMaxWindowBits = policy.serverMaxWindowBits;
      params.push({ name: DeflateParam.ServerMaxWindowBits, value: String(serverMaxWindowBits) });
    }
    // RFC 7692 §7.1.2.2: client_max_window_bits may appear in the response only if offered; an
    // offered value already binds the client, so the response only matters to lower it further.
    let clientMaxWindowBits = MAX_WINDOW_BITS;
    if (values.clientMaxWindowBits !== undefined) {
      const offered = values.clientMaxWindowBits === true ? MAX_WINDOW_BITS : values.clientMaxWindowBits;
      clientMaxWindowBits = Math.min(offered, policy.clientMaxWindowBits ?? MAX_WINDOW_BITS);
      if (policy.clientMaxWindowBits !== undefined) {
        params.push({ name: DeflateParam.ClientMaxWindowBits, value: String(clientMaxWindowBits) });
      }
    }
    const parameters: DeflateParameters = { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits };
    const responseHeader = formatExtension({ name: PERMESSAGE_DEFLATE, params });
    return { accepted: { parameters, responseHeader, offerIndex }, declined };
  }
  return { accepted: null, declined };
}

/** What a client offers. `clientMaxWindowBits: true` sends the parameter without a value. */
export interface DeflateClientOffer {
  readonly serverNoContextTakeover?: boolean;
  readonly clientNoContextTakeover?: boolean;
  /** 8-15: the largest window the server may compress with (servers on zlib decline 8). */
  readonly serverMaxWindowBits?: number;
  /** 9-15 (we compress, so never 8), or true for the parameter without a value. */
  readonly clientMaxWindowBits?: number | boolean;
}

/**
 * The offer browsers make: permessage-deflate with client_max_window_bits and no value, which
 * tells the server it may limit the client's window (RFC 7692 §7.1.2.2).
 */
export const DEFAULT_DEFLATE_OFFER: DeflateClientOffer = { clientMaxWindowBits: true };

/** The Sec-WebSocket-Extensions value of an offer. */
export function formatDeflateOffer(offer: DeflateClientOffer = DEFAULT_DEFLATE_OFFER): string {
  checkBits(offer.serverMaxWindowBits, MIN_WINDOW_BITS, 'serverMaxWindowBits');
  if (typeof offer.clientMaxWindowBits === 'number') {
    checkBits(offer.clientMaxWindowBits, MIN_COMPRESS_WINDOW_BITS, 'clientMaxWindowBits');
  }
  const params: ExtensionParam[] = [];
  if (offer.serverNoContextTakeover === true) params.push({ name: DeflateParam.ServerNoContextTakeover, value: null });
  if (offer.clientNoContextTakeover === true) params.push({ name: DeflateParam.ClientNoContextTakeover, value: null });
  if (offer.serverMaxWindowBits !== undefined) {
    params.push({ name: DeflateParam.ServerMaxWindowBits, value: String(offer.serverMaxWindowBits) });
  }
  if (offer.clientMaxWindowBits === true) params.push({ name: DeflateParam.ClientMaxWindowBits, value: null });
  else if (typeof offer.clientMaxWindowBits === 'number') {
    params.push({ name: DeflateParam.ClientMaxWindowBits, value: String(offer.clientMaxWindowBits) });
  }
  return formatExtension({ name: PERMESSAGE_DEFLATE, params });
}

export type DeflateClientResult =
  | { readonly ok: true; readonly parameters: DeflateParameters }
  | { readonly ok: false; readonly reason: string; readonly section: string };

/**
 * Client side (RFC 7692 §7.1): checks the server's permessage-deflate element against our offer
 * and turns it into DeflateParameters. The client MUST fail the connection on a parameter not
 * defined for responses, an invalid or repeated one, or a configuration it cannot honour.
 */
export function acceptDeflateResponse(element: ExtensionElement, offer: DeflateClientOffer = DEFAULT_DEFLATE_OFFER): DeflateClientResult {
  const values = readDeflateParams(element, 'response');
  if (isDeflateParamError(values)) return { ok: false, reason: values.reason, section: values.section };
  const offeredServerBits = offer.serverMaxWindowBits;
  if (offeredServerBits !== undefined && (values.serverMaxWindowBits ?? MAX_WINDOW_BITS) > offeredServerBits) {
    // §7.1.2.1: the server accepts our limit only by answering with the same or a smaller value.
    return {
      ok: false,
      reason: `permessage-deflate: we offered server_max_window_bits=${offeredServerBits}; the response must confirm it or go lower`,
      section: 'RFC 7692 §7.1.2.1',
    };
  }
  const offeredClientBits = offer.clientMaxWindowBits;
  const responseClientBits = values.clientMaxWindowBits === true ? undefined : values.clientMaxWindowBits;
  if (responseClientBits !== undefined) {
    if (offeredClientBits === undefined || offeredClientBits === false) {
      return {
        ok: false,
        reason: 'permessage-deflate: client_max_window_bits in a response requires it in the offer',
        section: 'RFC 7692 §7.1.2.2',
      };
    }
    if (responseClientBits < MIN_COMPRESS_WINDOW_BITS) {
      // §7.1: a client fails the connection on a configuration it does not support.
      return {
        ok: false,
        reason: 'permessage-deflate: client_max_window_bits=8 is not supported (zlib cannot compress with an 8-bit window)',
        section: 'RFC 7692 §7.1',
      };
    }
    if (typeof offeredClientBits === 'number' && responseClientBits > offeredClientBits) {
      return {
        ok: false,
        reason: `permessage-deflate: client_max_window_bits=${responseClientBits} exceeds the ${offeredClientBits} we offered`,
        section: 'RFC 7692 §7.1.2.2',
      };
    }
  }
  // server_no_context_takeover in a response is legal even if not offered (§7.1.1.1, erratum 4982),
  // and one we offered but the server left out still leaves a configuration we can inflate.
  const parameters: DeflateParameters = {
    serverNoContextTakeover: values.serverNoContextTakeover,
    clientNoContextTakeover: values.clientNoContextTakeover || offer.clientNoContextTakeover === true,
    serverMaxWindowBits: values.serverMaxWindowBits ?? MAX_WINDOW_BITS,
    clientMaxWindowBits: responseClientBits ?? (typeof offeredClientBits === 'number' ? offeredClientBits : MAX_WINDOW_BITS),
  };
  return { ok: true, parameters };
}
