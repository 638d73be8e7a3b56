/**
 * The site's weight budget, measured on the built site (dist/): for every page, the JavaScript it ships
 * (gzip) and its total weight (HTML, stylesheets and JavaScript, gzip and raw), printed as a table.
 *   npm run budget [-- distDir]
 * JavaScript a page loads: its <script src>, inline <script>s, <link rel="modulepreload">, and the
 * component, renderer and before-hydration URLs of its Astro islands, then every module those import
 * statically (the import graph of the built JS files). Dynamic import() is not followed: it loads only on
 * demand (the Pagefind index, for one). Exits with 1 when a lesson page ships more than the budget.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Issue 3: no lesson page above 100 kB of JavaScript, gzipped. */
export const LESSON_JS_BUDGET_BYTES = 100_000;

export interface PageWeight {
  /** The page's path under the site root: "" for the home page, "lessons/the-frame/" ... */
  readonly page: string;
  readonly jsFiles: number;
  readonly jsGzip: number;
  readonly jsRaw: number;
  /** HTML + stylesheets + JavaScript. */
  readonly totalGzip: number;
  readonly totalRaw: number;
  /** JavaScript a page refers to that is not in dist/ (a broken build). */
  readonly missing: readonly string[];
}

const SCRIPT_SRC = /<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g;
const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;
const MODULE_PRELOAD = /<link\b[^>]*\brel="modulepreload"[^>]*>/g;
const STYLESHEET = /<link\b[^>]*\brel="stylesheet"[^>]*>/g;
const HREF = /\bhref="([^"]+)"/;
const ISLAND_URL = /\b(?:component-url|renderer-url|before-hydration-url)="([^"]+)"/g;
/** Static imports and re-exports in minified ES modules: import"./a.js", import{x}from"./b.js", export*from"./c.js". */
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[\w*${}\s,]+?\s*from\s*)?["']([^"']+\.m?js)["']/g;

function gzipSize(bytes: Uint8Array | string): number {
  return gzipSync(bytes, { level: 9 }).length;
}

/** Every index.html under dist/, as page paths, sorted; Pagefind's and Astro's asset folders hold no pages. */
export function listPages(distDir: string): string[] {
  const pages: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (dir === distDir && (entry.name === 'pagefind' || entry.name === '_astro' || entry.name.startsWith('.'))) continue;
        walk(path);
      } else if (entry.name === 'index.html') {
        pages.push(relative(distDir, dir).split(sep).join('/').replace(/(.)$/, '$1/'));
      }
    }
  };
  walk(distDir);
  return pages.sort();
}

