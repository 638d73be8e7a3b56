// @ts-check
import { defineConfig } from 'astro/config';
import svelte from '@astrojs/svelte';
import mdx from '@astrojs/mdx';

// The site is static: `npm start` serves dist/ from the lab server, and any static host can serve it
// under a base path given by SITE_BASE (for example SITE_BASE=/websockets-from-scratch/).
export default defineConfig({
  srcDir: './site',
  outDir: './dist',
  base: process.env.SITE_BASE ?? '/',
  integrations: [svelte(), mdx()],
});
