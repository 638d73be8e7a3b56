/**
 * /inspect (--inspect): a real `ws` client (the developer's app) talks to a real `ws` server (the
 * target) through the lab server. Every message must arrive unchanged at both ends, and every frame of
 * both directions must be reported to /lab/observe?watch=inspect, decoded (and inflated) by the core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Started } from './helpers.ts';
import { closeInspectRelay, framesOf, nextMessage, observe, ofType, openApp, startInspectRelay, type Record_, type Target } from './inspect-helpers.ts';

describe('relaying an app to its server', () => {
  let target: Target;
  let lab: Started;
  beforeAll(async () => ({ target, lab } = await startInspectRelay(false, '/socket')));
  afterAll(() => closeInspectRelay(target, lab));

  it('hello tells every observer where the app should connect', async () => {
    const observer = await observe(lab, '');
    expect(observer.reports[0]).toMatchObject({
      type: 'hello',
      inspect: { target: `ws://127.0.0.1:${target.port}/socket`, url: `${lab.wsBase}/inspect` },
    });
    observer.ws.close();
  });

  it('text, binary, fragments, pings and the close pass unchanged, and every frame is reported both ways', async () => {
    const observer = await observe(lab);
    const app = await openApp(`${lab.wsBase}/inspect?room=7`);
    // The target got the app's request with its own path (plus the app's query) and its own Host.
    const request = target.requests.at(-1)!;
    expect(request.url).toBe('/socket?room=7');
    expect(request.headers.host).toBe(`127.0.0.1:${target.port}`);

    app.send('Hello');
    expect(await nextMessage(app)).toEqual([Buffer.from('Hello'), false]);
    app.send(Buffer.from([1, 2, 3]));
    expect(await nextMessage(app)).toEqual([Buffer.from([1, 2, 3]), true]);
    // RFC 6455 §5.4: one text message in two frames.
    const echoed = nextMessage(app);
    app.send('frag-', { fin: false });
    app.send('ment', { fin: true });
    expect(await echoed).toEqual([Buffer.from('frag-ment'), false]);
    const pong = new Promise<Buffer>((resolve) => app.once('pong', resolve));
    app.ping('hi');
    expect(String(await pong)).toBe('hi');
    const pinged = new Promise<Buffer>((resolve) => app.once('ping', resolve));
    target.sockets.at(-1)!.ping('yo');
    expect(String(await pinged)).toBe('yo');
    const targetClosed = new Promise<[number, string]>((resolve) =>
      target.sockets.at(-1)!.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    const appClosed = new Promise<[number, string]>((resolve) => app.once('close', (code, reason) => resolve([code, String(reason)])));
    app.close(4000, 'bye');
    expect(await appClosed).toEqual([4000, 'bye']);
    expect(await targetClosed).toEqual([4000, 'bye']);
    expect(target.received.slice(-3)).toEqual([
      [false, Buffer.from('Hello')],
      [true, Buffer.from([1, 2, 3])],
      [false, Buffer.from('frag-ment')],
    ]);

    expect(await eventually(() => ofType(observer.reports, 'tcp-closed').length === 1)).toBe(true);
    const reports = observer.reports.filter((report) => report.type !== 'hello');
    const subject = reports[0]!.subject;
    expect(typeof subject).toBe('number');
    expect(reports.every((report) => report.subject === subject && report['relay'] === true)).toBe(true);
    expect(String(ofType(reports, 'handshake-request')[0]!['raw'])).toMatch(/^GET \/inspect\?room=7 HTTP\/1\.1\r\n/);
    expect(ofType(reports, 'handshake-response')[0]).toMatchObject({ status: 101 });
    expect(ofType(reports, 'upstream')[0]).toMatchObject({ state: 'connected', target: `ws://127.0.0.1:${target.port}/socket` });
    expect(ofType(reports, 'negotiated')[0]).toMatchObject({ deflate: null, extensions: null, protocol: null });

    // app -> target: text, binary, text (FIN 0) + continuation, ping, the pong answering the target, close.
    const fromApp = framesOf(reports, 'client-to-server');
    expect(fromApp.map((record) => [record['opcodeName'], record['fin'], record['masked']])).toEqual([
      ['text', true, true],
      ['binary', true, true],
      ['text', false, true],
      ['continuation', true, true],
      ['ping', true, true],
      ['pong', true, true],
      ['close', true, true],
    ]);
    expect(fromApp.map((record) => record['index'])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(fromApp[0]!['payload']).toMatchObject({ unmasked: Buffer.from('Hello').toString('hex') });
    // target -> app: three echoes, the pong, the ping, the close answer; unmasked (RFC 6455 §5.1).
    const fromTarget = framesOf(reports, 'server-to-client');
    expect(fromTarget.map((record) => [record['opcodeName'], record['masked']])).toEqual([
      ['text', false],
      ['binary', false],
      ['text', false],
      ['pong', false],
      ['ping', false],
      ['close', false],
    ]);
    expect(ofType(reports, 'message').map((report) => [report['direction'], report['text'] ?? report['hex']])).toEqual([
      ['client-to-server', 'Hello'],
      ['server-to-client', 'Hello'],
      ['client-to-server', '010203'],
      ['server-to-client', '010203'],
      ['client-to-server', 'frag-ment'],
      ['server-to-client', 'frag-ment'],
    ]);
    expect(ofType(reports, 'ping').map((report) => [report['direction'], report['hex']])).toEqual([
      ['client-to-server', Buffer.from('hi').toString('hex')],
      ['server-to-client', Buffer.from('yo').toString('hex')],
    ]);
    expect(ofType(reports, 'close-received').map((report) => [report['direction'], report['code'], report['reason']])).toEqual([
      ['client-to-server', 4000, 'bye'],
      ['server-to-client', 4000, 'bye'],
    ]);
    expect(ofType(reports, 'closed')).toEqual([expect.objectContaining({ code: 4000, reason: 'bye', wasClean: true })]);
    expect(ofType(reports, 'violation')).toEqual([]);
    observer.ws.close();
  });

  it('every inspect observer gets the same reports; relayed connections are numbered server-wide; plain observers get none', async () => {
    const plain = await observe(lab, '');
    const watchers = [await observe(lab), await observe(lab)];
    for (const text of ['one', 'two']) {
      const app = await openApp(`${lab.wsBase}/inspect`);
      app.send(text);
      await nextMessage(app);
      app.close();
    }
    for (const watcher of watchers) expect(await eventually(() => ofType(watcher.reports, 'tcp-closed').length === 2)).toBe(true);
    const [first, second] = watchers.map((watcher) => watcher.reports.slice(1).map((report) => [report.type, report.subject]));
    expect(first).toEqual(second);
    const subjects = ofType(watchers[0]!.reports, 'subject').map((report) => report.subject as number);
    expect(subjects[1]).toBe(subjects[0]! + 1);
    expect(plain.reports.map((report) => report.type)).toEqual(['hello']);
    plain.ws.close();
    for (const watcher of watchers) watcher.ws.close();
  });
});

describe('compressed messages (permessage-deflate negotiated end to end)', () => {
  let target: Target;
  let lab: Started;
  beforeAll(async () => ({ target, lab } = await startInspectRelay({ threshold: 0 })));
  afterAll(() => closeInspectRelay(target, lab));

  it.each([
    ['with context takeover', {}],
    ['with no context takeover either way (RFC 7692 §7.1.1)', { serverNoContextTakeover: true, clientNoContextTakeover: true }],
  ])('every compressed frame is reported with RSV1 and inflates to the message, %s', async (_name, parameters) => {
    const observer = await observe(lab);
    const app = await openApp(`${lab.wsBase}/inspect`, { perMessageDeflate: { threshold: 0, ...parameters } });
    // The same text three times: with context takeover the later copies are back-references to the first.
    const texts = ['compress me, compress me', 'compress me, compress me', 'compress me, compress me', 'ünïcödé ✓'];
    for (const text of texts) {
      app.send(text);
      expect(await nextMessage(app)).toEqual([Buffer.from(text), false]);
    }
    app.send(Buffer.from([9, 8, 7, 6]));
    expect(await nextMessage(app)).toEqual([Buffer.from([9, 8, 7, 6]), true]);
    app.close(1000);
    expect(await eventually(() => ofType(observer.reports, 'tcp-closed').length === 1)).toBe(true);
    const reports = observer.reports;
    expect(String(ofType(reports, 'negotiated')[0]!['extensions'])).toMatch(/^permessage-deflate/);
    expect(ofType(reports, 'negotiated')[0]!['deflate']).toMatchObject({
      serverNoContextTakeover: 'serverNoContextTakeover' in parameters,
      clientNoContextTakeover: 'clientNoContextTakeover' in parameters,
    });
    for (const direction of ['client-to-server', 'server-to-client']) {
      const data = framesOf(reports, direction).filter((record) => record['opcodeName'] !== 'close');
      expect(data).toHaveLength(texts.length + 1);
      expect(data.every((record) => record['rsv1'] === true)).toBe(true);
      const inflated = data.map((record) => Buffer.from(String((record['inflated'] as Record_)['preview']), 'hex').toString());
      expect(inflated.slice(0, texts.length)).toEqual(texts);
      const messages = ofType(reports, 'message').filter((report) => report['direction'] === direction);
      expect(messages.map((report) => report['text'] ?? report['hex'])).toEqual([...texts, '09080706']);
      expect(messages.every((report) => report['compressed'] === true)).toBe(true);
    }
    expect(ofType(reports, 'violation')).toEqual([]);
    observer.ws.close();
  });
});
