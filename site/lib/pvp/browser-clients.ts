/**
 * The page's own clients (client 0), one per transport, using what a browser really has: fetch() loops
 * for short and long polling, EventSource for SSE, WebSocket for push over a WebSocket. Upstream
 * messages go as POST /pvp/send on the HTTP transports and as text frames on the WebSocket. The lab
 * server counts their bytes on its sockets and reports them; the page only runs them and notes trouble.
 */
import {
  PushTransport,
  type ExperimentParams,
  type PollResponse,
  type PushTransport as Transport,
  type UpstreamMessage,
} from '../../../lab-server/src/reports/push-vs-poll-types.ts';

export interface BrowserClientOptions {
  /** "http://host:port", the lab server's origin (the page's own). */
  readonly origin: string;
  readonly run: string;
  readonly params: ExperimentParams;
  /** Something went wrong on one transport, in one readable line. */
  readonly onProblem: (transport: Transport, message: string) => void;
  /** An event arrived at the page on this transport. */
  readonly onEvents?: (transport: Transport, count: number) => void;
}

export interface BrowserClients {
  stop(): void;
}

/** The page's clients are client 0 (the contract's numbering). */
const OWN_CLIENT = 0;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

async function readProblem(response: Response): Promise<string> {
  const text = (await response.text().catch(() => '')).split('\n')[0]?.slice(0, 200) ?? '';
  return `${response.status}${text === '' ? '' : `: ${text}`}`;
}

export function startBrowserClients(options: BrowserClientOptions): BrowserClients {
  const { origin, run, params, onProblem } = options;
  const onEvents = options.onEvents ?? (() => {});
  const controller = new AbortController();
  const { signal } = controller;
  const started = performance.now();
  const query = `run=${encodeURIComponent(run)}&client=${OWN_CLIENT}`;
  const httpUrl = (path: string): string => `${origin}${path}?${query}`;
  const wsUrl = (path: string): string => `${origin.replace(/^http/, 'ws')}${path}?${query}`;

  /** Short polling waits out the interval between the starts of two polls; long polling asks again at once. */
  const pollLoop = async (transport: Transport, path: string, intervalMs: number): Promise<void> => {
    let after = 0;
    while (!signal.aborted) {
      const sentAt = performance.now();
      try {
        const response = await fetch(`${httpUrl(path)}&after=${after}`, { signal, cache: 'no-store' });
        if (!response.ok) return onProblem(transport, `${path} answered ${await readProblem(response)}`);
        const body = (await response.json()) as PollResponse;
        for (const event of body.events) after = Math.max(after, event.seq);
        if (body.events.length > 0) onEvents(transport, body.events.length);
      } catch (error) {
        if (!signal.aborted) onProblem(transport, `${path} failed: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      await sleep(Math.max(0, intervalMs - (performance.now() - sentAt)), signal);
    }
  };
  void pollLoop(PushTransport.ShortPoll, '/pvp/poll', params.pollIntervalMs);
  void pollLoop(PushTransport.LongPoll, '/pvp/long-poll', 0);

  const source = new EventSource(httpUrl('/pvp/sse'));
  source.onmessage = () => onEvents(PushTransport.Sse, 1);
  source.onerror = () => {
    // EventSource reconnects by itself after a dropped stream; CLOSED means it gave up (e.g. a 4xx answer).
    if (!signal.aborted && source.readyState === EventSource.CLOSED) onProblem(PushTransport.Sse, '/pvp/sse was refused or failed; EventSource gave up');
  };

  const socket = new WebSocket(wsUrl('/pvp/ws'));
  socket.onmessage = () => onEvents(PushTransport.WebSocket, 1);
  socket.onclose = (event) => {
    // 1000 is the server ending the run's connections (RFC 6455 §7.4.1); anything else is worth saying.
    if (!signal.aborted && event.code !== 1000) onProblem(PushTransport.WebSocket, `/pvp/ws closed: ${event.code}${event.reason === '' ? '' : ` ${event.reason}`}`);
  };

  let upstreamSeq = 0;
  const sendUpstream = (): void => {
    upstreamSeq++;
    const message = (client: string): string => {
      const body: UpstreamMessage = { seq: upstreamSeq, sentAt: Math.round((performance.now() - started) * 1000) / 1000, text: `hello ${upstreamSeq} from ${client}` };
      return JSON.stringify(body);
    };
    for (const transport of [PushTransport.ShortPoll, PushTransport.LongPoll, PushTransport.Sse]) {
      fetch(`${httpUrl('/pvp/send')}&transport=${transport}`, {
        method: 'POST', signal, headers: { 'Content-Type': 'application/json' }, body: message(transport),
      }).then(async (response) => {
        if (!response.ok) onProblem(transport, `/pvp/send answered ${await readProblem(response)}`);
      }, (error: unknown) => {
        if (!signal.aborted) onProblem(transport, `/pvp/send failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    if (socket.readyState === WebSocket.OPEN) socket.send(message('ws'));
  };
  const upstreamTimer = params.upstreamPerSecond > 0 ? setInterval(sendUpstream, 1000 / params.upstreamPerSecond) : undefined;

  return {
    stop() {
      if (signal.aborted) return;
      controller.abort();
      clearInterval(upstreamTimer);
      source.close();
      socket.onclose = null;
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close(1000, 'experiment stopped');
    },
  };
}
