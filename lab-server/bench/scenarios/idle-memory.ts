/**
 * Figure 3: memory per idle WebSocket connection in the server process. Each round starts a fresh server, warms it
 * with a few connections, samples memory after a full GC, opens N idle connections (no messages), samples again,
 * and divides the deltas by N. RSS includes everything the process holds (sockets' native state, buffers, heap);
 * heapUsed is the JS heap only.
 */
import { closeAll, openClients, terminateAll } from '../load/open-clients.ts';
import { sleep } from '../load/echo-load.ts';
import type { BenchSettings } from '../options.ts';
import { makeFigure, type Figure } from '../report.ts';
import type { Sample } from '../servers/child-protocol.ts';
import { SERVER_KINDS, startServer, type ServerHandle, type ServerKind } from '../servers/spawn-server.ts';

const OPEN_CONCURRENCY = 100;
const OPEN_DEADLINE_MS = 90_000;
const WARM_CONNECTIONS = 200;
const COUNT_WAIT_MS = 10_000;
const SETTLE_MS = 500;

interface RoundResult {
  readonly rssPerConnection: number;
  readonly heapPerConnection: number;
  readonly externalPerConnection: number;
  /** V8 heap reserved (used + free space in its pages): RSS minus this is native memory (sockets, malloc). */
  readonly heapTotalPerConnection: number;
}

async function waitForCount(server: ServerHandle, atLeast: number): Promise<Sample> {
  const deadline = Date.now() + COUNT_WAIT_MS;
  for (;;) {
    const sample = await server.sample(false);
    if (sample.connections >= atLeast || Date.now() > deadline) return sample;
    await sleep(100);
  }
}

async function measure(kind: ServerKind, connections: number): Promise<RoundResult> {
  const server = await startServer(kind);
  try {
    // Warm-up: the first connections compile the server's code paths and grow its pools; not per-connection cost.
    await closeAll(await openClients(server.url, WARM_CONNECTIONS, OPEN_CONCURRENCY, OPEN_DEADLINE_MS));
    await sleep(SETTLE_MS);
    const before = await server.sample(true);
    const clients = await openClients(server.url, connections, OPEN_CONCURRENCY, OPEN_DEADLINE_MS);
    try {
      const counted = await waitForCount(server, before.connections + connections);
      if (counted.connections < before.connections + connections) {
        throw new Error(`${kind} server reports ${counted.connections} connections, expected ${connections}`);
      }
      await sleep(SETTLE_MS);
      const after = await server.sample(true);
      return {
        rssPerConnection: (after.rss - before.rss) / connections,
        heapPerConnection: (after.heapUsed - before.heapUsed) / connections,
        externalPerConnection: (after.external - before.external) / connections,
        heapTotalPerConnection: (after.heapTotal - before.heapTotal) / connections,
      };
    } finally {
      terminateAll(clients);
    }
  } finally {
    await server.stop();
  }
}

export async function runIdleMemoryFigures(settings: BenchSettings, log: (line: string) => void): Promise<Figure[]> {
  const n = settings.idleConnections;
  const results: Record<ServerKind, RoundResult[]> = { lab: [], ws: [] };
  for (let round = 0; round < settings.memoryRounds; round++) {
    for (const kind of SERVER_KINDS) {
      const result = await measure(kind, n);
      results[kind].push(result);
      log(
        `  idle-memory round ${round + 1} ${kind}: rss ${result.rssPerConnection.toFixed(0)} B/conn, ` +
          `heapUsed ${result.heapPerConnection.toFixed(0)} B/conn, heapTotal ${result.heapTotalPerConnection.toFixed(0)} B/conn, ` +
          `external ${result.externalPerConnection.toFixed(0)} B/conn`,
      );
      await sleep(SETTLE_MS);
    }
  }
  const pick = (kind: ServerKind, key: keyof RoundResult): number[] => results[kind].map((r) => r[key]);
  const label = `idle connection, ${n.toLocaleString('en-US')} open`;
  return [
    makeFigure('idle-rss', `${label}: RSS`, 'B/conn', 'lower', pick('lab', 'rssPerConnection'), pick('ws', 'rssPerConnection')),
    makeFigure('idle-heap', `${label}: heapUsed`, 'B/conn', 'lower', pick('lab', 'heapPerConnection'), pick('ws', 'heapPerConnection')),
    makeFigure(
      'idle-external',
      `${label}: external`,
      'B/conn',
      'lower',
      pick('lab', 'externalPerConnection'),
      pick('ws', 'externalPerConnection'),
      true,
    ),
  ];
}
