/**
 * /lab: an observer (/lab/observe) receives reports about the learner's subject connection
 * (/lab?session=ID): the handshake as received, the accept computation, every frame both ways, the
 * messages and the close. A slow observer loses reports (counted), never stalls the subject.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FrameParser } from '../../src/protocol/frame/parser.ts';
import { clientFrame, delay, eventually, exchange, handshakeHead, parseResponse, start, type Started } from './helpers.ts';

type Report = Record<string, unknown> & { type: string; t: number; subject?: number };

let lab: Started;
beforeAll(async () => {
  lab = await start({ observerQueueBytes: 256 * 1024 });
});
afterAll(async () => {
  await lab.server.close();
});

interface Observer {
  readonly ws: WebSocket;
  readonly reports: Report[];
  readonly session: string;
  readonly subjectUrl: string;
}

async function observe(): Promise<Observer> {
  const ws = new WebSocket(`${lab.wsBase}/lab/observe`);
  const reports: Report[] = [];
  ws.on('message', (data) => reports.push(JSON.parse(String(data)) as Report));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  expect(await eventually(() => reports.length > 0)).toBe(true);
  const hello = reports[0]!;
  expect(hello.type).toBe('hello');
  return { ws, reports, session: String(hello['session']), subjectUrl: String(hello['subjectUrl']) };
}

async function openSubject(url: string, options: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; accept: string }> {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  let accept = '';
  ws.once('upgrade', (response) => {
    accept = String(response.headers['sec-websocket-accept']);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, accept };
}

function ofType(reports: readonly Report[], type: string, subject?: number): Report[] {
  return reports.filter((report) => report.type === type && (subject === undefined || report.subject === subject));
}

describe('/lab observer and subject', () => {
  it('hello names the session and the subject URL', async () => {
    const observer = await observe();
    expect(observer.session).toMatch(/^[A-Za-z0-9_-]{16}$/);
    // Built from the Host header the observer sent (ws sends host:port).
    expect(observer.subjectUrl).toBe(`${lab.wsBase}/lab?session=${observer.session}`);
    expect(observer.reports[0]).toMatchObject({ type: 'hello', protocolVersion: 1, previewBytes: 4096 });
    observer.ws.close();
  });

  it('reports the raw handshake, the accept steps, frames both ways, messages and the close', async () => {
    const observer = await observe();
    const { ws, accept } = await openSubject(observer.subjectUrl);
    const echo = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('Hello');
    expect(await echo).toBe('Hello');
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close(1000, 'done');
    await closed;
    expect(await eventually(() => ofType(observer.reports, 'tcp-closed', 1).length === 1)).toBe(true);
    const reports = observer.reports;

    const request = ofType(reports, 'handshake-request', 1)[0]!;
    const key = /Sec-WebSocket-Key: (\S+)\r\n/i.exec(String(request['raw']))?.[1] ?? '';
    expect(String(request['raw'])).toMatch(/^GET \/lab\?session=\S+ HTTP\/1\.1\r\n[\s\S]*\r\n\r\n$/);
    // The accept steps are those of the client's real key, and give the value the client received (RFC 6455 §1.3).
    const expectedAccept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    expect(ofType(reports, 'accept', 1)[0]).toMatchObject({ key, accept: expectedAccept });
    expect(accept).toBe(expectedAccept);
    expect(ofType(reports, 'handshake-response', 1)[0]).toMatchObject({ status: 101 });
    expect(String(ofType(reports, 'handshake-response', 1)[0]!['raw'])).toContain(`Sec-WebSocket-Accept: ${expectedAccept}`);
    expect(ofType(reports, 'negotiated', 1)[0]).toMatchObject({ protocol: null, extensions: null, deflate: null });

    const frames = ofType(reports, 'frame', 1).map((report) => report['record'] as Record<string, unknown>);
    const textIn = frames.find((record) => record['direction'] === 'client-to-server' && record['opcodeName'] === 'text')!;
    expect(textIn['masked']).toBe(true);
    expect(textIn['maskingKey']).toMatch(/^[0-9a-f]{8}$/);
    expect(textIn['payload']).toMatchObject({ unmasked: Buffer.from('Hello').toString('hex'), truncated: false });
    // The header as on the wire: FIN + text, MASK + length 5, then the masking key (RFC 6455 §5.2).
    expect(textIn['header']).toBe(`8185${String(textIn['maskingKey'])}`);
    const textOut = frames.find((record) => record['direction'] === 'server-to-client' && record['opcodeName'] === 'text')!;
    expect(textOut).toMatchObject({ masked: false, maskingKey: null, header: '8105' });
    expect(frames.filter((record) => record['opcodeName'] === 'close').map((record) => record['direction'])).toEqual([
      'client-to-server',
      'server-to-client',
    ]);
    expect(ofType(reports, 'message', 1).map((report) => [report['direction'], report['text']])).toEqual([
      ['client-to-server', 'Hello'],
      ['server-to-client', 'Hello'],
    ]);
    expect(ofType(reports, 'close-received', 1)[0]).toMatchObject({ code: 1000, reason: 'done' });
    expect(ofType(reports, 'closed', 1)[0]).toMatchObject({ code: 1000, wasClean: true });

    const times = reports.map((report) => report.t);
    expect(times.every((t, i) => typeof t === 'number' && (i === 0 || t >= times[i - 1]!))).toBe(true);
    observer.ws.close();
  });

  it('one observer watches several subject connections in sequence (a learner reconnecting)', async () => {
    const observer = await observe();
    for (let round = 0; round < 2; round++) {
      const { ws } = await openSubject(observer.subjectUrl, { perMessageDeflate: true });
      const echo = new Promise((resolve) => ws.once('message', resolve));
      ws.send(Buffer.from([1, 2, 3]));
      await echo;
      ws.close();
      await new Promise((resolve) => ws.once('close', resolve));
    }
    expect(await eventually(() => ofType(observer.reports, 'tcp-closed').length === 2)).toBe(true);
    expect(ofType(observer.reports, 'subject').map((report) => report.subject)).toEqual([1, 2]);
    expect(ofType(observer.reports, 'negotiated', 2)[0]!['extensions']).toMatch(/^permessage-deflate/);
    const compressedIn = ofType(observer.reports, 'message', 2).find((report) => report['direction'] === 'client-to-server')!;
    expect(compressedIn).toMatchObject({ opcodeName: 'binary', hex: '010203', compressed: true });
    const record = ofType(observer.reports, 'frame', 2).find(
      (report) => (report['record'] as Record<string, unknown>)['opcodeName'] === 'binary',
    )!['record'] as Record<string, unknown>;
    expect(record['rsv1']).toBe(true);
    expect(record['inflated']).toMatchObject({ preview: '010203', length: 3 });
    observer.ws.close();
  });

  it('a refused subject handshake is reported with its status and reason', async () => {
    const observer = await observe();
    const answer = await exchange(lab.port, handshakeHead(`/lab?session=${observer.session}`, { 'Sec-WebSocket-Version': '8' }));
    expect(parseResponse(answer.text).status).toBe(426);
    expect(await eventually(() => ofType(observer.reports, 'handshake-response').length === 1)).toBe(true);
    expect(ofType(observer.reports, 'handshake-response')[0]).toMatchObject({ status: 426, section: 'RFC 6455 §4.4' });
    expect(ofType(observer.reports, 'accept')).toHaveLength(0);
    observer.ws.close();
  });

  it('a violation by the subject is reported: the frame record carries it, then the violation and the close', async () => {
    const observer = await observe();
    const bytes = Buffer.concat([
      Buffer.from(handshakeHead(`/lab?session=${observer.session}`)),
      clientFrame(0x3, Buffer.from('?')), // reserved opcode (RFC 6455 §5.2)
    ]);
    const answer = await exchange(lab.port, bytes);
    expect(answer.closed).toBe(true);
    expect(await eventually(() => ofType(observer.reports, 'closed').length === 1)).toBe(true);
    const violation = ofType(observer.reports, 'violation')[0]!;
    expect(violation).toMatchObject({ closeCode: 1002, section: 'RFC 6455 §5.2' });
    const flagged = ofType(observer.reports, 'frame').map((report) => report['record'] as Record<string, unknown>).find((record) => record['violation']);
    expect(flagged).toMatchObject({ direction: 'client-to-server', opcode: 3 });
    expect(ofType(observer.reports, 'closed')[0]).toMatchObject({ code: 1002, wasClean: false });
    observer.ws.close();
  });

  it('a slow observer gets a dropped count, and the subject is not stalled', async () => {
    // A raw observer that reads nothing after its handshake: its reports back up in the kernel, then in
    // our bounded queue, then are dropped.
    const socket = net.connect(lab.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.write(handshakeHead('/lab/observe'));
    expect(await eventually(() => Buffer.concat(chunks).includes('"hello"'))).toBe(true);
    socket.pause();
    const all = Buffer.concat(chunks);
    const headEnd = all.indexOf('\r\n\r\n') + 4;
    const parser = new FrameParser({ role: 'client' });
    const reports: Report[] = [];
    const take = (bytes: Uint8Array): void => {
      for (const frame of parser.push(bytes)) if (frame.opcode === 0x1) reports.push(JSON.parse(new TextDecoder().decode(frame.payload)) as Report);
    };
    take(all.subarray(headEnd));
    const session = String(reports[0]!['session']);

    const { ws } = await openSubject(`${lab.wsBase}/lab?session=${session}`);
    // ~60 KiB of reports per round trip (hex previews of both frames): far more than the kernel buffers hold.
    const payload = 'p'.repeat(4096);
    const started = Date.now();
    for (let i = 0; i < 800; i++) {
      const echo = new Promise((resolve) => ws.once('message', resolve));
      ws.send(payload);
      await echo;
    }
    expect(Date.now() - started).toBeLessThan(20_000); // the subject never waited for the observer

    socket.removeAllListeners('data');
    socket.on('data', (chunk: Buffer) => take(chunk));
    socket.resume();
    // The observer catches up: the queued reports, then how many were lost.
    expect(await eventually(() => ofType(reports, 'dropped').length > 0, 20_000)).toBe(true);
    expect(parser.violation).toBeNull();
    const dropped = ofType(reports, 'dropped');
    expect(dropped.every((report) => typeof report['count'] === 'number' && (report['count'] as number) > 0)).toBe(true);
    const lost = dropped.reduce((sum, report) => sum + (report['count'] as number), 0);
    expect(ofType(reports, 'frame').length + lost).toBeGreaterThanOrEqual(1600);
    // Reporting recovers: the close of the subject arrives after the dropped count.
    ws.close();
    expect(await eventually(() => ofType(reports, 'tcp-closed').length === 1, 10_000)).toBe(true);
    expect(reports.findIndex((report) => report.type === 'dropped')).toBeLessThan(reports.findIndex((report) => report.type === 'closed'));
    const times = reports.map((report) => report.t);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    socket.destroy();
  }, 60_000);

  it('?deflate=off: the server declines the permessage-deflate offer and says why (RFC 7692 §5)', async () => {
    const observer = await observe();
    const { ws } = await openSubject(`${observer.subjectUrl}&deflate=off`, { perMessageDeflate: true });
    expect(ws.extensions).toBe('');
    const echo = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('plain');
    expect(await echo).toBe('plain');
    expect(await eventually(() => ofType(observer.reports, 'message', 1).length === 2)).toBe(true);
    const negotiated = ofType(observer.reports, 'negotiated', 1)[0]!;
    expect(negotiated).toMatchObject({ extensions: null, deflate: null });
    expect(negotiated['declinedOffers']).toEqual([
      { offerIndex: 0, reason: 'permessage-deflate declined: the subject URL asked for ?deflate=off', section: 'RFC 7692 §5' },
    ]);
    expect(String(ofType(observer.reports, 'handshake-response', 1)[0]!['raw'])).not.toMatch(/Sec-WebSocket-Extensions/i);
    expect(ofType(observer.reports, 'message', 1).every((report) => report['compressed'] === false)).toBe(true);
    ws.close();
    // Without the parameter the same client gets deflate.
    const { ws: again } = await openSubject(observer.subjectUrl, { perMessageDeflate: true });
    expect(again.extensions).toMatch(/^permessage-deflate/);
    again.close();
    observer.ws.close();
  });

  it('any other deflate= value is refused with 400 and a one-line reason', async () => {
    const observer = await observe();
    const answer = await exchange(lab.port, handshakeHead(`/lab?session=${observer.session}&deflate=maybe`));
    const response = parseResponse(answer.text);
    expect(response.status).toBe(400);
    expect(Buffer.from(response.body, 'latin1').toString('utf8').trim()).toBe(
      'unknown deflate="maybe": use deflate=off to decline permessage-deflate, or leave it out (RFC 6455 §4.2.2)',
    );
    observer.ws.close();
  });

  it('the session ends with its observer: later subjects get 404', async () => {
    const observer = await observe();
    const closed = new Promise((resolve) => observer.ws.once('close', resolve));
    observer.ws.close();
    await closed;
    await delay(20);
    const answer = await exchange(lab.port, handshakeHead(`/lab?session=${observer.session}`));
    expect(parseResponse(answer.text).status).toBe(404);
  });
});
