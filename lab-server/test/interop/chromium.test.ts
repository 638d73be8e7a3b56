/**
 * Interop: headless Chromium's own WebSocket against the lab server — /echo (text, ArrayBuffer, 1 MiB, permessage-deflate
 * negotiated by the browser) and /lab (a Node observer receives the reports of the browser's subject connection).
 * Required on CI (CI=true); skipped with a message elsewhere when /usr/bin/chromium is absent.
 */
import { describe, expect, it } from 'vitest';
import { WebSocket as WsClient } from 'ws';
import { browserSkipReason } from '../support/chromium.ts';
import { useLabInChromium } from '../support/lab-in-chromium.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

interface EchoResults {
  readonly extensions: string;
  readonly protocol: string;
  readonly echoes: readonly { readonly kind: string; readonly ok: boolean; readonly length: number }[];
  readonly close: { readonly code: number; readonly wasClean: boolean };
}

describe.skipIf(skipReason !== null)('interop: headless Chromium -> lab server', () => {
  const lab = useLabInChromium();

  it('echoes text, ArrayBuffer and 1 MiB messages; Chromium negotiates permessage-deflate (RFC 6455, RFC 7692)', async () => {
    const results: EchoResults = await lab.page.evaluate(async (url: string) => {
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
      const sameBytes = (a: ArrayBuffer, b: Uint8Array): boolean => {
        const view = new Uint8Array(a);
        if (view.length !== b.length) return false;
        for (let i = 0; i < view.length; i++) if (view[i] !== b[i]) return false;
        return true;
      };
      const echoes: { kind: string; ok: boolean; length: number }[] = [];
      const texts: [string, string][] = [
        ['short text', 'Hello from Chromium'],
        ['unicode text', 'κόσμε 𝄞 € '.repeat(100)],
        ['empty text', ''],
        ['1 MiB compressible text', 'chromium compresses this. '.repeat(40330).slice(0, 1024 * 1024)],
      ];
      for (const [kind, value] of texts) {
        const reply = next();
        socket.send(value);
        const echo = await reply;
        echoes.push({ kind, ok: echo === value, length: value.length });
      }
      const noise = new Uint8Array(1024 * 1024);
      let state = 12345;
      for (let i = 0; i < noise.length; i++) {
        state = (state * 1103515245 + 12345) >>> 0;
        noise[i] = state >>> 24;
      }
      const binaries: [string, Uint8Array][] = [
        ['small ArrayBuffer', Uint8Array.of(0, 1, 2, 0xfe, 0xff)],
        ['empty ArrayBuffer', new Uint8Array(0)],
        ['1 MiB random ArrayBuffer', noise],
      ];
      for (const [kind, value] of binaries) {
        const reply = next();
        socket.send(Uint8Array.from(value).buffer);
        const echo = await reply;
        echoes.push({ kind, ok: echo instanceof ArrayBuffer && sameBytes(echo, value), length: value.length });
      }
      const closed = new Promise<{ code: number; wasClean: boolean }>((resolve) => {
        socket.onclose = (event) => resolve({ code: event.code, wasClean: event.wasClean });
      });
      socket.close(1000, 'done');
      return { extensions: socket.extensions, protocol: socket.protocol, echoes, close: await closed };
    }, `${lab.server.wsBase}/echo`);

    expect(results.extensions).toMatch(/^permessage-deflate/);
    expect(results.protocol).toBe('');
    for (const echo of results.echoes) expect(echo, echo.kind).toMatchObject({ ok: true });
    expect(results.echoes).toHaveLength(7);
    expect(results.close).toEqual({ code: 1000, wasClean: true });
  });

  it('/lab: a Node observer receives the handshake, accept steps, frame records and close of the browser subject', async () => {
    const observer = new WsClient(`${lab.server.wsBase}/lab/observe`);
    const reports: Record<string, unknown>[] = [];
    let onReport = (): void => undefined;
    observer.on('message', (data) => {
      reports.push(JSON.parse(String(data)) as Record<string, unknown>);
      onReport();
    });
    const waitFor = (predicate: () => boolean, what: string, ms = 10_000): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; reports: ${reports.map((r) => r['type']).join(', ')}`)), ms);
        const check = (): void => {
          if (predicate()) {
            clearTimeout(timer);
            resolve();
          }
        };
        onReport = check;
        check();
      });
    try {
      await waitFor(() => reports.some((report) => report['type'] === 'hello'), 'hello');
      const hello = reports.find((report) => report['type'] === 'hello')!;
      expect(typeof hello['session']).toBe('string');
      const subjectUrl = `${lab.server.wsBase}/lab?session=${encodeURIComponent(String(hello['session']))}`;

      const outcome = await lab.page.evaluate(async (url: string) => {
        const socket = new WebSocket(url);
        await new Promise<void>((resolve, reject) => {
          socket.onopen = () => resolve();
          socket.onerror = () => reject(new Error('subject WebSocket failed'));
        });
        const echoes: string[] = [];
        for (const message of ['hello lab', 'compress me please '.repeat(500)]) {
          const reply = new Promise<string>((resolve) => {
            socket.onmessage = (event: MessageEvent<string>) => resolve(event.data);
          });
          socket.send(message);
          echoes.push(await reply);
        }
        const closed = new Promise<number>((resolve) => {
          socket.onclose = (event) => resolve(event.code);
        });
        socket.close(1000);
        return { echoes, extensions: socket.extensions, closeCode: await closed };
      }, subjectUrl);
      expect(outcome.echoes[0]).toBe('hello lab');
      expect(outcome.echoes[1]).toBe('compress me please '.repeat(500));
      expect(outcome.closeCode).toBe(1000);

      await waitFor(() => reports.some((report) => report['type'] === 'closed'), 'closed report');
      const types = reports.map((report) => String(report['type']));
      for (const expected of ['hello', 'handshake-request', 'accept', 'handshake-response', 'frame', 'message', 'closed']) {
        expect(types, `report types: ${types.join(', ')}`).toContain(expected);
      }
      const request = reports.find((report) => report['type'] === 'handshake-request')!;
      expect(String(request['raw'])).toMatch(/^GET \/lab\?session=/);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(String(request['raw']))?.[1];
      expect(key, 'the raw request as received carries the browser key').toBeDefined();
      const accept = reports.find((report) => report['type'] === 'accept')!;
      expect(JSON.stringify(accept)).toContain(key!);
      const frames = reports.filter((report) => report['type'] === 'frame');
      const directions = new Set(frames.map((report) => String(report['direction'])));
      expect(directions).toEqual(new Set(['client-to-server', 'server-to-client']));
      const clientFrame = frames.find((report) => report['direction'] === 'client-to-server')!;
      expect(JSON.stringify(clientFrame['record'])).toMatch(/"masked":true/);
      // Chromium offers permessage-deflate; the 9.5 KB repetitive message arrives compressed (RSV1).
      expect(outcome.extensions).toMatch(/^permessage-deflate/);
      const compressedMessages = reports.filter(
        (report) => report['type'] === 'message' && report['direction'] === 'client-to-server' && report['compressed'] === true,
      );
      expect(compressedMessages.length).toBeGreaterThan(0);
      const closedReport = reports.find((report) => report['type'] === 'closed')!;
      expect(closedReport).toMatchObject({ code: 1000, wasClean: true });
    } finally {
      observer.close();
    }
  });
});
