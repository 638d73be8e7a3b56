/**
 * The session's events as timeline rows: one per frame, message, control report, close, violation,
 * backpressure change and command, in the order they happened. Pure, so the page, the lesson panels
 * and the tests share it.
 */
import { closeCodeText } from '../inspect.ts';
import { isControlRecord, type SessionEvent } from './session-events.ts';

export type RowKind = 'frame' | 'message' | 'control' | 'close' | 'violation' | 'backpressure' | 'connection' | 'command' | 'lost';
export type TimelineFilter = 'all' | 'frames' | 'control';

export interface TimelineRow {
  /** Position in the session's events: stable, so a selection survives new rows. */
  readonly at: number;
  readonly t: number;
  readonly kind: RowKind;
  readonly subject: number | null;
  /** "→" browser to server, "←" server to browser, "" for events without a direction. */
  readonly arrow: '→' | '←' | '';
  /** The frame row's columns; null for other rows. */
  readonly frame: {
    readonly opcodeName: string;
    readonly fin: boolean;
    readonly rsv1: boolean;
    readonly payloadLength: number;
    readonly frameLength: number;
    readonly masked: boolean;
    readonly control: boolean;
    readonly broken: boolean;
  } | null;
  /** One line for every row: what happened. */
  readonly summary: string;
  /** Control frames, closes and violations: the rows the control filter keeps. */
  readonly control: boolean;
}

const ARROW = { 'client-to-server': '→', 'server-to-client': '←' } as const;

/** Who the two ends are: the learner's browser and the lab server, or (--inspect) their app and its server. */
export interface Parties {
  readonly client: string;
  readonly server: string;
}
export const LAB_PARTIES: Parties = { client: 'your browser', server: 'the server' };
export const APP_PARTIES: Parties = { client: 'your app', server: 'its server' };

function quote(text: string, max = 40): string {
  return `"${text.length > max ? `${text.slice(0, max)}…` : text}"`;
}

/** The row for one event, or null for events that only feed other panels (the handshake, hello). */
export function rowOf(event: SessionEvent, at: number, parties: Parties = LAB_PARTIES): TimelineRow | null {
  const base = { at, t: event.t, subject: 'subject' in event && typeof event.subject === 'number' ? event.subject : null, frame: null, arrow: '' as const };
  switch (event.type) {
    case 'frame': {
      const record = event.record;
      const control = isControlRecord(record);
      const broken = record.violation !== undefined;
      const bits = `${record.fin ? 'FIN' : 'not final'}${record.rsv1 ? ', RSV1' : ''}${record.masked ? ', masked' : ''}`;
      return {
        ...base, kind: 'frame', arrow: ARROW[event.direction], control,
        frame: { opcodeName: record.opcodeName, fin: record.fin, rsv1: record.rsv1, payloadLength: record.payloadLength, frameLength: record.frameLength, masked: record.masked, control, broken },
        summary: `${record.opcodeName} frame, ${bits}, ${record.payloadLength}-byte payload${broken ? `: breaks a rule (${record.violation!.reason})` : ''}`,
      };
    }
    case 'message':
      return {
        ...base, kind: 'message', arrow: ARROW[event.direction], control: false,
        summary: `${event.opcodeName} message, ${event.byteLength} bytes${event.compressed ? ', compressed' : ''}${event.text !== undefined ? `: ${quote(event.text)}` : ''}`,
      };
    case 'ping':
    case 'pong':
      return { ...base, kind: 'control', arrow: ARROW[event.direction], control: true, summary: `${event.type} received by ${receiverOf(event.direction, parties)}${event.hex ? ` (data ${event.hex})` : ' (no data)'}` };
    case 'close-received': {
      // Relayed reports say which way the close went; the lab's own are always the subject's close.
      const direction = 'direction' in event && event.direction === 'server-to-client' ? 'server-to-client' : 'client-to-server';
      return { ...base, kind: 'close', arrow: ARROW[direction], control: true, summary: `${capitalize(receiverOf(direction, parties))} received a close frame: ${closeCodeText(event.code)}${event.reason ? ` ${quote(event.reason)}` : ''}` };
    }
    case 'closed':
      return { ...base, kind: 'close', control: true, summary: `${event.relay === true ? 'Connection closed' : 'Closed on the server\'s side'}: ${closeCodeText(event.code)}, wasClean ${event.wasClean}` };
    case 'tcp-closed':
      return { ...base, kind: 'connection', control: false, summary: 'TCP connection closed' };
    case 'violation':
      return { ...base, kind: 'violation', control: true, summary: `Violation: ${event.reason} (close ${closeCodeText(event.closeCode)}, ${event.section})` };
    case 'backpressure':
      return { ...base, kind: 'backpressure', control: false, summary: event.state === 'paused'
        ? `Backpressure: the server's writes wait, ${event.bufferedBytes} bytes not yet taken by TCP`
        : `Drained: TCP took the server's bytes (${event.bufferedBytes} left buffered)` };
    case 'subject':
      return { ...base, kind: 'connection', control: false, summary: `Connection ${event.subject} arrived from ${event.peer}` };
    case 'handshake-response':
      return { ...base, kind: 'connection', control: false, summary: event.status === 101 ? 'Handshake accepted: 101 Switching Protocols' : `Handshake refused: ${event.status}${event.reason ? ` (${event.reason})` : ''}` };
    case 'dropped':
      return { ...base, kind: 'lost', control: false, summary: `${event.count} reports were dropped: this page read them too slowly` };
    case 'command-result':
      return { ...base, kind: 'command', control: false, summary: event.ok ? `Command ${event.id} done` : `Command ${event.id} failed: ${event.error ?? 'no reason given'}` };
    case 'upstream':
      return { ...base, kind: 'connection', control: false, summary: `Upstream ${event.target}: ${event.state}${event.reason ? ` (${event.reason})` : ''}` };
    case 'page-open':
      return { ...base, kind: 'connection', control: false, summary: `Your browser's socket is open (extensions: ${event.extensions || 'none'})` };
    case 'page-close':
      return { ...base, kind: 'close', control: true, summary: `Your browser's close event: code ${event.code}${event.reason ? `, reason ${quote(event.reason)}` : ''}, wasClean ${event.wasClean}` };
    case 'page-error':
      return { ...base, kind: 'connection', control: false, summary: event.message };
    case 'page-command':
      return { ...base, kind: 'command', control: false, summary: `Command ${event.command.id} sent: ${event.command.type}` };
    default:
      return null;
  }
}

function receiverOf(direction: string, parties: Parties): string {
  return direction === 'client-to-server' ? parties.server : parties.client;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function timelineRows(events: readonly SessionEvent[], filter: TimelineFilter = 'all', parties: Parties = LAB_PARTIES): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (let at = 0; at < events.length; at++) {
    const row = rowOf(events[at]!, at, parties);
    if (row === null) continue;
    if (filter === 'frames' && row.kind !== 'frame') continue;
    if (filter === 'control' && !row.control) continue;
    rows.push(row);
  }
  return rows;
}

/** "12.345 ms" relative to the session's start, as the reports' clock gives it. */
export function formatTime(t: number): string {
  return `${t.toFixed(t < 1000 ? 3 : 1)} ms`;
}
