/**
 * Taking a session away: the events as JSON (the reports exactly as received, plus what the page saw),
 * a hex dump of every frame, and a link that opens one frame in the frame inspector.
 */
import type { FrameRecordJson } from '../../../lab-server/src/reports/frame-record-json.ts';
import { formatHex } from '../bytes-input.ts';
import { frameBytes } from './frame-from-json.ts';
import { isFrameReport, type SessionEvent } from './session-events.ts';
import { formatTime } from './timeline.ts';

/** Frames longer than this are not put in a URL; the inspector link then carries the header and preview only. */
export const MAX_INSPECTOR_URL_BYTES = 4096;
const DUMP_BYTES_PER_LINE = 16;

export function sessionJson(events: readonly SessionEvent[], simulated: boolean): string {
  return `${JSON.stringify({ format: 'websockets-from-scratch lab session', simulated, events }, null, 2)}\n`;
}

/** One block per frame: a title line (number, direction, time, opcode), then offset + 16 hex bytes per line. */
export function hexDump(events: readonly SessionEvent[]): string {
  const blocks: string[] = [];
  let number = 0;
  for (const event of events) {
    if (!isFrameReport(event)) continue;
    number++;
    const record = event.record;
    const bytes = frameBytes(record);
    const cut = record.payload.truncated ? ` (payload cut at ${bytes.length - record.headerLength} of ${record.payloadLength} bytes)` : '';
    const lines = [`# frame ${number}, subject ${event.subject}, ${event.direction}, ${formatTime(event.t)}, ${record.opcodeName}, ${record.frameLength} bytes${cut}`];
    for (let offset = 0; offset < bytes.length; offset += DUMP_BYTES_PER_LINE) {
      lines.push(`${offset.toString(16).padStart(4, '0')}  ${formatHex(bytes.subarray(offset, offset + DUMP_BYTES_PER_LINE))}`);
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n`;
}

/**
 * The inspector's query for one frame (site/pages/tools/inspector.astro reads ?hex=&dir=&deflate=).
 * A frame too long for a URL, or whose payload preview was cut, is not whole: null then.
 */
export function inspectorQuery(record: FrameRecordJson): string | null {
  if (record.payload.truncated || record.frameLength > MAX_INSPECTOR_URL_BYTES) return null;
  const params = new URLSearchParams({ hex: record.header + record.payload.wire, dir: record.direction });
  if (record.rsv1) params.set('deflate', '1');
  return `tools/inspector/?${params.toString()}`;
}
