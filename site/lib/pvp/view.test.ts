import { describe, expect, it } from 'vitest';
import type { ExchangeReport, PushReport } from '../../../lab-server/src/reports/push-vs-poll-types.ts';
import { createSimulation } from './simulation.ts';
import { applyReports, arrowKind, DIAGRAM_WINDOW_MS, initialView, isLoadBound, LOAD_BOUND_LAG_MS } from './view.ts';

const params = { seed: 7, eventsPerSecond: 10, pollIntervalMs: 500, simulatedClients: 2, cookieBytes: 512, upstreamPerSecond: 1, durationMs: 8000 };
const env = { run: 'v', oneWayMs: 20, browser: { host: 'h:1', origin: 'http://h:1', referer: 'http://h:1/push-vs-poll/', userAgent: 'test', clientHints: null } };

function exchange(fields: Partial<ExchangeReport>): ExchangeReport {
  return { type: 'exchange', t: 0, transport: 'poll', kind: 'response', direction: 'down', headerBytes: 100, payloadBytes: 12, events: [], label: '200, no events', ...fields };
}

describe('the page view folded from reports', () => {
  it('keeps the largest event-loop delay of the run and calls the run load-bound from LOAD_BOUND_LAG_MS on', () => {
    const simulation = createSimulation(params, env);
    const stats = simulation.advanceTo(1000).find((r) => r.type === 'stats');
    if (stats?.type !== 'stats') throw new Error('the simulation sent no stats in its first second');
    let view = applyReports(initialView(), [{ type: 'hello', t: 0, run: 'v', longPollHoldMs: 25_000 }, { type: 'started', t: 0, params }]);
    view = applyReports(view, [stats]);
    expect(view.maxLoopLagMs).toBeNull();
    expect(isLoadBound(view)).toBe(false);
    view = applyReports(view, [{ ...stats, loopLagMs: 12 }, { ...stats, loopLagMs: LOAD_BOUND_LAG_MS + 30 }, { ...stats, loopLagMs: 3 }]);
    expect(view.maxLoopLagMs).toBe(LOAD_BOUND_LAG_MS + 30);
    expect(isLoadBound(view)).toBe(true);
    view = applyReports(view, [{ type: 'started', t: 0, params }, { ...stats, loopLagMs: LOAD_BOUND_LAG_MS - 1 }]);
    expect(view.maxLoopLagMs).toBe(LOAD_BOUND_LAG_MS - 1);
    expect(isLoadBound(view)).toBe(false);
  });

  it('follows a whole simulated run: started, running, stopped with the last counters and a bytes-per-event series', () => {
    const simulation = createSimulation(params, env);
    let view = applyReports(initialView(), [{ type: 'hello', t: 0, run: 'v', longPollHoldMs: 25_000 }, { type: 'started', t: 0, params }]);
    expect(view.state).toBe('running');
    const all: PushReport[] = [];
    for (let t = 100; t <= 9000; t += 100) {
      const batch = simulation.advanceTo(t);
      all.push(...batch);
      view = applyReports(view, batch);
    }
    expect(view.state).toBe('stopped');
    expect(view.stoppedReason).toBe('duration');
    const lastStats = all.filter((r) => r.type === 'stats').at(-1);
    expect(lastStats?.type === 'stats' && view.lanes.ws.stats).toEqual(lastStats?.type === 'stats' && lastStats.ownClient.ws);
    expect(view.totals?.ws.requests).toBe(3);
    for (const lane of Object.values(view.lanes)) {
      expect(lane.bytesPerEvent.length).toBeGreaterThan(5);
      // The diagram keeps only the recent past.
      expect(lane.exchanges.every((e) => e.report.t >= view.t - DIAGRAM_WINDOW_MS * 1.5)).toBe(true);
      // Numbers stay with their exchange: unique and increasing.
      const ids = lane.exchanges.map((e) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      expect(lane.seen).toBeGreaterThanOrEqual(ids.at(-1) ?? 0);
      expect(lane.exchanges.length).toBeGreaterThan(0);
    }
  });

  it('starts a new run from zero and keeps errors readable', () => {
    let view = applyReports(initialView('x'), [exchange({ t: 10 }), { type: 'error', t: 11, message: 'cookieBytes must be an integer from 0 to 8,192, got -1' }]);
    expect(view.lanes.poll.exchanges).toHaveLength(1);
    expect(view.error).toMatch(/cookieBytes/);
    view = applyReports(view, [{ type: 'started', t: 0, params }]);
    expect(view.lanes.poll.exchanges).toHaveLength(0);
    expect(view.error).toBeNull();
  });

  it('draws empty polls differently from responses with events, and set-up answers apart from both', () => {
    expect(arrowKind(exchange({}))).toBe('empty');
    expect(arrowKind(exchange({ events: [3, 4], label: '200, 2 events' }))).toBe('data');
    expect(arrowKind(exchange({ label: '204 No Content' }))).toBe('ack');
    expect(arrowKind(exchange({ transport: 'ws', label: '101 Switching Protocols' }))).toBe('setup');
    expect(arrowKind(exchange({ kind: 'frame', events: [1] }))).toBe('push');
    expect(arrowKind(exchange({ kind: 'upstream', direction: 'up' }))).toBe('upstream');
  });
});
