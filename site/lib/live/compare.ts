/**
 * Two comparisons the page draws from the session's events: how a connection ended as your browser
 * told the page and as the server saw it, and how many bytes each data message took on the wire with
 * and without permessage-deflate. Pure.
 */
import { fromHex, type ViolationJson } from '../../../lab-server/src/reports/frame-record-json.ts';
import type { ClosedReport, CloseReceivedReport, ViolationReport } from '../../../lab-server/src/reports/lab-report-types.ts';
import type { PageEvent, SessionEvent } from './session-events.ts';

export interface CloseComparison {
  readonly subject: number | null;
  readonly page: Extract<PageEvent, { type: 'page-close' }>;
  readonly serverReceived: CloseReceivedReport | null;
  readonly serverClosed: ClosedReport | null;
  /** A violation the server saw on this connection (the browser's, not the one the server committed). */
  readonly serverViolation: ViolationReport | null;
  /** The rule a frame the server sent broke on purpose (a violation command), as the client applies it. */
  readonly serverBroke: ViolationJson | null;
  /** The server's close frame, when it sent one. */
  readonly serverSent: { readonly opcodeName: string; readonly closeCode?: number; readonly closeReason?: string } | null;
}

/** The latest connection the page saw close, with what the server reported about the same connection. */
export function latestClose(events: readonly SessionEvent[]): CloseComparison | null {
  let page: Extract<PageEvent, { type: 'page-close' }> | null = null;
  for (let i = events.length - 1; i >= 0 && page === null; i--) {
    const event = events[i]!;
    if (event.type === 'page-close') page = event;
  }
  if (page === null) return null;
  let serverReceived: CloseReceivedReport | null = null;
  let serverClosed: ClosedReport | null = null;
  let serverViolation: ViolationReport | null = null;
  let serverSent: CloseComparison['serverSent'] = null;
  let serverBroke: ViolationJson | null = null;
  for (const event of events) {
    if (!('subject' in event) || event.subject !== page.subject || ('relay' in event && event.relay === true)) continue;
    if (event.type === 'close-received') serverReceived = event;
    else if (event.type === 'closed') serverClosed = event;
    else if (event.type === 'violation') serverViolation = event;
    else if (event.type === 'frame' && event.direction === 'server-to-client') {
      const record = event.record;
      if (record.violation !== undefined) serverBroke = record.violation;
      if (record.opcodeName === 'close') serverSent = { opcodeName: 'close', ...(record.closeCode === undefined ? {} : { closeCode: record.closeCode }), ...(record.closeReason === undefined ? {} : { closeReason: record.closeReason }) };
    }
  }
  return { subject: page.subject, page, serverReceived, serverClosed, serverViolation, serverBroke, serverSent };
}

export interface WireSize {
  readonly subject: number;
  readonly direction: string;
  readonly opcodeName: string;
  readonly compressed: boolean;
  readonly frames: number;
  /** Bytes of payload after inflation (what the application sent). */
  readonly messageBytes: number;
  /** Bytes on the wire: every frame's header and payload. */
  readonly wireBytes: number;
  readonly preview: string;
}

/** One row per data message seen as frames, in order: frames are summed until FIN (RFC 6455 §5.4). */
export function wireSizes(events: readonly SessionEvent[]): WireSize[] {
  const open = new Map<string, { subject: number; direction: string; opcodeName: string; compressed: boolean; frames: number; payload: number; wire: number; preview: string }>();
  const rows: WireSize[] = [];
  for (const event of events) {
    if (event.type !== 'frame' || event.relay === true) continue;
    const record = event.record;
    if (record.opcode >= 0x8 || record.violation !== undefined) continue;
    const key = `${event.subject}:${event.direction}`;
    let current = open.get(key);
    if (current === undefined || record.opcodeName !== 'continuation') {
      current = { subject: event.subject, direction: event.direction, opcodeName: record.opcodeName, compressed: record.rsv1, frames: 0, payload: 0, wire: 0, preview: '' };
      open.set(key, current);
    }
    current.frames++;
    current.payload += record.payloadLength;
    current.wire += record.frameLength;
    if (!record.fin) continue;
    open.delete(key);
    const messageBytes = record.inflated?.length ?? current.payload;
    let preview = '';
    if (current.opcodeName === 'text' && !current.compressed && current.frames === 1) preview = hexText(record.payload.unmasked);
    else if (record.inflated !== undefined && current.opcodeName === 'text') preview = hexText(record.inflated.preview);
    rows.push({ subject: current.subject, direction: current.direction, opcodeName: current.opcodeName, compressed: current.compressed, frames: current.frames, messageBytes, wireBytes: current.wire, preview });
  }
  return rows;
}

function hexText(hex: string): string {
  const text = new TextDecoder().decode(fromHex(hex));
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}
