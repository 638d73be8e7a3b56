/**
 * Reading an observer's command (a JSON text message, see LabCommand and docs/lab-protocol.md): every
 * field checked, every refusal one line that says what to change. Pure TypeScript, so the browser's
 * simulated session can check commands with the same rules as the lab server.
 */
import { MAX_CONTROL_PAYLOAD } from '../protocol/constants.ts';
import { encodeClosePayload } from '../protocol/frame/close-payload.ts';
import { encodeUtf8 } from '../protocol/utf8.ts';
import { SERVER_VIOLATIONS, type LabCommand, type LabCommandType, type ServerViolationKind } from './lab-report-types.ts';

/** send-fragmented: at least a first frame and a final continuation (RFC 6455 §5.4)... */
export const MIN_FRAGMENTS = 2;
/** ...and few enough frames for a learner to read one by one. */
export const MAX_FRAGMENTS = 64;
const MEBIBYTE = 1024 * 1024;
/** send-large: the largest message the server writes on request, in MiB (the lab server's default message limit). */
export const MAX_SEND_LARGE_MIB = 16;
export const MAX_SEND_LARGE_BYTES = MAX_SEND_LARGE_MIB * MEBIBYTE;

export const LAB_COMMAND_TYPES: readonly LabCommandType[] = [
  'ping',
  'send-fragmented',
  'send-compressed',
  'send-interleaved',
  'close',
  'violation',
  'send-large',
];

/** The `id` reported for a command whose own id could not be read (observers number theirs from 1). */
export const UNREADABLE_COMMAND_ID = 0;

export type ParsedCommand =
  | { readonly ok: true; readonly command: LabCommand }
  | { readonly ok: false; readonly id: number; readonly subject: number | null; readonly error: string };

/** Longest part of JSON.parse's own message kept in an "invalid JSON" error. */
const MAX_JSON_ERROR_CHARS = 80;
/** Longest piece of the observer's own input quoted back in an error. */
const QUOTE_CHARS = 40;

function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  // JSON.stringify escapes line breaks, so the error stays on one line.
  return JSON.stringify(text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}...` : text);
}

type Fields = Record<string, unknown>;
/** A command without its addressing (Omit applied to each member of the union). */
type Unaddressed<C> = C extends unknown ? Omit<C, 'id' | 'subject'> : never;
type CommandFields = Unaddressed<LabCommand>;

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** The command's own fields, or the one-line reason they are not acceptable. */
function readFields(type: LabCommandType, fields: Fields): CommandFields | string {
  switch (type) {
    case 'ping': {
      const text = fields['text'] ?? '';
      if (typeof text !== 'string') return 'ping: text must be a string';
      const bytes = encodeUtf8(text).length;
      if (bytes > MAX_CONTROL_PAYLOAD) {
        return `ping: text is ${bytes} bytes of UTF-8; a control frame carries at most ${MAX_CONTROL_PAYLOAD} (RFC 6455 §5.5)`;
      }
      return { type, text };
    }
    case 'send-fragmented': {
      const { text, fragments } = fields;
      if (typeof text !== 'string') return 'send-fragmented: text must be a string';
      if (!isInteger(fragments) || fragments < MIN_FRAGMENTS || fragments > MAX_FRAGMENTS) {
        return `send-fragmented: fragments must be an integer from ${MIN_FRAGMENTS} to ${MAX_FRAGMENTS}`;
      }
      return { type, text, fragments };
    }
    case 'send-compressed':
    case 'send-interleaved': {
      const { text } = fields;
      if (typeof text !== 'string') return `${type}: text must be a string`;
      return { type, text };
    }
    case 'close': {
      const { code, reason = '' } = fields;
      if (!isInteger(code)) return 'close: code must be an integer';
      if (typeof reason !== 'string') return 'close: reason must be a string';
      try {
        // The core's own rules for what a close frame may carry (RFC 6455 §5.5.1, §7.4).
        encodeClosePayload(code, reason);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        return `close: ${detail}${detail.startsWith('close code') ? '; sendable: 1000-1003, 1007-1014, 3000-4999' : ''}`;
      }
      return { type, code, reason };
    }
    case 'violation': {
      const { kind } = fields;
      if (!(SERVER_VIOLATIONS as readonly unknown[]).includes(kind)) {
        return `violation: unknown kind ${quote(kind)}; one of ${SERVER_VIOLATIONS.join(', ')}`;
      }
      return { type, kind: kind as ServerViolationKind };
    }
    case 'send-large': {
      const { bytes } = fields;
      if (!isInteger(bytes) || bytes < 1 || bytes > MAX_SEND_LARGE_BYTES) {
        return `send-large: bytes must be an integer from 1 to ${MAX_SEND_LARGE_BYTES} (${MAX_SEND_LARGE_MIB} MiB)`;
      }
      return { type, bytes };
    }
  }
}

/** Reads one command message; never throws, whatever the text. */
export function parseLabCommand(text: string): ParsedCommand {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0]!.slice(0, MAX_JSON_ERROR_CHARS) : 'parse error';
    return { ok: false, id: UNREADABLE_COMMAND_ID, subject: null, error: `invalid JSON: ${detail}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, id: UNREADABLE_COMMAND_ID, subject: null, error: 'a command is a JSON object: {"id":1,"type":"ping"}' };
  }
  const fields = value as Fields;
  const { id, subject, type } = fields;
  if (!isInteger(id)) {
    return { ok: false, id: UNREADABLE_COMMAND_ID, subject: null, error: 'id must be an integer (the command-result repeats it)' };
  }
  if (subject !== undefined && (!isInteger(subject) || subject < 1)) {
    return { ok: false, id, subject: null, error: 'subject must be a positive integer (or absent for the most recent open subject)' };
  }
  const subjectOrNull = subject === undefined ? null : subject;
  if (!(LAB_COMMAND_TYPES as readonly unknown[]).includes(type)) {
    return { ok: false, id, subject: subjectOrNull, error: `unknown command ${quote(type)}; one of ${LAB_COMMAND_TYPES.join(', ')}` };
  }
  const read = readFields(type as LabCommandType, fields);
  if (typeof read === 'string') return { ok: false, id, subject: subjectOrNull, error: read };
  const command = { ...read, id, ...(subject === undefined ? {} : { subject }) } as LabCommand;
  return { ok: true, command };
}
