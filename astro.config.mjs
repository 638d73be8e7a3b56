// @ts-check
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import svelte from '@astrojs/svelte';
import mdx from '@astrojs/mdx';

/**
 * Why Pagefind's entry file under `outputPath` could not load a search, or null when it can.
 * @param {string} outputPath
 * @returns {string | null}
 */
function entryProblem(outputPath) {
  const file = join(outputPath, 'pagefind-entry.json');
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    return typeof entry === 'object' && entry !== null && 'languages' in entry ? null : `${file} has no languages`;
  } catch (error) {
    return `${file} is unreadable (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Full-text search over the lessons (Pagefind), indexed from the built HTML once Astro has written it.
 * Only elements marked data-pagefind-body are indexed (the lesson article in site/layouts/Lesson.astro),
 * so tool pages and navigation stay out of the results. The index lands in dist/pagefind/, fetched by the
 * search page only when a learner searches; `astro dev` has no index and the search page says so.
 * @returns {import('astro').AstroIntegration}
 */
function pagefindIndex() {
  return {
    name: 'wsfs:pagefind',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const pagefind = await import('pagefind');
        const outDir = fileURLToPath(dir);
        try {
          const { index, errors } = await pagefind.createIndex({
            forceLanguage: 'en',
            // Islands (visualizer output, graded checks), the "Lesson n of m" kicker and the pager are not lesson prose.
            excludeSelectors: ['astro-island', '.kicker', '.pager'],
          });
          if (!index) throw new Error(`pagefind: ${errors.join('; ')}`);
          const added = await index.addDirectory({ path: outDir });
          if (added.errors.length > 0) throw new Error(`pagefind: ${added.errors.join('; ')}`);
          const outputPath = `${outDir}pagefind`;
          // Once (not reproduced since) a build left pagefind-entry.json empty, which breaks every search with
          // "Failed to load Pagefind metadata": check what was written, write once more, and fail the build
          // rather than ship an index that cannot load.
          for (let attempt = 1; ; attempt++) {
            const written = await index.writeFiles({ outputPath });
            if (written.errors.length > 0) throw new Error(`pagefind: ${written.errors.join('; ')}`);
            const problem = entryProblem(outputPath);
            if (problem === null) break;
            if (attempt === 2) throw new Error(`pagefind: ${problem}`);
            logger.warn(`${problem}; writing the index again`);
          }
          logger.info(`search index written to pagefind/ (${added.page_count} pages read; only lesson bodies are indexed)`);
        } finally {
          await pagefind.close();
        }
      },
    },
  };
}

// The site is static: `npm start` serves dist/ from the lab server, and any static host can serve it
// under a base path given by SITE_BASE (for example SITE_BASE=/websockets-from-scratch/). Every internal
// link goes through site/lib/paths.ts, which reads import.meta.env.BASE_URL.
export default defineConfig({
  srcDir: './site',
  outDir: './dist',
  base: process.env.SITE_BASE ?? '/',
  integrations: [svelte(), mdx(), pagefindIndex()],
  // Astro 7 defaults to JSX whitespace rules, which glue "and<a>" together across line breaks; the
  // lossless compression keeps prose written over several lines reading as written.
  compressHTML: true,
  vite: {
    build: {
      rollupOptions: {
        // Astro's own MDX pipeline marks every .mdx page with "use astro:head-inject", and the bundler warns
        // that it may not preserve it (withastro/astro#18087): 13 multi-line warnings on every `npm start`
        // that say nothing about this project. Every other warning still shows.
        onwarn(warning, warn) {
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('use astro:head-inject')) return;
          warn(warning);
        },
      },
    },
  },
  markdown: {
    // Highlighted at build time in both themes; global.css picks one (no highlighter in the browser).
    shikiConfig: { themes: { light: 'github-light', dark: 'github-dark' } },
  },
});
