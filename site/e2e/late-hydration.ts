/**
 * Pages whose islands hydrate late on purpose, for testing what a press made before hydration does: every
 * script under /_astro/ (island components, the Svelte runtime and their chunks) is held back, so an island
 * scrolled into view stays served-only ([ssr]) for at least that long.
 */
import type { Browser, Page } from 'playwright-core';
import { recordPageErrors } from './support.ts';

/** How long each /_astro/ script is held back: well beyond a click or key press, well within a test's timeout. */
export const SCRIPT_DELAY_MS = 1_500;

export interface LatePage {
  readonly page: Page;
  /** Console errors and uncaught exceptions (support.ts, recordPageErrors). */
  readonly errors: string[];
  /** Submit events that reached the document so far (a quiz's form submits once per graded check). */
  submits(): Promise<number>;
  /** The state of the island holding `selector`: still served-only (ssr), and its aria-busy. */
  island(selector: string): Promise<{ ssr: boolean; busy: string | null }>;
}

export async function openWithLateIslands(browser: Browser, url: string, options: { width?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<LatePage> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1280, height: 740 },
    ...(options.colorScheme === undefined ? {} : { colorScheme: options.colorScheme }),
  });
  const errors = recordPageErrors(page);
  await page.route(/\/_astro\/[^?#]+\.js(?:[?#].*)?$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, SCRIPT_DELAY_MS));
    // The page may have been closed meanwhile; the request no longer matters then.
    await route.continue().catch(() => {});
  });
  await page.addInitScript(() => {
    const counted = window as unknown as { wsfsSubmits: number };
    counted.wsfsSubmits = 0;
    document.addEventListener('submit', () => counted.wsfsSubmits++);
  });
  // Not 'load': that would wait for the held-back scripts of client:load islands.
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return {
    page,
    errors,
    submits: () => page.evaluate(() => (window as unknown as { wsfsSubmits: number }).wsfsSubmits),
    island: (selector) =>
      page.evaluate((inner) => {
        const island = document.querySelector(inner)?.closest('astro-island');
        if (island === null || island === undefined) throw new Error(`no island holds ${inner}`);
        return { ssr: island.hasAttribute('ssr'), busy: island.getAttribute('aria-busy') };
      }, selector),
  };
}
