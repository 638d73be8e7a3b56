/**
 * What the page shows, folded from the report stream (live from /pvp/observe or from the simulation):
 * per lane the recent exchanges for the sequence diagram, the page's own client's counters and the
 * bytes-per-event series; the server-wide totals; and whether a run is going. Pure: a new view per batch.
 */
import {
  PUSH_TRANSPORTS,
  type ExchangeReport,
  type ExperimentParams,
  type PushReport,
  type PushTransport,
  type StatsReport,
  type TransportStats,
} from '../../../lab-server/src/reports/push-vs-poll-types.ts';
import { bytesPerEvent, emptyStats } from './stats.ts';

/** The sequence diagram shows this much of the recent past. */
export const DIAGRAM_WINDOW_MS = 4000;
/** At most this many arrows per lane are kept (a fast WebSocket lane sends dozens a second). */
const MAX_EXCHANGES = 120;
/** Enough points for a smooth chart of a long run; older points are thinned, never the newest. */
const MAX_SERIES_POINTS = 240;

export interface SeriesPoint {
  readonly t: number;
  readonly value: number;
}

/** An exchange with a number that stays its own while it scrolls through the diagram (a stable key). */
export interface NumberedExchange {
  readonly id: number;
  readonly report: ExchangeReport;
}

export interface LaneView {
  readonly transport: PushTransport;
  readonly exchanges: readonly NumberedExchange[];
  /** Exchanges seen in this run, for numbering. */
  readonly seen: number;
  readonly stats: TransportStats;
  /** Bytes (both ways, headers and payload) per delivered event, as the run went on. */
  readonly bytesPerEvent: readonly SeriesPoint[];
}

export type RunState = 'idle' | 'running' | 'stopped';

export interface PvpView {
  readonly run: string | null;
  readonly state: RunState;
  readonly params: ExperimentParams | null;
  /** Time of the newest report, ms since the run started. */
  readonly t: number;
  readonly eventsCreated: number;
  readonly lanes: Readonly<Record<PushTransport, LaneView>>;
  /** All clients of each transport, the page's and the server's simulated ones. */
  readonly totals: StatsReport['transports'] | null;
  readonly stoppedReason: 'command' | 'duration' | null;
  readonly error: string | null;
  /** Largest event-loop delay (p99 per stats report) the lab server reported during this run; null if none. */
  readonly maxLoopLagMs: number | null;
}

/**
 * From this event-loop delay on, the lab server says its own load is part of the measured delays (a 100 ms
 * short-polling interval is the finest the experiment offers; half of it is where figures stop being clean).
 */
export const LOAD_BOUND_LAG_MS = 50;

/** Whether the run's delays include the lab server's own load (simulated clients, a busy machine). */
export function isLoadBound(view: PvpView): boolean {
  return view.maxLoopLagMs !== null && view.maxLoopLagMs >= LOAD_BOUND_LAG_MS;
}

function emptyLanes(): Record<PushTransport, LaneView> {
  const lanes = {} as Record<PushTransport, LaneView>;
  for (const transport of PUSH_TRANSPORTS) lanes[transport] = { transport, exchanges: [], seen: 0, stats: emptyStats(transport), bytesPerEvent: [] };
  return lanes;
}

export function initialView(run: string | null = null): PvpView {
  return { run, state: 'idle', params: null, t: 0, eventsCreated: 0, lanes: emptyLanes(), totals: null, stoppedReason: null, error: null, maxLoopLagMs: null };
}

function thin(series: readonly SeriesPoint[]): SeriesPoint[] {
  if (series.length <= MAX_SERIES_POINTS) return [...series];
  // Keep every other point of the older half: the shape survives, the length stays bounded.
  const half = Math.floor(series.length / 2);
  return [...series.slice(0, half).filter((_, i) => i % 2 === 0), ...series.slice(half)];
}

/** Applies a batch of reports in order; returns a new view (the old one is left as it was). */
export function applyReports(view: PvpView, reports: readonly PushReport[]): PvpView {
  if (reports.length === 0) return view;
  let next: PvpView = view;
  const lanes = { ...view.lanes };
  const exchanges = new Map<PushTransport, NumberedExchange[]>(PUSH_TRANSPORTS.map((t) => [t, [...lanes[t].exchanges]]));
  const seen = new Map<PushTransport, number>(PUSH_TRANSPORTS.map((t) => [t, lanes[t].seen]));
  for (const report of reports) {
    switch (report.type) {
      case 'hello':
        next = { ...initialView(report.run), error: null };
        for (const transport of PUSH_TRANSPORTS) {
          lanes[transport] = next.lanes[transport];
          exchanges.set(transport, []);
          seen.set(transport, 0);
        }
        break;
      case 'started':
        next = { ...next, state: 'running', params: report.params, t: report.t, eventsCreated: 0, totals: null, stoppedReason: null, error: null, maxLoopLagMs: null };
        for (const transport of PUSH_TRANSPORTS) {
          lanes[transport] = { transport, exchanges: [], seen: 0, stats: emptyStats(transport), bytesPerEvent: [] };
          exchanges.set(transport, []);
          seen.set(transport, 0);
        }
        break;
      case 'event-created':
        next = { ...next, t: Math.max(next.t, report.t) };
        break;
      case 'exchange': {
        const id = (seen.get(report.transport) ?? 0) + 1;
        seen.set(report.transport, id);
        exchanges.get(report.transport)?.push({ id, report });
        next = { ...next, t: Math.max(next.t, report.t) };
        break;
      }
      case 'stats':
        for (const transport of PUSH_TRANSPORTS) {
          const stats = report.ownClient[transport];
          const value = bytesPerEvent(stats);
          const series = value === null ? lanes[transport].bytesPerEvent : thin([...lanes[transport].bytesPerEvent, { t: report.t, value }]);
          lanes[transport] = { ...lanes[transport], stats, bytesPerEvent: series };
        }
        next = { ...next, t: Math.max(next.t, report.t), eventsCreated: report.eventsCreated, totals: report.transports };
        if (report.loopLagMs !== undefined) next = { ...next, maxLoopLagMs: Math.max(next.maxLoopLagMs ?? 0, report.loopLagMs) };
        break;
      case 'stopped':
        next = { ...next, state: 'stopped', stoppedReason: report.reason, t: Math.max(next.t, report.t) };
        break;
      case 'error':
        next = { ...next, error: report.message };
        break;
    }
  }
  for (const transport of PUSH_TRANSPORTS) {
    const kept = exchanges.get(transport) ?? [];
    const recent = kept.filter(({ report }) => report.t >= next.t - DIAGRAM_WINDOW_MS * 1.5).slice(-MAX_EXCHANGES);
    lanes[transport] = { ...lanes[transport], exchanges: recent, seen: seen.get(transport) ?? 0 };
  }
  return { ...next, lanes };
}

/** How the sequence diagram draws an exchange. */
export type ArrowKind = 'request' | 'data' | 'empty' | 'push' | 'upstream' | 'ack' | 'setup';

export function arrowKind(exchange: ExchangeReport): ArrowKind {
  switch (exchange.kind) {
    case 'request': return 'request';
    case 'upstream': return 'upstream';
    case 'event': case 'frame': return 'push';
    case 'response':
      if (exchange.events.length > 0) return 'data';
      if (/^(204|101)\b/.test(exchange.label) || exchange.label.includes('event-stream')) return /^204\b/.test(exchange.label) ? 'ack' : 'setup';
      return 'empty';
  }
}
