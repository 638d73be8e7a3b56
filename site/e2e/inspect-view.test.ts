/**
 * "Inspect your own app" (docs/lab-protocol.md) seen on the live wire page in headless Chromium: a `ws`
 * server stands for the developer's app server (the target), the lab server relays /inspect to it, and a
 * `ws` client stands for the developer's app. The page's "Your app" view must show the relayed
 * connection (the connection, the target's 101, frames both ways with their opcodes, FIN and RSV1 bits,
 * the messages' text), its own "On the wire" timeline must not, and both ends must get every message
 * unchanged. Required on CI (CI=true).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { startLabServer, type LabServer } from '../../lab-server/src/node/server.ts';
import { ensureBuilt } from './build.ts';
import { browserSkipReason, CHROMIUM_ARGS, CHROMIUM_PATH, DIST_DIR, hexBytes, recordPageErrors } from './support.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** RFC 6455 §1.3: the GUID the accept value is computed with. */
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** ws compresses only messages at least this long; 0 lets each send choose with its `compress` option. */
const COMPRESS_EVERY_SIZE = 0;

const PLAIN_TEXT = 'hello from the app ✓';
const BINARY = Uint8Array.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
const FRAGMENTS = ['first half, ', 'second half'] as const;
const COMPRESSED_TEXT = `compress me ${'la '.repeat(30)}`;
const PING_DATA = 'are you there?';

interface Received {
  readonly binary: boolean;
  readonly bytes: Buffer;
}

const asBuffer = (data: RawData): Buffer => (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer));

/** axe-core's serious and critical WCAG A/AA findings on the page as it is now (as site/e2e/a11y.test.ts audits). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    // @ts-expect-error axe is the global the injected script defines.
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] });
    return (result.violations as { id: string; impact: string | null; nodes: { target: string[] }[] }[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}


/** The frame rows of a timeline as "direction opcode FIN RSV1" lines, in order. */
async function frameLines(timeline: Locator): Promise<string[]> {
  return timeline.locator('li[data-kind="frame"]').evaluateAll((items) => items.map((item) => {
    const flag = (name: string): string => item.querySelector(`[data-flag="${name}"]`)?.textContent?.trim() ?? '';
    return `${item.getAttribute('data-direction')} ${item.getAttribute('data-opcode')} ${flag('fin')}${flag('rsv1') === '' ? '' : ` ${flag('rsv1')}`}`;
  }));
}

