/**
 * The server's side of the opening handshake over raw TCP: every refusal is an HTTP response with
 * its status and a one-line reason, then the server closes; limits and timeouts are enforced.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFrame, delay, exchange, handshakeHead, parseResponse, RFC_ACCEPT, start, type Started } from './helpers.ts';

let lab: Started;
beforeAll(async () => {
  lab = await start();
});
afterAll(async () => {
  await lab.server.close();
});

const rejections: ReadonlyArray<{ name: string; head: string; status: number; mentions: RegExp; header?: [string, string] }> = [
  { name: 'RFC 6455 §4.2.1 item 1: method must be GET', head: handshakeHead('/echo', {}, 'POST /echo HTTP/1.1'), status: 405, mentions: /GET/, header: ['allow', 'GET'] },
  { name: 'RFC 6455 §4.2.1 item 1: HTTP/1.1 or later', head: handshakeHead('/echo', {}, 'GET /echo HTTP/1.0'), status: 400, mentions: /HTTP\/1\.1/ },
  { name: 'RFC 7230 §5.4: Host exactly once', head: handshakeHead('/echo', { Host: null }), status: 400, mentions: /Host/ },
  { name: 'RFC 6455 §4.2.1 item 3: Upgrade must contain websocket', head: handshakeHead('/echo', { Upgrade: 'h2c' }), status: 400, mentions: /Upgrade/ },
  { name: 'RFC 6455 §4.2.1 item 4: Connection must contain Upgrade', head: handshakeHead('/echo', { Connection: 'keep-alive' }), status: 400, mentions: /Connection/ },
  { name: 'RFC 6455 §4.4: version other than 13 gets 426', head: handshakeHead('/echo', { 'Sec-WebSocket-Version': '8' }), status: 426, mentions: /13/, header: ['sec-websocket-version', '13'] },
  { name: 'RFC 6455 §4.2.1 item 5: key must be base64 of 16 bytes', head: handshakeHead('/echo', { 'Sec-WebSocket-Key': 'c2hvcnQ=' }), status: 400, mentions: /Sec-WebSocket-Key/ },
  { name: 'RFC 6455 §4.2.2: unknown WebSocket path gets 404', head: handshakeHead('/nowhere'), status: 404, mentions: /\/echo/ },
  { name: 'RFC 6455 §4.2.2: /lab without a session gets 400', head: handshakeHead('/lab'), status: 400, mentions: /session/ },
  { name: 'RFC 6455 §4.2.2: /lab with an unknown session gets 404', head: handshakeHead('/lab?session=nope'), status: 404, mentions: /session/ },
  { name: 'RFC 7230 §3.5: bare LF line endings', head: 'GET /echo HTTP/1.1\nHost: x\n\n', status: 400, mentions: /LF/ },
  { name: 'RFC 7230 §3.2.4: obsolete line folding', head: 'GET /echo HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n', status: 400, mentions: /fold/ },
];

describe('handshake rejections', () => {
  it.each(rejections)('$name -> $status with a one-line reason, then close', async ({ head, status, mentions, header }) => {
    const before = lab.logs.length;
    const answer = await exchange(lab.port, head);
    const response = parseResponse(answer.text);
    expect(response.status).toBe(status);
    expect(response.body).toMatch(mentions);
    expect(response.body.endsWith('\n')).toBe(true);
    expect(response.body.trimEnd()).not.toContain('\n');
    expect(response.headers.get('connection')).toMatch(/close/);
    // The answer was read as latin1 (one char per byte), so the string length is the byte count.
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(response.body, 'latin1'));
    expect(Buffer.from(response.body, 'latin1').toString('utf8')).toMatch(/\(RFC \d+ §[\d.]+/);
    if (header !== undefined) expect(response.headers.get(header[0])).toBe(header[1]);
    expect(answer.closed).toBe(true);
    const logged = lab.logs.slice(before).join('\n');
    expect(logged).toContain(`rejected: ${status}`);
    expect(logged).not.toMatch(/\n\s+at /); // a one-line reason, never a stack trace
  });

  it('RFC 6585 §5: a head larger than maxHeadBytes gets 431', async () => {
    const head = handshakeHead('/echo', { 'X-Padding': 'a'.repeat(20 * 1024) });
    const answer = await exchange(lab.port, head);
    expect(parseResponse(answer.text).status).toBe(431);
    expect(answer.closed).toBe(true);
  });
});

describe('a valid handshake', () => {
  it('RFC 6455 §4.2.2: 101 with the accept value of §1.3, and a frame sent right behind the request is echoed', async () => {
    const socket = net.connect(lab.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    const ended = new Promise((resolve) => socket.once('close', resolve));
    // One write: the head and the first frame arrive together, so the frame is in the head reader's `rest`.
    socket.write(Buffer.concat([Buffer.from(handshakeHead('/echo')), clientFrame(0x1, Buffer.from('Hello'))]));
    const expectedEcho = [0x81, 0x05, ...Buffer.from('Hello')];
    const gotEcho = async (): Promise<boolean> => {
      for (let i = 0; i < 200; i++) {
        const text = Buffer.concat(chunks).toString('latin1');
        if (text.includes('\r\n\r\n') && parseResponse(text).body.length >= expectedEcho.length) return true;
        await delay(10);
      }
      return false;
    };
    expect(await gotEcho()).toBe(true);
    socket.write(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
    await ended;
    const response = parseResponse(Buffer.concat(chunks).toString('latin1'));
    expect(response.status).toBe(101);
    expect(response.headers.get('sec-websocket-accept')).toBe(RFC_ACCEPT);
    // Unmasked server frames (RFC 6455 §5.1): text "Hello", then the close echoing 1000 (§5.5.1), then TCP close (§7.1.1).
    expect([...Buffer.from(response.body, 'latin1')]).toEqual([...expectedEcho, 0x88, 0x02, 0x03, 0xe8]);
  });
});

describe('an upgrade on a connection that already carried a file request', () => {
  it('after the response is complete, it is routed to the WebSocket endpoint', async () => {
    const socket = net.connect(lab.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    const text = (): string => Buffer.concat(chunks).toString('latin1');
    socket.write('GET /no-such-file.txt HTTP/1.1\r\nHost: localhost\r\n\r\n');
    for (let i = 0; i < 200 && !/\r\n\r\n[\s\S]*\n/.test(text()); i++) await delay(10);
    expect(text()).toMatch(/^HTTP\/1\.1 404 /);
    socket.write(handshakeHead('/echo'));
    for (let i = 0; i < 200 && !/101 Switching Protocols[\s\S]*\r\n\r\n/.test(text()); i++) await delay(10);
    expect(text()).toContain(`Sec-WebSocket-Accept: ${RFC_ACCEPT}`);
    socket.write(clientFrame(0x1, Buffer.from('again')));
    for (let i = 0; i < 200 && !text().endsWith('again'); i++) await delay(10);
    expect(text().endsWith('\x81\x05again')).toBe(true);
    socket.destroy();
  });

  it('pipelined behind a response still in flight, it is refused by closing the connection', async () => {
    const answer = await exchange(lab.port, `GET /no-such-file.txt HTTP/1.1\r\nHost: localhost\r\n\r\n${handshakeHead('/echo')}`);
    expect(answer.closed).toBe(true);
    expect(answer.text).not.toContain('101 Switching Protocols');
    expect(lab.logs.some((line) => line.includes('pipelined behind an unfinished HTTP response'))).toBe(true);
  });
});

describe('resource limits', () => {
  it('a client that never finishes its head is answered 408 and disconnected after handshakeTimeoutMs', async () => {
    const quick = await start({ handshakeTimeoutMs: 200 });
    try {
      const answer = await exchange(quick.port, 'GET /echo HTTP/1.1\r\nHost: x\r\n', 5000);
      expect(answer.closed).toBe(true);
      expect(answer.elapsedMs).toBeGreaterThanOrEqual(150);
      expect(answer.elapsedMs).toBeLessThan(3000);
      expect(parseResponse(answer.text).status).toBe(408);
      expect(quick.logs.join('\n')).toMatch(/handshake timed out/);
    } finally {
      await quick.server.close();
    }
  });

  it('over maxConnections a new connection gets 503 with a one-line reason', async () => {
    const small = await start({ maxConnections: 2 });
    const held: net.Socket[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const socket = net.connect(small.port, '127.0.0.1');
        socket.on('error', () => {});
        held.push(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
      }
      await delay(50);
      expect(small.server.connectionCount()).toBe(2);
      const answer = await exchange(small.port, handshakeHead('/echo'));
      const response = parseResponse(answer.text);
      expect(response.status).toBe(503);
      expect(response.body).toMatch(/connection limit/);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(small.server.connectionCount()).toBe(2);
      for (const socket of held) socket.destroy();
      await delay(50);
      expect(small.server.connectionCount()).toBe(0);
      const after = await exchange(small.port, handshakeHead('/echo'), 300);
      expect(parseResponse(after.text).status).toBe(101);
    } finally {
      for (const socket of held) socket.destroy();
      await small.server.close();
    }
  });
});
