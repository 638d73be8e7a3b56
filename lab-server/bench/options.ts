/** Command-line options of `npm run bench` and the per-mode settings they select. */

export interface BenchSettings {
  readonly quick: boolean;
  /** Update the figures table in BENCHMARKS.md (nothing is written without it). */
  readonly write: boolean;
  /** Only run scenarios whose id contains one of these words (e.g. `--only=parse,echo`). */
  readonly only: readonly string[];
  /** Measured rounds per server and figure (alternating lab, ws, lab, ws, ...). */
  readonly rounds: number;
  /**
   * Measured rounds for the figures whose rate the load generator co-limits (echo-1mib, handshakes): there it costs
   * as much CPU as the server on the shared cores, so the rates differ by less than their rounds spread, and only
   * more rounds narrow the interval enough to tell (20 rounds: (x6, x15), 95.9%).
   */
  readonly sharedLimitRounds: number;
  /** Measured rounds for the idle-memory figure (each round starts fresh server processes). */
  readonly memoryRounds: number;
  /** Length of one measured load round, after its warm-up. */
  readonly measureMs: number;
  /** Warm-up inside every load round (JIT, TCP windows), not counted. */
  readonly warmupMs: number;
  /** Idle WebSocket connections held open for the memory figure. */
  readonly idleConnections: number;
  /** Time per parse round and payload size. */
  readonly parseMs: number;
  /** Measured rounds per parser and payload size: in-process rounds are short, so they get more (tighter intervals). */
  readonly parseRounds: number;
}

export function parseArgs(argv: readonly string[]): BenchSettings {
  let quick = false;
  let write = false;
  let only: string[] = [];
  let idleOverride: number | undefined;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--write') write = true;
    else if (arg.startsWith('--only=')) only = arg.slice('--only='.length).split(',').filter((s) => s.length > 0);
    else if (arg.startsWith('--idle=')) idleOverride = Number(arg.slice('--idle='.length));
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'usage: npm run bench [-- --quick] [--write] [--only=parse,echo,handshakes,idle-memory] [--idle=N]\n' +
          '  --quick  fast smoke run (~30 s), figures are indicative only\n' +
          '  --write  update the figures table in BENCHMARKS.md\n' +
          '  --only   run only the figures whose id contains one of the words (ids: parse-64, parse-16k, parse-1m,\n' +
          '           parse-conn-64, parse-conn-16k-text, echo-64-1, echo-64-50, echo-64-text-50, echo-1mib,\n' +
          '           handshakes, idle-memory)\n' +
          '  env BENCH_SERVER_NODE_OPTIONS: extra Node flags for the server children (e.g. --cpu-prof --cpu-prof-dir=DIR)\n' +
          '  --idle   number of idle connections for the memory figure (default 10000, quick 1000)',
      );
      process.exit(0);
    } else {
      console.error(`bench: unknown argument ${arg} (try --help)`);
      process.exit(2);
    }
  }
  const base = quick
    ? { rounds: 2, sharedLimitRounds: 2, memoryRounds: 1, measureMs: 500, warmupMs: 200, idleConnections: 1000, parseMs: 150, parseRounds: 2 }
    : // 10 rounds: the 95% interval of the paired ratios is then (x2, x9), so one disturbed round cannot decide it
      // alone (stats.ts, medianInterval). Idle memory keeps 6, the fewest with an interval ([min, max]): each of its
      // rounds starts fresh servers and opens 10,000 connections, and its rounds spread little.
      { rounds: 10, sharedLimitRounds: 20, memoryRounds: 6, measureMs: 1500, warmupMs: 500, idleConnections: 10_000, parseMs: 250, parseRounds: 30 };
  const idleConnections =
    idleOverride !== undefined && Number.isInteger(idleOverride) && idleOverride > 0 ? idleOverride : base.idleConnections;
  return { quick, write, only, ...base, idleConnections };
}

export function selected(settings: BenchSettings, scenarioId: string): boolean {
  return settings.only.length === 0 || settings.only.some((word) => scenarioId.includes(word));
}
