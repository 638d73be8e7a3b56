/**
 * Course progress in localStorage: which lessons' graded checks were passed, and when. Islands read it
 * on mount and listen for PROGRESS_EVENT (same tab) and the storage event (other tabs), so the sidebar,
 * the course index and the quiz agree without sharing a framework store. Storage failures (private
 * mode, quota, disabled) degrade to "nothing completed" rather than breaking the page.
 */
export const PROGRESS_KEY = 'wsfs:progress:v1';
export const PROGRESS_EVENT = 'wsfs:progress';

export type Progress = Readonly<Record<string, string>>;

export function readProgress(): Progress {
  try {
    const raw = globalThis.localStorage?.getItem(PROGRESS_KEY);
    if (!raw) return {};
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

function write(progress: Progress): void {
  try {
    globalThis.localStorage?.setItem(PROGRESS_KEY, JSON.stringify(progress));
  } catch {
    // Not persisted; the event below still updates this page.
  }
  globalThis.dispatchEvent?.(new CustomEvent(PROGRESS_EVENT));
}

export function markComplete(lessonId: string): void {
  const progress = readProgress();
  if (progress[lessonId] !== undefined) return;
  write({ ...progress, [lessonId]: new Date().toISOString() });
}

export function resetProgress(): void {
  write({});
}

/** Calls `listener` with fresh progress whenever it changes, here or in another tab; returns the unsubscribe. */
export function onProgress(listener: (progress: Progress) => void): () => void {
  const notify = () => listener(readProgress());
  const onStorage = (event: StorageEvent) => {
    if (event.key === PROGRESS_KEY || event.key === null) notify();
  };
  window.addEventListener(PROGRESS_EVENT, notify);
  window.addEventListener('storage', onStorage);
  return () => {
    window.removeEventListener(PROGRESS_EVENT, notify);
    window.removeEventListener('storage', onStorage);
  };
}
