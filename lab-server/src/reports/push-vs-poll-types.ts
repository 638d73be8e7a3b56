/**
 * The push-versus-polling experiment's wire contract (issue 5): the HTTP and WebSocket endpoints the four
 * transports use, the events they carry, and the reports the lab server sends to the page that runs the
 * experiment. The lab server, the page and the browser's offline simulation all use these types.
 *
 * Endpoints (all under /pvp/, every request carries `run=RUN&client=K`; the browser's own clients are
 * client 0, clients the server simulates itself over loopback are 1..N):
 *   ws://HOST/pvp/observe                          the page's control and report channel (one run each)
 *   GET  /pvp/poll?run&client&after=SEQ            short poll: 200 JSON PollResponse at once (events may be [])
 *   GET  /pvp/long-poll?run&client&after=SEQ       long poll: held until an event exists after SEQ, or
 *                                                  LONG_POLL_HOLD_MS passed (then 200 with events: [])
 *   GET  /pvp/sse?run&client                       Server-Sent Events: `id: SEQ` + `data: <PushEvent JSON>`
 *   ws://HOST/pvp/ws?run&client                    WebSocket push: one text frame per PushEvent; the client
 *                                                  sends its upstream messages as text frames
 *   POST /pvp/send?run&client&transport=T          upstream over HTTP: body is the UpstreamMessage JSON; 204.
 *                                                  T (poll | long-poll | sse, default poll) is the lane whose
 *                                                  client sent it, so each lane counts its own upstream bytes
 * Unknown run: 404 with a one-line reason. Bad parameters: 400 with a one-line reason.
 */

export const PushTransport = {
  ShortPoll: 'poll',
  LongPoll: 'long-poll',
  Sse: 'sse',
  WebSocket: 'ws',
} as const;
export type PushTransport = (typeof PushTransport)[keyof typeof PushTransport];
export const PUSH_TRANSPORTS: readonly PushTransport[] = Object.values(PushTransport);

/** How long the server holds a long poll with nothing to say before answering with no events. */
export const LONG_POLL_HOLD_MS = 25_000;

/** Start parameters, sent by the page in a `start` command; the server validates every one (400-style error report). */
export interface ExperimentParams {
  /** Seed of the event source: the same seed gives the same events at the same offsets. */
  readonly seed: number;
  /** Mean events per second (0.1 to 50). */
  readonly eventsPerSecond: number;
  /** Short polling: milliseconds between polls (100 to 10,000). */
  readonly pollIntervalMs: number;
  /** Extra clients per transport the lab server runs itself over loopback (0 to 50). */
  readonly simulatedClients: number;
  /** Size of the cookie every HTTP request and the WebSocket handshake carry, bytes (0 to 8,192). */
  readonly cookieBytes: number;
  /** Upstream messages per second each client sends, by POST and by WebSocket frame (0 to 10). */
  readonly upstreamPerSecond: number;
  /** Stop by itself after this many milliseconds (the fixed experiment uses 30,000); 0 = until stopped. */
  readonly durationMs: number;
}

/** One event of the seeded source, as every transport delivers it (JSON). */
export interface PushEvent {
  readonly seq: number;
  /** Milliseconds since the run started, when the event was created on the server. */
  readonly createdAt: number;
  readonly symbol: string;
  readonly price: number;
}

export interface PollResponse {
  readonly events: readonly PushEvent[];
}

/** What a client sends upstream (POST body or WebSocket text frame). */
export interface UpstreamMessage {
  readonly seq: number;
  /** Milliseconds since the run started, on the client's clock as the page reckons it. */
  readonly sentAt: number;
  readonly text: string;
}

/** Bytes split the way the lesson teaches: protocol overhead versus the application's data. */
export interface ByteSplit {
  /** HTTP request/status line and headers, or WebSocket frame headers (and the opening handshake). */
  readonly headers: number;
  /** HTTP bodies (SSE: the event stream's bytes), or WebSocket payloads. */
  readonly payload: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly medianMs: number | null;
  readonly p95Ms: number | null;
}

/** Counters of one transport, summed over its clients (and per client in `clients`). */
export interface TransportStats {
  readonly transport: PushTransport;
  /** HTTP requests received (WebSocket: 1 for the handshake, per client). */
  readonly requests: number;
  /** HTTP responses sent, or WebSocket frames sent. */
  readonly responses: number;
  /** Responses that carried no event (short and long polling). */
  readonly emptyResponses: number;
  readonly eventsDelivered: number;
  /** Events the source produced that some client of this transport has not received (gaps). */
  readonly eventsMissed: number;
  /** Client to server, as counted on the server's sockets. */
  readonly bytesUp: ByteSplit;
  /** Server to client, as counted on the server's sockets. */
  readonly bytesDown: ByteSplit;
  /** From an event's creation to the moment its bytes were handed to the client's socket. */
  readonly latency: LatencySummary;
  readonly upstreamMessages: number;
}

/** A step of one transport's conversation, for the page's sequence diagrams (client 0 only). */
export interface ExchangeReport {
  readonly type: 'exchange';
  readonly t: number;
  readonly transport: PushTransport;
  /** request: client to server; response / event / frame: server to client. */
  readonly kind: 'request' | 'response' | 'event' | 'frame' | 'upstream';
  readonly direction: 'up' | 'down';
  readonly headerBytes: number;
  readonly payloadBytes: number;
  /** Sequence numbers of the events carried (empty for empty polls and requests). */
  readonly events: readonly number[];
  /** A one-line summary such as "GET /pvp/poll?after=12" or "200, 2 events". */
  readonly label: string;
}

export interface StatsReport {
  readonly type: 'stats';
  readonly t: number;
  readonly eventsCreated: number;
  /** Summed over all clients of each transport. */
  readonly transports: Readonly<Record<PushTransport, TransportStats>>;
  /** The browser's own clients (client 0) only: what the lanes show. */
  readonly ownClient: Readonly<Record<PushTransport, TransportStats>>;
  /**
   * Optional: how late the server's event loop ran since the previous stats report, ms (the 99th
   * percentile of timer delays beyond a 10 ms sampling interval). Absent when nothing was sampled (the
   * zeros after a reset). Tens of ms or more mean the figures measure the server's own load (too many
   * simulated clients, a busy machine) more than the transports: the page may say so.
   */
  readonly loopLagMs?: number;
}

export type PushReport =
  | { readonly type: 'hello'; readonly t: number; readonly run: string; readonly longPollHoldMs: number }
  | { readonly type: 'started'; readonly t: number; readonly params: ExperimentParams }
  | { readonly type: 'event-created'; readonly t: number; readonly event: PushEvent }
  | ExchangeReport
  | StatsReport
  | { readonly type: 'stopped'; readonly t: number; readonly reason: 'command' | 'duration' }
  | { readonly type: 'error'; readonly t: number; readonly message: string };

/** What the page sends on /pvp/observe. `start` while running restarts with the new parameters. */
export type PushCommand =
  | { readonly type: 'start'; readonly params: ExperimentParams }
  | { readonly type: 'stop' }
  | { readonly type: 'reset' };

/** How often the server sends a StatsReport while a run is going. */
export const STATS_INTERVAL_MS = 500;
