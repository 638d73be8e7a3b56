/**
 * Figures 1 and 2: echo rate of small messages (1 and 50 connections, pipelined) and echo throughput of 1 MiB
 * messages. Diagnostics: the server's CPU time per message, its user part, and the load generator's CPU time.
 * The load generator shares the machine, so the rate alone can hide a difference in server cost when the load
 * generator is the bottleneck; and over loopback TCP the kernel's copies, charged to both servers alike, can
 * dwarf what the implementations themselves spend (the user part).
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
  /** The load generator co-limits the rate: the figure takes settings.sharedLimitRounds. */
  readonly sharedLimit?: boolean;
}

const MIB = 1024 * 1024;

export const ECHO_CASES: readonly EchoCase[] = [
  { id: 'echo-64-1', label: '64 B binary echo, 1 connection (window 32)', connections: 1, window: 32, size: 64, binary: true, rate: 'msgs' },
  { id: 'echo-64-50', label: '64 B binary echo, 50 connections (window 8 each)', connections: 50, window: 8, size: 64, binary: true, rate: 'msgs' },
  { id: 'echo-64-text-50', label: '64 B text echo, 50 connections (window 8 each)', connections: 50, window: 8, size: 64, binary: false, rate: 'msgs' },
  { id: 'echo-1mib', label: '1 MiB binary echo, 1 connection (window 4)', connections: 1, window: 4, size: MIB, binary: true, rate: 'mib', sharedLimit: true },
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
  /** The user part of it: the server's own code, without the kernel's work for its syscalls. */
  readonly userCost: number;
  /** The load generator's CPU time (this process) per message or per MiB. */
  readonly loadCost: number;
  /** The server's minor page faults per message or per MiB. */
  readonly faults: number;
}

async function runRound(server: ServerHandle, echo: EchoCase, payload: Buffer, settings: BenchSettings): Promise<RoundResult> {
  let start = { cpu: 0, user: 0, faults: 0 };
  let end = start;
  let loadStart = process.cpuUsage();
  let load = { user: 0, system: 0 };
  const sample = async (): Promise<typeof start> => {
    const taken = await server.sample(false);
    return { cpu: taken.cpuMicros, user: taken.userMicros, faults: taken.minorFaults };
  };
  const result = await runEchoLoad({
    url: server.url,
    connections: echo.connections,
    window: echo.window,
    payload,
    binary: echo.binary,
    warmupMs: settings.warmupMs,
    measureMs: settings.measureMs,
    onMeasureStart: async () => {
      start = await sample();
      loadStart = process.cpuUsage();
    },
    onMeasureEnd: async () => {
      load = process.cpuUsage(loadStart);
      end = await sample();
    },
  });
  const seconds = result.elapsedMs / 1000;
  // Per message, or per MiB; CPU time in µs per message, or in ms per MiB.
  const perUnit = (count: number): number => (echo.rate === 'msgs' ? count / result.messages : count / (result.bytes / MIB));
  const per = (micros: number): number => (echo.rate === 'msgs' ? perUnit(micros) : perUnit(micros) / 1000);
  return {
    rate: echo.rate === 'msgs' ? result.messages / seconds : result.bytes / MIB / seconds,
    cpuCost: per(end.cpu - start.cpu),
    userCost: per(end.user - start.user),
    loadCost: per(load.user + load.system),
    faults: perUnit(end.faults - start.faults),
  };
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
    const rounds = echo.sharedLimit === true ? settings.sharedLimitRounds : settings.rounds;
    const results = await alternate(rounds, servers, async (server, round) => {
      const result = await runRound(server, echo, payload, settings);
      log(`  ${echo.id} round ${round + 1} ${server.kind}: ${result.rate.toFixed(1)} ${echo.rate === 'msgs' ? 'msg/s' : 'MiB/s'}`);
      return result;
    });
    const of = (kind: ServerKind, pick: (r: RoundResult) => number): number[] => results[kind].map(pick);
    const costUnit = echo.rate === 'msgs' ? 'µs/msg' : 'ms/MiB';
    const costRow = (suffix: string, label: string, pick: (r: RoundResult) => number): Figure =>
      makeFigure(`${echo.id}-${suffix}`, label, costUnit, 'lower', of('lab', pick), of('ws', pick), true);
    figures.push(
      makeFigure(echo.id, echo.label, echo.rate === 'msgs' ? 'msg/s' : 'MiB/s', 'higher', of('lab', (r) => r.rate), of('ws', (r) => r.rate)),
      costRow('cpu', 'server CPU time, figure above', (r) => r.cpuCost),
      costRow('cpu-user', 'server CPU time outside the kernel (user)', (r) => r.userCost),
      // The load shares the two cores with the server: when it costs about as much as the server, it sets the rate.
      costRow('load-cpu', 'load generator CPU time, figure above', (r) => r.loadCost),
    );
    // A page fault is memory given back to the kernel and touched again: system time the allocator could spare.
    // Large messages only: small echoes fault almost never, on either server.
    if (echo.rate === 'mib') {
      figures.push({
        ...makeFigure(`${echo.id}-faults`, 'server minor page faults', 'per MiB', 'lower', of('lab', (r) => r.faults), of('ws', (r) => r.faults), true),
        valuesOnly: true,
      });
    }
  }
  return figures;
}
