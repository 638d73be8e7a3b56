/** The page's settings and how they become the contract's start parameters. */
import type { ExperimentParams } from '../../../lab-server/src/reports/push-vs-poll-types.ts';
import { ParamRange } from '../../../lab-server/src/node/push-vs-poll/limits.ts';

export interface Settings {
  eventsPerSecond: number;
  pollIntervalMs: number;
  simulatedClients: number;
  cookieBytes: number;
  upstreamPerSecond: number;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = {
  eventsPerSecond: 2, pollIntervalMs: 1000, simulatedClients: 0, cookieBytes: 0, upstreamPerSecond: 0.5,
};

/** The fixed experiment of issue 5. */
export const EXPERIMENT_MS = 30_000;
/** Shortest run the contract accepts besides 0 (= until stopped). */
export const MIN_EXPERIMENT_MS = 1_000;
/** A continuous run ends by itself after this long, so a forgotten tab does not poll forever. */
export const CONTINUOUS_LIMIT_MS = 10 * 60_000;

export function toParams(settings: Settings, seed: number, durationMs: number): ExperimentParams {
  return { seed, durationMs, ...settings };
}

/**
 * The experiment's length from the page's query (`?pvp-duration=5000`), so a test can run a short one;
 * anything missing or out of range gives the fixed 30 seconds.
 */
export function experimentDuration(search: string): number {
  return integerFromQuery(search, 'pvp-duration', MIN_EXPERIMENT_MS, EXPERIMENT_MS) ?? EXPERIMENT_MS;
}

/**
 * A fixed seed from the page's query (`?pvp-seed=42`): every run then sees the same events at the same offsets,
 * live or simulated, so a class can compare runs and a test can rely on events arriving. Null when missing or
 * out of range (each run then draws its own).
 */
export function seedFromQuery(search: string): number | null {
  // The range the lab server accepts (pure constants, like the event source the simulation shares with it).
  return integerFromQuery(search, 'pvp-seed', ParamRange.seed.min, ParamRange.seed.max);
}

/** The integer a query parameter holds, when it lies in [min, max]; null when missing, empty or anything else. */
function integerFromQuery(search: string, name: string, min: number, max: number): number | null {
  const raw = new URLSearchParams(search).get(name);
  const value = raw === null || raw === '' ? Number.NaN : Number(raw);
  return Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** `?pvp=simulate` asks for the simulation even when a lab server answers (to compare, or to test). */
export function wantsSimulation(search: string): boolean {
  return new URLSearchParams(search).get('pvp') === 'simulate';
}
