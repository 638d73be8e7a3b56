/**
 * Interop: the Origin Chromium really sends decides who may observe (RFC 6455 §10.2). A page of the lab
 * server's own origin (by IP address or localhost) opens /lab/observe; a page of another site, which a
 * browser lets open any WebSocket, gets the 403 as a failed connection and never sees a report.
 * Required on CI (CI=true); skipped with a message elsewhere when /usr/bin/chromium is absent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchChromium } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/lab-server.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

interface Outcome {
  readonly opened: boolean;
  readonly firstMessage: string | null;
  readonly closeCode: number;
}

/** Opens `url` from the page and reports whether it opened, its first message, and its close code. */
function tryObserve(page: Page, url: string): Promise<Outcome> {
  return page.evaluate(
    (target: string) =>
      new Promise<Outcome>((resolve) => {
        const socket = new WebSocket(target);
        let opened = false;
        socket.onopen = () => (opened = true);
        socket.onmessage = (event: MessageEvent<string>) => {
          resolve({ opened, firstMessage: event.data, closeCode: 0 });
          socket.close();
        };
        socket.onclose = (event) => resolve({ opened, firstMessage: null, closeCode: event.code });
      }),
    url,
  );
}

describe.skipIf(skipReason !== null)('interop: Chromium pages and /lab/observe (RFC 6455 §10.2)', () => {
  let lab: TestServer;
  let other: Server;
  let otherOrigin: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    lab = await startTestServer();
    // Another site: any page the user might have open while the lab server runs.
    other = createServer((_request, response) => response.end('<!doctype html><title>another site</title>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', () => resolve()));
    otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await lab?.close();
    await new Promise<void>((resolve) => other?.close(() => resolve()));
  });

  it.each(['/lab/observe', '/lab/observe?watch=inspect'])('%s from another site: the connection fails, no report is read', async (path) => {
    await page.goto(`${otherOrigin}/`);
    const outcome = await tryObserve(page, `${lab.wsBase}${path}`);
    expect(outcome).toEqual({ opened: false, firstMessage: null, closeCode: 1006 });
  });

  it.each([
    ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}`],
    ['localhost', (port: number) => `http://localhost:${port}`],
  ])('the lab server\'s own page on %s opens it and gets hello', async (_name, originOf) => {
    const origin = originOf(lab.server.port);
    await page.goto(`${origin}/`);
    const outcome = await tryObserve(page, `${origin.replace('http', 'ws')}/lab/observe`);
    expect(outcome.opened).toBe(true);
    expect(JSON.parse(outcome.firstMessage!)).toMatchObject({ type: 'hello' });
  });
});
