/** /echo with `ws` as the peer, the log line of a failed connection, and the graceful shutdown. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clientFrame, eventually, exchange, handshakeHead, start, type Started } from './helpers.ts';

let lab: Started;
beforeAll(async () => {
  lab = await start();
});
afterAll(async () => {
  await lab.server.close();
});

async function open(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, options);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary })));
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe('/echo', () => {
  it.each([
    ['without compression', false],
    ['with permessage-deflate (RFC 7692)', true],
  ])('echoes text as text and binary as binary, %s', async (_name, perMessageDeflate) => {
    const ws = await open(`${lab.wsBase}/echo`, { perMessageDeflate });
    expect(ws.extensions).toBe(perMessageDeflate ? 'permessage-deflate' : '');
    const cases: Array<[string | Buffer, boolean]> = [
      ['Hello', false],
      ['', false],
      ['héllo wörld ✓ 𝄞', false],
      ['x'.repeat(70_000), false],
      [Buffer.from([0, 1, 2, 255]), true],
      [Buffer.alloc(0), true],
      [Buffer.alloc(300_000, 0xab), true],
    ];
    for (const [payload, binary] of cases) {
      const reply = nextMessage(ws);
      ws.send(payload, { binary });
      const { data, isBinary } = await reply;
      expect(isBinary).toBe(binary);
      expect(Buffer.compare(data, Buffer.from(payload))).toBe(0);
    }
    const done = closed(ws);
    ws.close(1000, 'bye');
    expect((await done).code).toBe(1000);
  });

  it('RFC 6455 §5.4: a fragmented message is echoed whole', async () => {
    const ws = await open(`${lab.wsBase}/echo`, { perMessageDeflate: false });
    const reply = nextMessage(ws);
    ws.send('frag', { fin: false });
    ws.send('ment', { fin: false });
    ws.send('ed', { fin: true });
    expect((await reply).data.toString()).toBe('fragmented');
    ws.close();
  });

  it('RFC 6455 §5.5.2: pings are answered with pongs carrying the same data', async () => {
    const ws = await open(`${lab.wsBase}/echo`);
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping(Buffer.from('are you there'));
    expect((await pong).toString()).toBe('are you there');
    ws.close();
  });

  it('a protocol violation closes with its code and logs one readable line (RFC 6455 §5.2)', async () => {
    const before = lab.logs.length;
    // RSV2 set on a text frame, no extension defines it.
    const bytes = Buffer.concat([Buffer.from(handshakeHead('/echo')), clientFrame(0x1, Buffer.from('x'), { rsv: 0b010 })]);
    const answer = await exchange(lab.port, bytes);
    expect(answer.closed).toBe(true);
    const body = answer.bytes.subarray(answer.text.indexOf('\r\n\r\n') + 4);
    expect(body[0]).toBe(0x88);
    expect(body.readUInt16BE(2)).toBe(1002);
    const line = lab.logs.slice(before).find((entry) => entry.includes('failed'));
    expect(line).toMatch(/^\[lab\] 127\.0\.0\.1:\d+ \/echo failed: 1002 .*RSV2.* \(RFC 6455 §5\.2\)$/);
  });

  it('connectionCount() returns to 0 once every client is gone', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => open(`${lab.wsBase}/echo`)));
    expect(lab.server.connectionCount()).toBeGreaterThanOrEqual(3);
    await Promise.all(clients.map((ws) => {
      const done = closed(ws);
      ws.close();
      return done;
    }));
    expect(await eventually(() => lab.server.connectionCount() === 0)).toBe(true);
  });
});

describe('graceful shutdown', () => {
  it('close() sends 1001 "server shutting down" to every client and stops listening', async () => {
    const own = await start();
    const clients = await Promise.all([1, 2, 3].map(() => open(`${own.wsBase}/echo`)));
    const codes = Promise.all(clients.map(closed));
    const started = Date.now();
    await own.server.close();
    expect(Date.now() - started).toBeLessThan(2500);
    for (const result of await codes) expect(result).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(own.server.connectionCount()).toBe(0);
    const refused = await new Promise<boolean>((resolve) => {
      const late = new WebSocket(`${own.wsBase}/echo`);
      late.once('open', () => resolve(false));
      late.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('a client that never answers the close is cut off at the shutdown deadline', async () => {
    const own = await start({ shutdownTimeoutMs: 300, closeTimeoutMs: 5000 });
    // Raw socket: handshake done, then it never reads or answers our close frame.
    const answer = exchange(own.port, handshakeHead('/echo'), 5000);
    await eventually(() => own.server.connectionCount() === 1);
    const started = Date.now();
    await own.server.close();
    expect(Date.now() - started).toBeLessThan(1500);
    expect((await answer).closed).toBe(true);
    expect(own.server.connectionCount()).toBe(0);
  });
});
