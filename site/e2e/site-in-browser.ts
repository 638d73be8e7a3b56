/**
 * One setup for every browser test file: dist/ served by the real lab server on an ephemeral port, and
 * Debian's Chromium, started before the enclosing describe block's tests and stopped after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startLabServer, type LabServer } from '../../lab-server/src/node/server.ts';
import { ensureBuilt } from './build.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, DIST_DIR, recordPageErrors } from './support.ts';

/** Log lines of the lab server kept for serverState(). */
const MAX_KEPT_LOG_LINES = 20;

export interface SiteInBrowser {
  /** "http://127.0.0.1:PORT": the lab server serving dist/. */
  readonly url: string;
  readonly browser: Browser;
  /** What the lab server has to say about its state, for a failing test's message: open WebSockets and its last log lines. */
  serverState(): string;
  /** A fresh page at `path` (relative to the root) that records console errors and uncaught exceptions. */
  open(path: string, waitUntil?: 'load' | 'networkidle'): Promise<{ page: Page; errors: string[] }>;
  /** Scrolls an island into view (client:visible) and waits until Astro has hydrated it. */
  hydrated(page: Page, selector: string): Promise<void>;
}

export function useSiteInBrowser(): SiteInBrowser {
  let server: LabServer | undefined;
  let browser: Browser | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    server = await startLabServer({ port: 0, staticDir: DIST_DIR, log: (line) => {
      logs.push(line);
      if (logs.length > MAX_KEPT_LOG_LINES) logs.shift();
    } });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const started = (): { server: LabServer; browser: Browser } => {
    if (server === undefined || browser === undefined) throw new Error('the site is used outside its describe block');
    return { server, browser };
  };

  return {
    get url() {
      return started().server.url;
    },
    get browser() {
      return started().browser;
    },
    serverState() {
      const { server: lab } = started();
      return `lab server: ${lab.webSocketCount()} WebSockets open; its last log lines:\n${logs.join('\n') || '(none)'}`;
    },
    async open(path, waitUntil = 'load') {
      const page = await started().browser.newPage();
      const errors = recordPageErrors(page);
      await page.goto(`${started().server.url}/${path}`, { waitUntil });
      return { page, errors };
    },
    async hydrated(page, selector) {
      await page.locator(selector).first().scrollIntoViewIfNeeded();
      await page.waitForFunction((inner) => {
        const island = document.querySelector(inner)?.closest('astro-island');
        return island !== null && island !== undefined && !island.hasAttribute('ssr');
      }, selector);
    },
  };
}
