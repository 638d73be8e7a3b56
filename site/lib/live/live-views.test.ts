/**
 * The live page's views of a session, computed from real events: a simulated session (the core's
 * client and server) produces them, so every expectation below is about bytes the core really wrote.
 */
import { describe, expect, it } from 'vitest';
import { parseBytesInput } from '../bytes-input.ts';
import { inspectBytes } from '../inspect.ts';
import { fromHex } from '../../../lab-server/src/reports/frame-record-json.ts';
import type { FrameReport } from '../../../lab-server/src/reports/lab-report-types.ts';
import { latestClose, wireSizes } from './compare.ts';
import { hexDump, inspectorQuery, MAX_INSPECTOR_URL_BYTES, sessionJson } from './export.ts';
import { frameBytes, inspectedFromJson, xorColumns } from './frame-from-json.ts';
import { headLines, subjectHandshake } from './handshake-view.ts';
import { SimulatedSession } from './simulated-session.ts';
import type { SessionEvent } from './session-events.ts';
import { APP_PARTIES, timelineRows } from './timeline.ts';

function session(deflate = false): { sim: SimulatedSession; events: SessionEvent[] } {
  const events: SessionEvent[] = [];
  const sim = new SimulatedSession({ event: (e) => events.push(e), status: () => {} });
  sim.start(deflate);
  return { sim, events };
}
const frameReports = (events: SessionEvent[]) => events.filter((e): e is FrameReport => e.type === 'frame');

describe('a frame report back into bytes and a record', () => {
  it('gives the frame bytes the core parser reads back as the same frame (RFC 6455 §5.2)', () => {
    const { sim, events } = session();
    sim.sendText('Hello');
    const [sent] = frameReports(events);
    const bytes = frameBytes(sent!.record);
    expect(bytes.length).toBe(sent!.record.frameLength);
    const reparsed = inspectBytes(bytes, 'client-to-server').frames[0]!.record;
    const inspected = inspectedFromJson(sent!.record);
    expect(inspected.complete).toBe(true);
    expect(inspected.record.fields).toEqual(reparsed.fields);
    expect(inspected.record.maskingKey).toEqual(reparsed.maskingKey);
    expect(inspected.record.payload.unmasked).toEqual(reparsed.payload.unmasked);
  });

  it('lines up masked XOR key byte i mod 4 = unmasked for the first bytes (RFC 6455 §5.3)', () => {
    const { sim, events } = session();
    sim.sendText('abcdefghij');
    const columns = xorColumns(frameReports(events)[0]!.record, 8);
    expect(columns).toHaveLength(8);
    for (const column of columns) expect(column.masked ^ column.key).toBe(column.unmasked);
    expect(String.fromCharCode(...columns.map((c) => c.unmasked))).toBe('abcdefgh');
    expect(xorColumns(frameReports(events)[1]!.record, 8)).toEqual([]); // the server's echo is not masked
  });
});

describe('the timeline', () => {
  it('has one row per frame with direction and flags, and the control filter keeps control frames and closes', () => {
    const { sim, events } = session();
    sim.sendText('hi');
    sim.command({ type: 'ping', text: 'p' });
    sim.command({ type: 'close', code: 4000, reason: 'bye' });
    const frames = timelineRows(events, 'frames');
    expect(frames.map((r) => `${r.arrow}${r.frame?.opcodeName}${r.frame?.masked ? '*' : ''}`)).toEqual(['→text*', '←text', '←ping', '→pong*', '←close', '→close*']);
    const control = timelineRows(events, 'control');
    expect(control.every((r) => r.control)).toBe(true);
    expect(control.map((r) => r.kind)).toContain('close');
    expect(control.some((r) => r.frame?.opcodeName === 'text')).toBe(false);
    expect(timelineRows(events).length).toBeGreaterThan(frames.length);
  });

  it('names the two ends of a relayed connection (--inspect) as the app and its server', () => {
    const { sim, events } = session();
    sim.command({ type: 'ping', text: 'p' });
    sim.command({ type: 'close', code: 1000, reason: '' });
    const lab = timelineRows(events).map((r) => r.summary).join('\n');
    const app = timelineRows(events, 'all', APP_PARTIES).map((r) => r.summary).join('\n');
    expect(lab).toMatch(/pong received by the server/);
    expect(app).toMatch(/pong received by its server/);
    expect(app).toMatch(/Its server received a close frame: 1000/);
  });
});

