/**
 * The frame builder in Chromium: the bytes follow the controls, a broken rule is explained with its
 * close code, "open in the inspector" carries the bytes, and the inspector's bytes open back in the
 * builder. Required on CI (CI=true).
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useSiteInBrowser } from './site-in-browser.ts';
import { browserSkipReason } from './support.ts';

const skipReason = browserSkipReason();

describe.skipIf(skipReason !== null)('the frame builder in Chromium', () => {
  const site = useSiteInBrowser();

  /** The builder's islands load with the page (client:load): wait until every one is hydrated. */
  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const opened = await site.open(path, 'networkidle');
    await opened.page.waitForFunction(() => document.querySelectorAll('astro-island[ssr]').length === 0);
    return opened;
  }

  it('writes the RFC 6455 §5.7 frames live and explains a violation', async () => {
    const { page, errors } = await open('tools/builder/');
    const bytes = page.locator('[data-testid="builder-bytes"]');
    // The default: the §5.7 masked "Hello" a client sends.
    expect(await bytes.innerText()).toBe('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    // A server sends it unmasked.
    await page.getByRole('button', { name: 'Server sends' }).click();
    await expect.poll(() => bytes.innerText()).toBe('81 05 48 65 6c 6c 6f');
    expect(await page.locator('.builder').innerText()).toMatch(/A client accepts this frame/);
    // A reserved opcode: the core's parser names the rule and the close code.
    await page.locator('[data-testid="builder-opcode"]').selectOption('3');
    await expect.poll(() => page.locator('[data-testid="builder-violation"]').innerText()).toMatch(/1002 \(Protocol Error\)[\s\S]*RFC 6455 §5\.2/);
    expect(await bytes.innerText()).toBe('83 05 48 65 6c 6c 6f');
    // Back to text, with invalid UTF-8 as hex: a message-level violation from the connection.
    await page.locator('[data-testid="builder-opcode"]').selectOption('1');
    await page.getByRole('button', { name: 'Hex bytes' }).click();
    await expect.poll(() => page.locator('[data-testid="builder-payload"]').inputValue()).toBe('48 65 6c 6c 6f');
    await page.locator('[data-testid="builder-payload"]').fill('c3 28');
    await expect.poll(() => page.locator('[data-testid="builder-violation"]').innerText()).toMatch(/1007/);
    // A bad masking key is an input error, not a decode.
    await page.getByRole('button', { name: 'Client sends' }).click();
    await page.locator('[data-testid="builder-key"]').fill('12 34');
    await expect.poll(() => page.locator('.builder .error').innerText()).toMatch(/exactly 4 bytes/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens its bytes in the inspector, and the inspector opens them back in the builder', async () => {
    const { page, errors } = await open('tools/builder/');
    await page.locator('[data-testid="builder-payload"]').fill('Hi');
    await expect.poll(() => page.locator('[data-testid="builder-bytes"]').innerText()).toBe('81 82 37 fa 21 3d 7f 93');
    await page.locator('[data-testid="builder-open"]').click();
    await page.waitForURL(/tools\/inspector\/\?hex=818237fa213d7f93&dir=client-to-server/);
    await page.waitForFunction(() => document.querySelectorAll('astro-island[ssr]').length === 0);
    await expect.poll(() => page.locator('[data-testid="inspector-output"] .text-payload').innerText()).toBe('Hi');
    await page.locator('[data-testid="inspector-open-builder"]').click();
    await page.waitForURL(/tools\/builder\/\?hex=818237fa213d7f93/);
    await page.waitForFunction(() => document.querySelectorAll('astro-island[ssr]').length === 0);
    await expect.poll(() => page.locator('[data-testid="builder-payload"]').inputValue()).toBe('Hi');
    expect(await page.locator('[data-testid="builder-bytes"]').innerText()).toBe('81 82 37 fa 21 3d 7f 93');
    expect(errors).toEqual([]);
    await page.close();
  });
});
