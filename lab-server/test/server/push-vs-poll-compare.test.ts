/**
 * Issue 5: the same seeded events over the four transports at once, on real sockets. WebSocket push
 * delivers every event with fewer bytes per event and a lower median delay than short polling (at
 * poll intervals of 100 ms and 1000 ms); long polling delivers every event with contiguous sequence
 * numbers; SSE delivers every event, and resumes after Last-Event-ID without a gap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsWithin } from '../../src/node/push-vs-poll/event-source.ts';
import type { ExperimentParams, PushEvent, StatsReport, TransportStats } from '../../src/reports/push-vs-poll-types.ts';
import { eventually, startTestServer, type TestServer } from '../support/lab-server.ts';
import { BASE_PARAMS, contiguous, isStats, observe, PollingClient, sseClient, wsClient } from '../support/push-vs-poll.ts';

let lab: TestServer;
beforeAll(async () => {
  lab = await startTestServer();
});
afterAll(async () => {
  await lab.close();
});

/** Seed 9 at 10 events/s: 24 events in 3 s, the last 312 ms before the end (no event races the stop). */
const SEED = 9;
const EVENTS_PER_SECOND = 10;
const DURATION_MS = 3000;

function bytesPerEvent(stats: TransportStats): number {
  const total = stats.bytesUp.headers + stats.bytesUp.payload + stats.bytesDown.headers + stats.bytesDown.payload;
  return total / stats.eventsDelivered;
}

interface RunOutcome {
  readonly created: PushEvent[];
  readonly final: StatsReport;
  readonly seqs: { poll: number[]; longPoll: number[]; sse: number[]; ws: number[] };
}

/** One run with the page's four clients; resolves when the run has stopped by itself and every client is done. */
async function runAllTransports(params: ExperimentParams): Promise<RunOutcome> {
  const observer = await observe(lab.wsBase);
  observer.command({ type: 'start', params });
  await observer.waitFor((report) => report.type === 'started');
  const poll = new PollingClient(lab.port, '/pvp/poll', observer.run, params.pollIntervalMs);
  const longPoll = new PollingClient(lab.port, '/pvp/long-poll', observer.run, 0);
  poll.start();
  longPoll.start();
  const sse = sseClient(lab.port, observer.run);
  const ws = await wsClient(lab.port, observer.run);
  const wsClosed = new Promise((resolve) => ws.ws.once('close', resolve));
  await observer.waitFor((report) => report.type === 'stopped', params.durationMs + 5000);
  await Promise.all([poll.stop(), longPoll.stop(), sse.ended, wsClosed]);
  poll.agent.destroy();
  longPoll.agent.destroy();
  const created = observer.reports.flatMap((report) => (report.type === 'event-created' ? [report.event] : []));
  const final = observer.reports.filter(isStats).at(-1) as StatsReport;
  await observer.close();
  return { created, final, seqs: { poll: poll.seqs, longPoll: longPoll.seqs, sse: sse.seqs, ws: ws.seqs } };
}

