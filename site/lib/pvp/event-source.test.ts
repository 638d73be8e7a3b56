import { describe, expect, it } from 'vitest';
import { eventsWithin } from '../../../lab-server/src/node/push-vs-poll/event-source.ts';
import { createEventSource } from './event-source.ts';

describe('the simulation’s event source', () => {
  it('gives the same events as the lab server’s schedule for the same seed and rate', () => {
    const source = createEventSource(11, 5);
    const server = eventsWithin(11, 5, 10_000);
    expect(source.between(0, 10_000)).toEqual(server);
    expect(source.countAt(10_000)).toBe(server.length);
  });
  it('answers "what is new after seq N up to time t" without gaps or repeats', () => {
    const source = createEventSource(3, 20);
    const first = source.between(0, 1_000);
    const second = source.between(first.at(-1)?.seq ?? 0, 2_000);
    expect([...first, ...second].map((e) => e.seq)).toEqual(Array.from({ length: first.length + second.length }, (_, i) => i + 1));
    expect(second.every((e) => e.createdAt > 1_000 && e.createdAt <= 2_000)).toBe(true);
    expect(source.event(1)).toEqual(first[0]);
  });
});
