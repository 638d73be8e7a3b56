/**
 * The simulated clients' own thread (node:worker_threads). In the server's thread they would compete
 * with the server for its event loop, and the figures would measure that contest rather than the
 * transports. Here they run the same client code (simulated-clients.ts) over real loopback sockets.
 *
 * Messages: the server sends `start` (with the target) and `stop`; the worker sends `log` lines. After
 * `stop` the clients close their sockets and the thread ends by itself once they are gone (the server
 * terminates it after a bounded grace anyway).
 */
import { parentPort } from 'node:worker_threads';
import { startSimulatedClients } from './simulated-clients.ts';
import type { SimulatedTarget } from './simulated-http.ts';

export type SimulatedTargetData = Omit<SimulatedTarget, 'log'>;

export type ToSimulatedWorker =
  | { readonly type: 'start'; readonly target: SimulatedTargetData }
  | { readonly type: 'stop' };

export interface FromSimulatedWorker {
  readonly type: 'log';
  readonly line: string;
}

const port = parentPort;
if (port !== null) {
  let stop: (() => void) | null = null;
  let stopped = false;
  const log = (line: string): void => {
    // After the stop, refusals of requests still on their way (404, 409) are expected: no noise.
    if (!stopped) port.postMessage({ type: 'log', line } satisfies FromSimulatedWorker);
  };
  port.on('message', (message: ToSimulatedWorker) => {
    if (message.type === 'start' && stop === null && !stopped) {
      stop = startSimulatedClients({ ...message.target, log });
    } else if (message.type === 'stop') {
      stopped = true;
      stop?.();
      port.close();
    }
  });
}
