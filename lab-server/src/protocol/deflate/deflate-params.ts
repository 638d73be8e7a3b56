/**
 * The permessage-deflate extension parameters of RFC 7692 §7.1, read from one extension element
 * with the checks both roles share: known names only, each at most once, legal values.
 */
import { MAX_WINDOW_BITS, MIN_WINDOW_BITS } from '../constants.ts';
import type { ExtensionElement } from './extensions-header.ts';

/** RFC 7692 §7: the registered extension name. */
export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** RFC 7692 §7.1.1 and §7.1.2: the four parameter names. */
export const DeflateParam = {
  ServerNoContextTakeover: 'server_no_context_takeover',
  ClientNoContextTakeover: 'client_no_context_takeover',
  ServerMaxWindowBits: 'server_max_window_bits',
  ClientMaxWindowBits: 'client_max_window_bits',
} as const;

/** The parameters as found in one element; absent ones are undefined. */
export interface DeflateParamValues {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number | undefined;
  /** true when present without a value (legal only in an offer, RFC 7692 §7.1.2.2). */
  readonly clientMaxWindowBits: number | true | undefined;
}

export interface DeflateParamError {
  readonly reason: string;
  readonly section: string;
}

/**
 * RFC 7692 §7.1.2.1/§7.1.2.2: a window size is a decimal integer 8-15 "without leading zeroes";
 * a quoted value was already unescaped by the header parser.
 */
export function parseWindowBits(value: string): number | null {
  if (!/^[1-9][0-9]?$/.test(value)) return null;
  const bits = Number(value);
  return bits >= MIN_WINDOW_BITS && bits <= MAX_WINDOW_BITS ? bits : null;
}

/**
 * Reads the parameters of one permessage-deflate element. `context` selects the one rule that
 * differs: client_max_window_bits may lack a value in an offer, but not in a response.
 */
export function readDeflateParams(element: ExtensionElement, context: 'offer' | 'response'): DeflateParamValues | DeflateParamError {
  let serverNoContextTakeover = false;
  let clientNoContextTakeover = false;
  let serverMaxWindowBits: number | undefined;
  let clientMaxWindowBits: number | true | undefined;
  const seen = new Set<string>();
  for (const { name, value } of element.params) {
    // RFC 7692 §7.1: "multiple extension parameters with the same name" make the element invalid.
    if (seen.has(name)) return fail(`${name} appears more than once`, 'RFC 7692 §7.1');
    seen.add(name);
    switch (name) {
      case DeflateParam.ServerNoContextTakeover:
      case DeflateParam.ClientNoContextTakeover:
        if (value !== null) return fail(`${name} must not have a value`, 'RFC 7692 §7.1.1');
        if (name === DeflateParam.ServerNoContextTakeover) serverNoContextTakeover = true;
        else clientNoContextTakeover = true;
        break;
      case DeflateParam.ServerMaxWindowBits: {
        const bits = value === null ? null : parseWindowBits(value);
        if (bits === null) return fail(`${name} must be an integer from 8 to 15`, 'RFC 7692 §7.1.2.1');
        serverMaxWindowBits = bits;
        break;
      }
      case DeflateParam.ClientMaxWindowBits: {
        if (value === null) {
          if (context === 'response') return fail(`${name} in a response must have a value`, 'RFC 7692 §7.1.2.2');
          clientMaxWindowBits = true;
          break;
        }
        const bits = parseWindowBits(value);
        if (bits === null) return fail(`${name} must be an integer from 8 to 15`, 'RFC 7692 §7.1.2.2');
        clientMaxWindowBits = bits;
        break;
      }
      default:
        return fail(`unknown parameter ${name}`, 'RFC 7692 §7.1');
    }
  }
  return { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits };
}

export function isDeflateParamError(value: DeflateParamValues | DeflateParamError): value is DeflateParamError {
  return 'reason' in value;
}

function fail(reason: string, section: string): DeflateParamError {
  // Parameter names come from the peer: keep the one-line reason short and printable.
  return { reason: `permessage-deflate: ${reason.length > 100 ? `${reason.slice(0, 97)}...` : reason}`, section };
}
