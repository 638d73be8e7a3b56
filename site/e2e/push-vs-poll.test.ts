/**
 * Issue 5 in headless Chromium against the real lab server: the page's four clients (fetch loops,
 * EventSource, WebSocket) run a short experiment live and every lane shows traffic; the padding cookie
 * rides on every /pvp request and is gone after Reset; with /pvp/observe unreachable the page says it
 * is a simulation and still runs; lesson 1 embeds the same lanes. Required on CI (CI=true).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ExchangeReport, PushReport } from '../../lab-server/src/reports/push-vs-poll-types.ts';
import { cookieHeaderValue, paddingCookies } from '../lib/pvp/padding-cookie.ts';
import { byteLength, requestHead, responseHead, type BrowserIdentity } from '../lib/pvp/wire-sizes.ts';
import { useSiteInBrowser } from './site-in-browser.ts';
import { browserSkipReason } from './support.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TRANSPORTS = ['poll', 'long-poll', 'sse', 'ws'] as const;
/** Short enough for a test, long enough for a few polls at the page's default 1 s interval. */
/**
 * A fixed seed: at the default 2 events/s its first event comes at 82 ms and 4 come within 2 s, so every lane has
 * events to deliver (with a seed drawn per run, a 2 s run had none about once in 55, e^-4).
 */
const SEED = 'pvp-seed=6455';
const SHORT_RUN = `pvp-duration=3000&${SEED}`;

/**
 * Console errors, less one the protocol makes expected: when a run ends, a request the page sent before the
 * `stopped` report reached it (a long poll re-sent after its empty answer, an upstream POST) is refused with
 * 409, and Chromium logs every refused fetch. Anything else still fails the test.
 */
function unexpected(errors: readonly string[]): string[] {
  return errors.filter((error) => !/status of 409 \(Conflict\)/.test(error));
}

async function mode(page: Page): Promise<string> {
  await page.waitForFunction(() => document.querySelector('[data-testid="pvp-lab"]')?.getAttribute('data-mode') !== 'checking', undefined, { timeout: 10_000 });
  return (await page.getByTestId('pvp-lab').getAttribute('data-mode')) ?? '';
}

async function runExperiment(page: Page): Promise<void> {
  await page.getByTestId('pvp-experiment').click();
  await page.getByTestId('pvp-results').waitFor({ timeout: 20_000 });
}

async function laneNumber(page: Page, transport: string, testId: string): Promise<number> {
  return Number((await page.getByTestId(`lane-${transport}`).getByTestId(testId).innerText()).replace(/,/g, ''));
}

