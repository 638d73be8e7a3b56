/**
 * /lab under load, against a lab server in a child process (so its memory is measured apart from the
 * test's clients): 200 sessions at once each get every report of their subject's 100 messages, exactly;
 * a viewer that stops reading loses reports (counted in `dropped`), holds a bounded queue, and slows
 * nobody else down.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FrameParser } from '../../src/protocol/frame/parser.ts';
import { startChildServer, type ChildMemory, type ChildServer } from '../support/child-server.ts';
import { handshakeHead } from './helpers.ts';

const SESSIONS = 200;
const MESSAGES_PER_SUBJECT = 100;
/** Sessions that run beside the slow viewer, to show it slows nobody down. */
const BYSTANDER_SESSIONS = 50;
const FLOOD_MESSAGES = 1000;
const FLOOD_MESSAGE = 'f'.repeat(4096);
/** Reports queued for one slow observer before the server drops them (the server's option, set here). */
const OBSERVER_QUEUE_BYTES = 1024 * 1024;
/** Server heap + ArrayBuffers after every session has ended, compared with before they began. */
const HEAP_GROWTH_AFTER_LIMIT = 4 * 1024 * 1024;
/**
 * While the slow observer holds its queue: that queue (UTF-16 strings, so up to 2 bytes per character
 * of JSON), its socket's 64 KiB high-water mark, and room for the bystanders' live connections.
 */
const SLOW_VIEWER_MEMORY_LIMIT = 2 * OBSERVER_QUEUE_BYTES + 4 * 1024 * 1024;
/** The bystanders finish their messages within this, slow viewer or not. */
const BYSTANDERS_DEADLINE_MS = 15_000;

type Report = Record<string, unknown> & { type: string };

let server: ChildServer;
beforeAll(async () => {
  server = await startChildServer({ observerQueueBytes: OBSERVER_QUEUE_BYTES });
});
afterAll(async () => {
  await server?.close();
});

function totalMemory(memory: ChildMemory): number {
  return memory.heapUsed + memory.arrayBuffers;
}

/** What one observer received, counted rather than kept (200 sessions send ~80,000 reports). */
interface Tally {
  readonly counts: Map<string, number>;
  dropped: number;
  /** Every message text of this session starts with it; others would be another session's reports. */
  readonly prefix: string;
}

function count(tally: Tally, key: string): number {
  return tally.counts.get(key) ?? 0;
}

function record(tally: Tally, report: Report): void {
  let key = report.type;
  if (report.type === 'frame') {
    const frame = report['record'] as { direction: string; opcodeName: string };
    key = `frame ${frame.direction} ${frame.opcodeName}`;
  } else if (report.type === 'message') {
    key = String(report['text']).startsWith(tally.prefix) ? `message ${String(report['direction'])}` : 'foreign message';
  } else if (report.type === 'dropped') {
    tally.dropped += report['count'] as number;
  }
  tally.counts.set(key, (tally.counts.get(key) ?? 0) + 1);
}

function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = (): void => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 10);
    };
    check();
  });
}

interface Session {
  readonly observer: WebSocket;
  readonly tally: Tally;
  readonly subjectUrl: string;
}

async function openSession(port: number, prefix: string): Promise<Session> {
  const observer = new WebSocket(`ws://127.0.0.1:${port}/lab/observe`, { perMessageDeflate: false });
  const tally: Tally = { counts: new Map(), dropped: 0, prefix };
  let subjectUrl = '';
  observer.on('message', (data) => {
    const report = JSON.parse(String(data)) as Report;
    if (report.type === 'hello') subjectUrl = String(report['subjectUrl']);
    record(tally, report);
  });
  await waitFor(() => subjectUrl !== '', 10_000, 'hello');
  return { observer, tally, subjectUrl };
}

