/**
 * The lab server's native unmasking (lab-server/native/unmask.c, built by `npm ci`), injected into the
 * protocol core for long payloads: one pass where the payload lies, where the core's WebAssembly kernel
 * copies in and out of its own memory. Optional: without the addon (no C compiler when installing, or
 * LAB_NATIVE_UNMASK=off) the core keeps its WebAssembly kernel, with the same results.
 */
import { useHostMasker, type HostMasker } from '../protocol/frame/mask.ts';
import { loadNativeFunction } from './native-addon.ts';

/** `LAB_NATIVE_UNMASK=off` keeps the WebAssembly kernel (to compare the two, or to rule the addon out). */
const SWITCH_ENV = 'LAB_NATIVE_UNMASK';

export type UnmaskingKind = 'native' | 'webassembly';

/** The addon's masker, or null when it is not built (or does not load on this Node). */
export function loadNativeMasker(): HostMasker | null {
  return loadNativeFunction<HostMasker>('unmask', 'unmask');
}

/** Gives the core the native masker unless switched off or missing; says which unmasking is in use. */
export function installNativeUnmask(env: NodeJS.ProcessEnv = process.env): UnmaskingKind {
  const masker = env[SWITCH_ENV] === 'off' ? null : loadNativeMasker();
  useHostMasker(masker);
  return masker === null ? 'webassembly' : 'native';
}
