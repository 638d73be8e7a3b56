/**
 * Issue 5: the simulated clients, over loopback, counted in the lanes' totals only; they run in their own
 * thread and share a server-wide work budget, so that a second run's clients still connect and the
 * figures say when the server's loop lags.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedWorkPerSecond } from '../../src/node/push-vs-poll/hub.ts';
import { PushLimits } from '../../src/node/push-vs-poll/limits.ts';
import type { ExperimentParams, PushReport } from '../../src/reports/push-vs-poll-types.ts';
import { eventually, startTestServer, type TestServer } from '../support/lab-server.ts';
import { BASE_PARAMS, isStats, observe, statsWhere } from '../support/push-vs-poll.ts';

let lab: TestServer;
beforeAll(async () => {
  lab = await startTestServer();
});
afterAll(async () => {
  await lab.close();
});

const MAX_RATES: ExperimentParams = { ...BASE_PARAMS, eventsPerSecond: 50, pollIntervalMs: 100, upstreamPerSecond: 10, simulatedClients: 50 };

describe('simulated clients: work budget and thread', () => {
  it('refuses a start beyond the work budget with one line naming the budget, and runs none of its clients', async () => {
    const needed = simulatedWorkPerSecond(MAX_RATES);
    expect(needed).toBe(4 * 50 * (10 + 50 + 10));
    expect(needed).toBeGreaterThan(PushLimits.maxSimulatedWorkPerSecond);
    const observer = await observe(lab.wsBase);
    const baseline = lab.server.connectionCount();
    observer.command({ type: 'start', params: MAX_RATES });
    const error = await observer.waitFor((report) => report.type === 'error');
    expect(error.type === 'error' && error.message).toBe(
      `over the simulated-client budget of 5,000 requests and messages per second (all runs; 0 in use): this start needs 14,000 = 200 clients × (1000/pollIntervalMs + eventsPerSecond + upstreamPerSecond); lower simulatedClients or the rates`);
    expect(observer.reports.some((report) => report.type === 'started')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lab.server.connectionCount()).toBe(baseline);
    await observer.close();
  });

  it('two runs with simulated clients at once: both runs\' clients connect and get events; stats carry loopLagMs', async () => {
    const params: ExperimentParams = { ...BASE_PARAMS, eventsPerSecond: 20, pollIntervalMs: 200, simulatedClients: 3, upstreamPerSecond: 2 };
    const first = await observe(lab.wsBase);
    const second = await observe(lab.wsBase);
    first.command({ type: 'start', params });
    second.command({ type: 'start', params: { ...params, seed: 9 } });
    for (const observer of [first, second]) {
      const stats = await statsWhere(observer, (report) => (['poll', 'long-poll', 'sse', 'ws'] as const)
        .every((lane) => report.transports[lane].eventsDelivered > 0 && report.transports[lane].upstreamMessages > 0), 6000);
      expect(stats.transports.ws.requests).toBe(3);
      expect(typeof stats.loopLagMs).toBe('number');
      expect(stats.loopLagMs).toBeGreaterThanOrEqual(0);
    }
    // The clients' ends of those sockets are not in this thread (the server's and this test's are):
    // 2 runs × 3 clients × 4 lanes would add at least 24 TCP handles here if they were.
    const tcpHandles = process.getActiveResourcesInfo().filter((resource) => resource === 'TCPSocketWrap').length;
    expect(lab.server.connectionCount()).toBeGreaterThanOrEqual(2 * 3 * 4);
    expect(tcpHandles - lab.server.connectionCount()).toBeLessThan(2 * 3 * 4);
    await Promise.all([first.close(), second.close()]);
  });

  it('reset reports zeros without loopLagMs', async () => {
    const observer = await observe(lab.wsBase);
    observer.command({ type: 'start', params: BASE_PARAMS });
    await observer.waitFor(isStats, 2000);
    const from = observer.reports.length;
    observer.command({ type: 'reset' });
    const zeros = await observer.waitFor((report) => isStats(report) && report.eventsCreated === 0, 3000, from);
    expect(zeros.type === 'stats' && 'loopLagMs' in zeros).toBe(false);
    await observer.close();
  });
});

const PUSH_LANES = ['poll', 'long-poll', 'sse', 'ws'] as const;

describe('simulated clients', () => {
  it('run over loopback, are counted in the transport totals but not in the page\'s own, and stop with the run', async () => {
    const baseline = lab.server.connectionCount();
    const observer = await observe(lab.wsBase);
    observer.command({ type: 'start', params: { ...BASE_PARAMS, seed: 8, eventsPerSecond: 20, simulatedClients: 3, pollIntervalMs: 200, upstreamPerSecond: 4, cookieBytes: 1000 } });
    await observer.waitFor((report) => report.type === 'started');
    // Three pollers at 200 ms: five polls each within a second or so of their thread's start.
    const stats = await statsWhere(observer, (report) => report.transports.poll.requests - report.transports.poll.upstreamMessages >= 3 * 5
      && PUSH_LANES.every((lane) => report.transports[lane].upstreamMessages > 0), 5000);
    for (const transport of PUSH_LANES) {
      const total = stats.transports[transport];
      expect(total.eventsDelivered, transport).toBeGreaterThan(0);
      expect(total.upstreamMessages, transport).toBeGreaterThan(0);
      // The simulated clients send the cookie on every request.
      expect(total.bytesUp.headers / total.requests, transport).toBeGreaterThan(1000);
      expect(stats.ownClient[transport].requests, transport).toBe(0);
    }
    expect(stats.transports.ws.requests).toBe(3);
    expect(lab.server.connectionCount()).toBeGreaterThanOrEqual(baseline + 3 * 4);
    const stopFrom = observer.reports.length;
    observer.command({ type: 'stop' });
    await observer.waitFor((report: PushReport) => report.type === 'stopped', 2000, stopFrom);
    // Their sockets close: the observer's is all that is left of the run.
    expect(await eventually(() => lab.server.connectionCount() <= baseline + 1, 5000)).toBe(true);
    await observer.close();
  });
});
