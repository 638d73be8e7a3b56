import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['lab-server/test/**/*.test.ts', 'site/**/*.test.ts'],
    // Socket and browser tests open real servers; keep them in separate forks so a stuck
    // peer in one file cannot starve another, and give real-network tests room on 2 cores.
    pool: 'forks',
    // Browser tests read dist/ as built: build it once, only when missing or older than its sources.
    globalSetup: ['./site/e2e/build.ts'],
    reporters: ['default', './tools/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
