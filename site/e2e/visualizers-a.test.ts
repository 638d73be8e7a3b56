/**
 * Lessons 4-8 and their visualizers in headless Chromium, served by the real lab server: each page
 * loads without console errors, each visualizer produces the bytes the RFC gives for a known case, and
 * each lesson's graded check can be completed. Required on CI (CI=true).
 */
import { describe, expect, it } from 'vitest';
import { useSiteInBrowser } from './site-in-browser.ts';
import { browserSkipReason } from './support.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

/** The graded checks, answered: text answers in order for value questions, a label pattern for choices. */
const QUIZ_ANSWERS: Readonly<Record<string, readonly (string | RegExp)[]>> = {
  masking: ['49 6b', '21', /So that a script cannot choose the bytes/, /Fail the connection \(close code 1002\)/],
  fragmentation: ['0x80', '3', /A ping \(or a pong/, /there is no message to continue/],
  'control-frames': ['88 02 03 e9', /A pong with payload "abc"/, /03 ee \(status 1006\)/, '123'],
  utf8: ['3', /Keep going/, '1007', /Binary \(opcode 0x2\)/],
  extensions: ['00 00 ff ff', /RSV1 marks only the first frame/, /picked a subprotocol the client did not offer/, '4', /The compressed length reveals/],
};

describe.skipIf(skipReason !== null)('lessons 4-8 and their visualizers in Chromium', () => {
  const site = useSiteInBrowser();



  it('opens the three tools and lessons 4-8 without console errors', async () => {
    const paths = ['tools/masking/', 'tools/fragmentation/', 'tools/close-codes/', ...Object.keys(QUIZ_ANSWERS).map((id) => `lessons/${id}/`)];
    for (const path of paths) {
      const { page, errors } = await site.open(path);
      await page.waitForLoadState('networkidle');
      expect(await page.locator('h1').count(), `one h1 on /${path}`).toBe(1);
      if (path.startsWith('lessons/')) expect(await page.locator('.quiz').count(), `graded check on /${path}`).toBe(1);
      expect(errors, `console errors on /${path}`).toEqual([]);
      await page.close();
    }
  }, 120_000);

  it('masks RFC 6455 §5.7 "Hello" with 37 fa 21 3d into 7f 9f 4d 51 58, and back', async () => {
    const { page, errors } = await site.open('tools/masking/');
    await site.hydrated(page, '[data-testid="masking-payload"]');
    const output = page.locator('[data-testid="masking-output"]');
    expect(await output.innerText()).toBe('7f 9f 4d 51 58');
    expect(await page.locator('[data-testid="masking-roundtrip"]').innerText()).toBe('48 65 6c 6c 6f');
    await page.locator('[data-testid="masking-key"]').fill('01 02 03 04');
    await page.locator('[data-testid="masking-payload"]').fill('Hi');
    await expect.poll(() => output.innerText()).toBe('49 6b');
    await page.locator('[data-testid="masking-key"]').fill('01 02');
    await expect.poll(() => page.locator('.masking .error').innerText()).toMatch(/exactly 4 bytes/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('fragments "Hello" into the RFC 6455 §5.7 frames, with a ping in between, and fails invalid UTF-8 with 1007', async () => {
    const { page, errors } = await site.open('tools/fragmentation/');
    await site.hydrated(page, '[data-testid="fragment-message"]');
    await page.locator('[data-testid="fragment-message"]').fill('Hello');
    await page.locator('[data-testid="fragment-size"]').fill('3');
    const frames = page.locator('[data-testid="fragment-frames"] > li .bytes');
    await expect.poll(() => frames.allInnerTexts()).toEqual(['01 03 48 65 6c', '80 02 6c 6f']);
    await page.locator('[data-testid="fragment-ping"]').check();
    await expect.poll(() => frames.allInnerTexts()).toEqual(['01 03 48 65 6c', '89 04 70 69 6e 67', '80 02 6c 6f']);
    expect(await page.locator('[data-testid="fragment-frames"] > li .summary').nth(1).innerText()).toMatch(/opcode 0x9 ping/);

    await page.getByRole('button', { name: 'invalid byte ff' }).click();
    await expect.poll(() => page.locator('[data-testid="utf8-verdict"]').innerText()).toMatch(/1007/);
    expect(await page.locator('[data-testid="utf8-steps"] li').nth(1).innerText()).toMatch(/byte 2 of the message can never be UTF-8/);
    await page.getByRole('button', { name: /split inside the €/ }).click();
    await expect.poll(() => page.locator('[data-testid="utf8-verdict"]').innerText()).toMatch(/^Valid UTF-8/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('builds close frames with the core and gives parseClosePayload’s verdict (RFC 6455 §5.5.1, §7.4)', async () => {
    const { page, errors } = await site.open('tools/close-codes/');
    await site.hydrated(page, '[data-testid="close-code"]');
    const frame = page.locator('[data-testid="close-frame"]');
    expect(await frame.innerText()).toBe('88 05 03 e8 62 79 65');
    expect(await page.locator('[data-testid="close-open-inspector"]').getAttribute('href')).toMatch(/tools\/inspector\/\?hex=880503e8627965$/);
    await page.locator('[data-testid="close-code"]').fill('1001');
    await page.locator('[data-testid="close-reason"]').fill('');
    await expect.poll(() => frame.innerText()).toBe('88 02 03 e9');
    await page.locator('[data-testid="close-code"]').fill('1006');
    await expect.poll(() => page.locator('[data-testid="close-build-error"]').innerText()).toMatch(/may not be sent/);

    const verdict = page.locator('[data-testid="close-verdict"]');
    await page.locator('[data-testid="close-paste"]').fill('03');
    await expect.poll(() => verdict.innerText()).toMatch(/1 byte[\s\S]*1002 \(Protocol Error\)[\s\S]*RFC 6455 §5\.5\.1/);
    await page.getByRole('button', { name: 'bad UTF-8 reason' }).click();
    await expect.poll(() => verdict.innerText()).toMatch(/not valid UTF-8[\s\S]*1007/);
    await page.getByRole('button', { name: 'empty payload' }).click();
    await expect.poll(() => verdict.innerText()).toMatch(/1005/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  for (const [lessonId, answers] of Object.entries(QUIZ_ANSWERS)) {
    it(`completes the graded check of lesson "${lessonId}"`, async () => {
      const { page, errors } = await site.open(`lessons/${lessonId}/`);
      await site.hydrated(page, '.quiz form');
      const quiz = page.locator('.quiz');
      const inputs = quiz.locator('input[type="text"]');
      let textIndex = 0;
      for (const answer of answers) {
        if (typeof answer === 'string') await inputs.nth(textIndex++).fill(answer);
        else await quiz.getByLabel(answer).check();
      }
      await quiz.getByRole('button', { name: 'Check answers' }).click();
      await expect.poll(() => quiz.locator('[role="status"]').innerText()).toMatch(/lesson complete/);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  }
});
