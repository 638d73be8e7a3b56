/**
 * Issue 5: HTTP edges of the /pvp/ endpoints on raw sockets: a refused POST's body never counts as the
 * next request's head, a 413 closes its connection without losing the answer, and a plain GET to a
 * WebSocket endpoint gets 426 on a fresh socket and on a kept-alive one.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushLimits } from '../../src/node/push-vs-poll/limits.ts';
import { startTestServer, type TestServer } from '../support/lab-server.ts';
import { BASE_PARAMS, observe, statsWhere, type PushObserver } from '../support/push-vs-poll.ts';
import { eventually, exchange, parseResponse } from './helpers.ts';

let lab: TestServer;
beforeAll(async () => {
  lab = await startTestServer();
});
afterAll(async () => {
  await lab.close();
});

async function running(): Promise<PushObserver> {
  const observer = await observe(lab.wsBase);
  observer.command({ type: 'start', params: BASE_PARAMS });
  await observer.waitFor((report) => report.type === 'started');
  return observer;
}

/** A raw keep-alive connection and what it received so far. */
function rawSocket(): { socket: net.Socket; text: () => string } {
  const socket = net.connect(lab.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  return { socket, text: () => Buffer.concat(chunks).toString('latin1') };
}

function statusesOf(text: string): string[] {
  return text.match(/HTTP\/1\.1 \d+/g) ?? [];
}

describe('/pvp/ HTTP exchanges on one socket', () => {
  it('a body left unread by an early answer (405) is not counted as the next request\'s head', async () => {
    const observer = await running();
    const raw = rawSocket();
    const body = 'b'.repeat(3000);
    // The head alone: the 405 goes out before the body arrives, and node:http reads the body after it.
    raw.socket.write(`POST /pvp/poll?run=${observer.run}&client=0 HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
    expect(await eventually(() => statusesOf(raw.text()).length >= 1, 2000)).toBe(true);
    raw.socket.write(body);
    const head = `GET /pvp/poll?run=${observer.run}&client=0 HTTP/1.1\r\nHost: x\r\n\r\n`;
    raw.socket.write(head);
    expect(await eventually(() => statusesOf(raw.text()).length >= 2, 2000)).toBe(true);
    expect(statusesOf(raw.text())).toEqual(['HTTP/1.1 405', 'HTTP/1.1 200']);
    const stats = await statsWhere(observer, (report) => report.ownClient.poll.requests >= 1);
    expect(stats.ownClient.poll.requests).toBe(1);
    expect(stats.ownClient.poll.bytesUp.headers).toBe(head.length);
    raw.socket.destroy();
    await observer.close();
  });

  it('413 says Connection: close, reaches a client that sent its whole body at once, and the connection then closes', async () => {
    const observer = await running();
    const big = 'x'.repeat(PushLimits.maxUpstreamBodyBytes * 16);
    const answer = await exchange(lab.port,
      `POST /pvp/send?run=${observer.run}&client=0 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n${big}`
      + `GET /pvp/poll?run=${observer.run}&client=0 HTTP/1.1\r\nHost: x\r\n\r\n`, 3000);
    expect(answer.closed).toBe(true);
    const response = parseResponse(answer.text);
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    // Nothing after the 413: the request behind the body is never read as one.
    expect(statusesOf(answer.text)).toEqual(['HTTP/1.1 413']);
    await observer.close();
  });

  it('413 for a body still coming: the rest is read and discarded for a bounded time, then the socket closes', async () => {
    const observer = await running();
    // Half-open allowed: this client keeps sending after the server's FIN, as a slow upload would.
    const socket = net.connect({ port: lab.port, host: '127.0.0.1', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let closed = false;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', () => {
      closed = true;
    });
    socket.write(`POST /pvp/send?run=${observer.run}&client=0 HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n`);
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('y'.repeat(100));
    }, 100);
    // The body would take many minutes at this pace: the server closes after its linger (2 s by default).
    expect(await eventually(() => closed, 5000)).toBe(true);
    clearInterval(trickle);
    expect(statusesOf(Buffer.concat(chunks).toString('latin1'))).toEqual(['HTTP/1.1 413']);
    socket.destroy();
    await observer.close();
  });
});

describe('a plain GET to a /pvp/ WebSocket endpoint', () => {
  for (const path of ['/pvp/ws', '/pvp/observe']) {
    it(`${path}: 426 with Upgrade, Connection and Sec-WebSocket-Version, on a fresh socket and after a file request`, async () => {
      const target = path === '/pvp/ws' ? `${path}?run=nosuchrun&client=0` : path;
      const fresh = await exchange(lab.port, `GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`, 2000);
      const kept = rawSocket();
      kept.socket.write('GET /no-such-file HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await eventually(() => statusesOf(kept.text()).length >= 1, 2000)).toBe(true);
      const fileAnswerLength = kept.text().length;
      kept.socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(await eventually(() => statusesOf(kept.text()).length >= 2, 2000)).toBe(true);
      for (const text of [fresh.text, kept.text().slice(fileAnswerLength)]) {
        const response = parseResponse(text);
        expect(response.status).toBe(426);
        expect(response.headers.get('upgrade')).toBe('websocket');
        expect(response.headers.get('connection')).toMatch(/^Upgrade\b/);
        expect(response.headers.get('sec-websocket-version')).toBe('13');
        expect(response.body).toMatch(new RegExp(`^${path} is a WebSocket endpoint: connect with ws://`));
      }
      kept.socket.destroy();
    });
  }
});
