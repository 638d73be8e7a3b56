/**
 * The frame builder's logic: a learner's choices (FIN, RSV1-3, opcode, masking key, payload) become bytes
 * through the core's serializeFrame, and those bytes are read back by the core, as the peer would read
 * them: the FrameParser for frame-level rules (RFC 6455 §5.2, §5.5) and a receiving Connection for the
 * message-level ones (continuation without a message, invalid UTF-8, a malformed close payload).
 * Nothing here reads header bits; pure and DOM-free, shared by the island and its tests.
 */
import { CONTROL_OPCODE_MASK, MASKING_KEY_BYTES, MAX_CONTROL_PAYLOAD, Opcode } from '../../lab-server/src/protocol/constants.ts';
import { Connection } from '../../lab-server/src/protocol/connection.ts';
import { serializeFrame } from '../../lab-server/src/protocol/frame/serializer.ts';
import { describeFrame, receiverOf } from '../../lab-server/src/protocol/frame/record.ts';
import type { Direction, Role } from '../../lab-server/src/protocol/frame/types.ts';
import { encodeUtf8 } from '../../lab-server/src/protocol/utf8.ts';
import type { ProtocolViolation } from '../../lab-server/src/protocol/violation.ts';
import { formatHex, parseHex, toUrlHex } from './bytes-input.ts';
import { inferDirection, inspectBytes, type Inspection } from './inspect.ts';

export type PayloadFormat = 'text' | 'hex';

export interface BuilderChoices {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly rsv2: boolean;
  readonly rsv3: boolean;
  /** 0x0-0xF; reserved values are allowed so their violation can be shown. */
  readonly opcode: number;
  /** Who sends the frame: clients must mask, servers must not (RFC 6455 §5.1). */
  readonly sender: Role;
  readonly mask: boolean;
  /** Four bytes as hex ("37 fa 21 3d" or "37fa213d"); used when mask is on. */
  readonly maskingKey: string;
  readonly payloadFormat: PayloadFormat;
  readonly payload: string;
  /** permessage-deflate negotiated: RSV1 is legal on a data frame (RFC 7692 §6). */
  readonly deflate: boolean;
}

/** The largest payload the builder writes: enough to reach the 64-bit length encoding (RFC 6455 §5.2). */
export const MAX_BUILDER_PAYLOAD = 70_000;

export const DEFAULT_CHOICES: BuilderChoices = {
  fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: Opcode.Text, sender: 'client', mask: true,
  maskingKey: '37 fa 21 3d', payloadFormat: 'text', payload: 'Hello', deflate: false,
};

/** Every opcode a 4-bit field can hold, with its name; reserved ones are flagged for the select. */
export const OPCODE_CHOICES: readonly { readonly value: number; readonly label: string; readonly reserved: boolean }[] =
  Array.from({ length: 16 }, (_, value) => {
    const name = (Object.entries(Opcode) as [string, number][]).find(([, code]) => code === value)?.[0];
    const hex = `0x${value.toString(16).toUpperCase()}`;
    const kind = value & CONTROL_OPCODE_MASK ? 'control' : 'data';
    return name === undefined
      ? { value, label: `${hex} reserved ${kind} (a violation)`, reserved: true }
      : { value, label: `${hex} ${name.toLowerCase()}`, reserved: false };
  });

export type BuildResult =
  | {
      readonly ok: true;
      readonly bytes: Uint8Array;
      readonly direction: Direction;
      /** The bytes read back by the core's parser, as the receiver reads them. */
      readonly inspection: Inspection;
      /** The first rule the frame breaks for its receiver: frame-level (parser) or message-level (connection). */
      readonly violation: ProtocolViolation | null;
      /** Things worth knowing that are not violations. */
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly field: 'payload' | 'maskingKey'; readonly error: string };

/** Four bytes as hex, or a sentence saying what is wrong. */
export function parseMaskingKey(text: string): Uint8Array | string {
  const result = parseHex(text);
  if (!result.ok) return result.error;
  if (result.bytes.length !== MASKING_KEY_BYTES) {
    return `A masking key is exactly ${MASKING_KEY_BYTES} bytes (8 hex digits); this is ${result.bytes.length}.`;
  }
  return result.bytes;
}

/** A fresh key as a browser makes one: 32 bits from a strong source of randomness (RFC 6455 §5.3, §10.3). */
export function randomMaskingKey(random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  return formatHex(random(new Uint8Array(MASKING_KEY_BYTES)));
}

