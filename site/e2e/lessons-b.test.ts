/**
 * Lessons 9-13 in Chromium, served by the real lab server: each page loads without console errors,
 * its interactive part works for one known case (the nginx checker, the backpressure simulation,
 * the Origin allow-list, a live WebSocket to /echo, the bytes-to-messages pipeline), and its graded
 * check can be completed. Required on CI (CI=true).
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useSiteInBrowser } from './site-in-browser.ts';
import { browserSkipReason } from './support.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

/** Each lesson's graded check, answered correctly: text for value questions, a label pattern for choices. */
type Answer = { readonly value: string } | { readonly choose: RegExp };
const QUIZZES: Readonly<Record<string, readonly Answer[]>> = {
  proxies: [{ choose: /An HTTP\/1\.0 GET with/ }, { value: 'proxy_http_version' }, { choose: /Have the server send a ping more often/ }, { choose: /sends "Connection: upgrade" when/ }],
  scaling: [{ choose: /Each thread costs a stack/ }, { choose: /Stop producing for this socket/ }, { value: 'bufferedAmount' }, { choose: /publishes it to a shared pub\/sub/ }],
  security: [{ choose: /carries the user's cookie/ }, { value: '403' }, { choose: /the masking key travels in the frame/ }, { value: '1009' }],
  'browser-api': [{ value: '0' }, { choose: /An ArrayBuffer with/ }, { choose: /Close the connection with code 4000/ }, { choose: /About 8 MiB/ }],
  'build-your-own': [{ choose: /The same code runs in the Node server/ }, { value: '0x81' }, { choose: /When the last byte of the final frame/ }],
};

describe.skipIf(skipReason !== null)('lessons 9-13 in Chromium', () => {
  const site = useSiteInBrowser();



  async function completeQuiz(page: Page, lessonId: string): Promise<void> {
    await site.hydrated(page, '.quiz form');
    const quiz = page.locator('.quiz');
    const inputs = quiz.locator('input[type="text"]');
    let valueIndex = 0;
    for (const answer of QUIZZES[lessonId]!) {
      if ('value' in answer) await inputs.nth(valueIndex++).fill(answer.value);
      else await quiz.getByLabel(answer.choose).check();
    }
    await quiz.getByRole('button', { name: 'Check answers' }).click();
    await expect.poll(() => quiz.locator('[role="status"]').innerText()).toMatch(/lesson complete/);
  }

  it('lesson 9: the nginx checker explains a bare proxy_pass and accepts the WebSocket idiom', async () => {
    const { page, errors } = await site.open('lessons/proxies/');
    await site.hydrated(page, '[data-testid="nginx-input"]');
    const verdict = page.locator('[data-testid="nginx-verdict"]');
    await expect.poll(() => verdict.innerText()).toMatch(/answers 400: the opening handshake requires HTTP\/1\.1/);
    expect(await page.locator('[data-testid="nginx-output"]').innerText()).toMatch(/Upgrade is a hop-by-hop header/);
    await page.getByRole('button', { name: 'Load the WebSocket idiom' }).click();
    await expect.poll(() => verdict.innerText()).toMatch(/answers 101/);
    await completeQuiz(page, 'proxies');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lesson 10: pausing on the high-water mark bounds the queue that ignoring write() lets grow', async () => {
    const { page, errors } = await site.open('lessons/scaling/');
    await site.hydrated(page, '[data-testid="backpressure-readout"]');
    const peak = page.locator('[data-testid="peak"]');
    await expect.poll(() => peak.innerText()).toBe('21.0 MiB');
    await page.locator('[data-testid="policy-pause"]').check();
    await expect.poll(() => peak.innerText()).toMatch(/^(1\.0 MiB|\d+ KiB)$/);
    await completeQuiz(page, 'scaling');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lesson 11: the allow-list refuses an attacker\'s Origin with 403, and accepts it once listed', async () => {
    const { page, errors } = await site.open('lessons/security/');
    await site.hydrated(page, '[data-testid="origin-table"]');
    const evil = page.locator('[data-testid="origin-table"] tr[data-origin="https://evil.example.net"] .status');
    await expect.poll(() => evil.innerText()).toMatch(/403 refused/);
    expect(await page.locator('tr[data-origin="https://chat.example.com"] .status').innerText()).toMatch(/101 opens/);
    await page.locator('[data-testid="origin-allow"]').fill('https://chat.example.com\nhttps://evil.example.net');
    await expect.poll(() => evil.innerText()).toMatch(/101 opens/);
    await completeQuiz(page, 'security');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lesson 12: the playground opens a real WebSocket to /echo, logs events, binaryType and bufferedAmount', async () => {
    const { page, errors } = await site.open('lessons/browser-api/');
    await site.hydrated(page, '[data-testid="pg-connect"]');
    const log = page.locator('[data-testid="pg-log"]');
    await page.locator('[data-testid="pg-connect"]').click();
    await expect.poll(() => page.locator('[data-testid="pg-state"]').innerText()).toMatch(/1 OPEN/);
    expect(await log.innerText()).toMatch(/0 CONNECTING[\s\S]*event open[\s\S]*1 OPEN/);
    await page.locator('[data-testid="pg-send-text"]').click();
    await expect.poll(() => log.innerText()).toMatch(/message: string \(text message, 12 characters\): "Hello, echo!"/);
    await page.locator('[data-testid="pg-send-binary"]').click();
    await expect.poll(() => log.innerText()).toMatch(/message: Blob of 16 bytes/);
    await page.locator('[data-testid="pg-arraybuffer"]').check();
    await page.locator('[data-testid="pg-send-binary"]').click();
    await expect.poll(() => log.innerText()).toMatch(/message: ArrayBuffer of 16 bytes/);
    await page.locator('[data-testid="pg-send-large"]').click();
    expect(await log.innerText()).toMatch(/bufferedAmount is 8,388,608 right after the call/);
    await expect.poll(() => log.innerText(), { timeout: 15_000 }).toMatch(/ArrayBuffer of 8,388,608 bytes/);
    await page.locator('[data-testid="pg-close"]').click();
    await expect.poll(() => log.innerText()).toMatch(/close: code 1000, reason "[^"]*", wasClean true/);
    expect(await page.locator('[data-testid="pg-state"]').innerText()).toMatch(/3 CLOSED/);
    await completeQuiz(page, 'browser-api');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lesson 13: the pipeline reproduces the RFC 6455 §5.7 masked frame and delivers it read byte by byte', async () => {
    const { page, errors } = await site.open('lessons/build-your-own/');
    await site.hydrated(page, '[data-testid="pipeline-text"]');
    await expect.poll(() => page.locator('[data-testid="pipeline-wire"]').innerText()).toBe('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    await page.locator('[data-testid="pipeline-chunk"]').fill('1');
    await expect.poll(() => page.locator('[data-testid="pipeline-output"] tbody tr').count()).toBe(11);
    expect(await page.locator('[data-testid="pipeline-delivered"]').innerText()).toMatch(/"Hello"/);
    expect(await page.locator('figure.source').count()).toBeGreaterThanOrEqual(10);
    await completeQuiz(page, 'build-your-own');
    expect(errors).toEqual([]);
    await page.close();
  });
});