describe('push vs poll on the same seeded events', () => {
  it('WebSocket push beats short polling at 100 ms and 1000 ms; long polling and SSE miss nothing', async () => {
    const expected = eventsWithin(SEED, EVENTS_PER_SECOND, DURATION_MS);
    expect(DURATION_MS - (expected.at(-1)?.createdAt ?? 0)).toBeGreaterThan(300);
    const params = { ...BASE_PARAMS, seed: SEED, eventsPerSecond: EVENTS_PER_SECOND, durationMs: DURATION_MS };
    // Both runs at once: same seed, so the same events at the same offsets on both.
    const outcomes = await Promise.all([100, 1000].map((pollIntervalMs) => runAllTransports({ ...params, pollIntervalMs })));
    const all = expected.map((event) => event.seq);

    for (const [index, { created, final, seqs }] of outcomes.entries()) {
      const interval = index === 0 ? 100 : 1000;
      expect(created, `events of the run polling every ${interval} ms`).toEqual(expected);
      expect(final.eventsCreated).toBe(expected.length);
      const own = final.ownClient;

      expect(seqs.ws).toEqual(all);
      expect(contiguous(seqs.longPoll, 1, expected.length)).toBe(true);
      expect(seqs.sse).toEqual(all);
      for (const transport of ['long-poll', 'sse', 'ws'] as const) {
        expect(own[transport].eventsDelivered, transport).toBe(expected.length);
        expect(own[transport].eventsMissed, transport).toBe(0);
      }
      // Short polling gets each event once, in order, but only up to its last poll before the stop.
      expect(seqs.poll).toEqual(all.slice(0, seqs.poll.length));
      expect(own.poll.eventsDelivered).toBe(seqs.poll.length);
      expect(own.poll.eventsMissed).toBe(0);
      // About 30 polls for 24 bunched-up events: some polls at 100 ms come back empty.
      if (interval === 100) expect(own.poll.emptyResponses).toBeGreaterThan(0);

      const wsPerEvent = bytesPerEvent(own.ws);
      const pollPerEvent = bytesPerEvent(own.poll);
      expect(wsPerEvent, `bytes per event, polling every ${interval} ms: ws ${wsPerEvent.toFixed(0)} vs poll ${pollPerEvent.toFixed(0)}`).toBeLessThan(pollPerEvent);
      const wsMedian = own.ws.latency.medianMs ?? Number.POSITIVE_INFINITY;
      const pollMedian = own.poll.latency.medianMs ?? Number.NEGATIVE_INFINITY;
      expect(wsMedian, `median delay, polling every ${interval} ms`).toBeLessThan(pollMedian);
      expect(own.ws.latency.count).toBe(expected.length);
      expect(own.ws.latency.p95Ms).not.toBeNull();
    }
    // Slower polling: fewer bytes but longer waits (the trade-off the lesson teaches).
    const [fast, slow] = outcomes as [RunOutcome, RunOutcome];
    expect(slow.final.ownClient.poll.requests).toBeLessThan(fast.final.ownClient.poll.requests);
    expect(slow.final.ownClient.poll.latency.medianMs ?? 0).toBeGreaterThan(fast.final.ownClient.poll.latency.medianMs ?? 0);
  }, 20_000);

  it('SSE resumes after Last-Event-ID with no gap and no repeat', async () => {
    const observer = await observe(lab.wsBase);
    observer.command({ type: 'start', params: { ...BASE_PARAMS, seed: 3, eventsPerSecond: 20 } });
    await observer.waitFor((report) => report.type === 'started');
    const first = sseClient(lab.port, observer.run);
    await observer.waitFor((report) => report.type === 'event-created' && report.event.seq === 5);
    expect(await eventually(() => first.seqs.includes(5), 3000)).toBe(true);
    first.destroy();
    const last = first.seqs.at(-1) ?? 0;
    expect(last).toBeGreaterThanOrEqual(5);
    // Events go on while the client is away; the reconnect asks for what came after its last id.
    const gone = observer.reports.length;
    await observer.waitFor((report) => report.type === 'event-created' && report.event.seq >= last + 3, 5000, gone);
    const second = sseClient(lab.port, observer.run, undefined, { 'Last-Event-ID': String(last) });
    const upTo = last + 8;
    expect(await eventually(() => second.seqs.includes(upTo), 5000)).toBe(true);
    expect([...first.seqs, ...second.seqs.filter((seq) => seq <= upTo)]).toEqual(Array.from({ length: upTo }, (_, index) => index + 1));
    const before = observer.reports.length;
    observer.command({ type: 'stop' });
    await second.ended;
    // The final figures: the stats sent right before `stopped`.
    await observer.waitFor((report) => report.type === 'stopped', 3000, before);
    const final = observer.reports.slice(before).filter(isStats).at(-1) as StatsReport;
    expect(final.ownClient.sse.eventsMissed).toBe(0);
    expect(final.ownClient.sse.requests).toBe(2);
    await observer.close();
  });
});
