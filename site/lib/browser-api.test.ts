import { describe, expect, it } from 'vitest';
import { describeData, echoUrl, isPageCloseCode, patternBytes, readyStateName } from './browser-api.ts';

describe('browser API playground helpers (lesson 12)', () => {
  it('names readyState values', () => {
    expect([0, 1, 2, 3].map(readyStateName)).toEqual(['0 CONNECTING', '1 OPEN', '2 CLOSING', '3 CLOSED']);
  });

  it('finds /echo on this origin, ws or wss, and none under a base path', () => {
    expect(echoUrl({ protocol: 'http:', host: '127.0.0.1:8455' }, '/')).toBe('ws://127.0.0.1:8455/echo');
    expect(echoUrl({ protocol: 'https:', host: 'lab.test' }, '/')).toBe('wss://lab.test/echo');
    expect(echoUrl({ protocol: 'https:', host: 'user.github.io' }, '/websockets-from-scratch/')).toBeNull();
  });

  it('describes text, Blob and ArrayBuffer data', async () => {
    expect(describeData('hello')).toMatch(/^string .*5 characters.*"hello"/);
    expect(describeData(new Blob([patternBytes(3)]))).toMatch(/^Blob of 3 bytes/);
    expect(describeData(new ArrayBuffer(1024))).toMatch(/^ArrayBuffer of 1,024 bytes/);
    expect(Array.from(patternBytes(258).slice(254))).toEqual([254, 255, 0, 1]);
  });

  it('knows which close codes a page may send', () => {
    expect([1000, 3000, 4999].every(isPageCloseCode)).toBe(true);
    expect([1001, 1002, 1006, 2999, 5000].some(isPageCloseCode)).toBe(false);
  });
});
