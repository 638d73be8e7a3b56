/** LabSession's bounded queue for a slow observer: reports beyond the bound are dropped and counted, unserialized. */
import { describe, expect, it } from 'vitest';
import { LabHub } from '../../src/node/lab.ts';
import type { WebSocketTransport } from '../../src/node/transport.ts';

/** An observer transport whose socket never drains: every report after the first goes to the queue. */
function stuckObserver(): { transport: WebSocketTransport; sent: string[] } {
  const sent: string[] = [];
  const transport = {
    peer: 'test',
    socket: { writableLength: Number.MAX_SAFE_INTEGER },
    connection: { sendText: (text: string) => sent.push(text) },
    flush: () => undefined,
  };
  return { transport: transport as unknown as WebSocketTransport, sent };
}

describe('a slow observer', () => {
  it('once the queue is full, reports are counted as dropped without being serialized', () => {
    const queueBytes = 2000;
    const hub = new LabHub({ log: () => undefined, recordPreviewBytes: 16, observerQueueBytes: queueBytes, commandQueueBytes: 0 });
    const session = hub.createSession();
    const { transport, sent } = stuckObserver();
    session.attach(transport, 'ws://x/lab?session=1');
    let serialized = 0;
    const costly = { toJSON: () => (serialized++, 'x'.repeat(100)) };
    for (let i = 0; i < 1000; i++) session.report('frame', { subject: 1, record: costly });
    expect(sent).toEqual([]);
    // About queueBytes / 130 reports fit; each later one is refused before JSON.stringify.
    expect(serialized).toBeGreaterThan(5);
    expect(serialized).toBeLessThan(20);
  });
});
