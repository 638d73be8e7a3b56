/**
 * Proof that `ws` runs with its native helpers, not the JS fallbacks: after `ws` is loaded, the native
 * bindings must appear among the loaded modules.
 */
import { createRequire } from 'node:module';
import * as buffer from 'node:buffer';

const require = createRequire(import.meta.url);

function loadedNative(name: string): string | null {
  const key = Object.keys(require.cache).find((path) => path.includes(`/${name}/`) && path.endsWith('.node'));
  return key ?? null;
}

/** One line: which native bindings `ws` uses in this process. Call after `ws` has been imported. */
export function nativeAddonReport(): string {
  require('ws');
  // ws >= 8.12 validates UTF-8 with Node's own native buffer.isUtf8 (simdutf) when it exists and only
  // falls back to utf-8-validate on older Node; load it anyway to prove its binding resolves natively.
  require('utf-8-validate');
  const bufferutil = loadedNative('bufferutil');
  const utf8 = loadedNative('utf-8-validate');
  const isUtf8 = typeof (buffer as { isUtf8?: unknown }).isUtf8 === 'function';
  return [
    `bufferutil: ${bufferutil !== null ? `native (${bufferutil.replace(/.*node_modules\//, '')})` : 'JS FALLBACK'}`,
    `utf-8-validate: ${utf8 !== null ? `native (${utf8.replace(/.*node_modules\//, '')})` : 'JS FALLBACK'}`,
    `ws UTF-8 check: ${isUtf8 ? "node:buffer isUtf8 (native simdutf; ws prefers it over utf-8-validate)" : 'utf-8-validate'}`,
  ].join('; ');
}
