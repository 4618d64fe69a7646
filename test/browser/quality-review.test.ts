import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { callAs, startTestService, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, settled, signIn, testAccount } from '../support/browser.js';
import { recordedCall, type RecordedCall } from '../support/recorded-call.js';

/**
 * Issue 23's quality review, in the pages, over a real recorded call: the form edited (a bad item
 * refused at its field, nothing stored; then a new version), the call scored with the total shown
 * as the reviewer types, comments at the player's time that seek it back, the monthly report and
 * its chart, and the agent's 我的质检 with the comments and the recording to listen to.
 */
let rig: TestRig;
let browser: Browser;
let call: RecordedCall;
beforeAll(async () => {
  // Agents may listen to their own calls here, so 我的质检 can play the reviewed call.
  rig = await startTestService({ RECORDINGS_AGENT_OWN: 'true' });
  browser = await launchBrowser();
  call = await recordedCall(rig, { agentName: '刘佳', talkMs: 8000 });
}, 150_000);
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);
const audioAt = (page: Page, s: number) =>
  page.evaluate(async (at) => {
    const a = document.querySelector<HTMLAudioElement>('[data-testid="player-audio"]')!;
    if (a.readyState < 1) await new Promise((r) => a.addEventListener('loadedmetadata', r, { once: true }));
    a.currentTime = at;
    await new Promise((r) => a.addEventListener('seeked', r, { once: true }));
  }, s);
const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
  .format(new Date())
  .slice(0, 7);