function payloadBytes(choices: BuilderChoices): Uint8Array | string {
  if (choices.payloadFormat === 'text') return encodeUtf8(choices.payload);
  if (choices.payload.trim() === '') return new Uint8Array(0);
  const result = parseHex(choices.payload);
  return result.ok ? result.bytes : result.error;
}

/** The message-level rule a lone frame breaks for its receiver, found by a receiving Connection. */
function connectionViolation(bytes: Uint8Array, receiver: Role): ProtocolViolation | null {
  const connection = new Connection({ role: receiver, autoPong: false });
  connection.receive(bytes.slice());
  const event = connection.takeEvents().find((candidate) => candidate.type === 'violation');
  return event?.type === 'violation' ? event.violation : null;
}

export function buildFrame(choices: BuilderChoices): BuildResult {
  const payload = payloadBytes(choices);
  if (typeof payload === 'string') return { ok: false, field: 'payload', error: payload };
  if (payload.length > MAX_BUILDER_PAYLOAD) {
    return { ok: false, field: 'payload', error: `The builder writes at most ${MAX_BUILDER_PAYLOAD} payload bytes; this is ${payload.length}.` };
  }
  let maskingKey: Uint8Array | null = null;
  if (choices.mask) {
    const key = parseMaskingKey(choices.maskingKey);
    if (typeof key === 'string') return { ok: false, field: 'maskingKey', error: key };
    maskingKey = key;
  }
  const bytes = serializeFrame({
    fin: choices.fin, rsv1: choices.rsv1, rsv2: choices.rsv2, rsv3: choices.rsv3,
    opcode: choices.opcode, payload, maskingKey,
  });
  const direction: Direction = choices.sender === 'client' ? 'client-to-server' : 'server-to-client';
  const inspection = inspectBytes(bytes, direction, choices.deflate);
  let violation = inspection.violation;
  // Frame-level rules pass: now the message-level ones. With RSV1 under permessage-deflate the payload
  // would have to be inflated first, which needs the negotiated compressor; the parser's check stands.
  if (violation === null && !(choices.deflate && choices.rsv1)) violation = connectionViolation(bytes, receiverOf(direction));

  const notes: string[] = [];
  const control = (choices.opcode & CONTROL_OPCODE_MASK) !== 0;
  if (!choices.fin && !control && violation === null) {
    notes.push('FIN is 0: this frame starts a fragmented message; the receiver waits for continuation frames (opcode 0x0) until one has FIN set (RFC 6455 §5.4).');
  }
  if (control && payload.length > MAX_CONTROL_PAYLOAD) {
    notes.push(`Control frames carry at most ${MAX_CONTROL_PAYLOAD} payload bytes (RFC 6455 §5.5).`);
  }
  if (choices.deflate && choices.rsv1 && violation === null) {
    notes.push('RSV1 marks a compressed message (RFC 7692 §6): the receiver inflates the payload, so it must be DEFLATE data, which this builder does not check.');
  }
  if (maskingKey !== null && maskingKey.every((byte) => byte === 0)) {
    notes.push('A key of 00 00 00 00 leaves the payload unchanged: legal on the wire, but keys must be unpredictable (RFC 6455 §10.3).');
  }
  return { ok: true, bytes, direction, inspection, violation, notes };
}

/** The builder's choices for the first frame of some bytes, read from the core's record ("open in builder"); null when cut short. */
export function choicesFromBytes(bytes: Uint8Array): BuilderChoices | null {
  if (bytes.length < 2) return null;
  // describeFrame records a frame without judging it, so a frame that breaks a rule opens too.
  const record = describeFrame(bytes, inferDirection(bytes), 0, 0, bytes.length);
  if (record.headerLength < 2 || record.frameLength > bytes.length) return null;
  const unmasked = record.payload.unmasked;
  const text = record.opcodeName === 'text' && !record.rsv1 ? tryDecode(unmasked) : null;
  return {
    fin: record.fin, rsv1: record.rsv1, rsv2: record.rsv2, rsv3: record.rsv3, opcode: record.opcode,
    sender: record.masked ? 'client' : 'server', mask: record.masked,
    maskingKey: record.maskingKey === null ? DEFAULT_CHOICES.maskingKey : formatHex(record.maskingKey),
    payloadFormat: text === null ? 'hex' : 'text', payload: text ?? formatHex(unmasked), deflate: record.rsv1,
  };
}

function tryDecode(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The query string that opens these bytes in the frame inspector. */
export function inspectorQuery(bytes: Uint8Array, direction: Direction): string {
  return `?hex=${toUrlHex(bytes)}&dir=${direction}`;
}
