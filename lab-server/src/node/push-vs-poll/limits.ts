/**
 * Every bound of the push-versus-polling experiment (issue 5), as named constants: what a client or an
 * observer sends can never make the server hold more than these.
 */
export const PushLimits = {
  /** Runs (observer connections) the server keeps at once; one more observer is refused with 503. */
  maxRuns: 8,
  /** Simulated clients running on the whole server, over all runs and transports; a start beyond it is an error report. */
  maxSimulatedClientsPerServer: 400,
  /**
   * Requests and messages per second all simulated clients of the server may cause together, counted as
   * clients × (1000/pollIntervalMs + eventsPerSecond + upstreamPerSecond); a start beyond it is an error report.
   */
  maxSimulatedWorkPerSecond: 5_000,
  /** Events the run remembers for polls that ask from further back and for SSE reconnects (Last-Event-ID). */
  eventHistory: 10_000,
  /** Events in one poll response at most; the client's next poll (after the last one) gets the rest. */
  maxEventsPerResponse: 1_000,
  /**
   * Long polls held at once on the whole server; one more is answered 503 at once. A backstop only: a
   * client holds one long poll at a time (a newer one answers the older), so the runs and clients
   * allowed above hold at most maxRuns × (1 + 50) = 408.
   */
  maxHeldLongPolls: 2_000,
  /** Bytes an SSE stream or a /pvp/ws connection may have waiting in its socket before it is dropped as too slow. */
  maxPushQueueBytes: 256 * 1024,
  /** A POST /pvp/send body larger than this gets 413 (and a WebSocket upstream message 1009). */
  maxUpstreamBodyBytes: 4 * 1024,
  /** Latency samples kept per counter set; beyond this a uniform sample of all deliveries is kept (reservoir). */
  latencySamples: 20_000,
  /** Reports (JSON) queued for a slow observer before further reports are dropped and counted. */
  observerQueueBytes: 1024 * 1024,
  /** Observer socket bytes beyond which reports wait in the bounded queue above. */
  observerSocketHighWater: 64 * 1024,
  /** A start this soon after the previous one is refused: each start opens and closes every simulated client's sockets. */
  minStartIntervalMs: 500,
  /**
   * A stop waits at most this long for its start's closing handshakes (the clients' close frames) and
   * POST bodies under way before it sends the final stats and `stopped`.
   */
  stopSettleMs: 500,
  /** Commands waiting while a stop settles; one more is answered with an error report. */
  maxQueuedCommands: 16,
  /** Commands on /pvp/observe are small JSON; a larger message closes the observer with 1009. */
  maxCommandBytes: 4 * 1024,
} as const;

/** The documented range of every start parameter (push-vs-poll-types.ts), inclusive. */
export const ParamRange = {
  seed: { min: 0, max: 0xffff_ffff, integer: true },
  eventsPerSecond: { min: 0.1, max: 50, integer: false },
  pollIntervalMs: { min: 100, max: 10_000, integer: true },
  simulatedClients: { min: 0, max: 50, integer: true },
  cookieBytes: { min: 0, max: 8_192, integer: true },
  upstreamPerSecond: { min: 0, max: 10, integer: false },
  /** 0 means "until stopped"; otherwise at least a second and at most an hour. */
  durationMs: { min: 0, max: 3_600_000, integer: true },
} as const;

/** durationMs other than 0 must be at least this. */
export const MIN_DURATION_MS = 1_000;
