/**
 * A relayed connection's life at its edges: an app that leaves before the target answers, an app that
 * vanishes without a close frame (1006), and permessage-deflate through the relay (a fragmented
 * compressed message, RFC 7692 §6.1; context takeover, §7.1.1).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, handshakeHead, start, type Started } from './helpers.ts';
import { closeInspectRelay, framesOf, nextMessage, observe, ofType, openApp, startInspectRelay, type Target } from './inspect-helpers.ts';

describe('the app leaves mid-handshake', () => {
  it('the relay drops its connection to the silent target at once, and observers learn why', async () => {
    // A target that accepts TCP and never answers: the relay is waiting for its 101.
    const open = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as net.AddressInfo).port;
    const lab = await start({ inspect: { target: new URL(`ws://127.0.0.1:${port}/`), handshakeTimeoutMs: 5_000 } });
    try {
      const observer = await observe(lab);
      const app = net.connect(lab.port, '127.0.0.1');
      app.on('error', () => undefined);
      await new Promise((resolve) => app.once('connect', resolve));
      app.write(handshakeHead('/inspect'));
      expect(await eventually(() => open.size === 1)).toBe(true);
      expect(lab.server.upstreamCount()).toBe(1);
      app.destroy();
      // Long before the 5 s handshake timeout.
      expect(await eventually(() => open.size === 0, 1000)).toBe(true);
      expect(await eventually(() => ofType(observer.reports, 'tcp-closed').length === 1)).toBe(true);
      expect(lab.server.upstreamCount()).toBe(0);
      expect(ofType(observer.reports, 'upstream')).toEqual([
        expect.objectContaining({ state: 'failed', reason: 'the app left before the target answered', relay: true }),
      ]);
      expect(ofType(observer.reports, 'handshake-response')).toEqual([]);
      observer.ws.close();
    } finally {
      await lab.server.close();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('relayed connections', () => {
  let target: Target;
  let lab: Started;
  beforeAll(async () => ({ target, lab } = await startInspectRelay({ threshold: 0 })));
  afterAll(() => closeInspectRelay(target, lab));

  it('an app that vanishes without a close frame: closed with 1006, wasClean false (RFC 6455 §7.1.5)', async () => {
    const observer = await observe(lab);
    const app = await openApp(`${lab.wsBase}/inspect`);
    app.send('last words');
    await nextMessage(app);
    app.terminate();
    expect(await eventually(() => ofType(observer.reports, 'tcp-closed').length === 1)).toBe(true);
    expect(ofType(observer.reports, 'closed')).toEqual([expect.objectContaining({ code: 1006, reason: '', wasClean: false, relay: true })]);
    expect(ofType(observer.reports, 'close-received')).toEqual([]);
    expect(await eventually(() => ofType(observer.reports, 'upstream').some((report) => report['state'] === 'closed'))).toBe(true);
    observer.ws.close();
  });

  it('a fragmented compressed message: RSV1 on the first frame only (RFC 7692 §6.1), inflated whole', async () => {
    const observer = await observe(lab);
    const app = await openApp(`${lab.wsBase}/inspect`, { perMessageDeflate: { threshold: 0 } });
    const echoed = nextMessage(app);
    app.send('part one, ', { fin: false, compress: true });
    app.send('part two, ', { fin: false, compress: true });
    app.send('part three', { fin: true, compress: true });
    expect(String((await echoed)[0])).toBe('part one, part two, part three');
    expect(await eventually(() => ofType(observer.reports, 'message').length === 2)).toBe(true);
    const fromApp = framesOf(observer.reports, 'client-to-server');
    expect(fromApp.map((record) => [record['opcodeName'], record['fin'], record['rsv1']])).toEqual([
      ['text', false, true],
      ['continuation', false, false],
      ['continuation', true, false],
    ]);
    expect(ofType(observer.reports, 'message')[0]).toMatchObject({
      direction: 'client-to-server',
      text: 'part one, part two, part three',
      compressed: true,
    });
    expect(ofType(observer.reports, 'violation')).toEqual([]);
    app.close();
    observer.ws.close();
  });

  it('context takeover is really used: a repeated text compresses to fewer bytes the second time (RFC 7692 §7.1.1)', async () => {
    const observer = await observe(lab);
    const app = await openApp(`${lab.wsBase}/inspect`, { perMessageDeflate: { threshold: 0 } });
    const text = Array.from({ length: 200 }, (_, i) => `word${(i * 7919) % 1000}`).join(' ');
    for (let i = 0; i < 2; i++) {
      app.send(text);
      expect(String((await nextMessage(app))[0])).toBe(text);
    }
    // This app's reports only (an earlier app's closing handshake may still be reported).
    const subject = ofType(observer.reports, 'subject').at(-1)!.subject;
    expect(await eventually(() => ofType(observer.reports, 'message').filter((report) => report.subject === subject).length === 4)).toBe(true);
    const mine = observer.reports.filter((report) => report.subject === subject);
    for (const direction of ['client-to-server', 'server-to-client']) {
      const [first, second] = framesOf(mine, direction).map((record) => record['payloadLength'] as number);
      expect(second, direction).toBeLessThan(first! / 4);
    }
    const messages = ofType(mine, 'message');
    expect(messages.every((report) => report['text'] === text && report['compressed'] === true)).toBe(true);
    app.close();
    observer.ws.close();
  });
});
