/**
 * The built site in headless Chromium, served by the real lab server: every page loads without console
 * errors, the frame inspector decodes the RFC 6455 §5.7 examples, the handshake explorer computes the
 * §1.3 accept value, and a graded check marks its lesson complete. Required on CI (CI=true).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openWithLateIslands } from './late-hydration.ts';
import { useSiteInBrowser } from './site-in-browser.ts';
import { DIST_DIR, browserSkipReason, builtPages } from './support.ts';

const skipReason = browserSkipReason();
if (skipReason !== null) console.warn(skipReason);

describe.skipIf(skipReason !== null)('the lesson site in Chromium', () => {
  const site = useSiteInBrowser();
  let lessonIds: string[];
  let pages: string[];

  beforeAll(() => {
    lessonIds = readdirSync(join(DIST_DIR, 'lessons'));
    pages = builtPages();
  });



  it('serves the three first lessons, each with objectives and a graded check', () => {
    expect(lessonIds).toEqual(expect.arrayContaining(['why-push', 'opening-handshake', 'the-frame']));
  });

  it('opens every page (home, lessons, tools, search) without console errors', async () => {
    expect(pages).toEqual(expect.arrayContaining(['', 'search/', 'tools/', 'tools/inspector/', 'tools/builder/', 'tools/handshake/']));
    for (const path of pages) {
      const { page, errors } = await site.open(path);
      await page.waitForLoadState('networkidle');
      expect(await page.locator('h1').count(), `one h1 on /${path}`).toBe(1);
      expect(await page.locator('a.skip-link[href="#main"]').count(), `skip link on /${path}`).toBe(1);
      expect(await page.locator('#main').count(), `#main on /${path}`).toBe(1);
      if (path.startsWith('lessons/')) {
        expect(await page.locator('.objectives li').count(), `objectives on /${path}`).toBeGreaterThan(0);
        expect(await page.locator('.quiz').count(), `graded check on /${path}`).toBe(1);
      }
      expect(errors, `console errors on /${path}`).toEqual([]);
      await page.close();
    }
  }, 120_000); // ~1 s per page, and the site keeps growing

  it('sees the lab server live from the home page (the /echo probe)', async () => {
    const { page, errors } = await site.open('');
    await expect.poll(() => page.locator('.lab-status').getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('decodes the RFC 6455 §5.7 examples in the frame inspector, from the URL and from typed input', async () => {
    const { page, errors } = await site.open('tools/inspector/?hex=810548656c6c6f');
    await site.hydrated(page, '[data-testid="inspector-input"]');
    const output = page.locator('[data-testid="inspector-output"]');
    // §5.7 a single-frame unmasked text message.
    await expect.poll(() => output.innerText()).toMatch(/Frame 1: text, 2-byte header \+ 5-byte payload/);
    expect(await output.innerText()).toMatch(/0x1 text: the message is UTF-8 text/);
    expect(await output.locator('.text-payload').innerText()).toBe('Hello');

    // §5.7 a single-frame masked text message: the core unmasks it with key 37 fa 21 3d.
    await page.locator('[data-testid="inspector-input"]').fill('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    await expect.poll(() => output.innerText()).toMatch(/Masking-key[\s\S]*0x37fa213d/);
    expect(await output.innerText()).toMatch(/7f 9f 4d 51 58[\s\S]*48 65 6c 6c 6f/);
    expect(await output.locator('.text-payload').innerText()).toBe('Hello');
    await expect.poll(() => new URL(page.url()).searchParams.get('hex')).toBe('818537fa213d7f9f4d5158');

    // §5.7 a fragmented unmasked text message, pasted as base64: two frames, "Hel" then "lo".
    await page.locator('[data-testid="inspector-input"]').fill(Buffer.from([0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]).toString('base64'));
    await expect.poll(() => output.locator('.frame').count()).toBe(2);
    expect(await output.innerText()).toMatch(/Frame 1: text \(not final\)[\s\S]*Frame 2: continuation/);

    // §5.7 256 bytes of binary data: a 16-bit extended length.
    await page.locator('[data-testid="inspector-input"]').fill(`82 7e 01 00 ${'00 '.repeat(256)}`);
    await expect.poll(() => output.innerText()).toMatch(/Extended payload length[\s\S]*= 256/);

    // A reserved opcode: the violation, its section and the close code a receiver sends.
    await page.locator('[data-testid="inspector-input"]').fill('83 00');
    await expect.poll(() => output.innerText()).toMatch(/1002 \(Protocol Error\)/);
    expect(await output.innerText()).toMatch(/RFC 6455 §5\.2/);

    // Not bytes at all: a readable error rather than a decode.
    await page.locator('[data-testid="inspector-input"]').fill('hello world');
    await expect.poll(() => page.locator('.inspector .error').innerText()).toMatch(/Not bytes yet/);

    // Focusing a byte highlights its field: byte 2 of the masked frame is in the masking key.
    await page.locator('[data-testid="inspector-input"]').fill('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    await page.locator('.byte[data-index="2"]').focus();
    await expect.poll(() => page.locator('.fields li.active .field-name').allInnerTexts()).toEqual(['Masking-key']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('computes the RFC 6455 §1.3 accept value in the handshake explorer', async () => {
    const { page, errors } = await site.open('tools/handshake/');
    await site.hydrated(page, '[data-testid="handshake-key"]');
    const accept = page.locator('[data-testid="handshake-accept"]');
    expect(await accept.innerText()).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    await page.locator('[data-testid="handshake-key"]').fill('x3JJHMbDL1EzLkh9GBhXDw==');
    await expect.poll(() => accept.innerText()).toBe('HSmrc0sMlYUkAGmm5OPpG2HaGWk=');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('passes the graded check of "The frame" and shows the lesson complete on the course index', async () => {
    const { page, errors } = await site.open('lessons/the-frame/');
    await site.hydrated(page, '.quiz form');
    const quiz = page.locator('.quiz');
    const inputs = quiz.locator('input[type="text"]');
    // First a wrong answer: the misconception is explained and nothing is marked.
    await inputs.nth(0).fill('81');
    await quiz.getByRole('button', { name: 'Check answers' }).click();
    await expect.poll(() => quiz.innerText()).toMatch(/Opcode 0x1 is text\. Binary is 0x2\./);
    await inputs.nth(0).fill('0x82');
    await inputs.nth(1).fill('8');
    await inputs.nth(2).fill('48');
    await quiz.getByLabel(/Fail the connection/).check();
    await quiz.getByRole('button', { name: 'Check answers' }).click();
    await expect.poll(() => quiz.locator('[role="status"]').innerText()).toMatch(/lesson complete/);
    await expect.poll(() => page.locator('.sidebar li.complete').allInnerTexts()).toEqual([expect.stringMatching(/The frame/)]);

    await page.goto(`${site.url}/`, { waitUntil: 'networkidle' });
    await expect.poll(() => page.locator('.progress').innerText()).toMatch(new RegExp(`1 of ${lessonIds.length}\\s+lessons complete`));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('replays a click made on a quiz before it has hydrated, once, after it has', async () => {
    const late = await openWithLateIslands(site.browser, `${site.url}/lessons/the-frame/`);
    const { page } = late;
    const quiz = page.locator('.quiz');
    const check = quiz.getByRole('button', { name: 'Check answers' });
    // Scrolling the quiz into view starts its hydration (client:visible); its scripts are held back.
    await check.scrollIntoViewIfNeeded();
    const box = (await check.boundingBox())!;
    // A double click, where a user would click: at the button, not through Playwright's wait for it to be ready.
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { clickCount: 2 });
    // Not yet hydrated, so nothing happened yet: no submit, no grade; the island and the button say they are busy.
    expect(await late.island('.quiz')).toEqual({ ssr: true, busy: 'true' });
    expect(await check.getAttribute('aria-busy')).toBe('true');
    expect(await late.submits()).toBe(0);
    expect(await quiz.locator('[role="status"]').innerText()).toBe('');
    // Hydrated: the press is graded, once (a double click does not check twice), and nothing is busy any more.
    await expect.poll(() => quiz.locator('[role="status"]').innerText(), { timeout: 15_000 }).toMatch(/^0 of 4 right/);
    expect(await quiz.locator('.feedback').first().innerText()).toMatch(/Enter an answer first/);
    expect(await late.island('.quiz')).toEqual({ ssr: false, busy: null });
    expect(await check.getAttribute('aria-busy')).toBeNull();
    await page.waitForTimeout(300);
    expect(await late.submits()).toBe(1);
    expect(new URL(page.url()).search).toBe('');
    expect(late.errors).toEqual([]);
    await page.close();
  });

  it('replays Enter pressed on a quiz button reached with Tab before the quiz has hydrated', async () => {
    const late = await openWithLateIslands(site.browser, `${site.url}/lessons/the-frame/`);
    const { page } = late;
    const quiz = page.locator('.quiz');
    // The last question's first option, then Tab: the keyboard reaches the button before the quiz has hydrated
    // (focusing scrolls the quiz into view, which starts its hydration).
    await quiz.getByLabel(/Fail the connection/).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Check answers');
    await page.keyboard.press('Enter');
    expect(await late.island('.quiz')).toEqual({ ssr: true, busy: 'true' });
    expect(await late.submits()).toBe(0);
    await expect.poll(() => quiz.locator('[role="status"]').innerText(), { timeout: 15_000 }).toMatch(/^0 of 4 right/);
    expect(await late.island('.quiz')).toEqual({ ssr: false, busy: null });
    expect(await late.submits()).toBe(1);
    // The page was not submitted natively (that would have reloaded it with a query).
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Check answers');
    expect(late.errors).toEqual([]);
    await page.close();
  });

  it('grades the answers typed and chosen before the quiz has hydrated, with the press held meanwhile', async () => {
    const late = await openWithLateIslands(site.browser, `${site.url}/lessons/the-frame/`);
    const { page } = late;
    const quiz = page.locator('.quiz');
    const fields = quiz.locator('input[type="text"]');
    await fields.first().scrollIntoViewIfNeeded();
    // Served fields, typed into and chosen while the island's scripts are held back.
    await fields.nth(0).fill('82');
    await fields.nth(1).fill('8');
    await fields.nth(2).fill('0x48');
    await quiz.getByLabel(/Fail the connection/).check();
    await quiz.getByRole('button', { name: 'Check answers' }).click();
    expect(await late.island('.quiz')).toEqual({ ssr: true, busy: 'true' });
    await expect.poll(() => quiz.locator('[role="status"]').innerText(), { timeout: 15_000 }).toMatch(/^All 4 right/);
    expect(await fields.nth(2).inputValue()).toBe('0x48');
    expect(await quiz.getByLabel(/Fail the connection/).isChecked()).toBe(true);
    expect(late.errors).toEqual([]);
    await page.close();
  });

  it('fits a 360 px wide screen on every page (no horizontal scrolling)', async () => {
    const context = await site.browser.newContext({ viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    const tooWide: string[] = [];
    for (const path of pages) {
      await page.goto(`${site.url}/${path}`, { waitUntil: 'networkidle' });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 360) {
        // Name the widest element that sticks out, so the failure says what to fix.
        const culprit = await page.evaluate(() => {
          // Content that scrolls inside its own box (code, tables) does not widen the page.
          const scrollsInside = (element: Element): boolean => {
            for (let parent = element.parentElement; parent !== null && parent !== document.body; parent = parent.parentElement) {
              if (getComputedStyle(parent).overflowX !== 'visible') return true;
            }
            return false;
          };
          const culprit = [...document.querySelectorAll('body *')].find((element) => element.getBoundingClientRect().right > 361 && !scrollsInside(element));
          return culprit === undefined ? '?' : `${culprit.tagName.toLowerCase()}.${[...culprit.classList].join('.')} "${(culprit.textContent ?? '').trim().slice(0, 40)}"`;
        });
        tooWide.push(`/${path} is ${width}px wide (${culprit})`);
      }
    }
    expect(tooWide).toEqual([]);
    await context.close();
  });

  it('lists every visualizer page on the tools index, linked from the header', async () => {
    const { page, errors } = await site.open('');
    await page.locator('.site-header nav').getByRole('link', { name: 'Tools' }).click();
    await page.waitForURL(/\/tools\/$/);
    const links = await page.locator('.tools a').evaluateAll((anchors) => anchors.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    const toolPages = pages.filter((path) => /^tools\/[^/]+\/$/.test(path)).map((path) => `/${path}`);
    // The live wire lives at /lab/ (it needs the lab server or runs a simulation) and is listed too.
    expect(links.slice().sort()).toEqual([...toolPages, '/lab/'].sort());
    expect(errors).toEqual([]);
    await page.close();
  });

  it('searches the lessons with Pagefind, lesson text only, keeping the query in the URL', async () => {
    const { page, errors } = await site.open('search/?q=masking');
    const results = page.locator('[data-testid="search-results"] li a');
    await expect.poll(() => results.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const hrefs = await results.evaluateAll((anchors) => anchors.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    expect(hrefs.every((path) => path.startsWith('/lessons/')), hrefs.join(' ')).toBe(true);
    expect(await page.locator('[data-testid="search-results"] mark').count()).toBeGreaterThan(0);
    // Typing a new query searches again and updates the address.
    await page.locator('[data-testid="search-input"]').fill('Sec-WebSocket-Accept');
    await expect.poll(() => page.url()).toMatch(/q=Sec-WebSocket-Accept/);
    await expect.poll(() => results.evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).pathname))).toContain('/lessons/opening-handshake/');
    // Words only a tool page has are not indexed: tool pages are not lessons.
    await page.locator('[data-testid="search-input"]').fill('Reserved opcodes and RSV bits are allowed here on purpose');
    await expect.poll(() => page.locator('.search + .status, [role="status"]').last().innerText()).toMatch(/No lesson mentions/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('applies a chosen dark theme before first paint and toggles it from the header', async () => {
    const context = await site.browser.newContext({ colorScheme: 'light' });
    await context.addInitScript(() => localStorage.setItem('wsfs:theme', 'dark'));
    const page = await context.newPage();
    // Read the theme as the first script after <head> runs, before any island hydrates.
    await page.goto(`${site.url}/lessons/why-push/`, { waitUntil: 'domcontentloaded' });
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    await site.hydrated(page, '.theme-toggle');
    await page.locator('.theme-toggle').click();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'] ?? 'system')).toBe('system');
    expect(await page.locator('.theme-toggle').getAttribute('aria-label')).toMatch(/System/);
    await context.close();
  });

  it('is keyboard operable: the first Tab reaches the skip link', async () => {
    const { page } = await site.open('lessons/why-push/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to content');
    await page.close();
  });
});
