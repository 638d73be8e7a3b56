/**
 * Starts a server child (lab or ws) and talks to it over IPC. The child runs under `sh -c 'ulimit -n ...; exec node'`
 * so its soft open-file limit is raised to the hard limit (10,000 idle connections need 10,000+ descriptors).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromChild, ReadyMessage, Sample, ToChild } from './child-protocol.ts';

export type ServerKind = 'lab' | 'ws';

export const SERVER_KINDS: readonly ServerKind[] = ['lab', 'ws'];

const ENTRY: Record<ServerKind, string> = {
  lab: fileURLToPath(new URL('./lab-echo.ts', import.meta.url)),
  ws: fileURLToPath(new URL('./ws-echo.ts', import.meta.url)),
};

const START_TIMEOUT_MS = 15_000;
const SAMPLE_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export interface ServerHandle {
  readonly kind: ServerKind;
  readonly url: string;
  readonly info: string;
  readonly pid: number;
  sample(gc: boolean): Promise<Sample>;
  stop(): Promise<void>;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * Extra Node flags for the server children, e.g. BENCH_SERVER_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof'
 * to profile the servers under load (one .cpuprofile per child).
 */
function extraNodeFlags(): string {
  const flags = process.env['BENCH_SERVER_NODE_OPTIONS'] ?? '';
  return flags
    .split(/\s+/)
    .filter((flag) => flag.length > 0)
    .map(quote)
    .join(' ');
}

export function startServer(kind: ServerKind): Promise<ServerHandle> {
  const node = `${quote(process.execPath)} --expose-gc ${extraNodeFlags()}`;
  const command = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${node} ${quote(ENTRY[kind])}`;
  const child: ChildProcess = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const pending = new Map<number, (sample: Sample) => void>();
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  return new Promise<ServerHandle>((resolve, reject) => {
    const startTimer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind} server did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(startTimer);
      reject(new Error(`${kind} server exited with code ${code} before it was ready`));
    });
    child.on('message', (message: FromChild) => {
      if (message.type === 'sample') {
        pending.get(message.id)?.(message.sample);
        pending.delete(message.id);
        return;
      }
      clearTimeout(startTimer);
      const ready: ReadyMessage = message;
      resolve({
        kind,
        url: `ws://127.0.0.1:${ready.port}${ready.path}`,
        info: ready.info,
        pid: child.pid ?? -1,
        sample: (gc) =>
          new Promise<Sample>((done, fail) => {
            if (exited) {
              fail(new Error(`${kind} server has exited`));
              return;
            }
            const id = nextId++;
            const timer = setTimeout(() => {
              pending.delete(id);
              fail(new Error(`${kind} server did not answer a sample request`));
            }, SAMPLE_TIMEOUT_MS);
            pending.set(id, (sample) => {
              clearTimeout(timer);
              done(sample);
            });
            const request: ToChild = { type: 'sample', id, gc };
            child.send(request);
          }),
        stop: async () => {
          if (exited) return;
          const request: ToChild = { type: 'stop' };
          child.send(request);
          const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exitPromise;
          clearTimeout(killTimer);
        },
      });
    });
  });
}
