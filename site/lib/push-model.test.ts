import { describe, expect, it } from 'vitest';
import { comparePush } from './push-model.ts';

const base = { eventsPerMinute: 6, pollSeconds: 10, messageBytes: 20, oneWayMs: 50, httpHeaderBytes: 800 };

describe('comparePush (lesson 1 model)', () => {
  it('takes the WebSocket frame header size from the core (RFC 6455 §5.2: 2, 4 or 10 bytes)', () => {
    expect(comparePush(base).frameHeaderBytes).toBe(2);
    expect(comparePush({ ...base, messageBytes: 126 }).frameHeaderBytes).toBe(4);
    expect(comparePush({ ...base, messageBytes: 70_000 }).frameHeaderBytes).toBe(10);
  });
  it('polling waits half an interval on average; a WebSocket only the network', () => {
    const result = comparePush(base);
    expect(result.polling.averageDelayMs).toBe(5050);
    expect(result.webSocket.averageDelayMs).toBe(50);
    expect(result.polling.overheadBytesPerMinute).toBe(6 * 800);
    expect(result.webSocket.overheadBytesPerMinute).toBe(6 * 2);
  });
  it('long polling pays one HTTP exchange per event and waits when events come faster than the round trip', () => {
    const slow = comparePush(base).longPolling;
    const fast = comparePush({ ...base, eventsPerMinute: 6000 }).longPolling;
    expect(slow.overheadBytesPerMinute).toBe(6 * 800);
    expect(fast.averageDelayMs).toBeGreaterThan(slow.averageDelayMs);
  });
});
