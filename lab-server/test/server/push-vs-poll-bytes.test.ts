/**
 * Issue 5: the server's byte counts for each transport against an independent count taken on the wire.
 * Each transport's client talks to the lab server through its own TCP relay, which keeps every byte it
 * forwards. The totals must be equal to the byte; the header/payload split is checked by reading the
 * relayed bytes as HTTP messages (and, behind a 101, as WebSocket frames through the core's parser).
 */
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushLimits } from '../../src/node/push-vs-poll/limits.ts';
import { FrameParser } from '../../src/protocol/frame/parser.ts';
import type { PushTransport, StatsReport, TransportStats } from '../../src/reports/push-vs-poll-types.ts';
import { parseRequests, parseResponses, type HttpMessageBytes } from '../support/http-stream.ts';
import { startTestServer, type TestServer } from '../support/lab-server.ts';
import { BASE_PARAMS, httpRequest, isStats, observe, PollingClient, sseClient, wsClient } from '../support/push-vs-poll.ts';
import { startTcpRelay, type RelayedConnection, type TcpRelay } from '../support/tcp-relay.ts';

let lab: TestServer;
beforeAll(async () => {
  lab = await startTestServer();
});
afterAll(async () => {
  await lab.close();
});

interface Split {
  upHeaders: number;
  upPayload: number;
  downHeaders: number;
  downPayload: number;
}

/** Which lane a relayed request belongs to, as the server attributes it; null for anything else (a file). */
function laneOf(request: HttpMessageBytes): PushTransport | null {
  const target = request.startLine.split(' ')[1] ?? '';
  const url = new URL(target, 'http://relay.invalid');
  switch (url.pathname) {
    case '/pvp/poll': return 'poll';
    case '/pvp/long-poll': return 'long-poll';
    case '/pvp/sse': return 'sse';
    case '/pvp/ws': return 'ws';
    case '/pvp/send': return (url.searchParams.get('transport') ?? 'poll') as PushTransport;
    default: return null;
  }
}

/** Frame header and payload bytes of a relayed WebSocket stream, read by the core's own parser. */
function frameBytes(bytes: Buffer | undefined, role: 'client' | 'server'): { headers: number; payload: number } {
  const parser = new FrameParser({ role, recordPreviewBytes: 0 });
  let headers = 0;
  let payload = 0;
  for (const frame of parser.push(new Uint8Array(bytes ?? Buffer.alloc(0)))) {
    headers += frame.record?.headerLength ?? Number.NaN;
    payload += frame.record?.payloadLength ?? Number.NaN;
  }
  expect(parser.violation).toBeNull();
  return { headers, payload };
}

/** What the relayed bytes say each lane sent and received, split like the server splits it. */
function splitFromWire(connections: readonly RelayedConnection[], lane: PushTransport): Split & { otherBytes: number } {
  const split = { upHeaders: 0, upPayload: 0, downHeaders: 0, downPayload: 0, otherBytes: 0 };
  for (const connection of connections) {
    const requests = parseRequests(Buffer.concat(connection.up));
    const responses = parseResponses(Buffer.concat(connection.down));
    expect(responses.length).toBe(requests.length);
    requests.forEach((request, index) => {
      const response = responses[index]!;
      if (laneOf(request) !== lane) {
        split.otherBytes += request.headBytes + request.bodyBytes + response.headBytes + response.framingBytes + response.bodyBytes;
        return;
      }
      split.upHeaders += request.headBytes;
      split.upPayload += request.bodyBytes;
      split.downHeaders += response.headBytes + response.framingBytes;
      split.downPayload += response.bodyBytes;
      if (request.upgradedBytes !== undefined) {
        const up = frameBytes(request.upgradedBytes, 'server');
        const down = frameBytes(response.upgradedBytes, 'client');
        split.upHeaders += up.headers;
        split.upPayload += up.payload;
        split.downHeaders += down.headers;
        split.downPayload += down.payload;
      }
    });
  }
  return split;
}

function splitFromServer(stats: TransportStats): Split {
  return { upHeaders: stats.bytesUp.headers, upPayload: stats.bytesUp.payload, downHeaders: stats.bytesDown.headers, downPayload: stats.bytesDown.payload };
}

function upstream(seq: number): string {
  return JSON.stringify({ seq, sentAt: seq * 10, text: `message ${seq}` });
}

