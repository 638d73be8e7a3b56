/** Issue 5: the seeded event source, parameter validation and the SSE reader, without sockets. */
import { describe, expect, it } from 'vitest';
import { EVENT_SYMBOLS, EventSchedule, eventsWithin, mulberry32 } from '../../src/node/push-vs-poll/event-source.ts';
import { ParamRange } from '../../src/node/push-vs-poll/limits.ts';
import { parseCommand, validateParams } from '../../src/node/push-vs-poll/params.ts';
import { SseParser } from '../../src/node/push-vs-poll/sse-parser.ts';
import { simulatedCookie } from '../../src/node/push-vs-poll/simulated-http.ts';
import type { ExperimentParams } from '../../src/reports/push-vs-poll-types.ts';

const GOOD: ExperimentParams = { seed: 1, eventsPerSecond: 5, pollIntervalMs: 1000, simulatedClients: 3, cookieBytes: 512, upstreamPerSecond: 1, durationMs: 30_000 };

describe('event source', () => {
  it('the same seed gives the same events at the same offsets', () => {
    expect(eventsWithin(1234, 7, 10_000)).toEqual(eventsWithin(1234, 7, 10_000));
    expect(eventsWithin(1234, 7, 10_000)).not.toEqual(eventsWithin(1235, 7, 10_000));
  });

  it('numbers events 1, 2, 3 ... at increasing offsets, with known symbols and cent prices', () => {
    const events = eventsWithin(99, 20, 5000);
    events.forEach((event, index) => {
      expect(event.seq).toBe(index + 1);
      expect(EVENT_SYMBOLS).toContain(event.symbol);
      expect(Math.round(event.price * 100) / 100).toBe(event.price);
      if (index > 0) expect(event.createdAt).toBeGreaterThanOrEqual(events[index - 1]!.createdAt);
    });
  });

  it('is Poisson: the mean gap is 1/rate and gaps vary (coefficient of variation near 1)', () => {
    const schedule = new EventSchedule(5, 10);
    const offsets = Array.from({ length: 20_000 }, () => schedule.next().createdAt);
    const gaps = offsets.map((at, index) => at - (index === 0 ? 0 : offsets[index - 1]!));
    const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((sum, gap) => sum + (gap - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeGreaterThan(95);
    expect(mean).toBeLessThan(105);
    expect(sd / mean).toBeGreaterThan(0.9);
    expect(sd / mean).toBeLessThan(1.1);
  });

  it('mulberry32 stays in [0, 1) and repeats with its seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const value = a();
      expect(value).toBe(b());
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe('start parameters', () => {
  it('accepts values inside every documented range', () => {
    expect(validateParams(GOOD)).toEqual(GOOD);
    expect(validateParams({ ...GOOD, durationMs: 0 })).toEqual({ ...GOOD, durationMs: 0 });
  });

  const cases: [string, Partial<Record<keyof ExperimentParams, unknown>>, RegExp][] = [
    ['rate too high', { eventsPerSecond: 51 }, /^eventsPerSecond must be a number from 0\.1 to 50, got 51$/],
    ['rate too low', { eventsPerSecond: 0.05 }, /eventsPerSecond/],
    ['poll interval under 100 ms', { pollIntervalMs: 99 }, /^pollIntervalMs must be an integer from 100 to 10,000, got 99$/],
    ['too many simulated clients', { simulatedClients: ParamRange.simulatedClients.max + 1 }, /simulatedClients/],
    ['fractional clients', { simulatedClients: 1.5 }, /simulatedClients must be an integer/],
    ['cookie too large', { cookieBytes: 8193 }, /cookieBytes/],
    ['negative upstream', { upstreamPerSecond: -1 }, /upstreamPerSecond/],
    ['seed beyond 32 bits', { seed: 2 ** 32 }, /seed/],
    ['a string for a number', { seed: '1' }, /^seed must be an integer from 0 to 4,294,967,295, got "1"$/],
    ['NaN', { eventsPerSecond: Number.NaN }, /eventsPerSecond/],
    ['short duration', { durationMs: 500 }, /^durationMs must be 0 \(until stopped\) or at least 1000, got 500$/],
    ['long duration', { durationMs: 3_600_001 }, /durationMs/],
  ];
  for (const [name, change, message] of cases) {
    it(`refuses ${name} with a one-line reason`, () => {
      const result = validateParams({ ...GOOD, ...change });
      expect(typeof result).toBe('string');
      expect(result as string).toMatch(message);
      expect(result as string).not.toContain('\n');
    });
  }

  it('refuses a missing or unknown parameter and a non-object', () => {
    const { seed: _seed, ...withoutSeed } = GOOD;
    expect(validateParams(withoutSeed)).toMatch(/^missing seed/);
    expect(validateParams({ ...GOOD, speed: 1 })).toMatch(/^unknown parameter "speed"/);
    expect(validateParams(null)).toBe('params must be an object');
    expect(validateParams([1])).toBe('params must be an object');
  });

  it('parses the three commands and explains the rest', () => {
    expect(parseCommand(JSON.stringify({ type: 'start', params: GOOD }))).toEqual({ type: 'start', params: GOOD });
    expect(parseCommand('{"type":"stop"}')).toEqual({ type: 'stop' });
    expect(parseCommand('{"type":"reset"}')).toEqual({ type: 'reset' });
    expect(parseCommand('not json')).toMatch(/must be JSON/);
    expect(parseCommand('{"type":"launch"}')).toMatch(/^unknown command type "launch"/);
    expect(parseCommand('{"type":"start"}')).toBe('params must be an object');
  });
});

describe('helpers of the simulated clients', () => {
  it('a cookie of exactly the requested size', () => {
    expect(simulatedCookie(0)).toBeNull();
    for (const size of [1, 4, 5, 100, 8192]) expect(simulatedCookie(size)).toHaveLength(size);
  });

  it('reads an event stream split anywhere, with ids, comments and CRLF line ends (HTML §9.2.6)', () => {
    const stream = ': hello\r\nid: 1\r\ndata: {"seq":1}\r\n\r\nid: 2\ndata: a\ndata: b\n\n: the run stopped\n\n';
    for (let split = 0; split <= stream.length; split++) {
      const parser = new SseParser();
      const messages = [...parser.push(stream.slice(0, split)), ...parser.push(stream.slice(split))];
      expect(messages).toEqual([{ id: '1', data: '{"seq":1}' }, { id: '2', data: 'a\nb' }]);
      expect(parser.lastEventId).toBe('2');
    }
  });
});
