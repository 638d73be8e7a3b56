/**
 * Every internal link goes through here, so the site works under any base path (SITE_BASE, see
 * astro.config.mjs): `href('lessons/frame/')` is "/lessons/frame/" at the root and
 * "/websockets-from-scratch/lessons/frame/" under that base. Usable from Astro and Svelte alike.
 */
export function withBase(base: string, path = ''): string {
  const root = base.endsWith('/') ? base : `${base}/`;
  return root + path.replace(/^\/+/, '');
}

export function href(path = ''): string {
  return withBase(import.meta.env.BASE_URL, path);
}

export function lessonHref(id: string): string {
  return href(`lessons/${id}/`);
}
