import { describe, expect, it } from 'vitest';
import { SessionHost } from './session-host.ts';
import { observeUrl, subjectUrlFor } from './live-session.ts';

describe('the session host', () => {
  it('says why there is no live lab on a static copy under a base path, without opening a socket', () => {
    let changes = 0;
    const host = new SessionHost(() => changes++);
    host.startLive({ protocol: 'http:', host: 'example.org' }, '/websockets-from-scratch/', true);
    expect(host.status).toEqual({ state: 'absent', reason: expect.stringMatching(/static copy/) });
    expect(host.absentReason).toMatch(/static copy/);
    expect(host.driver).toBeNull();
    expect(changes).toBeGreaterThan(0);
  });

  it('runs the simulation and delivers a burst of events in one change', async () => {
    let changes = 0;
    const host = new SessionHost(() => changes++);
    await host.startSimulation('http://localhost', true);
    await Promise.resolve();
    expect(host.status).toEqual({ state: 'open', simulated: true });
    const before = changes;
    host.driver!.sendText('one');
    host.driver!.sendText('two');
    await Promise.resolve();
    expect(changes).toBe(before + 1);
    expect(host.events.filter((e) => e.type === 'message').map((e) => e.type === 'message' && e.text)).toEqual(['one', 'one', 'two', 'two']);
    const times = host.events.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('ignores a stopped driver', async () => {
    const host = new SessionHost(() => {});
    await host.startSimulation('http://localhost', true);
    const driver = host.driver!;
    host.stop();
    const count = host.events.length;
    driver.sendText('late');
    await Promise.resolve();
    expect(host.events.length).toBe(count);
  });
});

describe('lab addresses', () => {
  it('observes on the page origin, ws or wss as the page was served', () => {
    expect(observeUrl({ protocol: 'http:', host: '127.0.0.1:8455' }, '/')).toEqual({ ok: true, url: 'ws://127.0.0.1:8455/lab/observe' });
    expect(observeUrl({ protocol: 'https:', host: 'lab.example' }, '/')).toEqual({ ok: true, url: 'wss://lab.example/lab/observe' });
    expect(observeUrl({ protocol: 'file:', host: '' }, '/').ok).toBe(false);
    expect(observeUrl({ protocol: 'http:', host: 'h' }, '/', true)).toEqual({ ok: true, url: 'ws://h/lab/observe?watch=inspect' });
  });

  it('asks the server to decline permessage-deflate with &deflate=off', () => {
    expect(subjectUrlFor('ws://h/lab?session=abc', false)).toBe('ws://h/lab?session=abc&deflate=off');
    expect(subjectUrlFor('ws://h/lab?session=abc', true)).toBe('ws://h/lab?session=abc');
  });
});
