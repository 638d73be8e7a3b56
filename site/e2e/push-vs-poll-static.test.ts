/**
 * The push-vs-poll page from a plain static copy of dist/ in headless Chromium: a tiny node:http file
 * server with no lab endpoints (every other path, /pvp/observe included, is a 404, as any static host
 * answers). The page must say plainly that it runs a simulation and why, a short run must fill all four
 * lanes and the results table, and the only console errors allowed are the page's refused attempts to
 * reach the lab server. Required on CI (CI=true).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureBuilt } from './build.ts';
import { browserSkipReason, CHROMIUM_ARGS, CHROMIUM_PATH, DIST_DIR, recordPageErrors } from './support.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

const TRANSPORTS = ['poll', 'long-poll', 'sse', 'ws'] as const;
/** Short enough for a test, long enough for a few polls at the page's default 1 s interval. */
const SHORT_RUN_MS = 3000;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.woff2': 'font/woff2', '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8', '.xml': 'application/xml',
};
const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nnot found\n';

/** The file a path names under dist/ (a directory means its index.html), or null. */
function fileFor(pathname: string): string | null {
  const path = normalize(join(DIST_DIR, decodeURIComponent(pathname)));
  if (!path.startsWith(DIST_DIR.endsWith(sep) ? DIST_DIR : `${DIST_DIR}${sep}`)) return null;
  try {
    const stats = statSync(path);
    if (stats.isFile()) return path;
    if (stats.isDirectory() && statSync(join(path, 'index.html')).isFile()) return join(path, 'index.html');
  } catch {
    // Missing: a 404.
  }
  return null;
}

/** Starts a plain static host for dist/; every request's method, path and status is recorded in `log`. */
async function startStaticHost(log: string[]): Promise<Server> {
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://static.invalid');
    const file = request.method === 'GET' || request.method === 'HEAD' ? fileFor(pathname) : null;
    log.push(`${request.method} ${pathname} ${file === null ? 404 : 200}`);
    if (file === null) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  // A static host knows nothing of WebSocket: an upgrade request is a GET for a file that is not there.
  server.on('upgrade', (request, socket: Socket) => {
    log.push(`UPGRADE ${new URL(request.url ?? '/', 'http://static.invalid').pathname} 404`);
    socket.end(NOT_FOUND);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function laneNumber(page: Page, transport: string, testId: string): Promise<number> {
  return Number((await page.getByTestId(`lane-${transport}`).getByTestId(testId).innerText()).replace(/,/g, ''));
}

/** "1.2 KiB / 340 B" as the two byte counts (the figures are rounded, which is all this test needs). */
function bytePair(text: string): number[] {
  const scale: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 * 1024 };
  return text.split('/').map((part) => {
    const match = /^\s*([\d.]+) (B|KiB|MiB)\s*$/.exec(part);
    if (match === null) throw new Error(`not a byte count: "${part}" in "${text}"`);
    return Number(match[1]) * scale[match[2]!]!;
  });
}

describe.skipIf(skipReason !== null)('polling versus push from a plain static copy of the site', () => {
  let host: Server;
  let origin: string;
  let browser: Browser;
  const requests: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    host = await startStaticHost(requests);
    origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => host?.close(resolve));
  });

  it('says it is a simulation and why, and a short run fills all four lanes and the results table', async () => {
    const page = await browser.newPage();
    const errors = recordPageErrors(page);
    // A fixed seed whose first event comes at 82 ms (see push-vs-poll.test.ts), so every lane has events.
    await page.goto(`${origin}/push-vs-poll/?pvp-duration=${SHORT_RUN_MS}&pvp-seed=6455`);
    const lab = page.getByTestId('pvp-lab');
    await lab.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('[data-testid="pvp-lab"]')?.getAttribute('data-mode') === 'simulation', undefined, { timeout: 15_000 });

    // Plainly a simulation, why, what it is made of, and how to get the live one.
    const mode = await page.getByTestId('pvp-mode').innerText();
    expect(mode).toMatch(/^Simulation: no lab server answered on \/pvp\/observe\./);
    expect(mode).toContain('The lanes come from a model running in this page');
    expect(mode).toContain('For live traffic run npm start and open this page there.');

    await page.getByTestId('pvp-experiment').click();
    await expect.poll(() => lab.getAttribute('data-state')).toBe('running');
    const results = page.getByTestId('pvp-results');
    await results.waitFor({ timeout: 20_000 });
    expect(await results.locator('h3').innerText()).toBe(`Results of the ${SHORT_RUN_MS / 1000}-second experiment (simulated)`);
    expect(await page.getByTestId('pvp-status').innerText()).toMatch(/finished/);

    for (const transport of TRANSPORTS) {
      expect(await laneNumber(page, transport, 'requests'), `${transport} requests`).toBeGreaterThan(0);
      expect(await laneNumber(page, transport, 'events'), `${transport} events`).toBeGreaterThan(0);
      const [upHeaders] = bytePair(await page.getByTestId(`lane-${transport}`).getByTestId('bytes-up').innerText());
      expect(upHeaders, `${transport} header bytes up`).toBeGreaterThan(0);
      expect(Number(await page.getByTestId(`lane-${transport}`).getByTestId('bytes-up').getAttribute('data-headers'))).toBeGreaterThan(0);
      const [downHeaders, downPayload] = bytePair(await page.getByTestId(`lane-${transport}`).getByTestId('bytes-down').innerText());
      expect(downHeaders, `${transport} header bytes down`).toBeGreaterThan(0);
      expect(downPayload, `${transport} payload bytes down`).toBeGreaterThan(0);
      // The browser's own count only exists live: the simulation does not pretend to have one.
      expect(await page.getByTestId(`lane-${transport}`).getByTestId('received').count()).toBe(0);
      // The results row repeats the lane's figures.
      const row = await page.getByTestId(`result-${transport}`).locator('td').allInnerTexts();
      expect(Number(row[0]!.replace(/,/g, '')), `${transport} events in the results`).toBe(await laneNumber(page, transport, 'events'));
      expect(Number(row[1]!.replace(/,/g, '')), `${transport} requests in the results`).toBe(await laneNumber(page, transport, 'requests'));
      expect(row[2], `${transport} bytes per event`).toMatch(/^[\d.]+ (B|KiB|MiB)$/);
    }
    // One handshake for the WebSocket, several polls in three seconds.
    expect(await laneNumber(page, 'ws', 'requests')).toBe(1);
    expect(await laneNumber(page, 'poll', 'requests')).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('pvp-explanation').innerText()).toMatch(/Short polling made \d+ requests?/);

    // The page asked the lab server once, on its WebSocket, got the static host's 404, and asked nothing
    // else of it: no /pvp request, live or not, and no other missing file.
    expect(requests.filter((line) => line.endsWith(' 404'))).toEqual(['UPGRADE /pvp/observe 404']);
    expect(requests.filter((line) => / \/pvp\//.test(line))).toEqual(['UPGRADE /pvp/observe 404']);
    // So the one console error is Chromium's report of that refused handshake.
    expect(errors).toEqual([`WebSocket connection to '${origin.replace(/^http/, 'ws')}/pvp/observe' failed: Error during WebSocket handshake: Unexpected response code: 404`]);
    await page.close();
  }, 60_000);
});
