/**
 * The padding cookie of the experiment: cookies on path=/pvp whose `Cookie:` header value is exactly the
 * requested size, so every /pvp request and the WebSocket handshake carry it and nothing else on the
 * site does. Browsers cap one cookie's name plus value at 4096 bytes (RFC 6265 §6.1 asks for at least
 * that much), so larger sizes are spread over several cookies. The page sets these cookies and the
 * simulation puts the same text into its modelled request headers.
 */
export const PADDING_COOKIE_PATH = '/pvp';
export const PADDING_COOKIE_PREFIX = 'pvp-pad';
/** Stay below the 4096-byte per-cookie limit, with room for the name. */
const MAX_PAIR_BYTES = 4000;
/** Largest cookie size the contract allows (ExperimentParams.cookieBytes), so at most this many cookies exist. */
export const MAX_COOKIE_BYTES = 8192;
const SEPARATOR = '; ';

export interface CookiePair {
  readonly name: string;
  readonly value: string;
}

/** Name=value pairs whose `Cookie:` value ("a=1; b=2") is `bytes` long (at least one byte of value each). */
export function paddingCookies(bytes: number): CookiePair[] {
  if (bytes <= 0) return [];
  const count = Math.ceil(bytes / MAX_PAIR_BYTES);
  const names = Array.from({ length: count }, (_, i) => `${PADDING_COOKIE_PREFIX}${i}`);
  const fixed = names.reduce((sum, name) => sum + name.length + 1, 0) + SEPARATOR.length * (count - 1);
  const valueBytes = Math.max(count, bytes - fixed);
  return names.map((name, i) => {
    const share = Math.floor(valueBytes / count) + (i < valueBytes % count ? 1 : 0);
    return { name, value: 'x'.repeat(Math.max(1, share)) };
  });
}

export function cookieHeaderValue(pairs: readonly CookiePair[]): string {
  return pairs.map(({ name, value }) => `${name}=${value}`).join(SEPARATOR);
}

/** The names every size could have used, so clearing removes the cookies of any earlier size. */
export function allPaddingCookieNames(): string[] {
  return Array.from({ length: Math.ceil(MAX_COOKIE_BYTES / MAX_PAIR_BYTES) }, (_, i) => `${PADDING_COOKIE_PREFIX}${i}`);
}

/** document.cookie assignments that set the padding (SameSite=Strict: only this site's requests carry it). */
export function cookieAssignments(bytes: number): string[] {
  const clear = allPaddingCookieNames().map((name) => `${name}=; path=${PADDING_COOKIE_PATH}; max-age=0; SameSite=Strict`);
  const set = paddingCookies(bytes).map(({ name, value }) => `${name}=${value}; path=${PADDING_COOKIE_PATH}; SameSite=Strict`);
  return [...clear, ...set];
}

/** Sets (or with 0, clears) the padding cookie in this document. */
export function applyPaddingCookie(doc: Document, bytes: number): void {
  for (const assignment of cookieAssignments(bytes)) doc.cookie = assignment;
}