describe.skipIf(skipReason !== null)('polling versus push in Chromium', () => {
  const site = useSiteInBrowser();

  it('runs a short live experiment: every lane has requests and delivered events, and the results explain them', async () => {
    const { page, errors } = await site.open(`push-vs-poll/?${SHORT_RUN}`);
    await site.hydrated(page, '[data-testid="pvp-lab"]');
    expect(await mode(page)).toBe('live');
    expect(await page.getByTestId('pvp-mode').innerText()).toMatch(/^Live\./);
    // Two clients per transport simulated by the server, beside the page's own.
    const clients = page.getByLabel(/Simulated clients per transport/);
    await clients.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await runExperiment(page);
    for (const transport of TRANSPORTS) {
      expect(await laneNumber(page, transport, 'requests'), transport).toBeGreaterThan(0);
      expect(await laneNumber(page, transport, 'events'), transport).toBeGreaterThan(0);
      // The browser's own count: what its fetch, EventSource or WebSocket handed to the page. The page stops
      // its clients when `stopped` arrives on the other connection, so the last response may still be in flight.
      const seen = Number((await page.getByTestId(`lane-${transport}`).getByTestId('received').innerText()).replace(/\D/g, ''));
      const delivered = await laneNumber(page, transport, 'events');
      expect(seen, `${transport} events the page received`).toBeGreaterThan(0);
      expect(seen).toBeLessThanOrEqual(delivered);
      expect(seen).toBeGreaterThanOrEqual(delivered - 2);
      const row = await page.getByTestId(`result-${transport}`).locator('td').allInnerTexts();
      expect(Number(row[0]), `${transport} events in the results`).toBeGreaterThan(0);
    }
    // One handshake for the WebSocket; the short poll asks about once a second.
    expect(await laneNumber(page, 'ws', 'requests')).toBe(1);
    expect(await laneNumber(page, 'poll', 'requests')).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('pvp-explanation').innerText()).toMatch(/Short polling made \d+ requests?/);
    const totals = page.getByTestId('pvp-totals');
    expect(await totals.locator('h3').innerText()).toMatch(/3 clients per transport/);
    const wsTotals = await totals.locator('tr', { hasText: 'WebSocket' }).locator('td').allInnerTexts();
    expect(Number(wsTotals[0]), 'three WebSocket handshakes server-wide').toBe(3);
    expect(Number((wsTotals[1] ?? '').replace(/,/g, ''))).toBeGreaterThan(await laneNumber(page, 'ws', 'events'));
    expect(await page.getByTestId('pvp-status').innerText()).toMatch(/finished/);
    expect(unexpected(errors)).toEqual([]);
    await page.close();
  }, 60_000);

  it('sends the padding cookie on every /pvp request (set with the keyboard) and clears it on Reset', async () => {
    const { page, errors } = await site.open(`push-vs-poll/?${SHORT_RUN}`);
    await site.hydrated(page, '[data-testid="pvp-lab"]');
    expect(await mode(page)).toBe('live');
    const cookie = page.getByLabel(/Cookie on every \/pvp request/);
    await cookie.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => cookie.getAttribute('aria-valuetext')).toBe('2.0 KiB');
    // Started from the keyboard; the button keeps the focus while the run goes (it is only aria-disabled).
    await page.getByTestId('pvp-experiment').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('pvp-experiment').getAttribute('aria-disabled')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('pvp-experiment');
    await expect.poll(async () => (await page.context().cookies(`${site.url}/pvp/poll`)).filter((c) => c.name.startsWith('pvp-pad')).length).toBe(1);
    // Only /pvp carries it: the page itself does not.
    expect((await page.context().cookies(`${site.url}/push-vs-poll/`)).filter((c) => c.name.startsWith('pvp-pad'))).toEqual([]);
    await page.getByTestId('pvp-results').waitFor({ timeout: 20_000 });
    const requests = await laneNumber(page, 'poll', 'requests');
    const upHeaders = Number(await page.getByTestId('lane-poll').getByTestId('bytes-up').getAttribute('data-headers'));
    expect(upHeaders).toBeGreaterThan(requests * 2048);
    // The WebSocket carried the cookie once, in its handshake.
    const wsUpHeaders = Number(await page.getByTestId('lane-ws').getByTestId('bytes-up').getAttribute('data-headers'));
    expect(wsUpHeaders).toBeGreaterThan(2048);
    expect(wsUpHeaders).toBeLessThan(2 * 2048);
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(async () => (await page.context().cookies(`${site.url}/pvp/poll`)).filter((c) => c.name.startsWith('pvp-pad')).length).toBe(0);
    expect(await laneNumber(page, 'poll', 'requests')).toBe(0);
    expect(unexpected(errors)).toEqual([]);
    await page.close();
  }, 60_000);

  it('falls back to the labelled simulation when /pvp/observe does not answer, and runs it', async () => {
    // Also a reader who asked for less motion: the arrows appear without animating.
    const context = await site.browser.newContext({ reducedMotion: 'reduce' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.routeWebSocket(/\/pvp\/observe/, (socket) => socket.close({ code: 1011, reason: 'no lab server in this test' }));
    await page.goto(`${site.url}/push-vs-poll/?${SHORT_RUN}`);
    await site.hydrated(page, '[data-testid="pvp-lab"]');
    expect(await mode(page)).toBe('simulation');
    expect(await page.getByTestId('pvp-mode').innerText()).toMatch(/^Simulation: no lab server answered/);
    await runExperiment(page);
    for (const transport of TRANSPORTS) expect(await laneNumber(page, transport, 'events'), transport).toBeGreaterThan(0);
    expect(await page.getByTestId('pvp-results').locator('h3').innerText()).toMatch(/\(simulated\)/);
    const arrow = page.locator('[data-testid="lane-poll"] g.arrow').first();
    expect(await arrow.evaluate((element) => getComputedStyle(element).animationName)).toBe('none');
    expect(unexpected(errors)).toEqual([]);
    await context.close();
  }, 60_000);

  it('shows the lab server’s one-line error as an alert, and the run does not start', async () => {
    const context = await site.browser.newContext();
    const page = await context.newPage();
    const reason = 'the server cannot run 200 more simulated clients now (at most 400 over all runs): lower simulatedClients';
    // A stand-in for /pvp/observe that greets, then refuses every start as a busy lab server would.
    await page.routeWebSocket(/\/pvp\/observe/, (socket) => {
      socket.send(JSON.stringify({ type: 'hello', t: 0, run: 'stand-in', longPollHoldMs: 25_000 }));
      socket.onMessage(() => socket.send(JSON.stringify({ type: 'error', t: 1, message: reason })));
    });
    await page.goto(`${site.url}/push-vs-poll/?${SHORT_RUN}`);
    await site.hydrated(page, '[data-testid="pvp-lab"]');
    expect(await mode(page)).toBe('live');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe(`Problem: ${reason}`);
    expect(await page.getByTestId('pvp-lab').getAttribute('data-state')).toBe('idle');
    expect(await page.getByRole('button', { name: 'Stop' }).getAttribute('aria-disabled')).toBe('true');
    await context.close();
  }, 60_000);

  it('models header sizes the simulation uses byte for byte as Chromium sends them and the lab server answers', async () => {
    const { page, errors } = await site.open(`push-vs-poll/?${SHORT_RUN}`);
    const reports: PushReport[] = [];
    page.on('websocket', (socket) => {
      if (socket.url().endsWith('/pvp/observe')) socket.on('framereceived', (frame) => reports.push(JSON.parse(String(frame.payload)) as PushReport));
    });
    await page.reload();
    await site.hydrated(page, '[data-testid="pvp-lab"]');
    expect(await mode(page)).toBe('live');
    const cookie = page.getByLabel(/Cookie on every \/pvp request/);
    await cookie.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await runExperiment(page);
    const who: BrowserIdentity = await page.evaluate(() => {
      const data = (navigator as Navigator & { userAgentData?: { brands: { brand: string; version: string }[]; mobile: boolean; platform: string } }).userAgentData;
      return {
        host: location.host, origin: location.origin, referer: location.href, userAgent: navigator.userAgent, cookie: '',
        clientHints: data === undefined ? null : { brands: data.brands.map((b) => `"${b.brand}";v="${b.version}"`).join(', '), mobile: data.mobile, platform: data.platform },
      };
    });
    const params = reports.find((r) => r.type === 'started');
    const hello = reports.find((r) => r.type === 'hello');
    if (params?.type !== 'started' || hello?.type !== 'hello') throw new Error('no hello and started reports');
    expect(params.params.cookieBytes).toBe(1024);
    const withCookie = { ...who, cookie: cookieHeaderValue(paddingCookies(params.params.cookieBytes)) };
    const exchanges = reports.filter((r): r is ExchangeReport => r.type === 'exchange');
    const first = (test: (e: ExchangeReport) => boolean): ExchangeReport => {
      const found = exchanges.find(test);
      if (found === undefined) throw new Error('exchange not seen');
      return found;
    };
    const query = `run=${hello.run}&client=0`;
    expect(first((e) => e.transport === 'poll' && e.kind === 'request').headerBytes).toBe(byteLength(requestHead('fetch', `/pvp/poll?${query}&after=0`, withCookie)));
    expect(first((e) => e.transport === 'sse' && e.kind === 'request').headerBytes).toBe(byteLength(requestHead('event-source', `/pvp/sse?${query}`, withCookie)));
    expect(first((e) => e.transport === 'ws' && e.kind === 'request').headerBytes).toBe(byteLength(requestHead('websocket', `/pvp/ws?${query}`, withCookie)));
    const post = first((e) => e.transport === 'poll' && e.kind === 'upstream');
    expect(post.headerBytes).toBe(byteLength(requestHead('post', `/pvp/send?${query}&transport=poll`, withCookie, post.payloadBytes)));
    const json = first((e) => e.transport === 'poll' && e.kind === 'response' && e.label.startsWith('200'));
    expect(json.headerBytes).toBe(byteLength(responseHead('json', json.payloadBytes)));
    expect(first((e) => e.label === '204 No Content').headerBytes).toBe(byteLength(responseHead('no-content')));
    expect(first((e) => e.transport === 'sse' && e.kind === 'response').headerBytes).toBe(byteLength(responseHead('event-stream')));
    expect(first((e) => e.transport === 'ws' && e.kind === 'response').headerBytes).toBe(byteLength(responseHead('switching-protocols')));
    expect(unexpected(errors)).toEqual([]);
    await page.close();
  }, 60_000);

  // a11y.test.ts audits every page as loaded; this audits the page with its lanes, totals and results filled in.
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violations after a run, in the ${colorScheme} theme`, async () => {
      const context = await site.browser.newContext({ colorScheme });
      const page = await context.newPage();
      await page.goto(`${site.url}/push-vs-poll/?pvp=simulate&pvp-duration=2000&${SEED}`);
      await site.hydrated(page, '[data-testid="pvp-lab"]');
      expect(await mode(page)).toBe('simulation');
      const clients = page.getByLabel(/Simulated clients per transport/);
      await clients.focus();
      await page.keyboard.press('ArrowRight');
      await runExperiment(page);
      await page.getByTestId('pvp-totals').waitFor();
      await page.addScriptTag({ path: AXE_PATH });
      const violations = await page.evaluate(async () => {
        // @ts-expect-error axe is the global the injected script defines.
        const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] });
        return (result.violations as { id: string; impact: string | null; nodes: { target: string[] }[] }[])
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.impact} ${v.id} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
      });
      expect(violations).toEqual([]);
      await context.close();
    }, 60_000);
  }

  it('embeds the same lanes in lesson 1, beside the back-of-the-envelope model', async () => {
    const { page, errors } = await site.open(`lessons/why-push/?pvp=simulate&pvp-duration=2000&${SEED}`);
    await site.hydrated(page, '[data-testid="pvp-lab"]');
    expect(await mode(page)).toBe('simulation');
    expect(await page.getByRole('heading', { name: 'Try it: the cost of asking' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Try it: polling versus push, measured' }).count()).toBe(1);
    await runExperiment(page);
    expect(await laneNumber(page, 'ws', 'events')).toBeGreaterThan(0);
    expect(unexpected(errors)).toEqual([]);
    await page.close();
  }, 60_000);
});
