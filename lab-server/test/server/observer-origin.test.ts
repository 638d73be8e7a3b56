/**
 * RFC 6455 §10.2 and §4.2.2 item 8: /lab/observe (plain and ?watch=inspect) refuses browser pages of
 * other origins with 403, since an observer reads every reported handshake (cookies included) and
 * message (and /pvp/observe, whose experiments open sockets on this machine); the server's own pages on localhost or an IP address, and clients without Origin, get 101.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseCliArgs } from '../../src/node/cli-args.ts';
import { exchange, handshakeHead, parseResponse, start, type Started } from './helpers.ts';

async function status(lab: Started, path: string, headers: Record<string, string | null>): Promise<{ status: number; body: string }> {
  const answer = await exchange(lab.port, handshakeHead(path, headers), 1000);
  const response = parseResponse(answer.text);
  return { status: response.status, body: Buffer.from(response.body, 'latin1').toString('utf8') };
}

describe('/lab/observe checks Origin (RFC 6455 §10.2)', () => {
  it.each(['/lab/observe', '/lab/observe?watch=inspect', '/pvp/observe'])('%s: a foreign page gets 403 with one line citing §10.2', async (path) => {
    const lab = await start();
    try {
      for (const origin of ['https://evil.example', 'http://evil.example:8455', 'null', 'http://127.0.0.1:1']) {
        const answer = await status(lab, path, { Host: `127.0.0.1:${lab.port}`, Origin: origin });
        expect(answer.status, origin).toBe(403);
        expect(answer.body).toMatch(/RFC 6455 §10\.2/);
        expect(answer.body.trim().split('\n')).toHaveLength(1);
      }
    } finally {
      await lab.server.close();
    }
  });

  it('a cross-site ws client (as a browser page would be) never sees a report', async () => {
    const lab = await start();
    try {
      const evil = new WebSocket(`${lab.wsBase}/lab/observe?watch=inspect`, { origin: 'https://evil.example' });
      const received: string[] = [];
      evil.on('message', (data) => received.push(String(data)));
      const code = await new Promise<number>((resolve) => {
        evil.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        evil.once('open', () => resolve(101));
        evil.once('error', () => undefined);
      });
      expect(code).toBe(403);
      expect(received).toEqual([]);
      evil.terminate();
    } finally {
      await lab.server.close();
    }
  });

  it.each([
    ['no Origin (a script, not a browser)', (port: number) => ({ Host: `127.0.0.1:${port}`, Origin: null })],
    ['its own page on 127.0.0.1', (port: number) => ({ Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port}` })],
    ['its own page on localhost', (port: number) => ({ Host: `localhost:${port}`, Origin: `http://localhost:${port}` })],
    ['its own page on [::1]', (port: number) => ({ Host: `[::1]:${port}`, Origin: `http://[::1]:${port}` })],
    ['a classroom: --host 0.0.0.0, students on http://192.168.1.5:8455/', () => ({ Host: '192.168.1.5:8455', Origin: 'http://192.168.1.5:8455' })],
  ])('%s: 101', async (_name, headers) => {
    const lab = await start();
    try {
      for (const path of ['/lab/observe', '/lab/observe?watch=inspect', '/pvp/observe']) {
        expect((await status(lab, path, headers(lab.port))).status).toBe(101);
      }
    } finally {
      await lab.server.close();
    }
  });

  it('a domain name Host with a matching Origin is refused (DNS rebinding), unless --allow-origin names it', async () => {
    const headers = { Host: 'my.dev.site:8455', Origin: 'http://my.dev.site:8455' };
    const plain = await start();
    try {
      const answer = await status(plain, '/lab/observe', headers);
      expect(answer.status).toBe(403);
      expect(answer.body).toMatch(/DNS rebinding.*--allow-origin http:\/\/my\.dev\.site:8455/);
    } finally {
      await plain.server.close();
    }
    const allowed = await start({ allowedOrigins: ['http://my.dev.site:8455', 'https://other.site'] });
    try {
      expect((await status(allowed, '/lab/observe', headers)).status).toBe(101);
      // An allowed origin needs no matching Host: the page lives elsewhere.
      expect((await status(allowed, '/lab/observe?watch=inspect', { Host: `127.0.0.1:${allowed.port}`, Origin: 'https://other.site' })).status).toBe(101);
      expect((await status(allowed, '/lab/observe', { Host: `127.0.0.1:${allowed.port}`, Origin: 'https://evil.example' })).status).toBe(403);
    } finally {
      await allowed.server.close();
    }
  });

  it('two Origin headers: 400 (RFC 6454 §7.3)', async () => {
    const lab = await start();
    try {
      const head = handshakeHead('/lab/observe', { Host: `127.0.0.1:${lab.port}`, Origin: `http://127.0.0.1:${lab.port}` })
        .replace('\r\n\r\n', '\r\nOrigin: https://evil.example\r\n\r\n');
      expect(parseResponse((await exchange(lab.port, head, 1000)).text).status).toBe(400);
    } finally {
      await lab.server.close();
    }
  });

  it('other endpoints keep accepting any Origin (/echo is public, /inspect carries the app of any origin)', async () => {
    const lab = await start();
    try {
      expect((await status(lab, '/echo', { Origin: 'https://evil.example' })).status).toBe(101);
    } finally {
      await lab.server.close();
    }
  });
});

describe('--allow-origin', () => {
  it('is repeatable and normalized to an origin', () => {
    const settings = parseCliArgs(['--allow-origin', 'https://My.Dev.Site', '--allow-origin=http://10.0.0.2:4321/'], {});
    expect(settings.allowedOrigins).toEqual(['https://my.dev.site', 'http://10.0.0.2:4321']);
  });

  it.each([['not a url'], ['ftp://x.example'], ['https://x.example/path']])('%s is refused with one line', (value) => {
    expect(() => parseCliArgs(['--allow-origin', value], {})).toThrow(/--allow-origin/);
  });
});
