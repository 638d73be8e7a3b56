/**
 * /inspect (--inspect): a real `ws` client (the developer's app) talks to a real `ws` server (the
 * target) through the lab server. Every message must arrive unchanged at both ends, and every frame of
 * both directions must be reported to /lab/observe?watch=inspect, decoded (and inflated) by the core.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import { eventually, exchange, handshakeHead, parseResponse, start, type Started } from './helpers.ts';

type Report = Record<string, unknown> & { type: string; t: number; subject?: number };
type Record_ = Record<string, unknown>;

interface Target {
  readonly server: WebSocketServer;
  readonly port: number;
  /** The upgrade requests the target received. */
  readonly requests: IncomingMessage[];
  /** Messages the target received, as [isBinary, data]. */
  readonly received: [boolean, Buffer][];
  readonly sockets: WebSocket[];
  close(): Promise<void>;
}

/** A ws server that echoes every message (text as text, binary as binary). */
async function startTarget(perMessageDeflate: boolean | PerMessageDeflateOptions = false): Promise<Target> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const requests: IncomingMessage[] = [];
  const received: [boolean, Buffer][] = [];
  const sockets: WebSocket[] = [];
  server.on('connection', (socket, request) => {
    requests.push(request);
    sockets.push(socket);
    socket.on('message', (data, isBinary) => {
      received.push([isBinary, data as Buffer]);
      socket.send(data as Buffer, { binary: isBinary });
    });
    socket.on('error', () => undefined);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    server,
    port,
    requests,
    received,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

interface Observer {
  readonly ws: WebSocket;
  readonly reports: Report[];
}

async function observe(lab: Started, query = '?watch=inspect'): Promise<Observer> {
  const ws = new WebSocket(`${lab.wsBase}/lab/observe${query}`);
  const reports: Report[] = [];
  ws.on('message', (data) => reports.push(JSON.parse(String(data)) as Report));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  expect(await eventually(() => reports.length > 0)).toBe(true);
  return { ws, reports };
}

async function openApp(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

function ofType(reports: readonly Report[], type: string): Report[] {
  return reports.filter((report) => report.type === type);
}

function framesOf(reports: readonly Report[], direction: string): Record_[] {
  return ofType(reports, 'frame')
    .filter((report) => report['direction'] === direction)
    .map((report) => report['record'] as Record_);
}

function nextMessage(ws: WebSocket): Promise<[Buffer, boolean]> {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve([data as Buffer, isBinary])));
}

describe('relaying an app to its server', () => {
  let target: Target;
  let lab: Started;
  beforeAll(async () => {
    target = await startTarget();
    lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${target.port}/socket`) } });
  });
  afterAll(async () => {
    await lab.server.close();
    await target.close();
  });

  it('hello tells every observer where the app should connect', async () => {
    const observer = await observe(lab, '');
    expect(observer.reports[0]).toMatchObject({
      type: 'hello',
      inspect: { target: `ws://127.0.0.1:${target.port}/socket`, url: `${lab.wsBase}/inspect` },
    });
    observer.ws.close();
  });

  it('text, binary, fragments, pings and the close pass unchanged, and every frame is reported both ways', async () => {
    const observer = await observe(lab);
    const app = await openApp(`${lab.wsBase}/inspect?room=7`);
    // The target got the app's request with its own path (plus the app's query) and its own Host.
    const request = target.requests.at(-1)!;
    expect(request.url).toBe('/socket?room=7');
    expect(request.headers.host).toBe(`127.0.0.1:${target.port}`);

    app.send('Hello');
    expect(await nextMessage(app)).toEqual([Buffer.from('Hello'), false]);
    app.send(Buffer.from([1, 2, 3]));
    expect(await nextMessage(app)).toEqual([Buffer.from([1, 2, 3]), true]);
    // RFC 6455 §5.4: one text message in two frames.
    const echoed = nextMessage(app);
    app.send('frag-', { fin: false });
    app.send('ment', { fin: true });
    expect(await echoed).toEqual([Buffer.from('frag-ment'), false]);
    const pong = new Promise<Buffer>((resolve) => app.once('pong', resolve));
    app.ping('hi');
    expect(String(await pong)).toBe('hi');
    const pinged = new Promise<Buffer>((resolve) => app.once('ping', resolve));
    target.sockets.at(-1)!.ping('yo');
    expect(String(await pinged)).toBe('yo');
    const targetClosed = new Promise<[number, string]>((resolve) =>
      target.sockets.at(-1)!.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    const appClosed = new Promise<[number, string]>((resolve) => app.once('close', (code, reason) => resolve([code, String(reason)])));
    app.close(4000, 'bye');
    expect(await appClosed).toEqual([4000, 'bye']);
    expect(await targetClosed).toEqual([4000, 'bye']);
    expect(target.received.slice(-3)).toEqual([
      [false, Buffer.from('Hello')],
      [true, Buffer.from([1, 2, 3])],
      [false, Buffer.from('frag-ment')],
    ]);

    expect(await eventually(() => ofType(observer.reports, 'tcp-closed').length === 1)).toBe(true);
    const reports = observer.reports.filter((report) => report.type !== 'hello');
    const subject = reports[0]!.subject;
    expect(typeof subject).toBe('number');
    expect(reports.every((report) => report.subject === subject && report['relay'] === true)).toBe(true);
    expect(String(ofType(reports, 'handshake-request')[0]!['raw'])).toMatch(/^GET \/inspect\?room=7 HTTP\/1\.1\r\n/);
    expect(ofType(reports, 'handshake-response')[0]).toMatchObject({ status: 101 });
    expect(ofType(reports, 'upstream')[0]).toMatchObject({ state: 'connected', target: `ws://127.0.0.1:${target.port}/socket` });
    expect(ofType(reports, 'negotiated')[0]).toMatchObject({ deflate: null, extensions: null, protocol: null });

    // app -> target: text, binary, text (FIN 0) + continuation, ping, the pong answering the target, close.
    const fromApp = framesOf(reports, 'client-to-server');
    expect(fromApp.map((record) => [record['opcodeName'], record['fin'], record['masked']])).toEqual([
      ['text', true, true],
      ['binary', true, true],
      ['text', false, true],
      ['continuation', true, true],
      ['ping', true, true],
      ['pong', true, true],
      ['close', true, true],
    ]);
    expect(fromApp.map((record) => record['index'])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(fromApp[0]!['payload']).toMatchObject({ unmasked: Buffer.from('Hello').toString('hex') });
    // target -> app: three echoes, the pong, the ping, the close answer; unmasked (RFC 6455 §5.1).
    const fromTarget = framesOf(reports, 'server-to-client');
    expect(fromTarget.map((record) => [record['opcodeName'], record['masked']])).toEqual([
      ['text', false],
      ['binary', false],
      ['text', false],
      ['pong', false],
      ['ping', false],
      ['close', false],
    ]);
    expect(ofType(reports, 'message').map((report) => [report['direction'], report['text'] ?? report['hex']])).toEqual([
      ['client-to-server', 'Hello'],
      ['server-to-client', 'Hello'],
      ['client-to-server', '010203'],
      ['server-to-client', '010203'],
      ['client-to-server', 'frag-ment'],
      ['server-to-client', 'frag-ment'],
    ]);
    expect(ofType(reports, 'ping').map((report) => [report['direction'], report['hex']])).toEqual([
      ['client-to-server', Buffer.from('hi').toString('hex')],
      ['server-to-client', Buffer.from('yo').toString('hex')],
    ]);
    expect(ofType(reports, 'close-received').map((report) => [report['direction'], report['code'], report['reason']])).toEqual([
      ['client-to-server', 4000, 'bye'],
      ['server-to-client', 4000, 'bye'],
    ]);
    expect(ofType(reports, 'closed')).toEqual([expect.objectContaining({ code: 4000, reason: 'bye', wasClean: true })]);
    expect(ofType(reports, 'violation')).toEqual([]);
    observer.ws.close();
  });

  it('an observer without ?watch=inspect is not told about relayed connections', async () => {
    const plain = await observe(lab, '');
    const watching = await observe(lab);
    const app = await openApp(`${lab.wsBase}/inspect`);
    app.send('x');
    await nextMessage(app);
    app.close();
    expect(await eventually(() => ofType(watching.reports, 'tcp-closed').length === 1)).toBe(true);
    expect(plain.reports.map((report) => report.type)).toEqual(['hello']);
    plain.ws.close();
    watching.ws.close();
  });
});

describe('compressed messages (permessage-deflate negotiated end to end)', () => {
  let target: Target;
  let lab: Started;
  beforeAll(async () => {
    target = await startTarget({ threshold: 0 });
    lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${target.port}/`) } });
  });
  afterAll(async () => {
    await lab.server.close();
    await target.close();
  });

  it.each([
    ['with context takeover', {}],
    ['with no context takeover either way (RFC 7692 §7.1.1)', { serverNoContextTakeover: true, clientNoContextTakeover: true }],
  ])('every compressed frame is reported with RSV1 and inflates to the message, %s', async (_name, parameters) => {
    const observer = await observe(lab);
    const app = await openApp(`${lab.wsBase}/inspect`, { perMessageDeflate: { threshold: 0, ...parameters } });
    // The same text three times: with context takeover the later copies are back-references to the first.
    const texts = ['compress me, compress me', 'compress me, compress me', 'compress me, compress me', 'ünïcödé ✓'];
    for (const text of texts) {
      app.send(text);
      expect(await nextMessage(app)).toEqual([Buffer.from(text), false]);
    }
    app.send(Buffer.from([9, 8, 7, 6]));
    expect(await nextMessage(app)).toEqual([Buffer.from([9, 8, 7, 6]), true]);
    app.close(1000);
    expect(await eventually(() => ofType(observer.reports, 'tcp-closed').length === 1)).toBe(true);
    const reports = observer.reports;
    expect(String(ofType(reports, 'negotiated')[0]!['extensions'])).toMatch(/^permessage-deflate/);
    expect(ofType(reports, 'negotiated')[0]!['deflate']).toMatchObject({
      serverNoContextTakeover: 'serverNoContextTakeover' in parameters,
      clientNoContextTakeover: 'clientNoContextTakeover' in parameters,
    });
    for (const direction of ['client-to-server', 'server-to-client']) {
      const data = framesOf(reports, direction).filter((record) => record['opcodeName'] !== 'close');
      expect(data).toHaveLength(texts.length + 1);
      expect(data.every((record) => record['rsv1'] === true)).toBe(true);
      const inflated = data.map((record) => Buffer.from(String((record['inflated'] as Record_)['preview']), 'hex').toString());
      expect(inflated.slice(0, texts.length)).toEqual(texts);
      const messages = ofType(reports, 'message').filter((report) => report['direction'] === direction);
      expect(messages.map((report) => report['text'] ?? report['hex'])).toEqual([...texts, '09080706']);
      expect(messages.every((report) => report['compressed'] === true)).toBe(true);
    }
    expect(ofType(reports, 'violation')).toEqual([]);
    observer.ws.close();
  });
});

describe('refusals', () => {
  it('/inspect without --inspect: 404 saying how to enable it', async () => {
    const lab = await start();
    try {
      const answer = await exchange(lab.port, handshakeHead('/inspect'));
      const response = parseResponse(answer.text);
      expect(response.status).toBe(404);
      expect(response.body).toMatch(/--inspect ws:\/\//);
      expect(response.body.trim().split('\n')).toHaveLength(1);
    } finally {
      await lab.server.close();
    }
  });

  it('a target that is down: the app gets 502 and observers an upstream failure', async () => {
    const closedPort = await freePort();
    const lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${closedPort}/`) } });
    try {
      const observer = await observe(lab);
      const ws = new WebSocket(`${lab.wsBase}/inspect`);
      const status = await new Promise<number>((resolve, reject) => {
        ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.once('open', () => reject(new Error('opened')));
        ws.once('error', () => undefined);
      });
      expect(status).toBe(502);
      expect(await eventually(() => ofType(observer.reports, 'upstream').length === 1)).toBe(true);
      expect(ofType(observer.reports, 'upstream')[0]).toMatchObject({ state: 'failed', relay: true });
      expect(String(ofType(observer.reports, 'upstream')[0]!['reason'])).toMatch(/ECONNREFUSED/);
      expect(ofType(observer.reports, 'handshake-response')[0]).toMatchObject({ status: 502 });
      ws.terminate();
      observer.ws.close();
    } finally {
      await lab.server.close();
    }
  });

  it('a target that is not this machine is refused at startup unless allowed', async () => {
    await expect(start({ inspect: { target: new URL('ws://192.0.2.1:3000/') } })).rejects.toThrow(
      /192\.0\.2\.1 is not this machine.*--inspect-allow-remote/,
    );
    const allowed = await start({ inspect: { target: new URL('ws://192.0.2.1:3000/'), allowRemote: true } });
    await allowed.server.close();
  });
});

