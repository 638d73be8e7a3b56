/**
 * Arithmetic on the experiment's counters: percentiles, latency summaries, byte splits and the ratios
 * the lanes and the results table show. Shared by the simulation and the page, so both reckon alike.
 */
import type { ByteSplit, LatencySummary, PushTransport, TransportStats } from '../../../lab-server/src/reports/push-vs-poll-types.ts';

/** Nearest-rank percentile (p in 0..100) of already sorted values; null when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export function summarizeLatency(values: readonly number[]): LatencySummary {
  // A typed array sorts numerically and natively: tens of thousands of samples every half second stay cheap.
  const sorted = Float64Array.from(values).sort();
  return { count: sorted.length, medianMs: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
}

export const NO_BYTES: ByteSplit = { headers: 0, payload: 0 };

export function addBytes(a: ByteSplit, b: ByteSplit): ByteSplit {
  return { headers: a.headers + b.headers, payload: a.payload + b.payload };
}

export function emptyStats(transport: PushTransport): TransportStats {
  return {
    transport, requests: 0, responses: 0, emptyResponses: 0, eventsDelivered: 0, eventsMissed: 0,
    bytesUp: NO_BYTES, bytesDown: NO_BYTES, latency: { count: 0, medianMs: null, p95Ms: null }, upstreamMessages: 0,
  };
}

export function totalBytes(stats: TransportStats): number {
  return stats.bytesUp.headers + stats.bytesUp.payload + stats.bytesDown.headers + stats.bytesDown.payload;
}

export function headerBytes(stats: TransportStats): number {
  return stats.bytesUp.headers + stats.bytesDown.headers;
}

/** All bytes both ways divided by the events delivered; null before the first event. */
export function bytesPerEvent(stats: TransportStats): number | null {
  return stats.eventsDelivered === 0 ? null : totalBytes(stats) / stats.eventsDelivered;
}

export function headerBytesPerEvent(stats: TransportStats): number | null {
  return stats.eventsDelivered === 0 ? null : headerBytes(stats) / stats.eventsDelivered;
}

/** Share of all bytes that were headers (0..1); null when nothing was sent. */
export function headerShare(stats: TransportStats): number | null {
  const total = totalBytes(stats);
  return total === 0 ? null : headerBytes(stats) / total;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 10 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 10 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  // 1023.6 bytes would print as "1024 B": from there on it is a KiB.
  if (Math.round(bytes) >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

/** Axis labels for a log scale: 10 B, 100 B, 1 kB, 10 kB ... (decimal, so each step is exactly ten times). */
export function powerOfTenBytes(power: number): string {
  if (power < 3) return `${10 ** power} B`;
  if (power < 6) return `${10 ** (power - 3)} kB`;
  return `${10 ** (power - 6)} MB`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(0)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 10 || ms === 0) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}
