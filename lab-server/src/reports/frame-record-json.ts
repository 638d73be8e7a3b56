import type { FrameRecord } from '../protocol/frame/types.ts';
import type { ProtocolViolation } from '../protocol/violation.ts';
import { toHex } from '../protocol/hex.ts';
import { decodeUtf8 } from '../protocol/utf8.ts';

/**
 * JSON shapes of the /lab reports (documented in docs/lab-protocol.md). Byte arrays travel as
 * lowercase hex strings; everything else keeps the core's names so a script can reuse its code.
 * Pure TypeScript: the lab server and the browser's simulated session shape reports with this same code.
 */

export { fromHex, toHex } from '../protocol/hex.ts';

export interface FrameRecordJson {
  readonly direction: string;
  readonly index: number;
  readonly streamOffset: number;
  readonly header: string;
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly rsv2: boolean;
  readonly rsv3: boolean;
  readonly opcode: number;
  readonly opcodeName: string;
  readonly masked: boolean;
  readonly maskingKey: string | null;
  readonly lengthEncoding: string;
  readonly payloadLength: number;
  readonly headerLength: number;
  readonly frameLength: number;
  readonly fields: FrameRecord['fields'];
  readonly payload: { readonly wire: string; readonly unmasked: string; readonly truncated: boolean };
  readonly closeCode?: number;
  readonly closeReason?: string;
  readonly inflated?: { readonly preview: string; readonly length: number; readonly truncated: boolean };
  readonly violation?: ViolationJson;
}

export interface ViolationJson {
  readonly closeCode: number;
  readonly reason: string;
  readonly section: string;
  readonly byteOffset?: number;
}

export function violationToJson(violation: ProtocolViolation): ViolationJson {
  return violation.byteOffset === undefined
    ? { closeCode: violation.closeCode, reason: violation.reason, section: violation.section }
    : { closeCode: violation.closeCode, reason: violation.reason, section: violation.section, byteOffset: violation.byteOffset };
}

export function frameRecordToJson(record: FrameRecord): FrameRecordJson {
  return {
    direction: record.direction,
    index: record.index,
    streamOffset: record.streamOffset,
    header: toHex(record.header),
    fin: record.fin,
    rsv1: record.rsv1,
    rsv2: record.rsv2,
    rsv3: record.rsv3,
    opcode: record.opcode,
    opcodeName: record.opcodeName,
    masked: record.masked,
    maskingKey: record.maskingKey === null ? null : toHex(record.maskingKey),
    lengthEncoding: record.lengthEncoding,
    payloadLength: record.payloadLength,
    headerLength: record.headerLength,
    frameLength: record.frameLength,
    fields: record.fields,
    payload: {
      wire: toHex(record.payload.wire),
      unmasked: toHex(record.payload.unmasked),
      truncated: record.payload.truncated,
    },
    ...(record.closeCode === undefined ? {} : { closeCode: record.closeCode }),
    ...(record.closeReason === undefined ? {} : { closeReason: record.closeReason }),
    ...(record.inflated === undefined
      ? {}
      : {
          inflated: {
            preview: toHex(record.inflated.preview),
            length: record.inflated.length,
            truncated: record.inflated.truncated,
          },
        }),
    ...(record.violation === undefined ? {} : { violation: violationToJson(record.violation) }),
  };
}

const UTF8_ENCODER = new TextEncoder();

/** A text preview cut at previewBytes of UTF-8 without splitting a code point. */
export function textPreview(text: string, previewBytes: number): { text: string; truncated: boolean } {
  // Fast path: even if every UTF-16 unit became 3 bytes of UTF-8, it fits.
  if (text.length * 3 <= previewBytes) return { text, truncated: false };
  const bytes = UTF8_ENCODER.encode(text);
  if (bytes.length <= previewBytes) return { text, truncated: false };
  let end = previewBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the cut code point.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: decodeUtf8(bytes.subarray(0, end)), truncated: true };
}
