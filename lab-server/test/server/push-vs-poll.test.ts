/**
 * Issue 5: the /pvp/ endpoints' answers to bad input (each with a status and a one-line reason), the
 * observer's control channel, the bounds, and the simulated clients, on real sockets.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PushLimits } from '../../src/node/push-vs-poll/limits.ts';
import { startTestServer, type TestServer } from '../support/lab-server.ts';
import { BASE_PARAMS, httpRequest, isStats, observe, statsWhere, type PushObserver } from '../support/push-vs-poll.ts';
import { eventually, exchange, handshakeHead, parseResponse } from './helpers.ts';

let lab: TestServer;
beforeAll(async () => {
  lab = await startTestServer();
});
afterAll(async () => {
  await lab.close();
});

async function running(params: Partial<typeof BASE_PARAMS> = {}): Promise<PushObserver> {
  const observer = await observe(lab.wsBase);
  observer.command({ type: 'start', params: { ...BASE_PARAMS, ...params } });
  await observer.waitFor((report) => report.type === 'started');
  return observer;
}

function get(path: string, headers: Record<string, string> = {}): ReturnType<typeof httpRequest> {
  return httpRequest(lab.port, undefined, 'GET', path, null, headers);
}

function oneLine(body: string): string {
  expect(body.endsWith('\n')).toBe(true);
  expect(body.slice(0, -1)).not.toContain('\n');
  return body.slice(0, -1);
}

describe('/pvp/observe', () => {
  it('says hello with the run id and the long-poll hold time, then reports the start', async () => {
    const observer = await running({ seed: 5 });
    expect(observer.reports[0]).toMatchObject({ type: 'hello', longPollHoldMs: 25_000 });
    expect(observer.run).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(observer.reports[1]).toMatchObject({ type: 'started', params: { ...BASE_PARAMS, seed: 5 } });
    const stats = await observer.waitFor(isStats, 2000);
    expect(Object.keys(stats.transports).sort()).toEqual(['long-poll', 'poll', 'sse', 'ws']);
    await observer.close();
  });

  it('answers bad commands and out-of-range parameters with a one-line error report', async () => {
    const observer = await observe(lab.wsBase);
    const bad: [unknown, RegExp][] = [
      [{ type: 'start', params: { ...BASE_PARAMS, pollIntervalMs: 50 } }, /^pollIntervalMs must be an integer from 100 to 10,000, got 50$/],
      [{ type: 'start', params: { ...BASE_PARAMS, simulatedClients: 51 } }, /^simulatedClients must be an integer from 0 to 50, got 51$/],
      [{ type: 'fly' }, /^unknown command type "fly"/],
    ];
    for (const [command, message] of bad) {
      const from = observer.reports.length;
      observer.command(command);
      const error = await observer.waitFor((report) => report.type === 'error', 2000, from);
      expect(error.type === 'error' && error.message).toMatch(message);
    }
    const from = observer.reports.length;
    observer.ws.send('{not json');
    const error = await observer.waitFor((report) => report.type === 'error', 2000, from);
    expect(error.type === 'error' && error.message).toMatch(/must be JSON/);
    expect(observer.reports.some((report) => report.type === 'started')).toBe(false);
    await observer.close();
  });

  it('restarts on a second start, stops on stop, and its run ends when the observer goes', async () => {
    const observer = await running({ eventsPerSecond: 50 });
    await observer.waitFor((report) => report.type === 'event-created');
    // Too soon: each start opens and closes sockets, so starts are spaced.
    let from = observer.reports.length;
    observer.command({ type: 'start', params: { ...BASE_PARAMS, eventsPerSecond: 50, seed: 2 } });
    const tooSoon = await observer.waitFor((report) => report.type === 'error', 2000, from);
    expect(tooSoon.type === 'error' && tooSoon.message).toMatch(/^started \d+ ms ago: wait 500 ms between starts$/);
    await new Promise((resolve) => setTimeout(resolve, PushLimits.minStartIntervalMs));
    from = observer.reports.length;
    observer.command({ type: 'start', params: { ...BASE_PARAMS, eventsPerSecond: 50, seed: 2 } });
    await observer.waitFor((report) => report.type === 'started', 2000, from);
    const types = observer.reports.slice(from).map((report) => report.type);
    expect(types.indexOf('stopped')).toBeLessThan(types.indexOf('started'));
    // The restarted source numbers from 1 again.
    const first = await observer.waitFor((report) => report.type === 'event-created', 2000, from + types.indexOf('started'));
    expect(first.type === 'event-created' && first.event.seq).toBe(1);
    from = observer.reports.length;
    observer.command({ type: 'stop' });
    const stopped = await observer.waitFor((report) => report.type === 'stopped', 2000, from);
    expect(stopped).toMatchObject({ reason: 'command' });
    expect((await get(`/pvp/poll?run=${observer.run}&client=0`)).status).toBe(409);
    await observer.close();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 404; attempt++) {
      status = (await get(`/pvp/poll?run=${observer.run}&client=0`)).status;
      if (status !== 404) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(404);
  });

  it('stops by itself after durationMs', async () => {
    const observer = await running({ durationMs: 1000 });
    const stopped = await observer.waitFor((report) => report.type === 'stopped', 3000);
    expect(stopped).toMatchObject({ reason: 'duration' });
    expect(stopped.t).toBeGreaterThanOrEqual(1000);
    await observer.close();
  });

  it(`refuses observer ${PushLimits.maxRuns + 1} with 503 while ${PushLimits.maxRuns} runs exist`, async () => {
    const observers = await Promise.all(Array.from({ length: PushLimits.maxRuns }, () => observe(lab.wsBase)));
    const refused = await exchange(lab.port, handshakeHead('/pvp/observe'), 2000);
    expect(parseResponse(refused.text).status).toBe(503);
    expect(parseResponse(refused.text).body).toMatch(/already runs 8 experiments/);
    await Promise.all(observers.map((observer) => observer.close()));
  });
});

describe('/pvp/ HTTP endpoints refuse bad requests with a status and a reason', () => {
  it('unknown run 404, missing run or bad client 400, not running 409, SSE not running 204', async () => {
    const observer = await observe(lab.wsBase);
    const run = observer.run;
    const unknown = await get('/pvp/poll?run=nosuchrun&client=0');
    expect(unknown.status).toBe(404);
    expect(oneLine(unknown.body)).toBe('unknown run: a run lives as long as its /pvp/observe connection');
    expect((await get('/pvp/long-poll?client=0')).status).toBe(400);
    const badClient = await get(`/pvp/poll?run=${run}&client=x`);
    expect(badClient.status).toBe(400);
    expect(oneLine(badClient.body)).toMatch(/^client must be a non-negative integer/);
    const idle = await get(`/pvp/poll?run=${run}&client=0`);
    expect(idle.status).toBe(409);
    expect(oneLine(idle.body)).toMatch(/is not running/);
    expect((await get(`/pvp/sse?run=${run}&client=0`, { Accept: 'text/event-stream' })).status).toBe(204);
    observer.command({ type: 'start', params: { ...BASE_PARAMS, simulatedClients: 0 } });
    await observer.waitFor((report) => report.type === 'started');
    const tooHigh = await get(`/pvp/poll?run=${run}&client=1`);
    expect(tooHigh.status).toBe(400);
    expect(oneLine(tooHigh.body)).toBe('client must be 0 (the page) or a simulated client 1..0, got 1');
    const badAfter = await get(`/pvp/poll?run=${run}&client=0&after=-1`);
    expect(badAfter.status).toBe(400);
    expect((await httpRequest(lab.port, undefined, 'POST', `/pvp/poll?run=${run}&client=0`, '{}')).status).toBe(405);
    expect((await get(`/pvp/send?run=${run}&client=0`)).status).toBe(405);
    expect((await get('/pvp/nothing-here')).status).toBe(404);
    expect((await get(`/pvp/ws?run=${run}&client=0`)).status).toBe(426);
    const wsUnknown = await exchange(lab.port, handshakeHead('/pvp/ws?run=nosuchrun&client=0'), 2000);
    expect(parseResponse(wsUnknown.text).status).toBe(404);
    await observer.close();
  });

  it('POST /pvp/send: 413 for an oversize body (declared or chunked), 400 for a body that is not a message', async () => {
    const observer = await running();
    const path = `/pvp/send?run=${observer.run}&client=0`;
    const big = 'x'.repeat(PushLimits.maxUpstreamBodyBytes + 1);
    const declared = await httpRequest(lab.port, undefined, 'POST', path, big);
    expect(declared.status).toBe(413);
    expect(oneLine(declared.body)).toBe(`the body is larger than ${PushLimits.maxUpstreamBodyBytes} bytes: an upstream message is small JSON`);
    // Chunked, no Content-Length: refused once the bytes read pass the bound.
    const chunked = await exchange(lab.port, `POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${(PushLimits.maxUpstreamBodyBytes * 2).toString(16)}\r\n${'y'.repeat(PushLimits.maxUpstreamBodyBytes * 2)}\r\n0\r\n\r\n`, 500);
    expect(parseResponse(chunked.text).status).toBe(413);
    const notJson = await httpRequest(lab.port, undefined, 'POST', path, 'hello');
    expect(notJson.status).toBe(400);
    expect(oneLine(notJson.body)).toMatch(/must be JSON/);
    expect((await httpRequest(lab.port, undefined, 'POST', `${path}&transport=ws`, '{}')).status).toBe(400);
    const ok = await httpRequest(lab.port, undefined, 'POST', path, JSON.stringify({ seq: 1, sentAt: 2, text: 'hi' }));
    expect(ok.status).toBe(204);
    // A stats report made before the 204 may still be on its way: wait for one that has the message.
    const stats = await statsWhere(observer, (report) => report.ownClient.poll.upstreamMessages > 0);
    expect(stats.ownClient.poll.upstreamMessages).toBe(1);
    expect(stats.ownClient.poll.requests).toBe(2);
    await observer.close();
  });

  it('holds a long poll until an event exists, and a newer poll of the same client answers the older empty', async () => {
    // Seed 4 at 1 event/s: the first event comes 2.6 s in, so the polls below are held.
    const observer = await running({ seed: 4, eventsPerSecond: 1 });
    const path = `/pvp/long-poll?run=${observer.run}&client=0&after=0`;
    const started = Date.now();
    const first = get(path);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = get(path);
    const older = await first;
    expect(older.status).toBe(200);
    expect(JSON.parse(older.body)).toEqual({ events: [] });
    const newer = await second;
    const created = await observer.waitFor((report) => report.type === 'event-created', 2000);
    expect(JSON.parse(newer.body)).toEqual({ events: [created?.type === 'event-created' ? created.event : null] });
    expect(Date.now() - started).toBeGreaterThan(1000);
    await observer.close();
  });

  it('a second WebSocket of the same client replaces the first (closed with a reason)', async () => {
    const observer = await running();
    const url = `${lab.wsBase}/pvp/ws?run=${observer.run}&client=0`;
    const first = new WebSocket(url);
    await new Promise((resolve) => first.once('open', resolve));
    const closed = new Promise<[number, string]>((resolve) => first.once('close', (code, reason) => resolve([code, String(reason)])));
    const second = new WebSocket(url);
    await new Promise((resolve) => second.once('open', resolve));
    expect(await closed).toEqual([1000, 'replaced by a newer request of the same client']);
    // permessage-deflate was offered (ws offers it by default) and declined: payloads stay comparable.
    expect(second.extensions).toBe('');
    second.close();
    await observer.close();
  });
});

describe('/pvp/ws upstream', () => {
  it('counts JSON upstream messages; closes 1008 on a text frame that is not one, 1003 on binary', async () => {
    const observer = await running();
    const url = `${lab.wsBase}/pvp/ws?run=${observer.run}&client=0`;
    const closeOf = (ws: WebSocket): Promise<[number, string]> => new Promise((resolve) => ws.once('close', (code, reason) => resolve([code, String(reason)])));
    const good = new WebSocket(url);
    await new Promise((resolve) => good.once('open', resolve));
    good.send(JSON.stringify({ seq: 1, sentAt: 1, text: 'up' }));
    const stats = await statsWhere(observer, (report) => report.ownClient.ws.upstreamMessages > 0);
    expect(stats.ownClient.ws.upstreamMessages).toBe(1);
    const goodClosed = closeOf(good);
    good.send('not json');
    expect(await goodClosed).toEqual([1008, 'upstream messages are JSON: {"seq":N,"sentAt":MS,"text":"..."}']);
    const binary = new WebSocket(url);
    await new Promise((resolve) => binary.once('open', resolve));
    const binaryClosed = closeOf(binary);
    binary.send(Buffer.from([1, 2, 3]));
    expect(await binaryClosed).toEqual([1003, 'upstream messages are JSON text frames']);
    await observer.close();
  });
});

describe('/pvp/ws catch-up and reconnect', () => {
  it('a first connection gets the events from seq 1; a reconnect starts from now and counts what it missed', async () => {
    const observer = await running({ eventsPerSecond: 50 });
    await observer.waitFor((report) => report.type === 'event-created' && report.event.seq >= 5);
    const url = `${lab.wsBase}/pvp/ws?run=${observer.run}&client=0`;
    const seqs: number[] = [];
    const first = new WebSocket(url);
    first.on('message', (data) => seqs.push((JSON.parse(String(data)) as { seq: number }).seq));
    await new Promise((resolve) => first.once('open', resolve));
    expect(await eventually(() => seqs.length >= 8, 3000)).toBe(true);
    expect(seqs.slice(0, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await new Promise<void>((resolve) => {
      first.once('close', () => resolve());
      first.close();
    });
    const last = seqs.at(-1) ?? 0;
    const from = observer.reports.length;
    await observer.waitFor((report) => report.type === 'event-created' && report.event.seq >= last + 3, 3000, from);
    const again: number[] = [];
    const second = new WebSocket(url);
    second.on('message', (data) => again.push((JSON.parse(String(data)) as { seq: number }).seq));
    await new Promise((resolve) => second.once('open', resolve));
    expect(await eventually(() => again.length >= 1, 3000)).toBe(true);
    expect(again[0]).toBeGreaterThan(last + 2);
    const stats = await statsWhere(observer, (report) => report.ownClient.ws.eventsMissed > 0);
    expect(stats.ownClient.ws.eventsMissed).toBeGreaterThanOrEqual((again[0] ?? 0) - last - 1);
    second.close();
    await observer.close();
  });
});

describe('keep-alive', () => {
  it('serves /pvp/ requests that follow a file request on the same socket', async () => {
    const observer = await running();
    const socket = net.connect(lab.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const ask = async (path: string, count: number): Promise<void> => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(await eventually(() => (Buffer.concat(received).toString('latin1').match(/HTTP\/1\.1 /g) ?? []).length >= count, 2000)).toBe(true);
    };
    await ask('/no-such-file', 1);
    await ask(`/pvp/poll?run=${observer.run}&client=0`, 2);
    await ask(`/pvp/poll?run=${observer.run}&client=0`, 3);
    const statuses = (Buffer.concat(received).toString('latin1').match(/HTTP\/1\.1 (\d+)/g) ?? []);
    expect(statuses).toEqual(['HTTP/1.1 404', 'HTTP/1.1 200', 'HTTP/1.1 200']);
    socket.destroy();
    const stats = await statsWhere(observer, (report) => report.ownClient.poll.requests >= 2);
    expect(stats.ownClient.poll.requests).toBe(2);
    // Each request head is 'GET <path> HTTP/1.1\r\nHost: x\r\n\r\n': nothing of the file request is counted.
    const head = `GET /pvp/poll?run=${observer.run}&client=0 HTTP/1.1\r\nHost: x\r\n\r\n`;
    expect(stats.ownClient.poll.bytesUp.headers).toBe(2 * head.length);
    await observer.close();
  });
});
