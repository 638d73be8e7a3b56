/**
 * Interop, issue 5: headless Chromium's own fetch, EventSource and WebSocket as the page's client 0 on
 * the four lanes of one run, with a cookie of the run's size. Every lane gets the events in order; the
 * server counts the browser's cookie in every request head; permessage-deflate, which Chromium offers,
 * is declined on /pvp/ws. Required on CI (CI=true); skipped with a message elsewhere without Chromium.
 */
import { describe, expect, it } from 'vitest';
import type { StatsReport } from '../../src/reports/push-vs-poll-types.ts';
import { browserSkipReason } from '../support/chromium.ts';
import { useLabInChromium } from '../support/lab-in-chromium.ts';
import { BASE_PARAMS, contiguous, isStats, observe } from '../support/push-vs-poll.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

interface PageResults {
  readonly poll: number[];
  readonly longPoll: number[];
  readonly sse: number[];
  readonly ws: number[];
  readonly wsExtensions: string;
  readonly sendStatus: number;
}

const COOKIE_BYTES = 600;

describe.skipIf(skipReason !== null)('interop: headless Chromium on the push-vs-poll lanes', () => {
  const lab = useLabInChromium();

  it('fetch polling, long polling, EventSource and WebSocket all get the events; the cookie is counted', async () => {
    const observer = await observe(lab.server.wsBase);
    observer.command({ type: 'start', params: { ...BASE_PARAMS, seed: 21, eventsPerSecond: 20, pollIntervalMs: 100, cookieBytes: COOKIE_BYTES } });
    await observer.waitFor((report) => report.type === 'started');
    const results: PageResults = await lab.page.evaluate(async ({ run, cookieBytes }) => {
      document.cookie = `pvp=${'x'.repeat(cookieBytes - 4)}; path=/`;
      const query = `run=${run}&client=0`;
      const seqsOf = async (response: Response): Promise<number[]> => ((await response.json()) as { events: { seq: number }[] }).events.map((event) => event.seq);
      const out = { poll: [] as number[], longPoll: [] as number[], sse: [] as number[], ws: [] as number[], wsExtensions: '', sendStatus: 0 };
      let running = true;
      const pollLoop = (async () => {
        let after = 0;
        while (running) {
          const seqs = await seqsOf(await fetch(`/pvp/poll?${query}&after=${after}`));
          out.poll.push(...seqs);
          after = Math.max(after, ...seqs);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const longPollLoop = (async () => {
        let after = 0;
        while (running) {
          const seqs = await seqsOf(await fetch(`/pvp/long-poll?${query}&after=${after}`));
          out.longPoll.push(...seqs);
          after = Math.max(after, ...seqs);
        }
      })();
      const source = new EventSource(`/pvp/sse?${query}`);
      source.onmessage = (event) => out.sse.push(Number(event.lastEventId));
      const socket = new WebSocket(`ws://${location.host}/pvp/ws?${query}`);
      socket.onmessage = (event) => out.ws.push((JSON.parse(String(event.data)) as { seq: number }).seq);
      await new Promise((resolve) => { socket.onopen = resolve; });
      out.wsExtensions = socket.extensions;
      const send = await fetch(`/pvp/send?${query}&transport=poll`, { method: 'POST', body: JSON.stringify({ seq: 1, sentAt: 0, text: 'from Chromium' }) });
      out.sendStatus = send.status;
      socket.send(JSON.stringify({ seq: 1, sentAt: 0, text: 'from Chromium' }));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      running = false;
      source.close();
      socket.close();
      await pollLoop;
      // The held long poll is answered by the next event.
      await longPollLoop;
      return out;
    }, { run: observer.run, cookieBytes: COOKIE_BYTES });

    expect(results.sendStatus).toBe(204);
    expect(results.wsExtensions).toBe('');
    const created = observer.reports.filter((report) => report.type === 'event-created').length;
    expect(created).toBeGreaterThan(10);
    expect(results.ws.length).toBeGreaterThan(10);
    expect(contiguous(results.ws, 1, results.ws.length)).toBe(true);
    expect(contiguous(results.sse, 1, results.sse.length)).toBe(true);
    expect(contiguous(results.longPoll, 1, results.longPoll.length)).toBe(true);
    expect(contiguous(results.poll, 1, results.poll.length)).toBe(true);
    expect(results.sse.length).toBeGreaterThan(10);

    const stats = await observer.waitFor((report): report is StatsReport => isStats(report) && report.ownClient.ws.upstreamMessages === 1, 3000);
    for (const lane of ['poll', 'long-poll', 'sse', 'ws'] as const) {
      const own = stats.ownClient[lane];
      // Chromium sent the cookie (and its other header fields) with every request and the handshake.
      expect(own.bytesUp.headers / own.requests, lane).toBeGreaterThan(COOKIE_BYTES);
      expect(own.eventsMissed, lane).toBe(0);
    }
    expect(stats.ownClient.poll.upstreamMessages).toBe(1);
    await observer.close();
  });
});
