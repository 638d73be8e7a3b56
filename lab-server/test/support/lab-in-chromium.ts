/**
 * One setup for the interop tests where Chromium is the lab server's client: a lab server on an ephemeral
 * port and one Chromium page already on its origin (so the page's WebSockets are same-origin, as the
 * learner's are), started before the enclosing describe block's tests and stopped after them.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { startTestServer, type TestServer } from './lab-server.ts';

export interface LabInChromium {
  readonly server: TestServer;
  /** A page at the lab server's "/". */
  readonly page: Page;
}

export function useLabInChromium(): LabInChromium {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    page = await browser.newPage();
    // Any page of the lab server's origin will do (the site may not be built: the server still answers).
    await page.goto(`${server.server.url}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the lab in Chromium is used outside its describe block');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get page() {
      return started(page);
    },
  };
}
