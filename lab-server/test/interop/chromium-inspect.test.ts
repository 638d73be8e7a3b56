/**
 * Interop: headless Chromium is the developer's app, a `ws` server is their server, and the lab server
 * relays between them (--inspect). Chromium offers permessage-deflate on every connection, so its
 * compressed frames (with context takeover) must pass unchanged and be inflated for the observer.
 * Required on CI (CI=true); skipped with a message elsewhere when /usr/bin/chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchChromium } from '../support/chromium.ts';
import { eventually, type Started } from '../server/helpers.ts';
import { closeInspectRelay, framesOf, observe, ofType, startInspectRelay, type Record_, type Target } from '../server/inspect-helpers.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

describe.skipIf(skipReason !== null)('interop: headless Chromium -> lab server --inspect -> ws', () => {
  let target: Target;
  let lab: Started;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ target, lab } = await startInspectRelay({ threshold: 0 }, '/app'));
    browser = await launchChromium();
    page = await browser.newPage();
    // Any page of the lab server's origin will do (the site may not be built: the server still answers).
    await page.goto(`${lab.server.url}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await closeInspectRelay(target, lab);
  });

  it("the browser's messages reach the target and come back unchanged; every frame is reported and inflated", async () => {
    const observer = await observe(lab);
    const texts = ['Hello from Chromium', 'Hello from Chromium', 'κόσμε 𝄞', 'compress me '.repeat(5000)];
    const result = await page.evaluate(
      async ({ url, texts }: { url: string; texts: string[] }) => {
        const socket = new WebSocket(url);
        socket.binaryType = 'arraybuffer';
        await new Promise<void>((resolve, reject) => {
          socket.onopen = () => resolve();
          socket.onerror = () => reject(new Error('WebSocket error before open'));
        });
        const next = (): Promise<string | ArrayBuffer> =>
          new Promise((resolve) => {
            socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) => resolve(event.data);
          });
        const same: boolean[] = [];
        for (const text of texts) {
          const reply = next();
          socket.send(text);
          same.push((await reply) === text);
        }
        const reply = next();
        socket.send(Uint8Array.of(1, 2, 3, 250));
        const bytes = new Uint8Array((await reply) as ArrayBuffer);
        same.push(bytes.join(',') === '1,2,3,250');
        const closed = new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve) => {
          socket.onclose = (event) => resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean });
        });
        socket.close(1000, 'bye from Chromium');
        return { same, extensions: socket.extensions, close: await closed };
      },
      { url: `${lab.wsBase}/inspect`, texts },
    );
    expect(result.same).toEqual([true, true, true, true, true]);
    expect(result.extensions).toMatch(/^permessage-deflate/);
    expect(result.close).toEqual({ code: 1000, reason: 'bye from Chromium', wasClean: true });
    expect(target.requests.at(-1)!.url).toBe('/app');
    expect(target.received.map(([isBinary, data]) => (isBinary ? [...data].join(',') : String(data)))).toEqual([...texts, '1,2,3,250']);

    expect(await eventually(() => ofType(observer.reports, 'tcp-closed').length === 1, 5000)).toBe(true);
    const reports = observer.reports;
    expect(String(ofType(reports, 'handshake-request')[0]!['raw'])).toMatch(/Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n/);
    expect(ofType(reports, 'negotiated')[0]!['deflate']).not.toBeNull();
    for (const direction of ['client-to-server', 'server-to-client']) {
      const data = framesOf(reports, direction).filter((record) => record['opcodeName'] !== 'close');
      expect(data.every((record) => record['rsv1'] === true && record['fin'] === true)).toBe(true);
      expect(data).toHaveLength(texts.length + 1);
      expect(data.every((record) => record['masked'] === (direction === 'client-to-server'))).toBe(true);
      const inflatedLengths = data.map((record) => (record['inflated'] as Record_)['length']);
      expect(inflatedLengths).toEqual([...texts.map((text) => Buffer.byteLength(text)), 4]);
      const messages = ofType(reports, 'message').filter((report) => report['direction'] === direction);
      expect(messages.slice(0, 3).map((report) => report['text'])).toEqual(texts.slice(0, 3));
      // The 60 000-byte text is reported with a preview of previewBytes (4096) and its full length.
      expect(messages[3]).toMatchObject({ byteLength: 60_000, truncated: true });
      expect(messages[4]).toMatchObject({ opcodeName: 'binary', hex: '010203fa' });
    }
    expect(ofType(reports, 'closed')).toEqual([expect.objectContaining({ code: 1000, reason: 'bye from Chromium', wasClean: true })]);
    expect(ofType(reports, 'violation')).toEqual([]);
    observer.ws.close();
  });
});
