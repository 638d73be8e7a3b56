/** Shared by the end-to-end test and the screenshot script: where things are, how Chromium starts. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { browserSkipReason as sharedSkipReason } from '../../lab-server/test/support/chromium.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST_DIR = fileURLToPath(new URL('../../dist/', import.meta.url));
// One Chromium policy for every browser test: the path, the flags, and "must run when CI=true".
export { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../lab-server/test/support/chromium.ts';

/** On CI (CI=true) browser tests must run: a missing Chromium is an error there, a skip elsewhere. */
export function browserSkipReason(): string | null {
  return sharedSkipReason("the site's browser tests");
}

/** Bytes shown on a page as spaced hex ("81 85 37 …"), ellipsis of a cut preview ignored. */
export function hexBytes(text: string): number[] {
  return text.replace(/…/g, '').trim().split(/\s+/).filter((token) => token.length > 0).map((token) => Number.parseInt(token, 16));
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

/** Console errors and uncaught exceptions of `page` from now on, collected as they happen (expect it to stay empty). */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
