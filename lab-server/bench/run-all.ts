/**
 * `npm run bench`: lab server against `ws`, same run, alternating rounds, medians and ratios (>= 1.0x means the lab
 * is at least as good). `--quick` for a ~30 s smoke run, `--write` to update BENCHMARKS.md. Nothing else is written.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { formatTable, formatMarkdownTable, standing, type Figure, type Standing } from './report.ts';
import { INTERVAL_CONFIDENCE } from './stats.ts';
import { parseArgs, selected, type BenchSettings } from './options.ts';
import { describeEnv, envInfo, formatLoad, openFileLimits } from './env-info.ts';
import { BENCHMARKS_MD, writeFiguresBlock } from './benchmarks-md.ts';
import { nativeAddonReport } from './servers/native-addons.ts';
import { startServer, type ServerHandle, type ServerKind } from './servers/spawn-server.ts';
import { PARSE_CASES, runParseFigures } from './scenarios/parse.ts';
import { ECHO_CASES, runEchoFigures } from './scenarios/echo.ts';
import { runHandshakeFigures } from './scenarios/handshakes.ts';
import { runIdleMemoryFigures } from './scenarios/idle-memory.ts';

const require = createRequire(import.meta.url);
const settings: BenchSettings = parseArgs(process.argv.slice(2));

/** Descriptors the bench process needs for the idle figure: its clients plus slack. */
const FD_SLACK = 2000;
/** The whole run is bounded: a hang must not outlive this. */
const RUN_DEADLINE_MS = settings.quick ? 3 * 60_000 : 10 * 60_000;

// The load generator itself holds the client side of every idle connection: raise our own soft limit by
// re-executing under `ulimit -n <hard>` once, when it is too low (Node cannot raise it in-process).
const limits = openFileLimits();
if (
  process.env['BENCH_ULIMIT_RAISED'] !== '1' &&
  Number(limits.soft) < settings.idleConnections + FD_SLACK &&
  limits.soft !== limits.hard
) {
  const args = process.argv.slice(1).map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(' ');
  const result = spawnSync('/bin/sh', ['-c', `ulimit -n "$(ulimit -Hn)"; exec '${process.execPath}' ${args}`], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_ULIMIT_RAISED: '1' },
  });
  process.exit(result.status ?? 1);
}

const log = (line: string): void => console.log(line);
const failures: string[] = [];
const figures: Figure[] = [];

