import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../lab-server/src/reports/frame-record-json.ts';
import type { FrameReport, LabReport } from '../../../lab-server/src/reports/lab-report-types.ts';
import { SERVER_VIOLATIONS } from '../../../lab-server/src/reports/lab-report-types.ts';
import { SimulatedSession } from './simulated-session.ts';
import type { SessionEvent, SessionStatus } from './session-events.ts';

function simulate(deflate = false): { session: SimulatedSession; events: SessionEvent[]; statuses: SessionStatus[] } {
  const events: SessionEvent[] = [];
  const statuses: SessionStatus[] = [];
  const session = new SimulatedSession({ event: (e) => events.push(e), status: (s) => statuses.push(s) }, 'http://localhost:4321');
  session.start(deflate);
  return { session, events, statuses };
}

const frames = (events: SessionEvent[]): FrameReport[] => events.filter((e): e is FrameReport => e.type === 'frame');
const reports = <T extends LabReport['type']>(events: SessionEvent[], type: T) => events.filter((e) => e.type === type) as Extract<LabReport, { type: T }>[];

describe('the simulated session (core client and core server in memory)', () => {
  it('reports the opening handshake: the request as sent, the accept computation for its key, the 101 (RFC 6455 §1.3, §4)', () => {
    const { events, statuses } = simulate(true);
    expect(events[0]?.type).toBe('hello');
    const [request] = reports(events, 'handshake-request');
    expect(request?.raw).toMatch(/^GET \/lab\?session=simulation HTTP\/1\.1\r\n/);
    expect(request?.raw).toContain('Origin: http://localhost:4321\r\n');
    const key = /Sec-WebSocket-Key: (\S+)\r\n/.exec(request!.raw)![1];
    const [accept] = reports(events, 'accept');
    expect(accept?.key).toBe(key);
    expect(accept?.concatenated).toBe(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`);
    expect(reports(events, 'handshake-response')[0]?.raw).toContain(`Sec-WebSocket-Accept: ${accept?.accept}\r\n`);
    expect(reports(events, 'negotiated')[0]?.extensions).toMatch(/^permessage-deflate/);
    expect(statuses.at(-1)).toEqual({ state: 'open', simulated: true });
  });

  it('reports a sent text as a masked client frame whose key unmasks it, then the unmasked echo (RFC 6455 §5.3)', () => {
    const { session, events } = simulate();
    expect(session.sendText('Héllo 👋')).toBe(true);
    const [sent, echo] = frames(events);
    expect(sent?.direction).toBe('client-to-server');
    expect(sent?.record.masked).toBe(true);
    const key = fromHex(sent!.record.maskingKey!);
    const wire = fromHex(sent!.record.payload.wire);
    const unmasked = wire.map((byte, i) => byte ^ key[i % 4]!);
    expect(new TextDecoder().decode(unmasked)).toBe('Héllo 👋');
    expect(echo?.direction).toBe('server-to-client');
    expect(echo?.record.masked).toBe(false);
    expect(reports(events, 'message').map((m) => [m.direction, m.text])).toEqual([['client-to-server', 'Héllo 👋'], ['server-to-client', 'Héllo 👋']]);
  });

  it('answers a ping command: the server ping, then the client pong, and an ok command-result (RFC 6455 §5.5.2)', () => {
    const { session, events } = simulate();
    const id = session.command({ type: 'ping', text: 'hi' });
    expect(frames(events).map((f) => [f.direction, f.record.opcodeName, f.record.payload.unmasked])).toEqual([
      ['server-to-client', 'ping', '6869'],
      ['client-to-server', 'pong', '6869'],
    ]);
    expect(reports(events, 'command-result')).toMatchObject([{ id, ok: true }]);
  });

  it('sends a fragmented message as that many frames, FIN only on the last (RFC 6455 §5.4)', () => {
    const { session, events } = simulate();
    session.command({ type: 'send-fragmented', text: 'abcdefghi', fragments: 3 });
    const sent = frames(events).filter((f) => f.direction === 'server-to-client');
    expect(sent.map((f) => [f.record.opcodeName, f.record.fin])).toEqual([['text', false], ['continuation', false], ['continuation', true]]);
  });

  it('interleaves a ping between the fragments (RFC 6455 §5.4) and the client answers it', () => {
    const { session, events } = simulate();
    session.command({ type: 'send-interleaved', text: 'abcdef' });
    expect(frames(events).map((f) => `${f.direction === 'server-to-client' ? '<' : '>'}${f.record.opcodeName}`)).toEqual(['<text', '<ping', '<continuation', '<pong', '<continuation', '>pong']);
    // The client answers the ping only; the unsolicited pong is a heartbeat (RFC 6455 §5.5.3).
    expect(frames(events).filter((f) => f.direction === 'client-to-server').map((f) => f.record.payload.unmasked)).toEqual(['6265747765656e20667261676d656e7473']);
  });

  it('says readably why a command cannot run', () => {
    const { session, events } = simulate();
    session.command({ type: 'send-compressed', text: 'x' });
    session.command({ type: 'close', code: 1005, reason: '' });
    session.command({ type: 'send-fragmented', text: 'ab', fragments: 1 });
    const results = reports(events, 'command-result');
    expect(results.map((r) => r.ok)).toEqual([false, false, false]);
    expect(results[0]?.error).toMatch(/permessage-deflate was not negotiated/);
    expect(results[1]?.error).toMatch(/1005/);
    expect(results[2]?.error).toMatch(/fragments/);
  });

  it('with permessage-deflate, compresses on request and echoes compressed: RSV1 on the first frame (RFC 7692 §6)', () => {
    const { session, events } = simulate(true);
    session.command({ type: 'send-compressed', text: 'compress me compress me compress me' });
    session.sendText('and me, and me, and me');
    const [compressed, sent, echo] = frames(events);
    expect([compressed, sent, echo].map((f) => [f?.direction, f?.record.rsv1])).toEqual([['server-to-client', true], ['client-to-server', true], ['server-to-client', true]]);
    expect(compressed!.record.payloadLength).toBeLessThan(35);
    expect(new TextDecoder().decode(fromHex(compressed!.record.inflated!.preview))).toBe('compress me compress me compress me');
    expect(reports(events, 'message').map((m) => [m.direction, m.compressed, m.text])).toEqual([
      ['server-to-client', true, 'compress me compress me compress me'],
      ['client-to-server', true, 'and me, and me, and me'],
      ['server-to-client', true, 'and me, and me, and me'],
    ]);
    expect(reports(events, 'command-result')).toMatchObject([{ ok: true }]);
  });

  it('closes with the chosen code and reason; both sides see a clean close (RFC 6455 §7.1.5)', () => {
    const { session, events, statuses } = simulate();
    session.command({ type: 'close', code: 4000, reason: 'bye' });
    const close = events.find((e) => e.type === 'page-close');
    expect(close).toMatchObject({ code: 4000, reason: 'bye', wasClean: true });
    expect(reports(events, 'closed')).toMatchObject([{ code: 4000, wasClean: true }]);
    expect(events.at(-1)?.type).toBe('tcp-closed');
    expect(statuses.at(-1)).toEqual({ state: 'closed', simulated: true });
    expect(session.sendText('late')).toBe(false);
  });

  for (const kind of SERVER_VIOLATIONS) {
    it(`a server violation (${kind}) makes the client fail the connection, not cleanly (RFC 6455 §7.1.7)`, () => {
      const { session, events } = simulate();
      session.command({ type: 'violation', kind });
      const close = events.find((e) => e.type === 'page-close');
      expect(close).toMatchObject({ wasClean: false });
      expect([1002, 1007]).toContain(close && 'code' in close ? close.code : 0);
      // The broken frame's report names the rule, as the lab server's does.
      const broken = frames(events).find((f) => f.direction === 'server-to-client');
      expect(broken?.record.violation?.closeCode).toBe(close && 'code' in close ? close.code : 0);
      // The client's failing close frame reaches the server, which reports it.
      expect(reports(events, 'close-received')[0]?.code).toBe(close && 'code' in close ? close.code : 0);
    });
  }

  it('sends a large message as one frame with a 64-bit length, its preview cut (RFC 6455 §5.2)', () => {
    const { session, events } = simulate();
    session.command({ type: 'send-large', bytes: 1 << 20 });
    const [large] = frames(events);
    expect(large?.record.lengthEncoding).toBe('64-bit');
    expect(large?.record.payloadLength).toBe(1 << 20);
    expect(large?.record.payload.truncated).toBe(true);
  });

  it('reconnects as a new subject; with ?deflate=off the server declines the browser-like offer', () => {
    const { session, events } = simulate(true);
    session.connect(false);
    const requests = reports(events, 'handshake-request');
    expect(requests.map((r) => r.subject)).toEqual([1, 2]);
    expect(requests[1]?.raw).toMatch(/^GET \/lab\?session=simulation&deflate=off /);
    expect(requests.every((r) => r.raw.includes('Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n'))).toBe(true);
    expect(reports(events, 'negotiated').map((n) => n.extensions === null)).toEqual([false, true]);
    expect(events.filter((e) => e.type === 'page-close')).toMatchObject([{ subject: 1, code: 1000, wasClean: true }]);
  });
});
