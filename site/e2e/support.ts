/** Shared by the end-to-end test and the screenshot script: where things are, how Chromium starts. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST_DIR = fileURLToPath(new URL('../../dist/', import.meta.url));
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** On CI (CI=true) browser tests must run: a missing Chromium is an error there, a skip elsewhere. */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  if (process.env['CI'] === 'true') throw new Error(`CI=true but Chromium is missing at ${CHROMIUM_PATH}: the site's browser tests must run on CI`);
  return `Chromium not found at ${CHROMIUM_PATH}: skipping the site's browser tests (required when CI=true)`;
}

/** Every page of the built site as a path under the root ("" for the home page, "lessons/the-frame/" ...). */
export function builtPages(): string[] {
  const pages: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(join(dir), { withFileTypes: true })) {
      if (entry.isDirectory()) {
        // Pagefind's index and Astro's assets are not pages.
        if (prefix === '' && (entry.name === 'pagefind' || entry.name === '_astro')) continue;
        walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      } else if (entry.name === 'index.html') {
        pages.push(prefix);
      }
    }
  };
  walk(DIST_DIR, '');
  return pages.sort();
}
