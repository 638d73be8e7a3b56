// @ts-check
import { defineConfig } from 'astro/config';
import svelte from '@astrojs/svelte';
import mdx from '@astrojs/mdx';

// The site is static: `npm start` serves dist/ from the lab server, and any static host can serve it
// under a base path given by SITE_BASE (for example SITE_BASE=/websockets-from-scratch/). Every internal
// link goes through site/lib/paths.ts, which reads import.meta.env.BASE_URL.
export default defineConfig({
  srcDir: './site',
  outDir: './dist',
  base: process.env.SITE_BASE ?? '/',
  integrations: [svelte(), mdx()],
  // Astro 7 defaults to JSX whitespace rules, which glue "and<a>" together across line breaks; the
  // lossless compression keeps prose written over several lines reading as written.
  compressHTML: true,
  markdown: {
    // Highlighted at build time in both themes; global.css picks one (no highlighter in the browser).
    shikiConfig: { themes: { light: 'github-light', dark: 'github-dark' } },
  },
});
