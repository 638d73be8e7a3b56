/** The machine and process facts printed with every run (and written into BENCHMARKS.md with --write). */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

export interface EnvInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly wsVersion: string;
  readonly openFiles: { readonly soft: string; readonly hard: string };
}

/** The soft and hard open-file limits this process passes on to children (read through a child shell). */
export function openFileLimits(): { soft: string; hard: string } {
  const read = (flag: string): string => {
    try {
      return execFileSync('/bin/sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return { soft: read('-Sn'), hard: read('-Hn') };
}

export function envInfo(wsVersion: string): EnvInfo {
  const cpuList = cpus();
  return {
    cores: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    wsVersion,
    openFiles: openFileLimits(),
  };
}

export function formatLoad(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
}

export function describeEnv(env: EnvInfo): string {
  return (
    `${env.cores} cores (${env.cpuModel}), ${env.memoryGiB} GiB RAM, Node ${env.node}, ws ${env.wsVersion}, ` +
    `ulimit -n soft ${env.openFiles.soft} / hard ${env.openFiles.hard}`
  );
}
