/**
 * What the masking visualizer shows (RFC 6455 §5.3): the payload, the masking key repeated under it,
 * and the XOR, byte by byte. The masked bytes come from the core's maskCopy, the same code the lab
 * server masks and unmasks with; this module only lines the bytes up for display. Pure and DOM-free.
 */
import { MASKING_KEY_BYTES } from '../../lab-server/src/protocol/constants.ts';
import { maskCopy } from '../../lab-server/src/protocol/frame/mask.ts';
import { encodeUtf8 } from '../../lab-server/src/protocol/utf8.ts';
import { parseHex } from './bytes-input.ts';

export type PayloadMode = 'text' | 'hex';

/** The visualizer draws one column per byte: beyond this, the table would teach nothing more. */
export const MAX_MASKING_PAYLOAD = 64;

export type BytesResult = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly error: string };

/** The payload as typed: UTF-8 of the text, or hex bytes. */
export function parsePayload(text: string, mode: PayloadMode): BytesResult {
  if (mode === 'text') {
    const bytes = encodeUtf8(text);
    if (bytes.length > MAX_MASKING_PAYLOAD) return { ok: false, error: `That is ${bytes.length} bytes of UTF-8; the table shows at most ${MAX_MASKING_PAYLOAD}.` };
    return { ok: true, bytes };
  }
  if (text.trim() === '') return { ok: true, bytes: new Uint8Array(0) };
  const result = parseHex(text);
  if (!result.ok) return { ok: false, error: result.error };
  if (result.bytes.length > MAX_MASKING_PAYLOAD) return { ok: false, error: `That is ${result.bytes.length} bytes; the table shows at most ${MAX_MASKING_PAYLOAD}.` };
  return { ok: true, bytes: result.bytes };
}

/** A masking key: exactly 4 bytes of hex ("37 fa 21 3d", "37fa213d", "0x37fa213d"). */
export function parseMaskingKey(text: string): BytesResult {
  const result = parseHex(text.replace(/^\s*0x(?=[0-9a-f]{8}\s*$)/i, ''));
  if (!result.ok) return { ok: false, error: result.error };
  if (result.bytes.length !== MASKING_KEY_BYTES) {
    return { ok: false, error: `A masking key is exactly ${MASKING_KEY_BYTES} bytes (32 bits, RFC 6455 §5.3); this is ${result.bytes.length}.` };
  }
  return { ok: true, bytes: result.bytes };
}

export interface MaskingColumn {
  /** Position i in the payload. */
  readonly index: number;
  /** i mod 4: which key byte masks it. */
  readonly keyIndex: number;
  readonly payload: number;
  readonly key: number;
  readonly masked: number;
}

export interface MaskingView {
  readonly columns: readonly MaskingColumn[];
  readonly masked: Uint8Array;
  /** The masked bytes masked again with the same key: the payload, since XOR undoes itself. */
  readonly unmaskedAgain: Uint8Array;
  readonly roundTrips: boolean;
}

export function maskingView(payload: Uint8Array, maskingKey: Uint8Array): MaskingView {
  const masked = maskCopy(payload, maskingKey);
  const unmaskedAgain = maskCopy(masked, maskingKey);
  const columns = Array.from(payload, (byte, index) => ({
    index,
    keyIndex: index % MASKING_KEY_BYTES,
    payload: byte,
    key: maskingKey[index % MASKING_KEY_BYTES]!,
    masked: masked[index]!,
  }));
  const roundTrips = unmaskedAgain.length === payload.length && unmaskedAgain.every((byte, index) => byte === payload[index]);
  return { columns, masked, unmaskedAgain, roundTrips };
}

/** "0100 1000": eight bits in two nibbles, the way XOR is worked by hand. */
export function binaryByte(byte: number): string {
  const bits = byte.toString(2).padStart(8, '0');
  return `${bits.slice(0, 4)} ${bits.slice(4)}`;
}

/** A printable rendering of one byte, or a middle dot for bytes that are not printable ASCII. */
export function asciiByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '·';
}