describe('quality review pages', () => {
  it('the form is edited, the call scored with comments at its times, the report and the agent’s reviews show it', async () => {
    const errors: string[] = [];
    // A known form to start from: three items, weights 10 / 50 / 40 (a maxScore is 1..10).
    const base = await admin('PUT', '/api/quality/form', {
      items: [
        { key: 'greeting', label: '开场白', labelEn: 'Greeting', weight: 10, maxScore: 10 },
        { key: 'accuracy', label: '解答准确', labelEn: 'Accuracy', weight: 50, maxScore: 8 },
        { key: 'attitude', label: '服务态度', labelEn: 'Attitude', weight: 40, maxScore: 5 },
      ],
    });
    expect(base.status, JSON.stringify(base.body)).toBeLessThan(300);
    const v0 = (base.body as { version: number }).version;

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    const reviewer = await testAccount(rig, 'quality', { displayName: '质检员王敏' });
    await signIn(page, rig.svc.url, reviewer);

    // 质检表单: attitude 40 → 30, and a fourth item; first without its key and name.
    await page.goto(`${rig.svc.url}/console/quality/form`);
    await page.getByTestId('form-items').waitFor();
    expect(await page.getByTestId('form-version').textContent()).toContain(`第 ${v0} 版`);
    await page.getByTestId('form-weight-2').fill('30');
    await page.getByTestId('form-add').click();
    await page.getByTestId('form-save').click();
    await page.getByTestId('form-error-3-key').waitFor();
    await page.getByTestId('form-error-3-label').waitFor();
    expect(((await admin('GET', '/api/quality/form')).body as { version: number }).version).toBe(v0);
    await page.getByTestId('form-key-3').fill('closing');
    await page.getByTestId('form-label-3').fill('结束语');
    await page.getByTestId('form-save').click();
    await page
      .getByTestId('form-version')
      .getByText(`第 ${v0 + 1} 版`)
      .waitFor();
    const saved = (await admin('GET', '/api/quality/form')).body as {
      version: number;
      items: Array<{ key: string; weight: number; maxScore: number }>;
    };
    expect(saved.items.map((i) => [i.key, i.weight, i.maxScore])).toEqual([
      ['greeting', 10, 10],
      ['accuracy', 50, 8],
      ['attitude', 30, 5],
      ['closing', 10, 10],
    ]);
    expect(await clippedTexts(page)).toEqual([]);
    await settled(page);
    await screenshot(page, 'quality-form');

    // 质检评分 from the recording's drawer.
    await page.goto(`${rig.svc.url}/console/recordings?id=${call.recordingId}`);
    await page.getByTestId('review-open').click();
    await page.getByTestId('review-form').waitFor();
    await page.getByTestId('review-items').waitFor();
    // Ant Design's Statistic splits the number into spans: the text of the whole box is compared.
    const totalShows = (v: string) =>
      page.waitForFunction((want) => document.querySelector('[data-testid="review-total"]')?.textContent?.includes(want), v, {
        timeout: 5000,
      });
    await page.getByTestId('score-greeting').fill('8');
    await totalShows('8.0');
    expect(await page.getByTestId('review-missing').textContent()).toContain('还有 3 项未评分');
    await page.getByTestId('score-accuracy').fill('6');
    await page.getByTestId('score-attitude').fill('4');
    await page.getByTestId('score-closing').fill('10');
    // 8/10×10 + 6/8×50 + 4/5×30 + 10/10×10 = 79.5 of 100
    await totalShows('79.5');

    await audioAt(page, 3);
    await page.getByTestId('comment-text').fill('开场白规范，自报工号');
    await page.getByTestId('comment-add').click();
    await audioAt(page, 5);
    await page.getByTestId('comment-text').fill('未核实纳税人身份');
    await page.getByTestId('comment-add').click();
    const times = page.getByTestId('comment-time');
    expect(await times.allTextContents()).toEqual(['0:03', '0:05']);
    // A comment's time seeks the player back there.
    await times.first().click();
    const at = await page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid="player-audio"]')!.currentTime);
    expect(at).toBeGreaterThanOrEqual(3);
    expect(at).toBeLessThan(4.5);
    await page.getByTestId('review-summary').fill('整体良好，注意核实身份。');
    expect(await clippedTexts(page)).toEqual([]);
    await settled(page);
    await screenshot(page, 'quality-review-form');
    await page.getByTestId('review-submit').click();
    await page.getByTestId('recording-facts').getByText('已质检').waitFor();

    const list = (await admin('GET', `/api/quality/reviews?recordingId=${call.recordingId}`)).body as {
      items: Array<{
        id: string;
        total: number;
        scores: Record<string, number>;
        comments: Array<{ atMs: number; text: string }>;
        summary: string;
        reviewer: string;
        formVersion: number;
      }>;
    };
    expect(list.items).toHaveLength(1);
    const review = list.items[0]!;
    expect(review.total).toBe(79.5);
    expect(review.scores).toEqual({ greeting: 8, accuracy: 6, attitude: 4, closing: 10 });
    expect(review.comments.map((c) => [Math.round(c.atMs / 1000), c.text])).toEqual([
      [3, '开场白规范，自报工号'],
      [5, '未核实纳税人身份'],
    ]);
    expect(review.summary).toBe('整体良好，注意核实身份。');
    expect(review.reviewer).toBe(reviewer.username);
    expect(review.formVersion).toBe(v0 + 1);

    // 质检报表: this month, the agent's row and the chart.
    await page.goto(`${rig.svc.url}/console/quality/report`);
    const table = page.getByTestId('table-quality');
    const row = table.locator('tr', { hasText: `刘佳 (${call.agentId})` });
    await row.waitFor();
    // Name, reviews, average, lowest, highest; then one column per item of the month's forms (other
    // tests' forms on the shared database add columns this agent has no score in).
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 5)).toEqual([`刘佳 (${call.agentId})`, '1', '79.5', '79.5', '79.5']);
    expect(cells.slice(5).filter((c) => c.endsWith('%'))).toEqual(['80.0%', '75.0%', '80.0%', '100.0%']);
    await page.getByTestId('chart-quality').locator('canvas').first().waitFor();
    expect(await clippedTexts(page)).toEqual([]);
    await settled(page);
    await screenshot(page, 'quality-report');
    await ctx.close();

    // 我的质检: the agent reads it, with the comments, and plays its call from a comment's time.
    const agentCtx = await newContext(browser);
    const desk = await agentCtx.newPage();
    desk.on('pageerror', (e) => errors.push(e.message));
    await signIn(desk, rig.svc.url, await testAccount(rig, 'agent', { agentId: call.agentId, displayName: '刘佳' }));
    const menu = await desk.locator('.ant-layout-sider').textContent();
    expect(menu).toContain('我的质检');
    expect(menu).not.toContain('质检报表');
    expect(menu).not.toContain('质检表单');
    await desk.goto(`${rig.svc.url}/console/quality/mine`);
    // The picker's test id lands on its input or its box, depending on Ant Design's version.
    const shown = await desk
      .getByTestId('month-picker')
      .evaluate((el) => (el instanceof HTMLInputElement ? el : el.querySelector('input'))?.value);
    expect(shown).toBe(month);
    await desk.getByTestId(`review-open-${review.id}`).click();
    const detail = desk.getByTestId('review-detail');
    await detail.waitFor();
    expect(await desk.getByTestId('review-detail-total').textContent()).toBe('79.5');
    expect(await desk.getByTestId('review-detail-scores').textContent()).toContain('解答准确');
    expect(await desk.getByTestId('review-detail-summary').textContent()).toBe('整体良好，注意核实身份。');
    expect(await detail.getByTestId('comment').allTextContents()).toEqual(['0:03开场白规范，自报工号', '0:05未核实纳税人身份']);
    await desk.waitForFunction(
      () => (document.querySelector<HTMLAudioElement>('[data-testid="player-audio"]')?.readyState ?? 0) >= 1,
      undefined,
      {
        timeout: 15_000,
      },
    );
    expect(await desk.getByTestId('player-error').count()).toBe(0);
    expect(await clippedTexts(desk)).toEqual([]);
    await settled(desk);
    await screenshot(desk, 'quality-my-reviews');
    // The report is the reviewers'.
    expect(await desk.evaluate(async (m) => (await fetch(`/api/reports/quality?month=${m}`)).status, month)).toBe(403);
    await agentCtx.close();
    expect(errors).toEqual([]);
  }, 150_000);
});
