/**
 * /lab observer commands (LabCommand): the server acts on the subject connection and answers with a
 * command-result. Each command is checked on the wire, through a real peer (ws, or the core client
 * where the client's verdict matters), and in the reports the observer receives.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectWebSocket, type CloseInfo } from '../../src/node/client.ts';
import { FrameParser } from '../../src/protocol/frame/parser.ts';
import { MAX_SEND_LARGE_BYTES } from '../../src/reports/lab-command-parse.ts';
import { SERVER_VIOLATIONS, type ServerViolationKind } from '../../src/reports/lab-report-types.ts';
import { eventually, handshakeHead, parseResponse, start, type Started } from './helpers.ts';

type Report = Record<string, unknown> & { type: string; t: number; subject?: number };
type FrameJson = Record<string, unknown> & { opcode: number; fin: boolean; direction: string };

let lab: Started;
beforeAll(async () => {
  lab = await start();
});
afterAll(async () => {
  await lab.server.close();
});

interface Observer {
  readonly ws: WebSocket;
  readonly reports: Report[];
  readonly subjectUrl: string;
  /** Sends a command (an object, or raw text) and waits for the command-result with its id. */
  command(command: Record<string, unknown> | string, id?: number): Promise<Report>;
  ofType(type: string, subject?: number): Report[];
  frames(subject: number, direction?: string): FrameJson[];
}

let nextId = 1;

async function observe(on: Started = lab): Promise<Observer> {
  const ws = new WebSocket(`${on.wsBase}/lab/observe`);
  const reports: Report[] = [];
  ws.on('message', (data) => reports.push(JSON.parse(String(data)) as Report));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  expect(await eventually(() => reports.length > 0)).toBe(true);
  const ofType = (type: string, subject?: number): Report[] =>
    reports.filter((report) => report.type === type && (subject === undefined || report.subject === subject));
  return {
    ws,
    reports,
    subjectUrl: String(reports[0]!['subjectUrl']),
    ofType,
    frames: (subject, direction) =>
      ofType('frame', subject).map((report) => report['record'] as FrameJson).filter((record) => direction === undefined || record.direction === direction),
    async command(command, id) {
      const expectedId = id ?? (typeof command === 'object' && typeof command['id'] === 'number' ? command['id'] : 0);
      const before = ofType('command-result').length;
      ws.send(typeof command === 'string' ? command : JSON.stringify(command));
      const found = (): Report | undefined => ofType('command-result').slice(before).find((report) => report['id'] === expectedId);
      expect(await eventually(() => found() !== undefined)).toBe(true);
      return found()!;
    },
  };
}