describe('the handshake view', () => {
  it('lists the request lines in order and marks Origin, the key, the extensions offer and the version', () => {
    const { events } = session(true);
    const handshake = subjectHandshake(events)!;
    const lines = headLines(handshake.request!.raw);
    expect(lines[0]!.text).toMatch(/^GET /);
    const marked = lines.filter((line) => line.note !== null).map((line) => line.text.split(':')[0]);
    expect(marked.sort()).toEqual(['Origin', 'Sec-WebSocket-Extensions', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version']);
    expect(lines.map((l) => l.text).join('\r\n') + '\r\n\r\n').toBe(handshake.request!.raw);
  });

  it('follows the most recent connection', () => {
    const { sim, events } = session(true);
    sim.connect(false);
    expect(subjectHandshake(events)!.subject).toBe(2);
    expect(subjectHandshake(events, 1)!.request!.raw).toContain('permessage-deflate');
  });
});

describe('the comparisons', () => {
  it('sets the close the client reported beside what the server saw', () => {
    const { sim, events } = session();
    sim.command({ type: 'violation', kind: 'invalid-utf8' });
    const close = latestClose(events)!;
    expect(close.page).toMatchObject({ code: 1007, wasClean: false });
    expect(close.serverBroke?.closeCode).toBe(1007);
    expect(close.serverReceived?.code).toBe(1007);
  });

  it('sums every frame of a message on the wire, headers included (RFC 6455 §5.4)', () => {
    const { sim, events } = session();
    sim.command({ type: 'send-fragmented', text: 'abcdefghijkl', fragments: 3 });
    const [row] = wireSizes(events);
    expect(row).toMatchObject({ direction: 'server-to-client', frames: 3, messageBytes: 12, wireBytes: 12 + 3 * 2, preview: '' });
    sim.sendText('xyz');
    expect(wireSizes(events).slice(1)).toMatchObject([
      { direction: 'client-to-server', frames: 1, messageBytes: 3, wireBytes: 3 + 6, preview: 'xyz' },
      { direction: 'server-to-client', frames: 1, messageBytes: 3, wireBytes: 3 + 2, preview: 'xyz' },
    ]);
  });
});

describe('permessage-deflate on and off', () => {
  it('puts the same repetitive text on the wire in fewer bytes when compressed (RFC 7692)', () => {
    const text = 'tick tock '.repeat(30);
    const { sim, events } = session(true);
    sim.sendText(text);
    sim.connect(false);
    sim.sendText(text);
    const sent = wireSizes(events).filter((row) => row.direction === 'client-to-server');
    expect(sent.map((row) => [row.subject, row.compressed, row.messageBytes])).toEqual([[1, true, 300], [2, false, 300]]);
    expect(sent[0]!.wireBytes).toBeLessThan(sent[1]!.wireBytes / 4);
    expect(sent[1]!.wireBytes).toBe(300 + 8); // 16-bit length and a masking key: 2 + 2 + 4 header bytes
  });
});

describe('the export', () => {
  it('keeps every event in the JSON and every frame in the hex dump, which reads back as the same bytes', () => {
    const { sim, events } = session();
    sim.sendText('dump me');
    sim.command({ type: 'ping' });
    const json = JSON.parse(sessionJson(events, true));
    expect(json.simulated).toBe(true);
    expect(json.events).toEqual(JSON.parse(JSON.stringify(events)));
    const dump = hexDump(events);
    const blocks = dump.trim().split('\n\n');
    const frames = frameReports(events);
    expect(blocks).toHaveLength(frames.length);
    blocks.forEach((block, i) => {
      const [title, ...lines] = block.split('\n');
      expect(title).toContain(frames[i]!.direction);
      const parsed = parseBytesInput(lines.join('\n'), 'dump');
      expect(parsed.ok && Array.from(parsed.bytes)).toEqual(Array.from(frameBytes(frames[i]!.record)));
    });
  });

  it('links a whole frame to the inspector and declines frames too long for a URL', () => {
    const { sim, events } = session();
    sim.sendText('link');
    sim.command({ type: 'send-large', bytes: MAX_INSPECTOR_URL_BYTES + 1 });
    const [sent, , large] = frameReports(events);
    const query = new URLSearchParams(inspectorQuery(sent!.record)!.split('?')[1]);
    expect(fromHex(query.get('hex')!)).toEqual(frameBytes(sent!.record));
    expect(query.get('dir')).toBe('client-to-server');
    expect(large!.record.payloadLength).toBe(MAX_INSPECTOR_URL_BYTES + 1);
    expect(inspectorQuery(large!.record)).toBeNull();
  });
});
