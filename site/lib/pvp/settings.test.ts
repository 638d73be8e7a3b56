import { describe, expect, it } from 'vitest';
import { EXPERIMENT_MS, experimentDuration, toParams, DEFAULT_SETTINGS, wantsSimulation } from './settings.ts';

describe('the page settings', () => {
  it('runs the fixed 30-second experiment unless the query asks for a valid shorter one', () => {
    expect(experimentDuration('')).toBe(EXPERIMENT_MS);
    expect(experimentDuration('?pvp-duration=4000')).toBe(4000);
    expect(experimentDuration('?pvp-duration=999')).toBe(EXPERIMENT_MS);
    expect(experimentDuration('?pvp-duration=abc')).toBe(EXPERIMENT_MS);
    expect(experimentDuration('?pvp-duration=60000')).toBe(EXPERIMENT_MS);
  });
  it('asks for the simulation only when told to, and builds the contract’s parameters', () => {
    expect(wantsSimulation('?pvp=simulate')).toBe(true);
    expect(wantsSimulation('?pvp=live')).toBe(false);
    expect(toParams(DEFAULT_SETTINGS, 9, 30_000)).toEqual({ ...DEFAULT_SETTINGS, seed: 9, durationMs: 30_000 });
  });
});
