/**
 * The lab server in a child process started with --expose-gc, so that abuse tests can measure the SERVER's memory
 * (heapUsed + arrayBuffers after full garbage collections) without a vitest config change, and without the test
 * client's own allocations polluting the figures.
 *
 * Parent side: startChildServer(). Child side: this same file run with WIRE_CHILD_SERVER=1 (see the bottom).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildMemory {
  readonly heapUsed: number;
  readonly arrayBuffers: number;
  readonly external: number;
  readonly connectionCount: number;
}

export interface ChildServer {
  readonly port: number;
  memory(): Promise<ChildMemory>;
  connectionCount(): Promise<number>;
  /** The child's last log lines (its log option), for diagnostics. */
  logs(): Promise<string[]>;
  close(): Promise<void>;
}

type Request = { readonly id: number; readonly cmd: 'memory' | 'count' | 'logs' | 'close' };
type Reply = { readonly id: number; readonly value: unknown };

export interface ChildServerOptions {
  readonly handshakeTimeoutMs?: number;
  readonly maxHeadBytes?: number;
  readonly maxMessageBytes?: number;
  readonly observerQueueBytes?: number;
}

export function startChildServer(options: ChildServerOptions = {}): Promise<ChildServer> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, WIRE_CHILD_SERVER: '1', WIRE_CHILD_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, (value: unknown) => void>();
  child.on('message', (message: Reply | { ready: number }) => {
    if ('id' in message) {
      pending.get(message.id)?.(message.value);
      pending.delete(message.id);
    }
  });
  const ask = <T>(cmd: Request['cmd']): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`child server did not answer ${cmd}`)), 20_000);
      pending.set(id, (value) => {
        clearTimeout(timer);
        resolve(value as T);
      });
      child.send({ id, cmd } satisfies Request);
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`child server exited early with ${code}`)));
    child.on('message', (message: Reply | { ready: number }) => {
      if (!('ready' in message)) return;
      resolve({
        port: message.ready,
        memory: () => ask<ChildMemory>('memory'),
        connectionCount: () => ask<number>('count'),
        logs: () => ask<string[]>('logs'),
        close: async () => {
          const exited = new Promise<void>((done) => child.once('exit', () => done()));
          await ask('close').catch(() => undefined);
          await exited;
        },
      });
    });
  });
}

async function childMain(): Promise<void> {
  const { startLabServer } = await import('../../src/node/server.ts');
  const options = JSON.parse(process.env['WIRE_CHILD_OPTIONS'] ?? '{}') as ChildServerOptions;
  const logs: string[] = [];
  const server = await startLabServer({
    port: 0,
    host: '127.0.0.1',
    log: (line: string) => {
      if (logs.length >= 200) logs.shift();
      logs.push(line);
    },
    ...options,
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('child server needs --expose-gc');
  process.on('message', async (request: Request) => {
    let value: unknown = null;
    if (request.cmd === 'memory') {
      // Several passes plus a macrotask between them, so that weak/finalization work and freed buffers settle.
      for (let i = 0; i < 4; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      const usage = process.memoryUsage();
      value = {
        heapUsed: usage.heapUsed,
        arrayBuffers: usage.arrayBuffers,
        external: usage.external,
        connectionCount: server.connectionCount(),
      } satisfies ChildMemory;
    } else if (request.cmd === 'count') {
      value = server.connectionCount();
    } else if (request.cmd === 'logs') {
      value = logs.slice();
    } else {
      await server.close();
      process.send?.({ id: request.id, value: null } satisfies Reply);
      process.disconnect?.();
      process.exit(0);
    }
    process.send?.({ id: request.id, value } satisfies Reply);
  });
  process.send?.({ ready: server.port });
}

if (process.env['WIRE_CHILD_SERVER'] === '1') {
  childMain().catch((error: unknown) => {
    console.error('child server failed:', error);
    process.exit(1);
  });
}
