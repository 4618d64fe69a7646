import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, alwaysOpen12366 } from '../support/ivr.js';
import { freePorts } from '../support/rig.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { callAs, freshAgentId, randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

let rig: TestRig;
let browser: Browser;
const run = randomBytes(2).toString('hex');
// This run's own branch of the knowledge base, so the picker's search and the suggestions are its alone.
const path = ['问题库', `国税（测试${run}）`, '增值税', '进项税额抵扣'];
const articleQ = '海关进口增值税专用缴款书如何抵扣';
const question = '进口货物取得的海关缴款书能否抵扣进项税额';

beforeAll(async () => {
  rig = await startTestService();
  browser = await launchBrowser();
  await activateIvr(rig, alwaysOpen12366());
  const r = await admin('POST', '/api/kb/import', {
    version: 1,
    articles: [
      { path, question: articleQ, answer: '凭海关进口增值税专用缴款书上注明的增值税额抵扣。', status: 'published' },
      { path, question: '农产品收购发票的抵扣', answer: '按买价和扣除率计算抵扣。', status: 'published' },
    ],
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);

/** A taxpayer from the trunk who presses 2 (国税) then 1 (增值税) and hangs up after talkMs. */
function taxpayer(caller: string, talkMs: number): SippRun {
  return sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: talkMs },
    files: { pcap: dtmfPcap(presses('21', 500, 400), { audioMs: talkMs }) },
    timeoutS: 60,
  });
}

const waitState = (page: Page, state: string, timeout = 15_000) =>
  page.waitForSelector(`[data-testid="agent-state"][data-state="${state}"]`, { timeout });
const waitPopOf = (page: Page, caller: string) =>
  page.waitForFunction((c) => document.querySelector('[data-testid="pop-caller"]')?.textContent?.includes(c), caller, { timeout: 30_000 });

describe('call summary (来电小结), end to end with a real SIP call', () => {
  it('at wrap-up the agent picks the category, ticks a suggested article and saves; the next call shows it in the history; 热点 shows the category', async () => {
    const agentId = await freshAgentId(rig);
    const password = randomPassword();
    expect(
      (await admin('PUT', `/api/agents/${agentId}`, { name: '李小结', password, skills: { vat: 5 }, queues: ['ntax-vat'] })).status,
    ).toBe(201);
    const port = freePorts().sip;
    const phone = sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 500 }, calls: 2, timeoutS: 150 });
    await registerAgent(agentId, password, port);
    await waitFor('phone registered', async () => (await rig.svc.liveAgents.agent(agentId))?.registered);

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, rig.svc.url, await testAccount(rig, 'agent', { agentId, displayName: '李小结' }));
    await page.goto(`${rig.svc.url}/console/agent`);
    await waitState(page, 'logged_out');
    await page.getByTestId('btn-login').click();
    await waitState(page, 'available');

    const caller = uniqueCaller('0571');
    const first = taxpayer(caller, 6000);
    await waitPopOf(page, caller);
    const callId = await page.getByTestId('screen-pop').getAttribute('data-call-id');
    // The caller hangs up: wrap-up, and the summary form for this call.
    await waitState(page, 'wrap_up', 30_000);
    expect((await first.done).code).toBe(0);
    const form = page.getByTestId('summary-form');
    await form.waitFor();
    expect(await form.getAttribute('data-call-id')).toBe(callId);

    // The category from the tree, found by typing; its published articles are offered.
    await page.getByTestId('summary-category').click();
    await page.keyboard.type(`测试${run}`);
    await page.locator('.ant-select-tree-title', { hasText: '进项税额抵扣' }).click();
    const suggested = page.locator('[data-testid^="summary-article-"]', { hasText: articleQ });
    await suggested.waitFor();
    await suggested.getByText(articleQ).click();
    expect(await suggested.locator('input[type="checkbox"]').isChecked()).toBe(true);
    await page.getByTestId('summary-question').fill(question);
    await page.getByTestId('summary-save').click();
    await page.getByTestId('summary-saved').waitFor();
    expect(await page.getByTestId('summary-saved').textContent()).toContain('第1版');
    await page.waitForTimeout(300);
    await screenshot(page, 'agent-call-summary');
    expect(await clippedTexts(page)).toEqual([]);

    const stored = await rig.pool.query('SELECT category_path, question, articles FROM call_summaries WHERE call_id = $1', [callId]);
    expect(stored.rows[0]).toMatchObject({ category_path: path, question, articles: [{ question: articleQ }] });

    if ((await page.getByTestId('agent-state').getAttribute('data-state')) === 'wrap_up') await page.getByTestId('btn-end-wrap-up').click();
    await waitState(page, 'available');

    // The next call from the number: the pop's history shows the summary.
    const second = taxpayer(caller, 6000);
    await waitPopOf(page, caller);
    const history = page.getByTestId('pop-history');
    await expect.poll(() => history.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
    const row = history.locator('tbody tr').first();
    await expect.poll(() => row.textContent()).toContain(`进项税额抵扣：${question}`);
    await page.waitForTimeout(300);
    await screenshot(page, 'agent-pop-history-summary');
    expect(await clippedTexts(page)).toEqual([]);
    await waitState(page, 'wrap_up', 40_000);
    expect((await second.done).code).toBe(0);
    await page.getByTestId('btn-end-wrap-up').click();
    await waitState(page, 'available');
    await page.getByTestId('btn-logout').click();
    await waitState(page, 'logged_out');
    const ph = await phone.done;
    expect(ph.code, ph.errors).toBe(0);
    expect(errors).toEqual([]);
    await ctx.close();

    // 热点: a supervisor sees the category, today, for this agent.
    const sup = await newContext(browser);
    const supPage = await sup.newPage();
    await signIn(supPage, rig.svc.url, await testAccount(rig, 'supervisor'));
    await supPage.goto(`${rig.svc.url}/console/reports?tab=topics`);
    await supPage.getByTestId('report-topics').waitFor();
    await supPage.getByTestId('filter-agent').locator('input').fill(agentId);
    await supPage.getByTestId('filter-agent').locator('input').press('Enter');
    await expect.poll(() => supPage.getByTestId('table-topics').textContent(), { timeout: 10_000 }).toContain(path.join(' › '));
    expect(await supPage.getByTestId('table-topic-articles').textContent()).toContain(articleQ);
    await supPage.getByTestId('chart-topics').waitFor();
    await supPage.waitForTimeout(500);
    await screenshot(supPage, 'reports-topics');
    expect(await clippedTexts(supPage)).toEqual([]);
    await sup.close();
  }, 180_000);
});
