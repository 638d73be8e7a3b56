/**
 * Loads one function from one of the lab server's native addons (lab-server/native/*.c, built by `npm ci`'s
 * postinstall into lab-server/native/build/). Every addon is optional, so a missing build, one that does not
 * load on this Node, or one without that export gives null, and the caller keeps its portable path.
 */
import { createRequire } from 'node:module';

const BUILD_DIR = '../../native/build';

export function loadNativeFunction<F extends (...args: never[]) => unknown>(addon: string, name: string): F | null {
  try {
    const exports = createRequire(import.meta.url)(`${BUILD_DIR}/${addon}.node`) as Record<string, unknown>;
    return typeof exports[name] === 'function' ? (exports[name] as F) : null;
  } catch {
    return null;
  }
}
