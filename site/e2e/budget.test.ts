/**
 * The weight budget of issue 3 on the built site: every lesson page ships at most 100 kB of JavaScript
 * gzipped, counted as tools/budget.ts (`npm run budget`) counts it, and no page refers to a missing file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatTable, isLessonPage, LESSON_JS_BUDGET_BYTES, measureSite, type PageWeight } from '../../tools/budget.ts';
import { ensureBuilt } from './build.ts';
import { DIST_DIR, REPO_ROOT } from './support.ts';

describe('the JavaScript budget of the built site', () => {
  let weights: PageWeight[];

  beforeAll(() => {
    ensureBuilt();
    weights = measureSite(DIST_DIR);
  }, 180_000);

  it('measures every lesson page, following the islands and their static imports', () => {
    const lessons = weights.filter((weight) => isLessonPage(weight.page));
    expect(lessons.length).toBeGreaterThanOrEqual(3);
    for (const lesson of lessons) {
      // Every lesson hydrates at least the sidebar, the theme toggle and its graded check, each with the Svelte runtime.
      expect(lesson.jsFiles, `/${lesson.page}`).toBeGreaterThan(3);
      expect(lesson.jsGzip, `/${lesson.page}`).toBeGreaterThan(5_000);
      expect(lesson.totalGzip).toBeGreaterThan(lesson.jsGzip);
    }
  });

  it('keeps every lesson page under 100 kB of JavaScript gzipped, with no missing files', () => {
    const over = weights.filter((weight) => isLessonPage(weight.page) && weight.jsGzip > LESSON_JS_BUDGET_BYTES);
    expect(over.map((weight) => `/${weight.page}: ${weight.jsGzip} bytes`), formatTable(weights)).toEqual([]);
    expect(weights.filter((weight) => weight.missing.length > 0).map((weight) => weight.page)).toEqual([]);
  });

  it('npm run budget prints the table and exits 0', () => {
    const output = execFileSync(process.execPath, [join(REPO_ROOT, 'tools/budget.ts'), DIST_DIR], { encoding: 'utf8' });
    expect(output).toMatch(/^page\s+JS files\s+JS gzip kB/);
    expect(output).toMatch(/\/lessons\/the-frame\/\s+\d+\s+[\d.]+/);
  });
});

describe('the budget script on a site made to break it', () => {
  it('follows island URLs and static imports, and exits 1 over the budget', () => {
    const dist = mkdtempSync(join(tmpdir(), 'wsfs-budget-'));
    try {
      mkdirSync(join(dist, 'lessons', 'heavy'), { recursive: true });
      mkdirSync(join(dist, '_astro'));
      writeFileSync(join(dist, 'index.html'), '<!doctype html><title>home</title>');
      writeFileSync(join(dist, 'lessons', 'heavy', 'index.html'),
        '<!doctype html><astro-island component-url="/_astro/Island.js" renderer-url="/_astro/client.js"></astro-island>');
      writeFileSync(join(dist, '_astro', 'Island.js'), 'import{a}from"./big.js";import"./client.js";export const x=a;');
      writeFileSync(join(dist, '_astro', 'client.js'), 'export const r=1;');
      // Random bytes do not compress: 150 kB of them stays over 100 kB gzipped.
      writeFileSync(join(dist, '_astro', 'big.js'), `export const a="${randomBytes(150_000).toString('base64')}";`);
      const [heavy] = measureSite(dist).filter((weight) => isLessonPage(weight.page));
      expect(heavy?.jsFiles).toBe(3);
      expect(heavy?.jsGzip).toBeGreaterThan(LESSON_JS_BUDGET_BYTES);
      const run = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/budget.ts'), dist], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/\/lessons\/heavy\/ ships [\d.]+ kB of JavaScript gzipped/);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });
});
