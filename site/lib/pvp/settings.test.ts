import { describe, expect, it } from 'vitest';
import { EXPERIMENT_MS, experimentDuration, seedFromQuery, toParams, DEFAULT_SETTINGS, wantsSimulation } from './settings.ts';

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
  it('takes a fixed seed from the query only when it is one the contract accepts', () => {
    expect(seedFromQuery('?pvp-seed=42')).toBe(42);
    expect(seedFromQuery('?pvp-seed=0')).toBe(0);
    expect(seedFromQuery('?pvp-seed=4294967295')).toBe(4294967295);
    for (const bad of ['', '?pvp-seed=', '?pvp-seed=-1', '?pvp-seed=1.5', '?pvp-seed=4294967296', '?pvp-seed=abc']) {
      expect(seedFromQuery(bad), bad).toBeNull();
    }
  });
});
