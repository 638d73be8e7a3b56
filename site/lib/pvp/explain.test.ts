import { describe, expect, it } from 'vitest';
import type { TransportStats } from '../../../lab-server/src/reports/push-vs-poll-types.ts';
import { explainResults, resultRows } from './explain.ts';
import { emptyStats } from './stats.ts';

function stats(transport: TransportStats['transport'], fields: Partial<TransportStats>): TransportStats {
  return { ...emptyStats(transport), ...fields };
}

const figures = {
  poll: stats('poll', { requests: 30, responses: 30, emptyResponses: 18, eventsDelivered: 20, bytesUp: { headers: 21_000, payload: 0 }, bytesDown: { headers: 5_000, payload: 2_000 }, latency: { count: 20, medianMs: 480, p95Ms: 950 } }),
  'long-poll': stats('long-poll', { requests: 21, responses: 21, eventsDelivered: 20, bytesUp: { headers: 15_000, payload: 0 }, bytesDown: { headers: 3_600, payload: 1_900 }, latency: { count: 20, medianMs: 0.4, p95Ms: 30 } }),
  sse: stats('sse', { requests: 1, responses: 1, eventsDelivered: 20, bytesUp: { headers: 700, payload: 0 }, bytesDown: { headers: 300, payload: 2_100 }, latency: { count: 20, medianMs: 0.2, p95Ms: 0.5 } }),
  ws: stats('ws', { requests: 1, responses: 20, eventsDelivered: 20, bytesUp: { headers: 540, payload: 0 }, bytesDown: { headers: 169, payload: 1_500 }, latency: { count: 20, medianMs: 0.2, p95Ms: 0.4 } }),
};

describe('the results table and its explanation', () => {
  it('makes one row per transport from the counters', () => {
    const rows = resultRows(figures);
    expect(rows.map((r) => r.transport)).toEqual(['poll', 'long-poll', 'sse', 'ws']);
    expect(rows[0]).toMatchObject({ eventsDelivered: 20, requests: 30, bytesPerEvent: 1400, headerBytesPerEvent: 1300, emptyResponses: 18 });
    expect(rows[3]?.headerShare).toBeCloseTo(709 / 2209);
  });

  it('quotes the figures it was given, not fixed ones', () => {
    const text = explainResults(resultRows(figures), { pollIntervalMs: 1000, cookieBytes: 0 }).join('\n');
    expect(text).toContain('Short polling made 30 requests to deliver 20 events; 18 responses (60\u00a0% of its responses) carried nothing');
    expect(text).toContain('1,300 bytes of headers per event');
    expect(text).toContain('waited 480 ms (median)');
    expect(text).toContain('35.5 bytes per event');
    // 1,400 bytes per event against the WebSocket's 110.45: about 13 times.
    expect(text).toContain('short polling moved 13 times the bytes of the WebSocket');
    const doubled = explainResults(resultRows({ ...figures, poll: { ...figures.poll, bytesUp: { headers: 42_000, payload: 0 } } }), { pollIntervalMs: 1000, cookieBytes: 0 }).join('\n');
    expect(doubled).toContain('2,350 bytes of headers per event');
    expect(doubled).not.toEqual(text);
  });

  it('leaves out claims the numbers do not support', () => {
    const noEmpty = explainResults(resultRows({ ...figures, poll: { ...figures.poll, emptyResponses: 0, latency: { count: 20, medianMs: 0.1, p95Ms: 0.2 } } }), { pollIntervalMs: 1000, cookieBytes: 0 }).join('\n');
    expect(noEmpty).not.toContain('carried nothing');
    expect(noEmpty).not.toContain('waited');
    const none = explainResults(resultRows({ poll: stats('poll', { requests: 3 }), 'long-poll': stats('long-poll', {}), sse: stats('sse', {}), ws: stats('ws', {}) }), { pollIntervalMs: 1000, cookieBytes: 0 });
    expect(none).toHaveLength(1);
    expect(none[0]).toMatch(/No events were delivered/);
  });

  it('rounds large per-event figures to whole bytes', () => {
    const heavy = { ...figures, ws: { ...figures.ws, eventsDelivered: 3, bytesUp: { headers: 4_700, payload: 100 } } };
    expect(explainResults(resultRows(heavy), { pollIntervalMs: 1000, cookieBytes: 0 }).join('\n')).toContain('headers came to 1,623 bytes per event');
  });

  it('counts what the cookie cost each transport, only when there was one', () => {
    const text = explainResults(resultRows(figures), { pollIntervalMs: 1000, cookieBytes: 512 }).join('\n');
    expect(text).toContain('The 512-byte cookie rode on every HTTP request: 15,360 bytes over short polling’s 30 requests, 10,752 over long polling’s, and only 512 on the WebSocket');
    expect(explainResults(resultRows(figures), { pollIntervalMs: 1000, cookieBytes: 0 }).join('\n')).not.toContain('cookie');
  });

  it('says when long polling bunched events into fewer requests', () => {
    const bunched = explainResults(resultRows({ ...figures, 'long-poll': { ...figures['long-poll'], requests: 8 } }), { pollIntervalMs: 1000, cookieBytes: 0 }).join('\n');
    expect(bunched).toContain('2.5 events per request');
  });
});
