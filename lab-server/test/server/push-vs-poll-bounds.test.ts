/**
 * Issue 5 bounds on real sockets, with a short long-poll hold (startLabServer's longPollHoldMs): the
 * empty answer after the hold, and a shutdown with live runs (held polls, streams, sockets, simulated
 * clients) that ends them all and lets the server close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/lab-server.ts';
import { BASE_PARAMS, httpRequest, observe, sseClient, statsWhere, wsClient } from '../support/push-vs-poll.ts';

const HOLD_MS = 300;

let lab: TestServer;
beforeAll(async () => {
  lab = await startTestServer({ longPollHoldMs: HOLD_MS });
});
afterAll(async () => {
  await lab.close();
});

describe('long poll hold', () => {
  it(`hello says the hold; a poll with nothing to say is answered {"events":[]} once it passed`, async () => {
    const observer = await observe(lab.wsBase);
    expect(observer.reports[0]).toMatchObject({ type: 'hello', longPollHoldMs: HOLD_MS });
    // Seed 4 at 0.1 events/s: the first event is many seconds away.
    observer.command({ type: 'start', params: { ...BASE_PARAMS, seed: 4, eventsPerSecond: 0.1 } });
    await observer.waitFor((report) => report.type === 'started');
    const asked = performance.now();
    const answer = await httpRequest(lab.port, undefined, 'GET', `/pvp/long-poll?run=${observer.run}&client=0&after=0`);
    expect(performance.now() - asked).toBeGreaterThanOrEqual(HOLD_MS - 5);
    expect(answer).toEqual({ status: 200, body: '{"events":[]}' });
    expect(observer.reports.some((report) => report.type === 'event-created')).toBe(false);
    const stats = await statsWhere(observer, (report) => report.ownClient['long-poll'].responses === 1);
    expect(stats.ownClient['long-poll'].emptyResponses).toBe(1);
    await observer.close();
  });
});

describe('shutdown with live runs', () => {
  it('answers held polls, ends streams, closes sockets, stops simulated clients, and closes', async () => {
    const own = await startTestServer({ longPollHoldMs: 60_000 });
    const observer = await observe(own.wsBase);
    observer.command({ type: 'start', params: { ...BASE_PARAMS, seed: 4, eventsPerSecond: 0.1, simulatedClients: 2, upstreamPerSecond: 1 } });
    await observer.waitFor((report) => report.type === 'started');
    const held = httpRequest(own.port, undefined, 'GET', `/pvp/long-poll?run=${observer.run}&client=0&after=0`);
    const sse = sseClient(own.port, observer.run);
    const ws = await wsClient(own.port, observer.run);
    const wsClosed = new Promise<number>((resolve) => ws.ws.once('close', (code) => resolve(code)));
    const observerClosed = new Promise<number>((resolve) => observer.ws.once('close', (code) => resolve(code)));
    await statsWhere(observer, (report) => report.transports.ws.requests === 3, 5000);
    await own.close();
    expect(await held).toEqual({ status: 200, body: '{"events":[]}' });
    await sse.ended;
    expect([1000, 1001]).toContain(await wsClosed);
    expect(await observerClosed).toBe(1001);
    expect(own.server.connectionCount()).toBe(0);
    expect(own.logs.some((line) => /push-vs-poll: 1 runs ended by the shutdown/.test(line))).toBe(true);
  });
});