async function openSubject(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

function closeEvent(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

describe('observer commands act on the subject', () => {
  it('ping: the server pings, ws answers, and the pong is reported', async () => {
    const observer = await observe();
    const ws = await openSubject(observer.subjectUrl);
    const pinged = new Promise<string>((resolve) => ws.once('ping', (data) => resolve(String(data))));
    const result = await observer.command({ id: nextId++, type: 'ping', text: 'are you there?' });
    expect(result).toMatchObject({ ok: true, subject: 1 });
    expect(await pinged).toBe('are you there?');
    expect(await eventually(() => observer.ofType('pong', 1).length === 1)).toBe(true);
    expect(observer.ofType('pong', 1)[0]).toMatchObject({ direction: 'client-to-server', hex: Buffer.from('are you there?').toString('hex') });
    expect(observer.frames(1, 'server-to-client').map((record) => record.opcodeName)).toEqual(['ping']);
    expect(observer.frames(1, 'client-to-server').map((record) => record.opcodeName)).toEqual(['pong']);
    ws.close();
    observer.ws.close();
  });

  it('send-fragmented: one text message in exactly N frames, FIN only on the last (RFC 6455 §5.4)', async () => {
    const observer = await observe();
    const ws = await openSubject(observer.subjectUrl);
    const text = 'Fragments: ünïcödé split anywhere';
    const received = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    expect(await observer.command({ id: nextId++, type: 'send-fragmented', text, fragments: 5 })).toMatchObject({ ok: true });
    expect(await received).toBe(text);
    const frames = observer.frames(1, 'server-to-client');
    expect(frames.map((record) => [record.opcode, record.fin])).toEqual([[1, false], [0, false], [0, false], [0, false], [0, true]]);
    const total = frames.reduce((sum, record) => sum + (record['payloadLength'] as number), 0);
    expect(total).toBe(Buffer.byteLength(text));
    expect(observer.ofType('message', 1).at(-1)).toMatchObject({ direction: 'server-to-client', text, byteLength: total });
    // More fragments than bytes: the extra fragments are empty, still one message.
    const short = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    expect(await observer.command({ id: nextId++, type: 'send-fragmented', text: 'ab', fragments: 4 })).toMatchObject({ ok: true });
    expect(await short).toBe('ab');
    ws.close();
    observer.ws.close();
  });

  it('send-compressed: RSV1 on the only frame and ws inflates the text (RFC 7692 §6); refused without deflate', async () => {
    const observer = await observe();
    const ws = await openSubject(observer.subjectUrl, { perMessageDeflate: true });
    const text = 'compress me compress me compress me';
    const received = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    expect(await observer.command({ id: nextId++, type: 'send-compressed', text })).toMatchObject({ ok: true });
    expect(await received).toBe(text);
    const [record] = observer.frames(1, 'server-to-client');
    expect(record).toMatchObject({ rsv1: true, fin: true, opcode: 1 });
    expect(record!['payloadLength']).toBeLessThan(Buffer.byteLength(text));
    expect(observer.ofType('message', 1).at(-1)).toMatchObject({ direction: 'server-to-client', compressed: true, text });

    const plain = await openSubject(observer.subjectUrl);
    const refused = await observer.command({ id: nextId++, type: 'send-compressed', text });
    expect(refused).toMatchObject({ ok: false, subject: 2 });
    expect(refused['error']).toMatch(/permessage-deflate was not negotiated on subject 2/);
    expect(observer.frames(2, 'server-to-client')).toHaveLength(0);
    ws.close();
    plain.close();
    observer.ws.close();
  });

  it('send-interleaved: a ping and a pong between the fragments of one text message (RFC 6455 §5.4)', async () => {
    const observer = await observe();
    const ws = await openSubject(observer.subjectUrl);
    const order: string[] = [];
    ws.on('ping', () => order.push('ping'));
    const received = new Promise<string>((resolve) => ws.once('message', (data) => {
      order.push('message');
      resolve(String(data));
    }));
    expect(await observer.command({ id: nextId++, type: 'send-interleaved', text: 'interleaved!' })).toMatchObject({ ok: true });
    expect(await received).toBe('interleaved!');
    expect(order).toEqual(['ping', 'message']);
    expect(observer.frames(1, 'server-to-client').map((record) => [record.opcodeName, record.fin])).toEqual([
      ['text', false], ['ping', true], ['continuation', false], ['pong', true], ['continuation', true],
    ]);
    // ws answers the ping; the pong from ws is reported (the server's own pong asked for nothing).
    expect(await eventually(() => observer.ofType('pong', 1).length === 1)).toBe(true);
    ws.close();
    observer.ws.close();
  });

  it('close: the server starts the closing handshake with the code and reason given', async () => {
    const observer = await observe();
    const ws = await openSubject(observer.subjectUrl);
    const closed = closeEvent(ws);
    expect(await observer.command({ id: nextId++, type: 'close', code: 4001, reason: 'lesson over' })).toMatchObject({ ok: true });
    expect(await closed).toEqual({ code: 4001, reason: 'lesson over' });
    expect(await eventually(() => observer.ofType('tcp-closed', 1).length === 1)).toBe(true);
    expect(observer.frames(1, 'server-to-client')[0]).toMatchObject({ opcodeName: 'close', closeCode: 4001, closeReason: 'lesson over' });
    expect(observer.ofType('closed', 1)[0]).toMatchObject({ code: 4001, wasClean: true });
    // The subject is gone: a command naming it says so.
    const late = await observer.command({ id: nextId++, type: 'ping', subject: 1 });
    expect(late).toMatchObject({ ok: false, error: 'subject 1 is no longer connected' });
    observer.ws.close();
  });

  it('close: codes that must not be sent and over-long reasons are refused, and the subject keeps working', async () => {
    const observer = await observe();
    const ws = await openSubject(observer.subjectUrl);
    for (const code of [999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
      const result = await observer.command({ id: nextId++, type: 'close', code, reason: '' });
      expect(result, String(code)).toMatchObject({ ok: false });
      expect(String(result['error']), String(code)).toMatch(new RegExp(`close code ${code} may not be sent .*RFC 6455 §7\\.4.*sendable: 1000-1003, 1007-1014, 3000-4999`));
    }
    const long = await observer.command({ id: nextId++, type: 'close', code: 1000, reason: 'é'.repeat(62) });
    expect(long['error']).toMatch(/124 bytes of UTF-8; at most 123/);
    expect(observer.frames(1, 'server-to-client')).toHaveLength(0);
    const echo = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('still here');
    expect(await echo).toBe('still here');
    ws.close();
    observer.ws.close();
  });
});

/** What a client does with each deliberately broken server frame: the rule and the close code it fails with. */
const EXPECTED: Record<ServerViolationKind, { closeCode: number; section: string }> = {
  rsv2: { closeCode: 1002, section: 'RFC 6455 §5.2' },
  'reserved-opcode': { closeCode: 1002, section: 'RFC 6455 §5.2' },
  'masked-frame': { closeCode: 1002, section: 'RFC 6455 §5.1' },
  'invalid-utf8': { closeCode: 1007, section: 'RFC 6455 §8.1' },
  'long-control': { closeCode: 1002, section: 'RFC 6455 §5.5' },
  'fragmented-control': { closeCode: 1002, section: 'RFC 6455 §5.5' },
  'unexpected-continuation': { closeCode: 1002, section: 'RFC 6455 §5.4' },
};

describe('report order: the frames the server writes, then their message, then the command-result', () => {
  /** What the observer got about the server's side, from `from` on: frame:opcodeName, message, command-result. */
  function serverSide(observer: Observer, from: number): string[] {
    return observer.reports.slice(from)
      .filter((report) => report['direction'] !== 'client-to-server')
      .filter((report) => ['frame', 'message', 'command-result'].includes(report.type))
      .map((report) => (report.type === 'frame' ? `frame:${(report['record'] as FrameJson)['opcodeName']}` : report.type));
  }

  it.each([
    [{ type: 'send-fragmented', text: 'Hello', fragments: 3 }, ['frame:text', 'frame:continuation', 'frame:continuation']],
    [{ type: 'send-compressed', text: 'zip zip zip' }, ['frame:text']],
    [{ type: 'send-interleaved', text: 'abc' }, ['frame:text', 'frame:ping', 'frame:continuation', 'frame:pong', 'frame:continuation']],
    [{ type: 'send-large', bytes: 10 }, ['frame:binary']],
  ])('%j', async (command, frames) => {
    const observer = await observe();
    const ws = await openSubject(observer.subjectUrl, { perMessageDeflate: true });
    const from = observer.reports.length;
    expect(await observer.command({ id: nextId++, ...command })).toMatchObject({ ok: true });
    expect(serverSide(observer, from)).toEqual([...frames, 'message', 'command-result']);
    ws.close();
    observer.ws.close();
  });

  it('an echo: the subject\'s frame and message, then the echo\'s frame and message', async () => {
    const observer = await observe();
    const ws = await openSubject(observer.subjectUrl);
    const from = observer.reports.length;
    ws.send('echo me');
    expect(await eventually(() => observer.ofType('message', 1).length === 2)).toBe(true);
    const order = observer.reports.slice(from)
      .filter((report) => report.type === 'frame' || report.type === 'message')
      .map((report) => `${report.type}:${String(report['direction'] ?? (report['record'] as FrameJson).direction)}`);
    expect(order).toEqual(['frame:client-to-server', 'message:client-to-server', 'frame:server-to-client', 'message:server-to-client']);
    ws.close();
    observer.ws.close();
  });
});

describe('violation: the server breaks a rule on purpose and the client fails the connection', () => {
  for (const kind of SERVER_VIOLATIONS) {
    it(`${kind}: ws fails the connection, the frame report carries the client's verdict`, async () => {
      const observer = await observe();
      const ws = await openSubject(observer.subjectUrl);
      const errors: Error[] = [];
      ws.on('error', (error) => errors.push(error));
      const closed = closeEvent(ws);
      expect(await observer.command({ id: nextId++, type: 'violation', kind })).toMatchObject({ ok: true, subject: 1 });
      const { closeCode, section } = EXPECTED[kind];
      // ws fails the connection (RFC 6455 §7.1.7): an error, its close frame with the rule's code, and it
      // stops reading, so ws itself reports 1006 (it never reads the server's answering close).
      expect((await closed).code).toBe(1006);
      expect(errors).toHaveLength(1);
      expect(await eventually(() => observer.ofType('tcp-closed', 1).length === 1)).toBe(true);
      const [bad] = observer.frames(1, 'server-to-client');
      expect(bad!['violation']).toMatchObject({ closeCode, section, byteOffset: expect.any(Number) });
      // What ws sent on the wire: a close frame with the code of the rule it applied.
      expect(observer.ofType('close-received', 1)[0]).toMatchObject({ code: closeCode });
      expect(observer.ofType('closed', 1)[0]).toMatchObject({ code: closeCode });
      observer.ws.close();
    });
  }

  it('a client that neither fails nor answers is closed after the close timeout, and the observer hears of it', async () => {
    const CLOSE_TIMEOUT_MS = 300;
    const quick = await start({ closeTimeoutMs: CLOSE_TIMEOUT_MS });
    try {
      const observer = await observe(quick);
      // A raw subject that reads everything and says nothing: it ignores the frame it must reject.
      const socket = net.connect(quick.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.on('data', () => {});
      const ended = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
      socket.write(handshakeHead(`/lab?session=${observer.subjectUrl.split('session=')[1]}`));
      expect(await eventually(() => observer.ofType('handshake-response', 1).length === 1)).toBe(true);
      const sent = performance.now();
      expect(await observer.command({ id: nextId++, type: 'violation', kind: 'rsv2' })).toMatchObject({ ok: true, subject: 1 });
      const closedAfter = (await ended) - sent;
      expect(closedAfter).toBeGreaterThanOrEqual(CLOSE_TIMEOUT_MS - 50);
      expect(closedAfter).toBeLessThan(CLOSE_TIMEOUT_MS + 3000);
      expect(await eventually(() => observer.ofType('closed', 1).length === 1)).toBe(true);
      expect(observer.ofType('closed', 1)[0]).toMatchObject({ code: 1006, wasClean: false });
      expect(quick.logs.some((line) => line.includes(`did not fail the connection after a frame it must reject (RFC 6455 §7.1.7): closed after ${CLOSE_TIMEOUT_MS} ms`))).toBe(true);
      observer.ws.close();
    } finally {
      await quick.server.close();
    }
  });

  it('the core client reaches the same verdict as the report, for every kind', async () => {
    const observer = await observe();
    for (const [i, kind] of SERVER_VIOLATIONS.entries()) {
      const client = await connectWebSocket(observer.subjectUrl);
      const verdict = new Promise<{ closeCode: number; reason: string; section: string }>((resolve) => client.once('violation', resolve));
      expect(await observer.command({ id: nextId++, type: 'violation', kind })).toMatchObject({ ok: true, subject: i + 1 });
      const seen = await verdict;
      const info: CloseInfo = await client.closed;
      expect(info.code).toBe(seen.closeCode);
      const reported = observer.frames(i + 1, 'server-to-client')[0]!['violation'];
      expect(reported).toMatchObject({ closeCode: seen.closeCode, reason: seen.reason, section: seen.section });
    }
    observer.ws.close();
  });
});

describe('send-large and backpressure', () => {
  it('a subject that does not read gets backpressure paused then drained, and every byte arrives', async () => {
    const observer = await observe();
    const socket = net.connect(lab.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(handshakeHead(`/lab?session=${observer.subjectUrl.split('session=')[1]}`));
    const head = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
    expect(parseResponse(head.toString('latin1')).status).toBe(101);
    socket.pause();

    const bytes = MAX_SEND_LARGE_BYTES;
    expect(await observer.command({ id: nextId++, type: 'send-large', bytes })).toMatchObject({ ok: true });
    expect(await eventually(() => observer.ofType('backpressure', 1).length === 1)).toBe(true);
    const paused = observer.ofType('backpressure', 1)[0]!;
    expect(paused).toMatchObject({ state: 'paused' });
    expect(paused['bufferedBytes']).toBeGreaterThan(1024 * 1024);
    // More output for a reader that is stuck is refused, with the reason.
    const refused = await observer.command({ id: nextId++, type: 'send-large', bytes: 10 });
    expect(refused).toMatchObject({ ok: false });
    expect(refused['error']).toMatch(/subject 1 is not reading: \d+ bytes wait to be written/);

    const parser = new FrameParser({ role: 'client', maxFramePayload: bytes });
    const payloads: Uint8Array[] = [];
    socket.on('data', (chunk: Buffer) => {
      for (const frame of parser.push(chunk)) payloads.push(frame.payload.slice());
    });
    const rest = head.subarray(head.indexOf('\r\n\r\n') + 4);
    if (rest.length > 0) socket.emit('data', rest);
    socket.resume();
    expect(await eventually(() => payloads.length === 1, 10_000)).toBe(true);
    expect(await eventually(() => observer.ofType('backpressure', 1).length === 2)).toBe(true);
    expect(observer.ofType('backpressure', 1)[1]).toMatchObject({ state: 'drained', bufferedBytes: 0 });
    const data = payloads[0]!;
    expect(data.length).toBe(bytes);
    let mismatches = 0;
    for (let i = 0; i < data.length; i++) if (data[i] !== (i & 0xff)) mismatches++;
    expect(mismatches).toBe(0);
    expect(observer.frames(1, 'server-to-client')[0]).toMatchObject({ opcodeName: 'binary', payloadLength: bytes, rsv1: false });
    expect(observer.ofType('message', 1)[0]).toMatchObject({ direction: 'server-to-client', byteLength: bytes, truncated: true });
    socket.destroy();
    observer.ws.close();
  }, 30_000);
});

describe('a subject that closes while paused', () => {
  it('gets a drained report before tcp-closed, so the observer does not show it paused forever', async () => {
    const observer = await observe();
    const socket = net.connect(lab.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(handshakeHead(`/lab?session=${observer.subjectUrl.split('session=')[1]}`));
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    expect(await observer.command({ id: nextId++, type: 'send-large', bytes: MAX_SEND_LARGE_BYTES })).toMatchObject({ ok: true });
    expect(await eventually(() => observer.ofType('backpressure', 1).length === 1)).toBe(true);
    socket.destroy();
    expect(await eventually(() => observer.ofType('tcp-closed', 1).length === 1)).toBe(true);
    const tail = observer.reports.filter((report) => report.subject === 1 && ['backpressure', 'closed', 'tcp-closed'].includes(report.type));
    expect(tail.map((report) => (report.type === 'backpressure' ? `backpressure:${String(report['state'])}` : report.type))).toEqual([
      'backpressure:paused',
      'closed',
      'backpressure:drained',
      'tcp-closed',
    ]);
    observer.ws.close();
  }, 30_000);
});

describe('send-large has a server-wide budget (one small command must not make the server hold 16 MiB without bound)', () => {
  /** A raw subject that never reads: what the server writes to it stays queued. */
  async function stuckSubject(on: Started, observer: Observer, number: number): Promise<net.Socket> {
    const socket = net.connect(on.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(handshakeHead(`/lab?session=${observer.subjectUrl.split('session=')[1]}`));
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    expect(await eventually(() => observer.ofType('negotiated', number).length === 1)).toBe(true);
    return socket;
  }

  it('a command beyond the budget is refused with one line; the budget comes back as the subject drains', async () => {
    const budget = MAX_SEND_LARGE_BYTES + MAX_SEND_LARGE_BYTES / 4;
    const limited = await start({ commandQueueBytes: budget });
    try {
      const observer = await observe(limited);
      const first = await stuckSubject(limited, observer, 1);
      const second = await stuckSubject(limited, observer, 2);
      expect(await observer.command({ id: nextId++, subject: 1, type: 'send-large', bytes: MAX_SEND_LARGE_BYTES })).toMatchObject({ ok: true });
      const refused = await observer.command({ id: nextId++, subject: 2, type: 'send-large', bytes: MAX_SEND_LARGE_BYTES });
      expect(refused).toMatchObject({ ok: false, subject: 2 });
      expect(refused['error']).toMatch(new RegExp(`send-large messages that subjects have not read \\(limit ${budget}\\)`));
      expect(String(refused['error']).split('\n')).toHaveLength(1);
      // Small ones still fit in what is left.
      expect(await observer.command({ id: nextId++, subject: 2, type: 'send-large', bytes: 1000 })).toMatchObject({ ok: true });
      // Subject 1 reads everything: its socket drains and its booking is released.
      first.on('data', () => undefined);
      first.resume();
      expect(await eventually(() => observer.ofType('backpressure', 1).some((report) => report['state'] === 'drained'), 10_000)).toBe(true);
      expect(await observer.command({ id: nextId++, subject: 2, type: 'send-large', bytes: MAX_SEND_LARGE_BYTES })).toMatchObject({ ok: true });
      // A subject that leaves releases its booking too: subject 2 goes, and 16 MiB fit again on subject 1.
      second.destroy();
      expect(await eventually(() => observer.ofType('tcp-closed', 2).length === 1)).toBe(true);
      expect(await observer.command({ id: nextId++, subject: 1, type: 'send-large', bytes: MAX_SEND_LARGE_BYTES })).toMatchObject({ ok: true });
      first.destroy();
      observer.ws.close();
    } finally {
      await limited.server.close();
    }
  }, 30_000);
});

describe('bad commands get ok:false with a one-line reason; the session keeps working', () => {
  it('answers every malformed command and still runs a good one afterwards', async () => {
    const observer = await observe();
    const noSubject = await observer.command({ id: 7, type: 'ping' });
    expect(noSubject).toMatchObject({ ok: false, subject: null, error: expect.stringMatching(/^no open subject connection/) });
    const ws = await openSubject(observer.subjectUrl);
    const cases: [Record<string, unknown> | string, RegExp][] = [
      ['{not json', /^invalid JSON: /],
      ['[1,2]', /^a command is a JSON object/],
      ['"ping"', /^a command is a JSON object/],
      [{ type: 'ping' }, /^id must be an integer/],
      [{ id: 'x', type: 'ping' }, /^id must be an integer/],
      [{ id: 1001, type: 'explode' }, /^unknown command "explode"; one of ping, send-fragmented/],
      [{ id: 1002, type: 'ping', subject: 0 }, /^subject must be a positive integer/],
      [{ id: 1003, type: 'ping', subject: 42 }, /^no subject 42 in this session$/],
      [{ id: 1004, type: 'ping', text: 'x'.repeat(126) }, /^ping: text is 126 bytes of UTF-8; a control frame carries at most 125 \(RFC 6455 §5\.5\)$/],
      [{ id: 1005, type: 'ping', text: 5 }, /^ping: text must be a string$/],
      [{ id: 1006, type: 'send-fragmented', text: 'a', fragments: 1 }, /^send-fragmented: fragments must be an integer from 2 to 64$/],
      [{ id: 1007, type: 'send-fragmented', text: 'a', fragments: 65 }, /fragments must be an integer from 2 to 64/],
      [{ id: 1008, type: 'send-fragmented', fragments: 3 }, /^send-fragmented: text must be a string$/],
      [{ id: 1009, type: 'send-interleaved' }, /^send-interleaved: text must be a string$/],
      [{ id: 1010, type: 'close', reason: 'no code' }, /^close: code must be an integer$/],
      [{ id: 1011, type: 'violation', kind: 'rsv9' }, /^violation: unknown kind "rsv9"; one of rsv2, reserved-opcode/],
      [{ id: 1012, type: 'send-large', bytes: 0 }, /^send-large: bytes must be an integer from 1 to 16777216 \(16 MiB\)$/],
      [{ id: 1013, type: 'send-large', bytes: MAX_SEND_LARGE_BYTES + 1 }, /^send-large: bytes must be an integer from 1/],
      [{ id: 1014, type: 'send-large', bytes: 1.5 }, /^send-large: bytes must be an integer/],
      [{ id: 1015, type: 'unknown\ntype'.repeat(20) }, /^unknown command "unknown\\ntype/],
    ];
    for (const [command, error] of cases) {
      const id = typeof command === 'string' || typeof command['id'] !== 'number' ? 0 : command['id'];
      const result = await observer.command(command, id);
      expect(result, JSON.stringify(command)).toMatchObject({ ok: false, id });
      expect(String(result['error']), JSON.stringify(command)).toMatch(error);
      expect(String(result['error'])).not.toContain('\n');
    }
    // A binary message is not a command either.
    const before = observer.ofType('command-result').length;
    observer.ws.send(Buffer.from([1, 2, 3]));
    expect(await eventually(() => observer.ofType('command-result').length === before + 1)).toBe(true);
    expect(observer.ofType('command-result').at(-1)).toMatchObject({ ok: false, id: 0, error: 'commands are JSON text messages, not binary ones' });
    // Nothing reached the subject, and the session still works.
    expect(observer.frames(1, 'server-to-client')).toHaveLength(0);
    expect(await observer.command({ id: nextId++, type: 'ping', subject: 1 })).toMatchObject({ ok: true, subject: 1 });
    expect(await eventually(() => observer.ofType('pong', 1).length === 1)).toBe(true);
    ws.close();
    observer.ws.close();
  });

  it('an observer message over 64 KiB fails the observer connection with 1009; the server stays up', async () => {
    const observer = await observe();
    const closed = closeEvent(observer.ws);
    observer.ws.send(JSON.stringify({ id: 1, type: 'ping', text: 'x'.repeat(70_000) }));
    expect((await closed).code).toBe(1009);
    const other = await observe();
    expect(other.reports[0]).toMatchObject({ type: 'hello' });
    other.ws.close();
  });
});