/** The subject sends its messages (all at once: the server reads them as they come) and waits for every echo. */
async function runSubject(session: Session, messages: number, text: (i: number) => string): Promise<void> {
  const subject = new WebSocket(session.subjectUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    subject.once('open', resolve);
    subject.once('error', reject);
  });
  let echoes = 0;
  let mismatches = 0;
  const done = new Promise<void>((resolve) => {
    subject.on('message', (data) => {
      if (String(data) !== text(echoes)) mismatches++;
      if (++echoes === messages) resolve();
    });
  });
  for (let i = 0; i < messages; i++) subject.send(text(i));
  await done;
  expect(mismatches).toBe(0);
  const closed = new Promise((resolve) => subject.once('close', resolve));
  subject.close(1000, 'done');
  await closed;
  await waitFor(() => count(session.tally, 'tcp-closed') === 1, 10_000, 'tcp-closed');
}

/** Every report about the subject's handshake, messages and close arrived, and none was dropped. */
function expectEveryReport(tally: Tally, messages: number): void {
  expect({
    subject: count(tally, 'subject'),
    negotiated: count(tally, 'negotiated'),
    textIn: count(tally, 'frame client-to-server text'),
    textOut: count(tally, 'frame server-to-client text'),
    messagesIn: count(tally, 'message client-to-server'),
    messagesOut: count(tally, 'message server-to-client'),
    foreignMessages: count(tally, 'foreign message'),
    closeFrames: count(tally, 'frame client-to-server close') + count(tally, 'frame server-to-client close'),
    closed: count(tally, 'closed'),
    tcpClosed: count(tally, 'tcp-closed'),
    dropped: count(tally, 'dropped'),
  }).toEqual({
    subject: 1, negotiated: 1, textIn: messages, textOut: messages, messagesIn: messages, messagesOut: messages,
    foreignMessages: 0, closeFrames: 2, closed: 1, tcpClosed: 1, dropped: 0,
  });
}

async function closeAll(sessions: readonly Session[]): Promise<void> {
  await Promise.all(sessions.map((session) => new Promise((resolve) => {
    session.observer.once('close', resolve);
    session.observer.close();
  })));
}

async function waitForNoConnections(): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await server.connectionCount()) !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await server.connectionCount()).toBe(0);
}

