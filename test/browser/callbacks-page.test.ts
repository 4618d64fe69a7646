import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, alwaysOpen12366 } from '../support/ivr.js';
import { sipp } from '../support/sipp.js';
import { callAs, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

let rig: TestRig;
let browser: Browser;
beforeAll(async () => {
  rig = await startTestService();
  await activateIvr(rig, alwaysOpen12366());
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

describe('web console: callers to call back', () => {
  it('a caller who gave up waiting for 国税 → 增值税 is listed for a supervisor, who can narrow the list by queue', async () => {
    // No agent serves ntax-vat here: the caller waits 5 s in the queue and hangs up (an abandon, not a short one).
    const caller = uniqueCaller();
    const run = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 12_000 },
      files: { pcap: dtmfPcap(presses('21', 500, 400), { audioMs: 12_000 }) },
      timeoutS: 40,
    });
    await run.done;
    const admin = rig.svc.config.ADMIN_TOKEN;
    await waitFor('the abandon in GET /api/callbacks', async () => {
      const r = await callAs(rig, admin, 'GET', '/api/callbacks?days=1&queue=ntax-vat');
      return r.status === 200 && (r.body as Array<{ caller: string }>).some((p) => p.caller === caller);
    });

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, rig.svc.url, await testAccount(rig, 'supervisor', { displayName: '值班班长' }));
    await page.getByTestId('home-card-/callbacks').click();
    // The shared rig's database holds earlier runs' abandons too: look this caller up by number.
    await page.getByPlaceholder('来电号码').fill(caller);
    const row = page.getByRole('row').filter({ hasText: caller });
    await row.waitFor();
    expect(await row.textContent()).toContain('国税 → 增值税');
    await screenshot(page, 'callbacks');
    expect(await clippedTexts(page)).toEqual([]);

    // Another queue's list does not have it.
    await page.getByPlaceholder('队列，如 ntax-vat').fill('other');
    await page.getByPlaceholder('队列，如 ntax-vat').press('Enter');
    await expect.poll(() => page.getByRole('row').filter({ hasText: caller }).count()).toBe(0);
    await ctx.close();
  }, 90_000);
});
