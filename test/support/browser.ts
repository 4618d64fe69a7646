import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO } from './rig.js';
import { callAs, randomPassword, type TestRig } from './service.js';

/**
 * Page tests drive Debian's own Chromium (installed by scripts/rig.sh: `chromium`, and
 * `fonts-noto-cjk` so Chinese renders in the screenshots). No browser is ever downloaded: a
 * machine without it fails here, loudly.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of every page, kept as test artifacts (var/ is git-ignored; docs/screenshots/ holds the README's). */
export const SCREENSHOTS = path.join(REPO, 'var', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/rig.sh up (it installs Debian's chromium and fonts-noto-cjk)`);
  // --no-sandbox: the tests run as root in a container, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'], headless: true });
}

/** A fresh browser profile (no cookies, cold cache) at the console's smallest supported size, in Chinese and Beijing time. */
export async function newContext(browser: Browser, o: { lang?: 'zh-CN' | 'en-US' } = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1366, height: 768 }, locale: o.lang ?? 'zh-CN', timezoneId: 'Asia/Shanghai' });
}

/** A test account of the given role (user name t-…, disabled when the run ends: test/global-setup.ts). */
export async function testAccount(
  rig: TestRig,
  role: 'admin' | 'supervisor' | 'agent' | 'readonly' | 'editor' | 'liaison' | 'quality',
  o: { agentId?: string; displayName?: string; department?: string } = {},
): Promise<{ username: string; password: string }> {
  const username = `t-${role}-${randomBytes(4).toString('hex')}`;
  const password = randomPassword();
  const r = await callAs(rig, rig.svc.config.ADMIN_TOKEN, 'POST', '/api/accounts', {
    username,
    displayName: o.displayName ?? `测试${role}`,
    role,
    password,
    ...(o.agentId ? { agentId: o.agentId } : {}),
    ...(o.department ? { department: o.department } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { username, password };
}

/** Signs in through the login page, as a person would, and waits for the home page. */
export async function signIn(page: Page, baseUrl: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/console/login`);
  await page.getByLabel(/用户名|User name/).fill(who.username);
  await page.getByLabel(/密码|Password/).fill(who.password);
  await page.getByRole('button', { name: /登\s*录|Sign in/ }).click();
  await page.getByTestId('whoami').waitFor();
}

/** A full-window screenshot at var/screenshots/<name>.png. */
/**
 * Waits until nothing on the page is moving or passing: drawers and modals done sliding in (their
 * CSS transitions finished; endless ones such as spinners do not count) and no toast left (an Ant
 * Design message stays 3 s). A screenshot taken earlier shows a half-open drawer or a toast over a title.
 */
export async function settled(page: Page, timeoutMs = 8000): Promise<void> {
  await page.waitForFunction(
    () =>
      !document.querySelector('.ant-message-notice') &&
      document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
    undefined,
    { timeout: timeoutMs },
  );
}

/**
 * Clicks a choice in a pop-up (a menu item, a select's option) until the pop-up closes, opening it
 * again first if it has closed without the choice being taken. Under the suite's load a click on a
 * pop-up still fading in was lost twice in CI (the list stayed open 30 s; a menu's pause never
 * reached the server): the user would click again, and so does this, at most three times.
 */
export async function choose(open: () => Promise<void>, choice: Locator, what: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (!(await choice.isVisible())) await open();
    await choice.click();
    const closed = await choice.waitFor({ state: 'hidden', timeout: 5000 }).then(
      () => true,
      () => false,
    );
    if (closed) return;
    if (attempt >= 2) throw new Error(`${what}: still open after three clicks`);
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Problems a page must not have: an element whose text is cut off or spills out of its box
 * (scrollWidth beyond clientWidth on text-only elements), and errors in the console.
 */
export async function clippedTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      if (el.children.length || !el.textContent?.trim()) continue;
      const style = getComputedStyle(el);
      // Ellipsis on purpose (a long cell with its full text in a tooltip) is not a defect.
      if (style.textOverflow === 'ellipsis' || style.display === 'none' || style.visibility === 'hidden') continue;
      if (el.scrollWidth > el.clientWidth + 1 && style.overflow !== 'visible' && el.clientWidth > 0)
        found.push(el.textContent.trim().slice(0, 40));
    }
    return found;
  });
}