describe('/lab under load (lab server in a child process)', () => {
  it(`${SESSIONS} sessions at once: every report of ${MESSAGES_PER_SUBJECT} messages each reaches its observer; memory returns`, async () => {
    // Warm-up: one session first, so lazily made structures and JIT code exist before the baseline.
    const warm = await openSession(server.port, 'warm ');
    await runSubject(warm, 10, (i) => `warm ${i}`);
    await closeAll([warm]);
    await waitForNoConnections();
    const before = await server.memory();

    const sessions = await Promise.all(Array.from({ length: SESSIONS }, (_, s) => openSession(server.port, `session ${s} `)));
    await Promise.all(sessions.map((session, s) => runSubject(session, MESSAGES_PER_SUBJECT, (i) => `session ${s} message ${i}`)));
    for (const session of sessions) expectEveryReport(session.tally, MESSAGES_PER_SUBJECT);
    await closeAll(sessions);
    await waitForNoConnections();

    const after = await server.memory();
    const growth = totalMemory(after) - totalMemory(before);
    console.log(`lab load: ${SESSIONS} sessions x ${MESSAGES_PER_SUBJECT} messages; server heap+arrayBuffers ${totalMemory(before)} -> ${totalMemory(after)} (${growth} bytes)`);
    expect(growth, 'server memory growth after every session ended').toBeLessThan(HEAP_GROWTH_AFTER_LIMIT);
  }, 60_000);

  it('a viewer that stops reading loses reports (counted), holds a bounded queue, and slows nobody else', async () => {
    const before = await server.memory();
    // A raw observer: it reads the hello, then nothing (its socket is paused), so its reports back up.
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const parser = new FrameParser({ role: 'client' });
    const reports: Report[] = [];
    let headDone = false;
    const take = (chunk: Buffer): void => {
      let bytes: Uint8Array = chunk;
      if (!headDone) {
        const end = chunk.indexOf('\r\n\r\n');
        if (end < 0) return;
        headDone = true;
        bytes = chunk.subarray(end + 4);
      }
      for (const frame of parser.push(bytes)) reports.push(JSON.parse(new TextDecoder().decode(frame.payload)) as Report);
    };
    socket.on('data', take);
    socket.write(handshakeHead('/lab/observe', { Host: `127.0.0.1:${server.port}` }));
    await waitFor(() => reports.length > 0, 5000, 'the slow observer hello');
    socket.pause();
    const slowSubjectUrl = String(reports[0]!['subjectUrl']);

    // The flood and the bystanders at the same time.
    const bystanders = await Promise.all(Array.from({ length: BYSTANDER_SESSIONS }, (_, s) => openSession(server.port, `bystander ${s} `)));
    const started = Date.now();
    const flooding = runFlood(slowSubjectUrl);
    await Promise.all(bystanders.map((session, s) => runSubject(session, MESSAGES_PER_SUBJECT, (i) => `bystander ${s} message ${i}`)));
    const bystandersMs = Date.now() - started;
    const flood = await flooding;
    for (const session of bystanders) expectEveryReport(session.tally, MESSAGES_PER_SUBJECT);
    expect(bystandersMs, 'bystanders finished despite the slow viewer').toBeLessThan(BYSTANDERS_DEADLINE_MS);

    // The slow viewer still reads nothing: the server holds at most its bounded queue for it.
    const during = await server.memory();
    const held = totalMemory(during) - totalMemory(before);
    console.log(`lab slow viewer: bystanders ${bystandersMs} ms, flood ${flood.elapsedMs} ms; server memory held for the slow viewer ${held} bytes`);
    expect(held, 'server memory while the slow observer reads nothing').toBeLessThan(SLOW_VIEWER_MEMORY_LIMIT);

    // It reads again: queued reports, then how many were lost; every report is either received or counted.
    socket.resume();
    // The dropped count comes once the queue has drained; the close is reported after it.
    await waitFor(() => reports.some((report) => report.type === 'dropped'), 20_000, 'the dropped count');
    await flood.close();
    await waitFor(() => reports.some((report) => report.type === 'tcp-closed'), 20_000, 'the slow observer to catch up');
    expect(parser.violation).toBeNull();
    const dropped = reports.filter((report) => report.type === 'dropped').reduce((sum, report) => sum + (report['count'] as number), 0);
    expect(dropped).toBeGreaterThan(0);
    const delivered = reports.filter((report) => report.type !== 'hello' && report.type !== 'dropped').length;
    // subject, handshake-request, accept, handshake-response, negotiated; 4 per echoed message (frame and
    // message, both ways); the close: 2 frames, close-received, closed, tcp-closed.
    expect(delivered + dropped).toBe(5 + 4 * FLOOD_MESSAGES + 5);
    socket.destroy();
    await closeAll(bystanders);
    await waitForNoConnections();
  }, 60_000);
});

/** A subject that sends FLOOD_MESSAGES at once and waits for the echoes; close() ends it cleanly. */
async function runFlood(subjectUrl: string): Promise<{ elapsedMs: number; close(): Promise<void> }> {
  const started = Date.now();
  const subject = new WebSocket(subjectUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    subject.once('open', resolve);
    subject.once('error', reject);
  });
  let echoes = 0;
  const done = new Promise<void>((resolve) => subject.on('message', () => {
    if (++echoes === FLOOD_MESSAGES) resolve();
  }));
  for (let i = 0; i < FLOOD_MESSAGES; i++) subject.send(FLOOD_MESSAGE);
  await done;
  return {
    elapsedMs: Date.now() - started,
    close: () => new Promise<void>((resolve) => {
      subject.once('close', () => resolve());
      subject.close(1000, 'flood over');
    }),
  };
}
