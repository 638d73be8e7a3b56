/**
 * The end-to-end tests read dist/ as built; they build it only when it is missing or older than the
 * sources it is made from (site, lessons, the protocol core, the Astro config), so a fresh clone
 * works and a warm tree costs nothing. Usable as a Vitest globalSetup (default export) and called
 * from the test's beforeAll, so the test also works when run on its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DIR, REPO_ROOT } from './support.ts';

// The site bundles the core, the report contracts and the experiment's event source (pure code the page
// shares), and lessons quote the server's own files (<SourceCode>): all of lab-server/src counts.
const SOURCES = ['site', 'lessons', 'lab-server/src', 'astro.config.mjs'];

/** Newest modification time among the site's sources; tests and e2e helpers do not count. */
function newestSourceMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return /\.test\.ts$/.test(path) ? 0 : stats.mtimeMs;
  if (path.endsWith(`${join('site', 'e2e')}`)) return 0;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestSourceMtime(join(path, entry)));
  return newest;
}

export function distIsStale(): boolean {
  const marker = join(DIST_DIR, 'index.html');
  if (!existsSync(marker)) return true;
  const built = statSync(marker).mtimeMs;
  return SOURCES.some((source) => {
    const path = join(REPO_ROOT, source);
    return existsSync(path) && newestSourceMtime(path) > built;
  });
}

export function ensureBuilt(): void {
  if (!distIsStale()) return;
  // The astro CLI through the running Node, so no PATH or npx lookup is involved.
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SITE_BASE: '/' },
  });
}

export default function setup(): void {
  ensureBuilt();
}
