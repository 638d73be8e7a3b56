/**
 * Figures 1 and 2: echo rate of small messages (1 and 50 connections, pipelined) and echo throughput of 1 MiB
 * messages, with the server's CPU time per message as a diagnostic (the load generator shares the machine, so the
 * rate alone can hide a difference in server cost when the client is the bottleneck).
 */
import { runEchoLoad } from '../load/echo-load.ts';
import { selected, type BenchSettings } from '../options.ts';
import { makeFigure, type Figure } from '../report.ts';
import type { ServerHandle, ServerKind } from '../servers/spawn-server.ts';
import { alternate } from './alternate.ts';

interface EchoCase {
  readonly id: string;
  readonly label: string;
  readonly connections: number;
  readonly window: number;
  readonly size: number;
  readonly binary: boolean;
  /** 'msgs' reports messages/s; 'mib' reports MiB/s (echoed bytes received per second). */
  readonly rate: 'msgs' | 'mib';
}

const MIB = 1024 * 1024;

export const ECHO_CASES: readonly EchoCase[] = [
  { id: 'echo-64-1', label: '64 B binary echo, 1 connection (window 32)', connections: 1, window: 32, size: 64, binary: true, rate: 'msgs' },
  { id: 'echo-64-50', label: '64 B binary echo, 50 connections (window 8 each)', connections: 50, window: 8, size: 64, binary: true, rate: 'msgs' },
  { id: 'echo-64-text-50', label: '64 B text echo, 50 connections (window 8 each)', connections: 50, window: 8, size: 64, binary: false, rate: 'msgs' },
  { id: 'echo-1mib', label: '1 MiB binary echo, 1 connection (window 4)', connections: 1, window: 4, size: MIB, binary: true, rate: 'mib' },
];

function makePayload(size: number, binary: boolean): Buffer {
  const payload = Buffer.allocUnsafe(size);
  // Text: printable ASCII (valid UTF-8, the common case); binary: a pattern that is not all zeros.
  for (let i = 0; i < size; i++) payload[i] = binary ? (i * 31 + 7) & 0xff : 0x20 + (i % 95);
  return payload;
}

interface RoundResult {
  readonly rate: number;
  /** Server CPU time per message (µs) or per MiB (ms). */
  readonly cpuCost: number;
}

async function runRound(server: ServerHandle, echo: EchoCase, payload: Buffer, settings: BenchSettings): Promise<RoundResult> {
  let cpuStart = 0;
  let cpuEnd = 0;
  const result = await runEchoLoad({
    url: server.url,
    connections: echo.connections,
    window: echo.window,
    payload,
    binary: echo.binary,
    warmupMs: settings.warmupMs,
    measureMs: settings.measureMs,
    onMeasureStart: async () => {
      cpuStart = (await server.sample(false)).cpuMicros;
    },
    onMeasureEnd: async () => {
      cpuEnd = (await server.sample(false)).cpuMicros;
    },
  });
  const seconds = result.elapsedMs / 1000;
  const cpuMicros = cpuEnd - cpuStart;
  return echo.rate === 'msgs'
    ? { rate: result.messages / seconds, cpuCost: cpuMicros / result.messages }
    : { rate: result.bytes / MIB / seconds, cpuCost: cpuMicros / 1000 / (result.bytes / MIB) };
}

export async function runEchoFigures(
  settings: BenchSettings,
  servers: Record<ServerKind, ServerHandle>,
  log: (line: string) => void,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const echo of ECHO_CASES) {
    if (!selected(settings, echo.id)) continue;
    const payload = makePayload(echo.size, echo.binary);
    const results = await alternate(settings.rounds, servers, async (server, round) => {
      const result = await runRound(server, echo, payload, settings);
      log(`  ${echo.id} round ${round + 1} ${server.kind}: ${result.rate.toFixed(1)} ${echo.rate === 'msgs' ? 'msg/s' : 'MiB/s'}`);
      return result;
    });
    const rate = (kind: ServerKind): number[] => results[kind].map((r) => r.rate);
    const cost = (kind: ServerKind): number[] => results[kind].map((r) => r.cpuCost);
    figures.push(
      makeFigure(echo.id, echo.label, echo.rate === 'msgs' ? 'msg/s' : 'MiB/s', 'higher', rate('lab'), rate('ws')),
      makeFigure(
        `${echo.id}-cpu`,
        'server CPU time, figure above',
        echo.rate === 'msgs' ? 'µs/msg' : 'ms/MiB',
        'lower',
        cost('lab'),
        cost('ws'),
        true,
      ),
    );
  }
  return figures;
}
