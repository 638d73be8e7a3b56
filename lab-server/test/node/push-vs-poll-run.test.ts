/**
 * Issue 5 bounds that would take minutes of real time or megabytes of kernel buffers on real sockets:
 * the run's event history (10,000 events) and the dropping of slow SSE and WebSocket readers. A run
 * with fake timers and a fake clock, and fake sockets that never drain.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventsWithin } from '../../src/node/push-vs-poll/event-source.ts';
import { PushLimits } from '../../src/node/push-vs-poll/limits.ts';
import { PushRun, type RunHost } from '../../src/node/push-vs-poll/run.ts';
import { handleSse } from '../../src/node/push-vs-poll/sse.ts';
import { PushSocket } from '../../src/node/push-vs-poll/ws-transport.ts';
import type { WebSocketTransport } from '../../src/node/transport.ts';
import { PushTransport, type ExperimentParams } from '../../src/reports/push-vs-poll-types.ts';
import { BASE_PARAMS } from '../support/push-vs-poll.ts';

const logs: string[] = [];
const host: RunHost = {
  log: (line) => logs.push(line),
  reserveSimulated: () => null,
  releaseSimulated: () => {},
  startSimulated: () => () => {},
  forget: () => {},
};

function command(run: PushRun, value: unknown): void {
  const text = JSON.stringify(value);
  const bytes = new TextEncoder().encode(text);
  run.onEvent(null as unknown as WebSocketTransport, { type: 'text', text, byteLength: bytes.length, compressed: false, bytes });
}

async function runningFor(params: ExperimentParams, ms: number): Promise<PushRun> {
  const run = new PushRun(host);
  command(run, { type: 'start', params });
  await vi.advanceTimersByTimeAsync(ms);
  expect(run.state).toBe('running');
  return run;
}

interface StuckSocket {
  bytesRead: number;
  bytesWritten: number;
  writableLength: number;
  destroyed: boolean;
  once(): StuckSocket;
  destroy(): void;
}

/** A socket that takes every byte and never drains: its queue starts at `queued` bytes. */
function stuckSocket(queued: number): StuckSocket {
  const socket: StuckSocket = { bytesRead: 0, bytesWritten: 0, writableLength: queued, destroyed: false, once: () => socket,
    destroy: () => { socket.destroyed = true; } };
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
  logs.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('event history', () => {
  it(`keeps the last ${PushLimits.eventHistory} events; a poll from further back gets the oldest kept, the rest count as missed`, async () => {
    // 50 events/s for 250 s: about 12,500 events.
    const run = await runningFor({ ...BASE_PARAMS, eventsPerSecond: 50 }, 250_000);
    expect(run.lastSeq).toBeGreaterThan(PushLimits.eventHistory + 1000);
    const oldest = run.lastSeq - PushLimits.eventHistory + 1;
    const fromStart = run.entriesAfter(0);
    expect(fromStart.length).toBe(PushLimits.maxEventsPerResponse);
    expect(fromStart[0]?.event.seq).toBe(oldest);
    expect(run.entriesAfter(run.lastSeq - 5).map((entry) => entry.event.seq)).toEqual([1, 2, 3, 4, 5].map((step) => run.lastSeq - 5 + step));
    const { counters } = run;
    counters.track(PushTransport.ShortPoll, 0, 1);
    counters.delivered(PushTransport.ShortPoll, 0, fromStart, performance.now());
    expect(counters.stats().ownClient.poll.eventsMissed).toBe(oldest - 1);
    expect(counters.stats().ownClient.poll.eventsDelivered).toBe(PushLimits.maxEventsPerResponse);
    run.end();
  });
});

describe('slow readers', () => {
  it(`an SSE stream with more than ${PushLimits.maxPushQueueBytes} bytes waiting is ended with a comment saying why, then destroyed`, async () => {
    const run = await runningFor({ ...BASE_PARAMS, eventsPerSecond: 50 }, 1000);
    const socket = stuckSocket(PushLimits.maxPushQueueBytes);
    const written: string[] = [];
    let ended = '';
    const write = (text: string): boolean => {
      socket.bytesWritten += Buffer.byteLength(text);
      socket.writableLength += Buffer.byteLength(text);
      return false;
    };
    const response = {
      socket, writableEnded: false,
      writeHead: () => response, flushHeaders: () => {}, once: () => response,
      write: (text: string) => { written.push(text); return write(text); },
      end: (text: string) => { ended = text; response.writableEnded = true; write(text); },
    };
    const request = { socket: socket as unknown as Socket, headers: { accept: 'text/event-stream' } };
    handleSse({ run, client: 0, counters: run.counters, url: new URL('http://x/pvp/sse'), request: request as unknown as IncomingMessage,
      response: response as unknown as ServerResponse }, (line) => logs.push(line));
    // The first event's bytes pass the bound: dropped at once, before the next event.
    expect(written.length).toBe(1);
    expect(ended).toBe(`: too slow: more than ${PushLimits.maxPushQueueBytes} bytes waiting\n\n`);
    expect(logs.some((line) => /\/pvp\/sse client 0 of run .* dropped: too slow/.test(line))).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(written.length).toBe(1);
    expect(socket.destroyed).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(socket.destroyed).toBe(true);
    run.end();
  });

  it(`a /pvp/ws connection with more than ${PushLimits.maxPushQueueBytes} bytes waiting is closed 1008 with the reason`, async () => {
    const run = await runningFor({ ...BASE_PARAMS, eventsPerSecond: 50 }, 1000);
    const sent: string[] = [];
    const closes: [number | undefined, string | undefined][] = [];
    const transport = {
      connection: { state: 'open', sendText: (text: string) => sent.push(text) },
      pump: () => {},
      socket: { writableLength: PushLimits.maxPushQueueBytes + 1 },
      close: (code?: number, reason?: string) => closes.push([code, reason]),
    };
    const push = new PushSocket(run, 0, (line) => logs.push(line));
    push.attach(transport as unknown as WebSocketTransport);
    expect(sent.length).toBe(1);
    expect(closes).toEqual([[1008, `too slow: more than ${PushLimits.maxPushQueueBytes} bytes waiting`]]);
    expect(logs.some((line) => /\/pvp\/ws client 0 of run .* dropped: too slow/.test(line))).toBe(true);
    // No longer subscribed: new events do not reach it.
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.length).toBe(1);
    run.end();
  });
});

describe('a timed run whose timers run ahead of its clock', () => {
  it('still carries every event of eventsWithin(seed, rate, durationMs) when the duration timer fires', async () => {
    // Timers on a fake clock, the run's clock (performance.now) real: every timer fires "early", the
    // extreme of a duration timer firing before the run's clock reads durationMs.
    vi.useRealTimers();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const params = { ...BASE_PARAMS, seed: 12, eventsPerSecond: 20, durationMs: 1000 };
    const run = new PushRun(host);
    command(run, { type: 'start', params });
    await vi.advanceTimersByTimeAsync(params.durationMs + 10);
    expect(run.state).toBe('stopped');
    const expected = eventsWithin(params.seed, params.eventsPerSecond, params.durationMs);
    expect(expected.length).toBeGreaterThan(10);
    expect(run.entriesAfter(0).map((entry) => entry.event)).toEqual(expected);
    run.end();
  });
});
