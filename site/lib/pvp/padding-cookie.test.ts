import { describe, expect, it } from 'vitest';
import { allPaddingCookieNames, cookieAssignments, cookieHeaderValue, paddingCookies, PADDING_COOKIE_PATH } from './padding-cookie.ts';

describe('the padding cookie', () => {
  it('makes the Cookie header value exactly the size asked for', () => {
    for (const bytes of [64, 256, 1000, 4000, 4001, 4096, 8192]) expect(cookieHeaderValue(paddingCookies(bytes)).length, `${bytes}`).toBe(bytes);
    expect(paddingCookies(0)).toEqual([]);
  });
  it('keeps every cookie under the browsers’ 4096-byte limit for name plus value (RFC 6265 §6.1)', () => {
    for (const pair of paddingCookies(8192)) expect(pair.name.length + 1 + pair.value.length).toBeLessThanOrEqual(4096);
    expect(paddingCookies(8192).length).toBeLessThanOrEqual(allPaddingCookieNames().length);
  });
  it('scopes the cookies to /pvp and clears every earlier size before setting the new one', () => {
    const assignments = cookieAssignments(5000);
    const clears = assignments.filter((a) => a.includes('max-age=0'));
    expect(clears.map((a) => a.split('=')[0])).toEqual(allPaddingCookieNames());
    expect(assignments.indexOf(clears.at(-1) ?? '')).toBeLessThan(assignments.findIndex((a) => !a.includes('max-age=0')));
    expect(assignments.every((a) => a.includes(`path=${PADDING_COOKIE_PATH};`))).toBe(true);
    expect(cookieAssignments(0).every((a) => a.includes('max-age=0'))).toBe(true);
  });
});