async function step(id: string, run: () => Promise<Figure[]>): Promise<void> {
  const started = performance.now();
  log(`\n[${id}]  load average ${formatLoad()}`);
  try {
    figures.push(...(await run()));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push(`${id}: ${message}`);
    log(`  FAILED: ${message}`);
  }
  log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

async function withServers(run: (servers: Record<ServerKind, ServerHandle>) => Promise<Figure[]>): Promise<Figure[]> {
  const started: ServerHandle[] = [];
  try {
    const lab = await startServer('lab');
    started.push(lab);
    const ws = await startServer('ws');
    started.push(ws);
    log(`  lab: ${lab.url}  ${lab.info}`);
    log(`  ws:  ${ws.url}  ${ws.info}`);
    return await run({ lab, ws });
  } finally {
    await Promise.all(started.map((server) => server.stop()));
  }
}

const STANDING_WORDS: Record<Standing, string> = {
  ahead: 'ahead of ws beyond the noise (interval above 1.00x)',
  level: 'level with ws within the noise (interval contains 1.00x)',
  behind: 'behind ws beyond the noise (interval below 1.00x)',
  unknown: 'too few rounds for an interval',
};

/** Which headline figures the lab leads, matches or trails beyond round-to-round noise. */
function standingSummary(all: readonly Figure[]): string {
  const groups = new Map<Standing, string[]>();
  for (const figure of all) {
    if (figure.diagnostic === true) continue;
    const key = standing(figure);
    groups.set(key, [...(groups.get(key) ?? []), figure.id]);
  }
  const lines = [...groups].map(([key, ids]) => `- ${STANDING_WORDS[key]}: ${ids.join(', ')}`);
  return [`Standing (${INTERVAL_CONFIDENCE * 100}% interval of the paired round ratios):`, ...lines].join('\n');
}

async function main(): Promise<void> {
  const wsVersion = (require('ws/package.json') as { version: string }).version;
  const env = envInfo(wsVersion);
  const startedAt = new Date();
  const loadAtStart = formatLoad();
  log(`bench: ${settings.quick ? 'QUICK smoke run (indicative only)' : 'full run'}, ${startedAt.toISOString()}`);
  log(`machine: ${describeEnv(env)}`);
  log(`load average at start: ${loadAtStart}`);
  log(`bench process (the ws load generator): ${nativeAddonReport()}`);
  log(
    `rounds: ${settings.rounds} per server and figure (echo-1mib and handshakes ${settings.sharedLimitRounds}; alternating lab, ws), ${settings.measureMs} ms measured after ` +
      `${settings.warmupMs} ms warm-up; parse: ${settings.parseRounds} rounds of ${settings.parseMs} ms; idle figure: ${settings.idleConnections} connections x ${settings.memoryRounds} rounds`,
  );

  const any = (ids: readonly string[]): boolean => ids.some((id) => selected(settings, id));
  if (any(PARSE_CASES.map((c) => c.id))) await step('parse', () => runParseFigures(settings, log));
  const runEcho = any(ECHO_CASES.map((c) => c.id));
  const runHandshakes = selected(settings, 'handshakes');
  if (runEcho || runHandshakes) {
    // Both servers run for the whole network part; rounds alternate between them.
    await step('network', () =>
      withServers(async (servers) => [
        ...(runEcho ? await runEchoFigures(settings, servers, log) : []),
        ...(runHandshakes ? await runHandshakeFigures(settings, servers, log) : []),
      ]),
    );
  }
  if (selected(settings, 'idle-memory')) await step('idle-memory', () => runIdleMemoryFigures(settings, log));

  const loadAtEnd = formatLoad();
  const elapsed = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0);
  log(`\nResults (median of ${settings.rounds} rounds, echo-1mib and handshakes ${settings.sharedLimitRounds}, parse ${settings.parseRounds}; ratio >= 1.00x means lab at least as good as ws; (diag) rows are diagnostics)`);
  log(formatTable(figures));
  const standings = standingSummary(figures);
  log(`\n${standings}`);
  log(`\nload average at start: ${loadAtStart}; at end: ${loadAtEnd}; run took ${elapsed} s`);
  if (failures.length > 0) log(`\nFAILED scenarios:\n  ${failures.join('\n  ')}`);

  if (settings.write) {
    if (settings.quick || settings.only.length > 0) {
      log('\n--write ignored: BENCHMARKS.md takes only a full run of every figure (no --quick, no --only)');
    } else {
      const block = [
        `Run of ${startedAt.toISOString().slice(0, 10)} (${elapsed} s): ${describeEnv(env)}.`,
        `Load average (1, 5, 15 min) at start: ${loadAtStart}; at end: ${loadAtEnd} (the end includes the benchmark's own load: ` +
          'the server under test and the load generator keep both cores busy).',
        `Median of ${settings.rounds} alternating rounds per server (echo-1mib and handshakes: ${settings.sharedLimitRounds}; idle memory: ${settings.memoryRounds} rounds of ` +
          `${settings.idleConnections.toLocaleString('en-US')} connections; parse figures: ${settings.parseRounds} rounds). ` +
          'Ratio >= 1.00x means the lab is at least as good as ws. The 95% interval is that of the median of the per-round ' +
          'ratios (each lab round against the ws round right after it; see "How it measures").',
        '',
        formatMarkdownTable(figures),
        '',
        standings,
        ...(failures.length > 0 ? ['', `Failed scenarios: ${failures.join('; ')}`] : []),
      ].join('\n');
      await writeFiguresBlock(block);
      log(`\nupdated ${BENCHMARKS_MD}`);
    }
  }
  process.exitCode = failures.length > 0 ? 1 : 0;
}

const deadline = setTimeout(() => {
  console.error(`bench: run exceeded ${RUN_DEADLINE_MS / 1000} s; stopping`);
  process.exit(1);
}, RUN_DEADLINE_MS);
deadline.unref();

await main();
