import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestService, waitFor, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, settled, signIn, testAccount } from '../support/browser.js';
import { recordedCall, type RecordedCall } from '../support/recorded-call.js';

/**
 * Issue 23's 录音查询 over a real recorded call: a quality reviewer finds it by the caller's number,
 * plays it (the audio loads through the session cookie, its length is the call's, the playback is
 * audited), puts it on hold for a complaint and releases it; bad input is refused at its field with
 * nothing stored; roles without `recordings` are not offered the page.
 */
let rig: TestRig;
let browser: Browser;
let call: RecordedCall;
const TALK_MS = 6000;
beforeAll(async () => {
  rig = await startTestService();
  browser = await launchBrowser();
  call = await recordedCall(rig, { agentName: '张晓燕', talkMs: TALK_MS });
}, 150_000);
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

const holdsOf = async (id: string) =>
  (
    await rig.pool.query<{ ref: string; reason: string; note: string | null; created_by: string; released_at: Date | null }>(
      'SELECT ref, reason, note, created_by, released_at FROM recording_holds WHERE recording_id = $1 ORDER BY created_at',
      [id],
    )
  ).rows;

async function findByCaller(page: Page, caller: string) {
  await page.goto(`${rig.svc.url}/console/recordings`);
  await page.getByTestId('recordings-table').waitFor();
  await page.getByTestId('filter-caller').fill(caller);
  await page.getByTestId('filter-search').click();
  const row = page.getByTestId('recordings-table').locator('tbody tr', { hasText: caller });
  await row.waitFor();
  return row;
}

describe('recordings page', () => {
  it('a reviewer finds the call by number, plays it, and holds it for a complaint', async () => {
    const errors: string[] = [];
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    const who = await testAccount(rig, 'quality', { displayName: '质检员小陈' });
    await signIn(page, rig.svc.url, who);
    // The reviewer's menu: recordings and the quality pages, not the wallboard.
    const menu = await page.locator('.ant-layout-sider').textContent();
    expect(menu).toContain('录音查询');
    expect(menu).toContain('质检报表');
    expect(menu).toContain('质检表单');
    expect(menu).not.toContain('班长监控');

    const row = await findByCaller(page, call.caller);
    expect(await page.getByTestId('recordings-table').locator('tbody tr.ant-table-row').count()).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells[1]).toBe(call.caller);
    expect(cells[2]).toBe(`张晓燕 (${call.agentId})`);
    expect(cells[3]).toBe('other');
    expect(cells[5]).toBe('已接听');
    expect(cells[6]).toBe('双方混音');
    expect(await clippedTexts(page)).toEqual([]);
    await settled(page);
    await screenshot(page, 'recordings');

    // The drawer: the player loads the WAV through the cookie; its length is the call's talk time.
    await page.getByTestId(`recording-open-${call.callId}`).click();
    await page.getByTestId('recording-drawer').waitFor();
    expect(new URL(page.url()).searchParams.get('id')).toBe(call.recordingId);
    const seconds = await page.waitForFunction(
      () => {
        const a = document.querySelector<HTMLAudioElement>('[data-testid="player-audio"]');
        return a && a.readyState >= 1 && Number.isFinite(a.duration) ? a.duration : null;
      },
      undefined,
      { timeout: 15_000 },
    );
    const duration = (await seconds.jsonValue()) as number;
    expect(duration).toBeGreaterThan(TALK_MS / 1000 - 2);
    expect(duration).toBeLessThan(TALK_MS / 1000 + 5);
    expect(await page.getByTestId('player-error').count()).toBe(0);
    await page.evaluate(() =>
      document
        .querySelector<HTMLAudioElement>('[data-testid="player-audio"]')!
        .play()
        .catch(() => undefined),
    );
    // Every playback is audited on the server, by this account and this recording.
    await waitFor(
      'the playback in the audit log',
      async () =>
        (await rig.pool.query('SELECT 1 FROM audit_log WHERE actor = $1 AND target_id = $2', [who.username, call.recordingId])).rowCount! >
        0,
    );
    const facts = await page.getByTestId('recording-facts').textContent();
    expect(facts).toContain(call.callId);
    expect(facts).toMatch(/[0-9a-f]{64}/);
    expect(facts).toContain('未质检');

    // A hold needs its reference: refused in the page, nothing stored.
    await page.getByTestId('hold-add').click();
    await page.getByTestId('hold-error-ref').waitFor();
    expect(await holdsOf(call.recordingId)).toEqual([]);

    await page.getByTestId('hold-ref').fill('TS-2026-0001');
    await page.getByTestId('hold-note').fill('纳税人投诉坐席服务态度');
    await page.getByTestId('hold-add').click();
    const holds = page.getByTestId('holds');
    await holds.locator('tr', { hasText: 'TS-2026-0001' }).waitFor();
    expect(await holds.locator('tr', { hasText: 'TS-2026-0001' }).textContent()).toContain('投诉');
    const stored = await holdsOf(call.recordingId);
    expect(stored.map((h) => [h.reason, h.ref, h.note, h.created_by, h.released_at])).toEqual([
      ['complaint', 'TS-2026-0001', '纳税人投诉坐席服务态度', who.username, null],
    ]);
    expect(await clippedTexts(page)).toEqual([]);
    await settled(page);
    await screenshot(page, 'recordings-drawer-hold');

    // The list says it is held; then the hold is released.
    await page.getByTestId(`hold-release-TS-2026-0001`).click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /解\s*除/ })
      .click();
    await holds.getByText('没有保全').waitFor();
    expect((await holdsOf(call.recordingId))[0]!.released_at).not.toBeNull();

    // An unknown recording by URL: the API's answer is shown, not a blank page.
    await page.goto(`${rig.svc.url}/console/recordings?id=no-such-recording`);
    await page.getByTestId('recordings-error').waitFor();
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);

  it('roles without recordings are not offered the page, and the API refuses them', async () => {
    for (const role of ['agent', 'readonly'] as const) {
      const ctx = await newContext(browser);
      const page = await ctx.newPage();
      await signIn(page, rig.svc.url, await testAccount(rig, role, role === 'agent' ? { agentId: call.agentId } : {}));
      expect(await page.locator('.ant-layout-sider').textContent()).not.toContain('录音查询');
      await page.goto(`${rig.svc.url}/console/recordings`);
      await page.getByText('您的角色无权使用此页面').waitFor();
      if (role === 'readonly') {
        const status = await page.evaluate(async (id) => (await fetch(`/api/recordings/${id}/audio`)).status, call.recordingId);
        expect(status).toBe(403);
      }
      await ctx.close();
    }
  }, 60_000);
});