/** A URL in the built HTML or JS to its file in dist/: absolute URLs under the base, or relative to `from`. */
function resolveAsset(distDir: string, base: string, url: string, fromFile: string | null): string | null {
  if (/^(?:[a-z]+:)?\/\//i.test(url) || url.startsWith('data:')) return null;
  const clean = url.split(/[?#]/)[0]!;
  if (clean.startsWith('/')) {
    if (!clean.startsWith(base)) return null;
    return join(distDir, ...clean.slice(base.length).split('/'));
  }
  const fromDir = fromFile === null ? distDir : posix.dirname(fromFile.split(sep).join('/'));
  return posix.normalize(posix.join(fromDir, clean)).split('/').join(sep);
}

export function measurePage(distDir: string, page: string, base = '/'): PageWeight {
  const htmlFile = join(distDir, ...page.split('/').filter(Boolean), 'index.html');
  const html = readFileSync(htmlFile, 'utf8');
  const missing: string[] = [];
  const jsQueue: string[] = [];
  const addJs = (url: string, from: string | null): void => {
    const file = resolveAsset(distDir, base, url, from);
    if (file !== null) jsQueue.push(file);
  };
  for (const match of html.matchAll(SCRIPT_SRC)) addJs(match[1]!, null);
  for (const match of html.matchAll(MODULE_PRELOAD)) {
    const href = HREF.exec(match[0]);
    if (href) addJs(href[1]!, null);
  }
  for (const match of html.matchAll(ISLAND_URL)) addJs(match[1]!, null);

  let jsGzip = 0;
  let jsRaw = 0;
  // Inline scripts ship inside the HTML; they count as JavaScript too (the island runtime, the theme script).
  for (const match of html.matchAll(INLINE_SCRIPT)) {
    const code = match[1]!;
    if (code.trim() === '') continue;
    jsGzip += gzipSize(code);
    jsRaw += Buffer.byteLength(code);
  }
  const seen = new Set<string>();
  while (jsQueue.length > 0) {
    const file = jsQueue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!existsSync(file)) {
      missing.push(relative(distDir, file));
      continue;
    }
    const code = readFileSync(file);
    jsGzip += gzipSize(code);
    jsRaw += code.length;
    for (const match of code.toString('utf8').matchAll(STATIC_IMPORT)) addJs(match[1]!, file);
  }

  let cssGzip = 0;
  let cssRaw = 0;
  for (const match of html.matchAll(STYLESHEET)) {
    const href = HREF.exec(match[0]);
    const file = href ? resolveAsset(distDir, base, href[1]!, null) : null;
    if (file === null) continue;
    if (!existsSync(file)) {
      missing.push(relative(distDir, file));
      continue;
    }
    const css = readFileSync(file);
    cssGzip += gzipSize(css);
    cssRaw += css.length;
  }
  const htmlBytes = Buffer.byteLength(html);
  // The inline scripts are already part of the HTML's bytes: the total counts them once.
  const external = [...seen].filter((file) => existsSync(file)).map((file) => readFileSync(file));
  const externalGzip = external.reduce((sum, code) => sum + gzipSize(code), 0);
  const externalRaw = external.reduce((sum, code) => sum + code.length, 0);
  return {
    page, jsFiles: seen.size, jsGzip, jsRaw,
    totalGzip: gzipSize(html) + cssGzip + externalGzip,
    totalRaw: htmlBytes + cssRaw + externalRaw,
    missing,
  };
}

export function measureSite(distDir: string, base = '/'): PageWeight[] {
  const root = base.endsWith('/') ? base : `${base}/`;
  return listPages(distDir).map((page) => measurePage(distDir, page, root));
}

export function isLessonPage(page: string): boolean {
  return page.startsWith('lessons/');
}

function kB(bytes: number): string {
  return (bytes / 1000).toFixed(1);
}

export function formatTable(weights: readonly PageWeight[]): string {
  const header = ['page', 'JS files', 'JS gzip kB', 'JS raw kB', 'page gzip kB', 'page raw kB', 'budget'];
  const rows = weights.map((weight) => [
    `/${weight.page}`, String(weight.jsFiles), kB(weight.jsGzip), kB(weight.jsRaw), kB(weight.totalGzip), kB(weight.totalRaw),
    isLessonPage(weight.page) ? (weight.jsGzip <= LESSON_JS_BUDGET_BYTES ? 'ok' : 'OVER') : '-',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function main(): void {
  const distDir = process.argv[2] ?? fileURLToPath(new URL('../dist/', import.meta.url));
  if (!existsSync(join(distDir, 'index.html'))) {
    console.error(`No built site at ${distDir}: run \`npm run build\` first.`);
    process.exit(2);
  }
  const weights = measureSite(distDir, process.env['SITE_BASE'] ?? '/');
  console.log(formatTable(weights));
  const broken = weights.filter((weight) => weight.missing.length > 0);
  for (const weight of broken) console.error(`/${weight.page} refers to files missing from dist/: ${weight.missing.join(', ')}`);
  const over = weights.filter((weight) => isLessonPage(weight.page) && weight.jsGzip > LESSON_JS_BUDGET_BYTES);
  for (const weight of over) {
    console.error(`/${weight.page} ships ${kB(weight.jsGzip)} kB of JavaScript gzipped; the budget for a lesson is ${kB(LESSON_JS_BUDGET_BYTES)} kB.`);
  }
  if (over.length > 0 || broken.length > 0) process.exit(1);
  const lessons = weights.filter((weight) => isLessonPage(weight.page));
  const heaviest = Math.max(0, ...lessons.map((weight) => weight.jsGzip));
  console.log(`\n${lessons.length} lesson pages within the ${kB(LESSON_JS_BUDGET_BYTES)} kB JavaScript budget (heaviest: ${kB(heaviest)} kB gzipped).`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