describe.skipIf(skipReason !== null)('the live wire page\'s "Your app" view (--inspect)', () => {
  let target: WebSocketServer;
  let targetUrl: string;
  let lab: LabServer;
  let browser: Browser;
  /** What the target (the developer's server) saw: requests and messages. */
  const targetRequests: { url: string | undefined; host: string | undefined; key: string | undefined; extensions: string | undefined }[] = [];
  const targetReceived: Received[] = [];
  let targetGotPong: Promise<Buffer>;

  beforeAll(async () => {
    ensureBuilt();
    // The developer's app server: answers each message with "reply: " + it, and pings once on connect.
    target = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/socket', perMessageDeflate: { threshold: COMPRESS_EVERY_SIZE } });
    targetGotPong = new Promise((resolve) => {
      target.on('connection', (socket, request) => {
        targetRequests.push({
          url: request.url, host: request.headers.host, key: request.headers['sec-websocket-key'], extensions: request.headers['sec-websocket-extensions'],
        });
        socket.on('pong', resolve);
        socket.on('message', (data, isBinary) => {
          const bytes = asBuffer(data);
          targetReceived.push({ binary: isBinary, bytes });
          const reply = Buffer.concat([Buffer.from('reply: '), bytes]);
          // The reply to the compressed message is compressed too: RSV1 in both directions.
          socket.send(isBinary ? reply : reply.toString('utf8'), { binary: isBinary, compress: bytes.toString('utf8').startsWith('compress me') });
        });
        socket.ping(PING_DATA);
      });
    });
    await new Promise<void>((resolve) => target.once('listening', resolve));
    targetUrl = `ws://127.0.0.1:${(target.address() as AddressInfo).port}/socket`;
    lab = await startLabServer({ port: 0, staticDir: DIST_DIR, log: () => {}, inspect: { target: new URL(targetUrl) } });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.close();
    // A failed run may leave the relayed connection open: the target's close waits for its sockets.
    for (const socket of target?.clients ?? []) socket.terminate();
    await new Promise((resolve) => target?.close(resolve));
  });

  it('shows the relayed handshake, frames both ways and messages, which pass unchanged; "On the wire" shows none of them', async () => {
    const page = await browser.newPage();
    const errors = recordPageErrors(page);
    // The relayed reports as they reach the page's observer socket (/lab/observe?watch=inspect).
    const relayReports: { type: string; relay?: boolean; raw?: string; status?: number }[] = [];
    page.on('websocket', (socket) => {
      if (socket.url().includes('/lab/observe')) socket.on('framereceived', (frame) => {
        const report = JSON.parse(String(frame.payload)) as { type: string; relay?: boolean };
        if (report.relay === true) relayReports.push(report);
      });
    });
    await page.goto(`${lab.url}/lab/`);
    await page.locator('[data-testid="lab-status"][data-state="open"]').waitFor({ timeout: 15_000 });

    // The view appears once the observer's hello says the server relays (and so is watching for the app).
    const app = page.getByRole('region', { name: 'Your app', exact: true });
    await app.waitFor({ timeout: 15_000 });
    const inspectUrl = `ws://127.0.0.1:${lab.port}/inspect`;
    expect(await app.innerText()).toContain(`The lab server relays to ${targetUrl}`);
    expect(await app.innerText()).toContain(`Point your application at ${inspectUrl}`);
    const appTimeline = app.getByRole('region', { name: 'Your app\'s connections', exact: true }).getByTestId('timeline');

    // The developer's app, pointed at /inspect instead of its server.
    const client = new WebSocket(inspectUrl, { perMessageDeflate: { threshold: COMPRESS_EVERY_SIZE } });
    const clientReceived: Received[] = [];
    // The target's 101 as the app got it, and the app's own port (how the view names the connection).
    const upgrade = new Promise<{ accept: string | undefined; appPort: number | undefined }>((resolve) => client.once('upgrade', (response) =>
      resolve({ accept: response.headers['sec-websocket-accept'] as string | undefined, appPort: response.socket.localPort })));
    const allReplies = new Promise<void>((resolve) => client.on('message', (data, isBinary) => {
      clientReceived.push({ binary: isBinary, bytes: asBuffer(data) });
      if (clientReceived.length === 4) resolve();
    }));
    await new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    const { accept, appPort } = await upgrade;
    expect(appPort).toBeGreaterThan(0);
    expect(client.extensions).toMatch(/^permessage-deflate/);

    client.send(PLAIN_TEXT, { compress: false });
    client.send(BINARY, { binary: true, compress: false });
    client.send(FRAGMENTS[0], { fin: false, compress: false });
    client.send(FRAGMENTS[1], { fin: true, compress: false });
    client.send(COMPRESSED_TEXT, { compress: true });
    await allReplies;
    expect((await targetGotPong).toString('utf8')).toBe(PING_DATA);

    // Both ends got every message unchanged, in order.
    const sent: Received[] = [
      { binary: false, bytes: Buffer.from(PLAIN_TEXT) },
      { binary: true, bytes: Buffer.from(BINARY) },
      { binary: false, bytes: Buffer.from(FRAGMENTS.join('')) },
      { binary: false, bytes: Buffer.from(COMPRESSED_TEXT) },
    ];
    expect(targetReceived).toEqual(sent);
    expect(clientReceived).toEqual(sent.map(({ binary, bytes }) => ({ binary, bytes: Buffer.concat([Buffer.from('reply: '), bytes]) })));
    // The handshake went through unchanged but for the path and Host (docs/lab-protocol.md): the target
    // computed the accept for the app's own key, and the app's extension offer reached it.
    expect(targetRequests).toHaveLength(1);
    const request = targetRequests[0]!;
    expect(request.url).toBe('/socket');
    expect(request.host).toBe(new URL(targetUrl).host);
    expect(request.extensions).toMatch(/permessage-deflate/);
    expect(accept).toBe(createHash('sha1').update(`${request.key}${WEBSOCKET_GUID}`).digest('base64'));
    // The page was told both heads: the app's request as the relay received it, the target's 101 as relayed.
    await expect.poll(() => relayReports.filter((r) => r.type === 'handshake-response').length).toBe(1);
    const requestHead = relayReports.find((r) => r.type === 'handshake-request')?.raw ?? '';
    expect(requestHead).toMatch(/^GET \/inspect HTTP\/1\.1\r\n/);
    expect(requestHead).toContain(`Sec-WebSocket-Key: ${request.key}\r\n`);
    const responseReport = relayReports.find((r) => r.type === 'handshake-response');
    expect(responseReport?.status).toBe(101);
    expect(responseReport?.raw).toContain(`Sec-WebSocket-Accept: ${accept}\r\n`);
    // ... and the view shows them: the app's request line by line, its server's 101, and the accept
    // computation for the app's key (computed in the page by the core), with no mismatch flagged.
    await expect.poll(() => app.getByTestId('handshake-request').innerText()).toMatch(/GET \/inspect HTTP\/1\.1/);
    expect(await app.getByTestId('handshake-request').innerText()).toContain(`Sec-WebSocket-Key: ${request.key}`);
    expect(await app.getByTestId('handshake-response').innerText()).toContain(`Sec-WebSocket-Accept: ${accept}`);
    expect((await app.getByTestId('handshake-accept').locator('code').allInnerTexts())[3]).toBe(accept);
    expect(await app.getByTestId('accept-mismatch').count()).toBe(0);

    // The view: every frame in both directions, each direction in the order it was sent. The two
    // directions interleave as the two ends happen to write, and the app's pong answers the ping whenever
    // it arrived, so it is checked apart from the data frames.
    await expect.poll(() => frameLines(appTimeline).then((lines) => lines.length), { timeout: 10_000 }).toBe(11);
    const lines = await frameLines(appTimeline);
    expect(lines.filter((line) => line.startsWith('client-to-server') && !line.includes(' pong '))).toEqual([
      'client-to-server text FIN 1',
      'client-to-server binary FIN 1',
      'client-to-server text FIN 0',
      'client-to-server continuation FIN 1',
      'client-to-server text FIN 1 RSV1',
    ]);
    expect(lines.filter((line) => line.includes(' pong '))).toEqual(['client-to-server pong FIN 1']);
    expect(lines.filter((line) => line.startsWith('server-to-client'))).toEqual([
      'server-to-client ping FIN 1',
      'server-to-client text FIN 1',
      'server-to-client binary FIN 1',
      'server-to-client text FIN 1',
      'server-to-client text FIN 1 RSV1',
    ]);
    // The connection, the target's 101 and the relay's upstream, then the messages' text.
    const rows = await appTimeline.locator('li').allInnerTexts();
    const text = rows.join('\n');
    expect(text).toMatch(new RegExp(`Connection \\d+ arrived from 127\\.0\\.0\\.1:${appPort}`));
    expect(text).toContain('Handshake accepted: 101 Switching Protocols');
    expect(text).toContain(`Upstream ${targetUrl}: connected`);
    expect(text).toContain(`ping received by your app (data ${Buffer.from(PING_DATA).toString('hex')})`);
    expect(text).toContain(`text message, ${Buffer.byteLength(PLAIN_TEXT)} bytes: "${PLAIN_TEXT}"`);
    expect(text).toContain(`text message, ${Buffer.byteLength(FRAGMENTS.join(''))} bytes: "${FRAGMENTS.join('')}"`);
    expect(text).toContain(`binary message, ${BINARY.length} bytes`);
    expect(text).toMatch(new RegExp(`text message, ${Buffer.byteLength(COMPRESSED_TEXT)} bytes, compressed: "compress me la`));
    expect(text).toContain(`text message, ${Buffer.byteLength(`reply: ${PLAIN_TEXT}`)} bytes: "reply: ${PLAIN_TEXT}"`);
    // Only the app's frames are masked (RFC 6455 §5.1).
    const maskedDirections = await appTimeline.locator('li[data-kind="frame"]').evaluateAll((items) =>
      [...new Set(items.map((item) => `${item.getAttribute('data-direction')} ${item.querySelector('.mask')?.textContent?.trim() === 'masked'}`))].sort());
    expect(maskedDirections).toEqual(['client-to-server true', 'server-to-client false']);

    // A chosen relayed frame shows its bytes: the app's masking key XOR the masked bytes is its text.
    await appTimeline.locator('li[data-opcode="text"][data-direction="client-to-server"] button').first().click();
    const detail = app.getByTestId('frame-detail');
    await detail.waitFor();
    const key = hexBytes(await detail.getByTestId('detail-masking-key').innerText());
    const masked = hexBytes(await detail.getByTestId('detail-masked').innerText());
    expect(key).toHaveLength(4);
    expect(new TextDecoder().decode(Uint8Array.from(masked, (byte, i) => byte ^ key[i % 4]!))).toBe(PLAIN_TEXT);
    // And the compressed one says what RSV1 means.
    await appTimeline.locator('li[data-opcode="text"][data-direction="client-to-server"] button', { hasText: 'RSV1' }).click();
    await expect.poll(() => detail.innerText()).toMatch(/RSV1 is set/);

    // A clean close, reported as such.
    const closed = new Promise((resolve) => client.once('close', resolve));
    client.close(1000, 'done');
    await closed;
    await expect.poll(() => appTimeline.innerText()).toMatch(/Connection closed: 1000.*wasClean true/);

    // The page's own timeline shows its own connection (and a text it sent), and none of the relayed frames.
    const wire = page.getByRole('region', { name: 'On the wire', exact: true });
    const ownTimeline = wire.getByTestId('timeline');
    await wire.page().getByTestId('send-text-input').fill('from the page itself');
    await wire.page().getByTestId('send-text').click();
    await expect.poll(() => ownTimeline.innerText()).toContain('"from the page itself"');
    const ownText = await ownTimeline.innerText();
    for (const needle of [PLAIN_TEXT, FRAGMENTS[1], 'compress me', 'reply:', `127.0.0.1:${appPort}`, 'Upstream', 'Connection closed']) expect(ownText).not.toContain(needle);
    expect(await ownTimeline.locator('li[data-opcode="binary"], li[data-opcode="continuation"], li[data-opcode="ping"]').count()).toBe(0);
    expect(await ownTimeline.locator('li[data-kind="frame"]').count()).toBeGreaterThan(0);

    // Accessible with the view filled in and a frame chosen, in both themes.
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
