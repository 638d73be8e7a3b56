/**
 * The lab server's C-heap setting (lab-server/native/heap.c, built by `npm ci`): keep up to a bound of
 * freed memory mapped, instead of giving it back to the kernel at every garbage collection and faulting
 * it in again for the next socket reads (see heap.c for the measurements). Optional: without the addon
 * (no C compiler, not glibc, or LAB_KEEP_FREED_HEAP=off) the heap trims as the C library decides.
 */
import { loadNativeFunction } from './native-addon.ts';

/** `LAB_KEEP_FREED_HEAP=off` leaves the C library's default (to compare the two, or to rule the addon out). */
const SWITCH_ENV = 'LAB_KEEP_FREED_HEAP';

type KeepFreedHeap = (bytes: number) => boolean;

/** The addon's setter, or null when it is not built (or does not load on this Node). */
export function loadKeepFreedHeap(): KeepFreedHeap | null {
  return loadNativeFunction<KeepFreedHeap>('heap', 'keepFreedHeap');
}

/**
 * Makes this process's C heap keep up to `bytes` freed bytes, unless switched off or unavailable. Process-wide,
 * like the allocator itself. Returns the bound now in force, or null when the C library's default still applies.
 */
export function keepFreedHeap(bytes: number, env: NodeJS.ProcessEnv = process.env): number | null {
  if (env[SWITCH_ENV] === 'off') return null;
  const setter = loadKeepFreedHeap();
  return setter !== null && setter(bytes) ? bytes : null;
}
