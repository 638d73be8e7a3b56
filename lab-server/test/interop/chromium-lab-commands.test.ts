/**
 * Interop: the /lab observer commands with headless Chromium as the subject, the learner's real peer. The
 * browser receives the fragmented, compressed and interleaved messages whole, answers the server's ping,
 * shows the server's close code, and fails the connection on every deliberately broken frame.
 * Required on CI (CI=true); skipped with a message elsewhere when /usr/bin/chromium is absent.
 */
import { describe, expect, it } from 'vitest';
import { WebSocket as WsClient } from 'ws';
import { SERVER_VIOLATIONS } from '../../src/reports/lab-report-types.ts';
import { browserSkipReason } from '../support/chromium.ts';
import { useLabInChromium } from '../support/lab-in-chromium.ts';
import { eventually } from '../support/lab-server.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

type Report = Record<string, unknown> & { type: string; subject?: number };

/** What the page's WebSocket saw, in order. */
type PageEvent = { type: 'open' } | { type: 'message'; data: string } | { type: 'error' } | { type: 'close'; code: number; reason: string; wasClean: boolean };

interface Observer {
  readonly reports: Report[];
  readonly subjectUrl: string;
  command(command: Record<string, unknown>): Promise<Report>;
  close(): void;
}

describe.skipIf(skipReason !== null)('interop: /lab commands with Chromium as the subject', () => {
  const lab = useLabInChromium();
  let nextId = 1;


  async function observe(): Promise<Observer> {
    const ws = new WsClient(`${lab.server.wsBase}/lab/observe`);
    const reports: Report[] = [];
    ws.on('message', (data) => reports.push(JSON.parse(String(data)) as Report));
    expect(await eventually(() => reports.length > 0, 5000)).toBe(true);
    return {
      reports,
      subjectUrl: String(reports[0]!['subjectUrl']),
      async command(command) {
        const id = nextId++;
        ws.send(JSON.stringify({ ...command, id }));
        const result = (): Report | undefined => reports.find((report) => report.type === 'command-result' && report['id'] === id);
        expect(await eventually(() => result() !== undefined, 5000)).toBe(true);
        return result()!;
      },
      close: () => ws.close(),
    };
  }

  /** Opens the page's subject WebSocket; its events collect in window.labEvents. */
  async function openPageSubject(url: string): Promise<void> {
    await lab.page.evaluate(async (subjectUrl: string) => {
      const events: unknown[] = [];
      (window as unknown as { labEvents: unknown[] }).labEvents = events;
      const socket = new WebSocket(subjectUrl);
      socket.onmessage = (event: MessageEvent<string>) => events.push({ type: 'message', data: event.data });
      socket.onerror = () => events.push({ type: 'error' });
      socket.onclose = (event) => events.push({ type: 'close', code: event.code, reason: event.reason, wasClean: event.wasClean });
      await new Promise<void>((resolve) => {
        socket.onopen = () => {
          events.push({ type: 'open' });
          resolve();
        };
      });
    }, url);
  }

  async function pageEvents(until: (events: PageEvent[]) => boolean): Promise<PageEvent[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const events = await lab.page.evaluate(() => (window as unknown as { labEvents: PageEvent[] }).labEvents);
      if (until(events) || Date.now() > deadline) return events;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('Chromium receives fragmented, compressed and interleaved messages whole, and answers the server ping', async () => {
    const observer = await observe();
    await openPageSubject(observer.subjectUrl);
    expect(await eventually(() => observer.reports.some((report) => report.type === 'negotiated'), 5000)).toBe(true);
    expect(observer.reports.find((report) => report.type === 'negotiated')!['extensions']).toMatch(/^permessage-deflate/);
    for (const command of [
      { type: 'send-fragmented', text: 'in eight fragments, ünïcödé', fragments: 8 },
      { type: 'send-compressed', text: 'compressed for Chromium, compressed for Chromium' },
      { type: 'send-interleaved', text: 'control frames in between' },
      { type: 'ping', text: 'chromium?' },
    ]) {
      expect(await observer.command(command), command.type).toMatchObject({ ok: true, subject: 1 });
    }
    const events = await pageEvents((list) => list.filter((event) => event.type === 'message').length === 3);
    expect(events.filter((event) => event.type === 'message').map((event) => (event as { data: string }).data)).toEqual([
      'in eight fragments, ünïcödé',
      'compressed for Chromium, compressed for Chromium',
      'control frames in between',
    ]);
    // Two pongs from Chromium: one answers the ping between the fragments, one the ping command.
    expect(await eventually(() => observer.reports.filter((report) => report.type === 'pong').length === 2, 5000)).toBe(true);
    expect(observer.reports.filter((report) => report.type === 'pong').map((report) => Buffer.from(String(report['hex']), 'hex').toString())).toEqual([
      'between fragments',
      'chromium?',
    ]);
    observer.close();
  });

  it('close: Chromium reports the code and reason the server chose', async () => {
    const observer = await observe();
    await openPageSubject(observer.subjectUrl);
    expect(await observer.command({ type: 'close', code: 4321, reason: 'bye from the lab' })).toMatchObject({ ok: true });
    const events = await pageEvents((list) => list.some((event) => event.type === 'close'));
    expect(events.find((event) => event.type === 'close')).toEqual({ type: 'close', code: 4321, reason: 'bye from the lab', wasClean: true });
    observer.close();
  });

  for (const kind of SERVER_VIOLATIONS) {
    it(`violation ${kind}: Chromium fails the connection; the report names the rule it applied`, async () => {
      const observer = await observe();
      await openPageSubject(observer.subjectUrl);
      expect(await observer.command({ type: 'violation', kind })).toMatchObject({ ok: true });
      const events = await pageEvents((list) => list.some((event) => event.type === 'close'));
      // The WebSocket API reports a failed connection as an error, then close 1006, not clean.
      expect(events.map((event) => event.type)).toEqual(['open', 'error', 'close']);
      expect(events.at(-1)).toMatchObject({ code: 1006, wasClean: false });
      expect(await eventually(() => observer.reports.some((report) => report.type === 'tcp-closed'), 5000)).toBe(true);
      const bad = observer.reports.find((report) => report.type === 'frame' && report['direction'] === 'server-to-client')!;
      const violation = (bad['record'] as Record<string, unknown>)['violation'] as { closeCode: number };
      expect(violation.closeCode).toBe(kind === 'invalid-utf8' ? 1007 : 1002);
      // Chromium sends a close frame before dropping TCP (RFC 6455 §7.1.7), always with 1002: even for
      // invalid UTF-8, where RFC 6455 §8.1 names 1007 (and ws sends 1007).
      const closeReceived = observer.reports.find((report) => report.type === 'close-received');
      expect(closeReceived?.['code']).toBe(1002);
      observer.close();
    });
  }
});