describe('push vs poll: bytes counted by the server equal the bytes on the wire', () => {
  it('short poll, long poll, SSE and WebSocket, with a file request and POSTs on the same keep-alive sockets', async () => {
    const observer = await observe(lab.wsBase);
    const relays: Record<PushTransport, TcpRelay> = {
      poll: await startTcpRelay(lab.port),
      'long-poll': await startTcpRelay(lab.port),
      sse: await startTcpRelay(lab.port),
      ws: await startTcpRelay(lab.port),
    };
    const cookie = `pvp=${'c'.repeat(300)}`;
    observer.command({ type: 'start', params: { ...BASE_PARAMS, seed: 7, eventsPerSecond: 20, cookieBytes: cookie.length } });
    await observer.waitFor((report) => report.type === 'started');
    const run = observer.run;

    // Short polling: a file first, then polls and POSTs, all on one keep-alive socket (maxSockets 1).
    const poll = new PollingClient(relays.poll.port, '/pvp/poll', run, 100, { Cookie: cookie });
    const file = await httpRequest(relays.poll.port, poll.agent, 'GET', '/no-such-file.txt', null, { Cookie: cookie });
    expect(file.status).toBe(404);
    poll.start();
    const longPoll = new PollingClient(relays['long-poll'].port, '/pvp/long-poll', run, 0, { Cookie: cookie });
    longPoll.start();
    const sse = sseClient(relays.sse.port, run, undefined, { Cookie: cookie });
    const ws = await wsClient(relays.ws.port, run, { Cookie: cookie });
    const postAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let seq = 1; seq <= 3; seq++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      for (const lane of ['poll', 'long-poll', 'sse'] as const) {
        const agent = lane === 'poll' ? poll.agent : lane === 'long-poll' ? longPoll.agent : postAgent;
        const answer = await httpRequest(relays[lane].port, agent, 'POST', `/pvp/send?run=${run}&client=0&transport=${lane}`, upstream(seq), { Cookie: cookie });
        expect(answer.status).toBe(204);
      }
      ws.ws.send(upstream(seq));
    }
    // A body that is not a message crossed the wire too: it and its 400 are counted.
    const notMessage = await httpRequest(relays.poll.port, poll.agent, 'POST', `/pvp/send?run=${run}&client=0`, '{"hello":1}', { Cookie: cookie });
    expect(notMessage.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Quiesce: the poller stops, the WebSocket closes from the client side; stopping the run answers
    // the held long poll and ends the SSE stream, and its last stats report is taken after that.
    await poll.stop();
    await new Promise<void>((resolve) => {
      ws.ws.once('close', () => resolve());
      ws.ws.close(1000, 'done');
    });
    // The long poller asks no more once its held poll is answered (a poll after the stop would get 409).
    const longPollDone = longPoll.stop();
    const before = observer.reports.length;
    observer.command({ type: 'stop' });
    await observer.waitFor((report) => report.type === 'stopped', 5000, before);
    await longPollDone;
    await sse.ended;
    // The ended stream's socket would idle until the server's keep-alive timeout: nothing more to relay.
    sse.destroy();
    poll.agent.destroy();
    longPoll.agent.destroy();
    postAgent.destroy();
    for (const relay of Object.values(relays)) await relay.allClosed();
    const final = observer.reports.filter(isStats).at(-1) as StatsReport;

    for (const lane of ['poll', 'long-poll', 'sse', 'ws'] as const) {
      const relay = relays[lane];
      const wire = splitFromWire(relay.connections, lane);
      const server = splitFromServer(final.ownClient[lane]);
      // Every relayed byte is accounted for by the parse: the lane's messages plus the file request.
      expect(wire.upHeaders + wire.upPayload + wire.downHeaders + wire.downPayload + wire.otherBytes, lane).toBe(relay.bytesUp() + relay.bytesDown());
      expect(server, lane).toEqual({ upHeaders: wire.upHeaders, upPayload: wire.upPayload, downHeaders: wire.downHeaders, downPayload: wire.downPayload });
      expect(final.ownClient[lane].bytesUp.headers, lane).toBeGreaterThan(cookie.length);
      // The page's client is the only client: the lane's totals are its own.
      expect(final.transports[lane]).toEqual(final.ownClient[lane]);
    }
    expect(relays.poll.connections.length).toBe(1);
    expect(relays.poll.bytesUp() - splitFromServer(final.ownClient.poll).upHeaders - splitFromServer(final.ownClient.poll).upPayload).toBeGreaterThan(0);
    expect(final.ownClient.poll.upstreamMessages).toBe(3);
    expect(final.ownClient.ws.upstreamMessages).toBe(3);
    expect(final.ownClient.ws.requests).toBe(1);
    // SSE: one stream (one request, one response) plus the three POSTs and their 204s.
    expect(final.ownClient.sse.requests).toBe(4);
    expect(final.ownClient.sse.responses).toBe(4);
    expect(poll.seqs.length).toBeGreaterThan(0);

    await observer.close();
    for (const relay of Object.values(relays)) await relay.close();
  }, 20_000);

  it('a WebSocket the server closes on stop: the client\'s close frame is in the final stats, not in the next start', async () => {
    const observer = await observe(lab.wsBase);
    const relay = await startTcpRelay(lab.port);
    observer.command({ type: 'start', params: { ...BASE_PARAMS, seed: 3, eventsPerSecond: 20 } });
    await observer.waitFor((report) => report.type === 'started');
    const ws = await wsClient(relay.port, observer.run);
    ws.ws.send(upstream(1));
    await observer.waitFor((report) => report.type === 'event-created' && report.event.seq >= 3);
    const closed = new Promise<number>((resolve) => ws.ws.once('close', (code) => resolve(code)));
    let from = observer.reports.length;
    observer.command({ type: 'stop' });
    await observer.waitFor((report) => report.type === 'stopped', 5000, from);
    // The stats right before `stopped` are the start's final figures: taken after the closing handshake.
    const final = observer.reports.slice(from).filter(isStats).at(-1) as StatsReport;
    expect(await closed).toBe(1000);
    await relay.allClosed();
    const wire = splitFromWire(relay.connections, 'ws');
    expect(splitFromServer(final.ownClient.ws)).toEqual({ upHeaders: wire.upHeaders, upPayload: wire.upPayload, downHeaders: wire.downHeaders, downPayload: wire.downPayload });
    expect(wire.upHeaders + wire.upPayload + wire.downHeaders + wire.downPayload).toBe(relay.bytesUp() + relay.bytesDown());

    // A restart: late frames of the first start never land in the second start's counters.
    await new Promise((resolve) => setTimeout(resolve, PushLimits.minStartIntervalMs));
    from = observer.reports.length;
    observer.command({ type: 'start', params: { ...BASE_PARAMS, seed: 4 } });
    await observer.waitFor((report) => report.type === 'started', 5000, from);
    const next = await observer.waitFor(isStats, 2000, observer.reports.length);
    expect(next.ownClient.ws.requests).toBe(0);
    expect(next.ownClient.ws.bytesUp).toEqual({ headers: 0, payload: 0 });
    await observer.close();
    await relay.close();
  });
});