describe('backpressure through the relay', () => {
  it('an app that floods a target that does not read stalls in its own kernel buffers; nothing is lost', async () => {
    const MESSAGE_BYTES = 1024 * 1024;
    const MAX_MESSAGES = 64;
    // A raw target: it accepts the handshake, then reads nothing until told to.
    const targetSockets: net.Socket[] = [];
    const rawTarget = net.createServer((socket) => {
      targetSockets.push(socket);
      socket.once('data', (head) => {
        const key = /Sec-WebSocket-Key: (\S+)/i.exec(head.toString('latin1'))![1]!;
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        socket.pause();
      });
    });
    await new Promise<void>((resolve) => rawTarget.listen(0, '127.0.0.1', resolve));
    const targetPort = (rawTarget.address() as net.AddressInfo).port;
    const lab = await start({ maxWriteBufferBytes: 256 * 1024, inspect: { target: new URL(`ws://127.0.0.1:${targetPort}/`) } });
    try {
      const socket = net.connect(lab.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(handshakeHead('/inspect'));
      const head = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
      expect(parseResponse(head.toString('latin1')).status).toBe(101);

      const frame = Buffer.concat([bigFrameHeader(MESSAGE_BYTES), Buffer.alloc(MESSAGE_BYTES, 0x61)]);
      let written = 0;
      let lastAccepted = -1;
      let stalledFor = 0;
      while (written < MAX_MESSAGES) {
        if (socket.writableLength < MESSAGE_BYTES) {
          socket.write(frame);
          written++;
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        const accepted = written * frame.length - socket.writableLength;
        if (accepted === lastAccepted) {
          stalledFor += 20;
          if (stalledFor >= 400) break;
        } else {
          stalledFor = 0;
          lastAccepted = accepted;
        }
      }
      // Kernel buffers (app -> relay, relay -> target) hold some megabytes; a relay that kept reading would take all.
      expect(stalledFor).toBeGreaterThanOrEqual(400);
      expect(lastAccepted).toBeLessThan(40 * MESSAGE_BYTES);

      // The target reads again: every byte the app managed to send arrives, unchanged in length.
      const target = targetSockets[0]!;
      let received = 0;
      target.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      target.resume();
      const expected = written * frame.length;
      expect(await eventually(() => received === expected, 20_000)).toBe(true);
      socket.destroy();
    } finally {
      await lab.server.close();
      for (const socket of targetSockets) socket.destroy();
      await new Promise((resolve) => rawTarget.close(resolve));
    }
  }, 60_000);
});

/** RFC 6455 §5.2: FIN + binary, MASK + 127, 64-bit length, an all-zero masking key (legal, §5.3). */
function bigFrameHeader(length: number): Buffer {
  const header = Buffer.alloc(2 + 8 + 4);
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
