import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED, ORIGIN_CASES, handshakeFrom, judgeOrigins, parseAllowList } from './origin-check.ts';

describe('Origin allow-list demo (lesson 11, RFC 6455 §10.2)', () => {
  it('accepts only the listed origin, compared case-insensitively, and refuses the rest with 403', () => {
    const verdicts = judgeOrigins(DEFAULT_ALLOWED, ORIGIN_CASES);
    const accepted = verdicts.filter((v) => v.accepted).map((v) => v.origin);
    expect(accepted).toEqual(['https://chat.example.com', 'HTTPS://Chat.Example.COM']);
    for (const refused of verdicts.filter((v) => !v.accepted)) {
      expect(refused.status, refused.label).toBe(403);
      expect(refused.section).toBe('RFC 6455 §10.2');
    }
    expect(verdicts.find((v) => v.origin === undefined)?.reason).toMatch(/allowed Origin header/);
  });

  it('without an allow-list every origin is accepted: the hijacking case', () => {
    expect(judgeOrigins([], ORIGIN_CASES).every((v) => v.accepted && v.status === 101)).toBe(true);
  });

  it('builds handshakes with and without Origin, and reads allow-lists', () => {
    expect(handshakeFrom(undefined)).not.toMatch(/Origin:/);
    expect(handshakeFrom('https://a.test')).toMatch(/\r\nOrigin: https:\/\/a\.test\r\n/);
    expect(parseAllowList(' https://a.test \n\nhttps://b.test, https://c.test')).toEqual(['https://a.test', 'https://b.test', 'https://c.test']);
  });
});
