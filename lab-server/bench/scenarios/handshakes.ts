/**
 * Figure 4: opening handshakes per second (open, then a clean closing handshake), bounded concurrency, with the
 * server's CPU time per handshake as a diagnostic (the `ws` client doing the handshakes is usually the bottleneck).
 */
import { runHandshakeLoad } from '../load/handshake-load.ts';
import type { BenchSettings } from '../options.ts';
import { makeFigure, type Figure } from '../report.ts';
import type { ServerHandle, ServerKind } from '../servers/spawn-server.ts';
import { alternate } from './alternate.ts';

const CONCURRENCY = 8;

/** CPU time of the server at a moment `delayMs` from now (sampled over IPC while the load runs). */
function cpuAt(server: ServerHandle, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    setTimeout(() => server.sample(false).then((sample) => resolve(sample.cpuMicros), reject), delayMs);
  });
}

/** This process's CPU time (the load generator's) at a moment `delayMs` from now. */
function loadCpuAt(delayMs: number): Promise<number> {
  return new Promise((resolve) => {
    setTimeout(() => {
      const usage = process.cpuUsage();
      resolve(usage.user + usage.system);
    }, delayMs);
  });
}

export async function runHandshakeFigures(
  settings: BenchSettings,
  servers: Record<ServerKind, ServerHandle>,
  log: (line: string) => void,
): Promise<Figure[]> {
  const results = await alternate(settings.sharedLimitRounds, servers, async (server, round) => {
    const cpuStart = cpuAt(server, settings.warmupMs);
    const cpuEnd = cpuAt(server, settings.warmupMs + settings.measureMs);
    const loadStart = loadCpuAt(settings.warmupMs);
    const loadEnd = loadCpuAt(settings.warmupMs + settings.measureMs);
    const { cycles, elapsedMs } = await runHandshakeLoad({
      url: server.url,
      concurrency: CONCURRENCY,
      warmupMs: settings.warmupMs,
      measureMs: settings.measureMs,
    });
    const rate = cycles / (elapsedMs / 1000);
    const cpuPerHandshake = ((await cpuEnd) - (await cpuStart)) / cycles;
    const loadPerHandshake = ((await loadEnd) - (await loadStart)) / cycles;
    log(`  handshakes round ${round + 1} ${server.kind}: ${rate.toFixed(0)}/s, server CPU ${cpuPerHandshake.toFixed(0)} µs each`);
    return { rate, cpuPerHandshake, loadPerHandshake };
  });
  const pick = (kind: ServerKind, key: 'rate' | 'cpuPerHandshake' | 'loadPerHandshake'): number[] => results[kind].map((r) => r[key]);
  return [
    makeFigure('handshakes', `handshakes (open + close, ${CONCURRENCY} concurrent)`, 'conn/s', 'higher', pick('lab', 'rate'), pick('ws', 'rate')),
    makeFigure(
      'handshakes-cpu',
      'server CPU time, figure above',
      'µs/conn',
      'lower',
      pick('lab', 'cpuPerHandshake'),
      pick('ws', 'cpuPerHandshake'),
      true,
    ),
    // The load generator shares the two cores: it costs about as much per handshake as the server, so it shares the
    // limit on the rate; and a server that sleeps between events costs the load kernel time to wake it.
    makeFigure(
      'handshakes-load-cpu',
      'load generator CPU time, figure above',
      'µs/conn',
      'lower',
      pick('lab', 'loadPerHandshake'),
      pick('ws', 'loadPerHandshake'),
      true,
    ),
  ];
}
