/**
 * Where the reports come from: the lab server's /pvp/observe channel (live, with the page's real clients
 * on the wire), or the in-browser simulation when no lab server answers. Both feed the same sink with
 * the same PushReport shapes, so the page draws them alike and only the label differs.
 */
import {
  LONG_POLL_HOLD_MS,
  type ExperimentParams,
  type PushCommand,
  type PushReport,
  type PushTransport,
} from '../../../lab-server/src/reports/push-vs-poll-types.ts';
import { startBrowserClients, type BrowserClients } from './browser-clients.ts';
import { applyPaddingCookie } from './padding-cookie.ts';
import { createSimulation, type Simulation, type SimulationEnvironment } from './simulation.ts';

export type SessionMode = 'live' | 'simulation';
export type ReportSink = (reports: readonly PushReport[]) => void;

export interface PvpSession {
  readonly mode: SessionMode;
  start(params: ExperimentParams): void;
  stop(): void;
  reset(): void;
  close(): void;
}

/** How often the simulation is advanced to the wall clock. */
const SIMULATION_TICK_MS = 100;
/** A client's trouble is reported only if its run is still going this much later (see onProblem). */
const PROBLEM_GRACE_MS = 1000;
/** How long to wait for the lab server's hello before falling back to the simulation. */
export const LIVE_HELLO_TIMEOUT_MS = 2500;

export function simulationSession(sink: ReportSink, env: Omit<SimulationEnvironment, 'run'>): PvpSession {
  let simulation: Simulation | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let startedAt = 0;
  let runs = 0;
  const halt = (): void => {
    clearInterval(timer);
    timer = undefined;
  };
  const hello = (): void => sink([{ type: 'hello', t: 0, run: `simulation-${runs}`, longPollHoldMs: LONG_POLL_HOLD_MS }]);
  hello();
  return {
    mode: 'simulation',
    start(params) {
      halt();
      runs++;
      hello();
      const current = createSimulation(params, { ...env, run: `simulation-${runs}` });
      simulation = current;
      startedAt = performance.now();
      sink([{ type: 'started', t: 0, params }]);
      timer = setInterval(() => {
        sink(current.advanceTo(performance.now() - startedAt));
        if (current.stopped) halt();
      }, SIMULATION_TICK_MS);
    },
    stop() {
      halt();
      if (simulation !== null) sink(simulation.stop(performance.now() - startedAt));
    },
    reset() {
      halt();
      simulation = null;
      hello();
    },
    close() {
      halt();
    },
  };
}

/**
 * Opens /pvp/observe and resolves with a live session once the server's hello arrived, or with null
 * when nothing answers in time (static hosting, an older lab server, a refusal).
 */
export function connectLive(
  origin: string,
  sink: ReportSink,
  /** The page's own clients saw events arrive (their side of the count the server reports). */
  onReceived: (transport: PushTransport, count: number) => void = () => {},
  timeoutMs = LIVE_HELLO_TIMEOUT_MS,
): Promise<PvpSession | null> {
  return new Promise((resolve) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/pvp/observe`);
    } catch {
      resolve(null);
      return;
    }
    let run: string | null = null;
    let clients: BrowserClients | null = null;
    let closing = false;
    const stopClients = (): void => {
      clients?.stop();
      clients = null;
    };
    const giveUp = setTimeout(() => {
      socket.onclose = null;
      socket.close();
      resolve(null);
    }, timeoutMs);
    const send = (command: PushCommand): void => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(command));
    };
    const session: PvpSession = {
      mode: 'live',
      start(params) {
        stopClients();
        applyPaddingCookie(document, params.cookieBytes);
        send({ type: 'start', params });
      },
      stop() {
        send({ type: 'stop' });
      },
      reset() {
        stopClients();
        applyPaddingCookie(document, 0);
        send({ type: 'reset' });
      },
      close() {
        closing = true;
        stopClients();
        applyPaddingCookie(document, 0);
        socket.close(1000, 'page left');
      },
    };
    const problem = (message: string): void => sink([{ type: 'error', t: 0, message }]);
    socket.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let report: PushReport;
      try {
        report = JSON.parse(message.data) as PushReport;
      } catch {
        problem('The lab server sent a report that is not JSON.');
        return;
      }
      if (report.type === 'hello' && run === null) {
        clearTimeout(giveUp);
        run = report.run;
        resolve(session);
      }
      if (report.type === 'started' && run !== null) {
        stopClients();
        const started = startBrowserClients({
          origin, run, params: report.params, onEvents: onReceived,
          // The server ends a run's streams just before its `stopped` report arrives: a problem counts only
          // if these clients are still the running ones a moment later.
          onProblem: (transport, text) => setTimeout(() => {
            if (clients === started) problem(`${transport}: ${text}`);
          }, PROBLEM_GRACE_MS),
        });
        clients = started;
      }
      if (report.type === 'stopped') stopClients();
      sink([report]);
    };
    socket.onclose = (event) => {
      stopClients();
      if (run === null) {
        clearTimeout(giveUp);
        resolve(null);
      } else if (!closing) {
        problem(`The lab server closed the report channel (${event.code}${event.reason === '' ? '' : `: ${event.reason}`}). Reload the page to reconnect.`);
      }
    };
  });
}
