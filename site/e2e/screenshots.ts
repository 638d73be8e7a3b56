/**
 * Development aid, not a test: screenshots of the built site (light, dark, 360 px wide) to look at.
 *   node site/e2e/screenshots.ts [outDir] [path ...]
 * Serves dist/ with the lab server on an ephemeral port and drives the system Chromium.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startLabServer } from '../../lab-server/src/node/server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, DIST_DIR } from './support.ts';

const outDir = process.argv[2] ?? '/tmp/wsfs-shots';
const paths = process.argv.slice(3);
const pages = paths.length > 0 ? paths : ['', 'lessons/why-push/', 'lessons/opening-handshake/', 'lessons/the-frame/', 'tools/inspector/', 'tools/handshake/'];
mkdirSync(outDir, { recursive: true });

const server = await startLabServer({ port: 0, staticDir: DIST_DIR, log: () => {} });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
try {
  const variants = [
    { name: 'light', width: 1280, colorScheme: 'light' },
    { name: 'dark', width: 1280, colorScheme: 'dark' },
    { name: 'narrow', width: 360, colorScheme: 'light' },
  ] as const;
  for (const variant of variants) {
    const context = await browser.newContext({ viewport: { width: variant.width, height: 900 }, colorScheme: variant.colorScheme });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') console.log(`[${variant.name}] console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => console.log(`[${variant.name}] page error: ${error.message}`));
    for (const path of pages) {
      await page.goto(`${server.url}/${path}`, { waitUntil: 'networkidle' });
      const file = join(outDir, `${(path.replace(/\//g, '_') || 'index').replace(/_$/, '')}-${variant.name}.png`);
      await page.screenshot({ path: file, fullPage: process.env['FULL'] === '1' });
      console.log(file);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
