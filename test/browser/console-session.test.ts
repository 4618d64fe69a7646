import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestService, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

let rig: TestRig;
let browser: Browser;
beforeAll(async () => {
  rig = await startTestService();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

describe('web console: signing in', () => {
  it('the login page signs an admin in with an HttpOnly, SameSite=Strict cookie; the home page shows the admin its pages in Chinese', async () => {
    const who = await testAccount(rig, 'admin', { displayName: '运维管理员' });
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${rig.svc.url}/`);
    await page.waitForURL(/\/console\/login$/);
    await page.getByRole('button', { name: /登\s*录/ }).waitFor();
    await screenshot(page, 'login');
    const wrong = { username: who.username, password: 'not-the-password' };
    await page.getByLabel('用户名').fill(wrong.username);
    await page.getByLabel('密码').fill(wrong.password);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('用户名或密码错误');

    await signIn(page, rig.svc.url, who);
    expect(await page.getByTestId('whoami').textContent()).toContain('运维管理员 · 管理员');
    for (const path of ['/wallboard', '/reports', '/ops/ivr', '/ops/routing', '/ops/accounts', '/ops/audit'])
      expect(await page.getByTestId(`home-card-${path}`).count(), path).toBe(1);
    expect(await page.getByTestId('home-card-/agent').count()).toBe(0);
    await screenshot(page, 'home-admin');
    expect(await clippedTexts(page)).toEqual([]);

    const [cookie] = (await ctx.cookies()).filter((c) => c.name === 'tax12366_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('tax12366_session');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('with the cookie, a write without the CSRF token or from another origin is refused and changes nothing; with it, it goes through', async () => {
    const who = await testAccount(rig, 'admin');
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, rig.svc.url, who);
    // A pause reason no other run made (letters only, as the API wants), deleted at the end.
    const code = `csrf_${Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
    const write = (headers: Record<string, string>) =>
      page.evaluate(
        async ({ headers, code }) => {
          const r = await fetch('/api/pause-reasons', {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify({ code, zh: 'CSRF 测试', en: 'CSRF test' }),
          });
          return { status: r.status, body: await r.text() };
        },
        { headers, code },
      );
    const before = (await rig.pool.query('SELECT count(*)::int AS n FROM pause_reasons')).rows[0].n;
    const none = await write({});
    expect(none.status).toBe(403);
    expect(none.body).toContain('x-csrf-token');
    const forged = await write({ 'x-csrf-token': 'forged' });
    expect(forged.status).toBe(403);
    expect((await rig.pool.query('SELECT count(*)::int AS n FROM pause_reasons')).rows[0].n).toBe(before);

    const me = await page.evaluate(async () => (await fetch('/api/me')).json());
    expect(me.csrfToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const right = await write({ 'x-csrf-token': me.csrfToken });
    expect(right.status, right.body).toBe(201);

    // The same cookie sent with another site's Origin (what a cross-site form or script would carry).
    const cookie = (await ctx.cookies()).find((c) => c.name === 'tax12366_session')!;
    const cross = await fetch(`${rig.svc.url}/api/pause-reasons`, {
      method: 'POST',
      headers: {
        cookie: `tax12366_session=${cookie.value}`,
        origin: 'http://evil.example',
        'content-type': 'application/json',
        'x-csrf-token': me.csrfToken,
      },
      body: JSON.stringify({ code: 'evil', zh: '跨站', en: 'cross-site' }),
    });
    expect(cross.status).toBe(403);
    expect((await rig.pool.query('SELECT 1 FROM pause_reasons WHERE code = $1', ['evil'])).rowCount).toBe(0);
    const removed = await page.evaluate(
      async ({ code, csrf }) => (await fetch(`/api/pause-reasons/${code}`, { method: 'DELETE', headers: { 'x-csrf-token': csrf } })).status,
      { code, csrf: me.csrfToken },
    );
    expect(removed).toBeLessThan(300);

    // Signing out ends the session: the cookie no longer opens anything.
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/console\/login$/);
    const after = await fetch(`${rig.svc.url}/api/me`, { headers: { cookie: `tax12366_session=${cookie.value}` } });
    expect(after.status).toBe(401);
    await ctx.close();
  });
});
