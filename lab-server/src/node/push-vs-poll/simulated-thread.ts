/**
 * The server's side of the simulated clients' thread (simulated-worker.ts): one worker per start that
 * has simulated clients, told to start, told to stop, and terminated after a bounded grace.
 */
import { Worker } from 'node:worker_threads';
import { LOG_PREFIX, type LogSink } from '../log.ts';
import type { FromSimulatedWorker, SimulatedTargetData, ToSimulatedWorker } from './simulated-worker.ts';

/** After `stop`, the clients get this long to close their sockets before their thread is terminated. */
export const SIMULATED_STOP_GRACE_MS = 1_000;

const WORKER_URL = new URL('./simulated-worker.ts', import.meta.url);

/**
 * Stops the clients: they close their sockets (a reset under them would be logged by the server as a
 * socket error for each), and their thread is terminated after SIMULATED_STOP_GRACE_MS at the latest.
 */
export type StopSimulated = () => void;

export function startSimulatedThread(target: SimulatedTargetData, log: LogSink): StopSimulated {
  const worker = new Worker(WORKER_URL);
  let stopping = false;
  worker.on('message', (message: FromSimulatedWorker) => {
    if (message.type === 'log' && !stopping) log(message.line);
  });
  worker.on('error', (error) => {
    log(`${LOG_PREFIX} push-vs-poll: the simulated clients' thread failed: ${error.message}`);
  });
  worker.postMessage({ type: 'start', target } satisfies ToSimulatedWorker);
  return () => {
    if (stopping) return;
    stopping = true;
    worker.postMessage({ type: 'stop' } satisfies ToSimulatedWorker);
    const timer = setTimeout(() => void worker.terminate(), SIMULATED_STOP_GRACE_MS);
    worker.once('exit', () => clearTimeout(timer));
  };
}
