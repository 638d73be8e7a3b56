/**
 * axe-core on every page of the built site, in the light and the dark theme: no serious or critical
 * violation of WCAG 2.x A/AA. Islands are scrolled into view first so the audit sees them hydrated.
 * Required on CI (CI=true).
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useSiteInBrowser } from './site-in-browser.ts';
import { browserSkipReason, builtPages } from './support.ts';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const FAILING_IMPACTS = new Set(['serious', 'critical']);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

const skipReason = browserSkipReason();

/** Scrolls to the bottom in steps so every client:visible island hydrates, then waits for all of them. */
async function hydrateAll(page: Page): Promise<void> {
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
      window.scrollTo(0, y);
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    window.scrollTo(0, 0);
  });
  await page.waitForFunction(() => document.querySelectorAll('astro-island[ssr]').length === 0, undefined, { timeout: 10_000 });
}

async function audit(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    // @ts-expect-error axe is the global the injected script defines.
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] });
    return result.violations.map((v: AxeViolation) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

function describeViolations(violations: readonly AxeViolation[]): string[] {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(' | ')}${v.nodes.length > 5 ? ` (+${v.nodes.length - 5} more)` : ''}`);
}

describe.skipIf(skipReason !== null)('accessibility (axe-core) on every page', () => {
  const site = useSiteInBrowser();
  let pages: string[];

  beforeAll(() => {
    pages = builtPages();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical violations in the ${colorScheme} theme`, async () => {
      expect(pages.length).toBeGreaterThan(3);
      const context = await site.browser.newContext({ colorScheme });
      const page = await context.newPage();
      const found: string[] = [];
      for (const path of pages) {
        const response = await page.goto(`${site.url}/${path}`, { waitUntil: 'networkidle' });
        if (response?.status() !== 200) {
          found.push(`/${path} [${colorScheme}] answered ${response?.status()}: was dist/ rebuilt during the audit?`);
          continue;
        }
        await hydrateAll(page);
        const violations = (await audit(page)).filter((v) => v.impact !== null && FAILING_IMPACTS.has(v.impact));
        found.push(...describeViolations(violations).map((line) => `/${path} [${colorScheme}] ${line}`));
      }
      await context.close();
      expect(found).toEqual([]);
    }, 180_000);
  }
});
