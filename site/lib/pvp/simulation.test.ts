import { describe, expect, it } from 'vitest';
import { STATS_INTERVAL_MS, type ExperimentParams, type PushReport, type StatsReport } from '../../../lab-server/src/reports/push-vs-poll-types.ts';
import { createSimulation, type SimulationEnvironment } from './simulation.ts';
import { byteLength, requestHead, textFrameHeaderBytes } from './wire-sizes.ts';
import { cookieHeaderValue, paddingCookies } from './padding-cookie.ts';

const params: ExperimentParams = {
  seed: 42, eventsPerSecond: 5, pollIntervalMs: 1000, simulatedClients: 3, cookieBytes: 0, upstreamPerSecond: 1, durationMs: 10_000,
};
const env: SimulationEnvironment = {
  run: 'r1',
  browser: { host: '127.0.0.1:8455', origin: 'http://127.0.0.1:8455', referer: 'http://127.0.0.1:8455/push-vs-poll/', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0', clientHints: { brands: '"Chromium";v="140"', mobile: false, platform: 'Linux' } },
  oneWayMs: 20,
};

function runAll(p: ExperimentParams, steps: readonly number[]): PushReport[] {
  const simulation = createSimulation(p, env);
  return steps.flatMap((t) => simulation.advanceTo(t));
}

function lastStats(reports: readonly PushReport[]): StatsReport {
  const stats = reports.filter((r): r is StatsReport => r.type === 'stats').at(-1);
  if (stats === undefined) throw new Error('no stats report');
  return stats;
}

describe('the push-versus-polling simulation', () => {
  it('is deterministic: the same seed gives the same reports, however the time is sliced', () => {
    const coarse = runAll(params, [10_000]);
    const fine = runAll(params, Array.from({ length: 101 }, (_, i) => i * 100));
    expect(fine).toEqual(coarse);
    expect(runAll({ ...params, seed: 43 }, [10_000])).not.toEqual(coarse);
  });

  it('ends a fixed-duration run with a last stats report and stopped, and reports nothing after', () => {
    const simulation = createSimulation(params, env);
    const reports = simulation.advanceTo(12_000);
    expect(reports.at(-1)).toEqual({ type: 'stopped', t: 10_000, reason: 'duration' });
    expect(reports.at(-2)?.type).toBe('stats');
    expect(reports.every((r) => r.t <= 10_000)).toBe(true);
    expect(simulation.advanceTo(13_000)).toEqual([]);
    const stats = reports.filter((r) => r.type === 'stats');
    expect(stats.length).toBe(10_000 / STATS_INTERVAL_MS);
  });

  it('reports times in order, and exchanges only for the page’s own client (client 0)', () => {
    const reports = runAll(params, [10_000]);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.t).toBeGreaterThanOrEqual(reports[i - 1]!.t);
    const exchanges = reports.filter((r) => r.type === 'exchange');
    expect(exchanges.some((r) => r.label.includes('client=1'))).toBe(false);
    expect(exchanges.filter((r) => r.transport === 'poll' && r.kind === 'request')).toHaveLength(10);
  });

  it('short polling asks every interval and often hears nothing; push transports deliver every event', () => {
    const stats = lastStats(runAll({ ...params, eventsPerSecond: 0.5 }, [10_000]));
    const own = stats.ownClient;
    expect(own.poll.requests).toBe(10 + 10); // ten polls, ten upstream POSTs
    expect(own.poll.emptyResponses).toBeGreaterThan(0);
    expect(own.ws.requests).toBe(1);
    expect(own.sse.requests).toBe(1 + 10);
    expect(own.ws.eventsDelivered).toBe(stats.eventsCreated);
    expect(own.sse.eventsDelivered).toBe(stats.eventsCreated);
    expect(own.ws.latency.medianMs).toBe(0);
    // Polling makes an event wait for the next poll: on average around half an interval.
    expect(own.poll.latency.medianMs ?? 0).toBeGreaterThan(100);
    for (const transport of ['poll', 'long-poll', 'sse', 'ws'] as const) expect(own[transport].eventsMissed).toBe(0);
  });

  it('sums the server-wide totals over the page’s client and the simulated ones', () => {
    const stats = lastStats(runAll(params, [10_000]));
    expect(stats.transports.ws.requests).toBe(4);
    expect(stats.transports.ws.eventsDelivered).toBe(4 * stats.ownClient.ws.eventsDelivered);
    expect(stats.transports.poll.requests).toBeGreaterThan(3 * stats.ownClient.poll.requests);
    expect(stats.transports.ws.latency.count).toBe(stats.transports.ws.eventsDelivered);
    expect(stats.transports.poll.latency.medianMs).not.toBeNull();
  });

  it('counts request headers from the real request text, cookie included, and frame headers from the core', () => {
    const reports = runAll({ ...params, cookieBytes: 2000 }, [2_000]);
    const firstPoll = reports.find((r) => r.type === 'exchange' && r.transport === 'poll' && r.kind === 'request');
    const target = '/pvp/poll?run=r1&client=0&after=0';
    const cookie = cookieHeaderValue(paddingCookies(2000));
    expect(firstPoll?.type === 'exchange' && firstPoll.headerBytes).toBe(byteLength(requestHead('fetch', target, { ...env.browser, cookie })));
    expect(firstPoll?.type === 'exchange' && firstPoll.headerBytes).toBeGreaterThan(2000);
    const frame = reports.find((r) => r.type === 'exchange' && r.kind === 'frame');
    expect(frame?.type === 'exchange' && frame.headerBytes).toBe(textFrameHeaderBytes(frame?.type === 'exchange' ? frame.payloadBytes : 0, false));
    expect(frame?.type === 'exchange' && frame.headerBytes).toBe(2);
    const upstream = reports.find((r) => r.type === 'exchange' && r.transport === 'ws' && r.kind === 'upstream');
    expect(upstream?.type === 'exchange' && upstream.headerBytes).toBe(6);
  });

  it('long polling answers when an event exists, so it makes about one request per event', () => {
    const stats = lastStats(runAll({ ...params, upstreamPerSecond: 0 }, [10_000]));
    const longPoll = stats.ownClient['long-poll'];
    expect(longPoll.eventsDelivered).toBeGreaterThan(0);
    expect(longPoll.requests).toBeLessThanOrEqual(longPoll.eventsDelivered + 1);
    // Only the poll still held when the run stopped can be answered empty.
    expect(longPoll.emptyResponses).toBeLessThanOrEqual(1);
  });

  it('ends what is open as the lab server does: held long polls answered empty, SSE ended, WebSockets closed with 1000', () => {
    // One event in ten seconds on average: the long poll is almost surely held when the run stops.
    const simulation = createSimulation({ ...params, eventsPerSecond: 0.1, upstreamPerSecond: 0, durationMs: 0, seed: 5 }, env);
    const before = simulation.advanceTo(3_000);
    expect(before.filter((r) => r.type === 'event-created')).toEqual([]);
    const last = simulation.stop(3_000);
    const exchanges = last.filter((r) => r.type === 'exchange');
    expect(exchanges.map((r) => r.type === 'exchange' && `${r.transport} ${r.label}`)).toEqual(['long-poll 200, no events', 'ws close frame']);
    const close = exchanges[1];
    // RFC 6455 §5.5.1: status code (2 bytes) and reason, behind a 2-byte unmasked header.
    expect(close?.type === 'exchange' && [close.headerBytes, close.payloadBytes]).toEqual([2, 2 + 'the run stopped'.length]);
    const stats = lastStats(last);
    expect(stats.ownClient['long-poll'].emptyResponses).toBe(1);
    expect(stats.ownClient.ws.responses).toBe(1);
    // The SSE stream's closing comment is counted as overhead: ": the run stopped\n\n" plus chunk framing.
    const sseHeadOnly = before.find((r) => r.type === 'exchange' && r.transport === 'sse' && r.kind === 'response');
    expect(stats.ownClient.sse.bytesDown.headers).toBe((sseHeadOnly?.type === 'exchange' ? sseHeadOnly.headerBytes : 0) + 19 + 6);
  });

  it('stops on command at the time given', () => {
    const simulation = createSimulation({ ...params, durationMs: 0 }, env);
    simulation.advanceTo(1_200);
    const last = simulation.stop(1_500);
    expect(last.at(-1)).toEqual({ type: 'stopped', t: 1_500, reason: 'command' });
    expect(simulation.stopped).toBe(true);
  });
});
