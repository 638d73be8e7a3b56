/**
 * Headless Chromium for interop tests, through playwright-core and the system Chromium (never a downloaded browser).
 * Policy: on CI (CI=true) browser tests MUST run, so a missing Chromium fails loudly; elsewhere they are skipped with a
 * clear message when Chromium is absent.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const isCi = process.env['CI'] === 'true';

export const chromiumAvailable = existsSync(CHROMIUM_PATH);

/**
 * Why browser tests are skipped, or null when they run. Throws on CI when Chromium is missing.
 * `suite` names them in the message (the site's end-to-end tests share this policy).
 */
export function browserSkipReason(suite = 'browser interop tests'): string | null {
  if (chromiumAvailable) return null;
  if (isCi) throw new Error(`CI=true but Chromium is missing at ${CHROMIUM_PATH}: ${suite} must run on CI`);
  return `Chromium not found at ${CHROMIUM_PATH}: skipping ${suite} (required when CI=true)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}
