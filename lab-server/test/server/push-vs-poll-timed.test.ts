/** Issue 5: a timed run carries exactly the seeded events of its duration, however its timers fall. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsWithin } from '../../src/node/push-vs-poll/event-source.ts';
import { startTestServer, type TestServer } from '../support/lab-server.ts';
import { BASE_PARAMS, isStats, observe } from '../support/push-vs-poll.ts';

let lab: TestServer;
beforeAll(async () => {
  lab = await startTestServer();
});
afterAll(async () => {
  await lab.close();
});

describe('a timed run', () => {
  // Seeds whose schedule at 50 events/s has an event within a few ms of the end: the timers race there.
  const DURATION_MS = 1000;
  const seeds = Array.from({ length: 2000 }, (_, seed) => seed)
    .filter((seed) => {
      const events = eventsWithin(seed, 50, DURATION_MS);
      return DURATION_MS - (events.at(-1)?.createdAt ?? 0) < 3;
    })
    .slice(0, 3);

  it.each(seeds)('seed %i: creates every event of eventsWithin(seed, 50, 1000), then stops with reason duration', async (seed) => {
    const expected = eventsWithin(seed, 50, DURATION_MS);
    const observer = await observe(lab.wsBase);
    observer.command({ type: 'start', params: { ...BASE_PARAMS, seed, eventsPerSecond: 50, durationMs: DURATION_MS } });
    const stopped = await observer.waitFor((report) => report.type === 'stopped', 5000);
    expect(stopped).toMatchObject({ reason: 'duration' });
    const created = observer.reports.flatMap((report) => (report.type === 'event-created' ? [report.event] : []));
    expect(created).toEqual(expected);
    const final = observer.reports.filter(isStats).at(-1);
    expect(final?.eventsCreated).toBe(expected.length);
    await observer.close();
  });
});
