/**
 * A frame report back into what FrameView draws. Nothing is parsed here: the server's core already
 * parsed the frame, and its record travelled as JSON with its bytes as hex (frame-record-json.ts). This
 * only turns the hex back into bytes, so the live page draws every frame with the inspector's renderer.
 */
import type { CloseCode } from '../../../lab-server/src/protocol/constants.ts';
import type { Direction, FrameRecord, LengthEncoding } from '../../../lab-server/src/protocol/frame/types.ts';
import { fromHex, type FrameRecordJson } from '../../../lab-server/src/reports/frame-record-json.ts';
import type { InspectedFrame } from '../inspect.ts';

export function recordFromJson(json: FrameRecordJson): FrameRecord {
  const wire = fromHex(json.payload.wire);
  const unmasked = fromHex(json.payload.unmasked);
  return {
    direction: json.direction as Direction,
    index: json.index,
    streamOffset: json.streamOffset,
    header: fromHex(json.header),
    fin: json.fin,
    rsv1: json.rsv1,
    rsv2: json.rsv2,
    rsv3: json.rsv3,
    opcode: json.opcode,
    opcodeName: json.opcodeName,
    masked: json.masked,
    maskingKey: json.maskingKey === null ? null : fromHex(json.maskingKey),
    lengthEncoding: json.lengthEncoding as LengthEncoding,
    payloadLength: json.payloadLength,
    headerLength: json.headerLength,
    frameLength: json.frameLength,
    fields: json.fields,
    payload: { wire, unmasked, truncated: json.payload.truncated },
    ...(json.closeCode === undefined ? {} : { closeCode: json.closeCode }),
    ...(json.closeReason === undefined ? {} : { closeReason: json.closeReason }),
    ...(json.inflated === undefined
      ? {}
      : { inflated: { preview: fromHex(json.inflated.preview), length: json.inflated.length, truncated: json.inflated.truncated } }),
    ...(json.violation === undefined ? {} : { violation: { ...json.violation, closeCode: json.violation.closeCode as CloseCode } }),
  };
}

/** The frame's bytes as they crossed the wire: header, then the (previewed) payload as sent. */
export function frameBytes(json: FrameRecordJson): Uint8Array {
  return fromHex(json.header + json.payload.wire);
}

/**
 * For FrameView. A frame whose payload preview was cut is still a whole frame on the wire: FrameView's
 * grid shows the bytes it has, and the record keeps the full length.
 */
export function inspectedFromJson(json: FrameRecordJson): InspectedFrame {
  return { record: recordFromJson(json), bytes: frameBytes(json), complete: json.violation === undefined };
}

export interface XorColumn {
  readonly index: number;
  readonly key: number;
  readonly masked: number;
  readonly unmasked: number;
}

/**
 * The first payload bytes of a masked frame as RFC 6455 §5.3 relates them: wire byte i XOR key byte
 * i mod 4 gives the unmasked byte. The values come from the record; the page shows the XOR as an
 * equation the learner can check, so this only lines them up.
 */
export function xorColumns(json: FrameRecordJson, count: number): XorColumn[] {
  if (json.maskingKey === null) return [];
  const key = fromHex(json.maskingKey);
  const wire = fromHex(json.payload.wire.slice(0, count * 2));
  const unmasked = fromHex(json.payload.unmasked.slice(0, count * 2));
  return Array.from(wire, (masked, index) => ({ index, key: key[index % key.length]!, masked, unmasked: unmasked[index]! }));
}
