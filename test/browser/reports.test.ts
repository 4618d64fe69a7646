import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, alwaysOpen12366 } from '../support/ivr.js';
import { sipp } from '../support/sipp.js';
import { callAs, freshAgentId, randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

let rig: TestRig;
let browser: Browser;
/** Today in Beijing: the reports' day. */
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
  new Date(),
);
const caller = uniqueCaller('0571');
let agentId: string;

beforeAll(async () => {
  rig = await startTestService({ LIVE_TODAY_EVERY_S: '1' });
  await activateIvr(rig, alwaysOpen12366());
  browser = await launchBrowser();

  // Today's data, made the real way: an agent paused for training (staffing), and a taxpayer who
  // presses 2 (国税), 1 (增值税), waits in ntax-vat with nobody to answer, and hangs up (an abandon).
  agentId = await freshAgentId(rig);
  await rig.svc.agents.save({ agentId, name: '报表坐席', password: randomPassword(), skills: { vat: 5 }, queues: ['ntax-vat'] });
  await rig.svc.liveAgents.setRegistered(agentId, true, Date.now());
  await rig.svc.agents.move(agentId, 'login', 'test');
  await rig.svc.agents.move(agentId, 'pause', 'training', undefined, { pauseReason: 'training' });
  const run = sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: 6000 },
    files: { pcap: dtmfPcap(presses('21', 500, 400), { audioMs: 6000 }) },
    timeoutS: 30,
  });
  await run.done;
  await waitFor('the abandon in the report', async () => {
    const r = await callAs(rig, rig.svc.config.ADMIN_TOKEN, 'GET', `/api/reports/abandons?from=${today}&caller=${caller}`);
    return r.status === 200 && r.body.count >= 1;
  });
  await rig.svc.agents.move(agentId, 'unpause', 'test');
  await rig.svc.agents.move(agentId, 'logout', 'test');
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

async function openReports(page: Page, tab?: string) {
  await page.goto(`${rig.svc.url}/console/reports${tab ? `?tab=${tab}` : ''}`);
}

/** Types a day into one of the filter's date pickers, as a person would. */
async function pickDay(page: Page, label: string, day: string) {
  const input = page.locator('.ant-form-item', { hasText: label }).locator('input');
  await input.click();
  await input.fill(day);
  await input.press('Enter');
}

const canvasIn = (page: Page, testId: string) => page.getByTestId(testId).locator('canvas');

describe('reports page', () => {
  it('a supervisor sees every tab with today’s rows and charts, exports the filtered CSV in Chinese, and bad dates are shown at the field', async () => {
    const who = await testAccount(rig, 'supervisor', { displayName: '报表班长' });
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, rig.svc.url, who);
    await openReports(page);

    // 时段: the chart, and the table with the interval of the call; staffing shows the training pause.
    await page.getByTestId('report-intervals').waitFor();
    await canvasIn(page, 'chart-intervals').waitFor();
    const intervalRows = page.getByTestId('table-intervals').locator('tbody tr.ant-table-row');
    expect(await intervalRows.count()).toBeGreaterThan(0);
    const offered = await page.locator('.ant-statistic', { hasText: '来电量' }).locator('.ant-statistic-content').textContent();
    // Statistic groups thousands ("1,024"): the suite's day on the shared rig passes 1,000 calls.
    expect(Number(offered?.replace(/,/g, ''))).toBeGreaterThanOrEqual(1);
    // The column meaning, from the API's declaration, on hover.
    await screenshot(page, 'reports-intervals');
    expect(await clippedTexts(page)).toEqual([]);
    await page.locator('thead [data-help="needed"]').hover();
    await expect.poll(() => page.locator('.ant-tooltip').last().textContent()).toContain('Erlang C');
    await page.mouse.move(0, 0);

    // 放弃来电: the wait chart; the caller's row (the rig's day holds other runs' abandons too: filtered
    // by the caller's number), where they gave up.
    await page.getByTestId('tab-abandons').click();
    await page.getByTestId('report-abandons').waitFor();
    await canvasIn(page, 'chart-abandons').waitFor();
    await screenshot(page, 'reports-abandons');
    expect(await clippedTexts(page)).toEqual([]);
    await page.getByTestId('filter-caller').locator('input').fill(caller);
    await page.getByTestId('filter-caller').locator('input').press('Enter');
    const row = page.getByTestId('table-abandons').locator('tr', { hasText: caller });
    await row.waitFor();
    expect(await row.textContent()).toContain('排队');
    expect(await row.textContent()).toContain('ntax-vat');
    expect(await page.getByTestId('table-abandons').locator('tbody tr.ant-table-row').count()).toBe(1);

    // 来电地区: this month's row, a 0571 caller among 杭州本地电话, and the share chart.
    await page.getByTestId('tab-regions').click();
    await page.getByTestId('report-regions').waitFor();
    const month = page.getByTestId('table-regions').locator('tr', { hasText: today.slice(0, 7) });
    await month.waitFor();
    expect(await page.getByTestId('table-regions').locator('thead').textContent()).toContain('杭州本地电话');
    await canvasIn(page, 'chart-regions').waitFor();
    await screenshot(page, 'reports-regions');
    expect(await clippedTexts(page)).toEqual([]);

    // 坐席 and 队列: agents' rows (the rig's day holds other runs' agents, so not necessarily on the
    // first page) with a column per pause reason; the queue's row and the all-queues line.
    await page.getByTestId('tab-agents').click();
    await page.getByTestId('table-agents').locator('tbody tr.ant-table-row').first().waitFor();
    expect(await page.getByTestId('table-agents').locator('thead').textContent()).toContain('培训');
    await screenshot(page, 'reports-agents');
    await page.getByTestId('tab-queues').click();
    await page.getByTestId('table-queues').locator('tr', { hasText: 'ntax-vat' }).waitFor();
    expect(await page.getByTestId('table-queues').textContent()).toContain('全部队列');
    await screenshot(page, 'reports-queues');

    // CSV: the abandons with the queue filter, downloaded through the plain link (the cookie authenticates it).
    await page.getByTestId('tab-abandons').click();
    await page.getByTestId('filter-queue').click();
    await page.locator('.ant-select-item-option', { hasText: 'ntax-vat' }).click();
    await page.getByTestId('table-abandons').locator('tr', { hasText: caller }).waitFor();
    const href = await page.getByTestId('csv-export').getAttribute('href');
    expect(href).toBe(`/api/reports/abandons?from=${today}&to=${today}&queue=ntax-vat&caller=${caller}&format=csv`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-export').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.split('\r\n')[0]).toContain('来电号码');
    expect(csv.split('\r\n')[0]).toContain('放弃位置');
    expect(csv).toContain(caller);
    expect(csv.trim().split('\r\n')).toHaveLength(2);
    // Another queue: the same link with that queue holds none of this caller's abandons.
    await page.getByTestId('filter-queue').click();
    await page.locator('.ant-select-item-option', { hasText: 'finance' }).click();
    await expect.poll(() => page.getByTestId('csv-export').getAttribute('href')).toContain('queue=finance');
    const other = await page.evaluate(async (u) => (await fetch(u!)).text(), await page.getByTestId('csv-export').getAttribute('href'));
    expect(other.split('\r\n')[0]).toContain('来电号码');
    expect(other).not.toContain(caller);

    // Bad dates: the API's own error at the field. From after to:
    await page.getByTestId('tab-intervals').click();
    await page.getByTestId('report-intervals').waitFor();
    const tomorrow = new Date(Date.parse(`${today}T12:00:00+08:00`) + 86_400_000).toISOString().slice(0, 10);
    await pickDay(page, '开始日期', tomorrow);
    await expect.poll(() => page.getByTestId('field-error-to').textContent()).toContain('must not be before from');
    // A range over the report's limit (92 days for intervals): a 422 naming from and to.
    const longAgo = new Date(Date.parse(`${today}T12:00:00+08:00`) - 120 * 86_400_000).toISOString().slice(0, 10);
    await pickDay(page, '开始日期', longAgo);
    await expect.poll(() => page.getByTestId('field-error-to').textContent()).toContain('at most 92 days');
    await page.keyboard.press('Escape');
    await screenshot(page, 'reports-field-error');

    expect(errors).toEqual([]);
    await ctx.close();
  }, 90_000);

  it('a read-only account may view the reports', async () => {
    const who = await testAccount(rig, 'readonly');
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, rig.svc.url, who);
    await openReports(page, 'queues');
    await page.getByTestId('table-queues').locator('tr', { hasText: 'ntax-vat' }).waitFor();
    await ctx.close();
  });

  it('an agent account is refused: the page shows 403, and the API refuses its cookie', async () => {
    const who = await testAccount(rig, 'agent', { agentId });
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, rig.svc.url, who);
    await openReports(page);
    await page.locator('.ant-result-403').waitFor();
    expect(await page.getByTestId('reports-page').count()).toBe(0);
    expect(await page.getByTestId('home-card-/reports').count()).toBe(0);
    const status = await page.evaluate(async (d) => (await fetch(`/api/reports/intervals?from=${d}`)).status, today);
    expect(status).toBe(403);
    await screenshot(page, 'reports-agent-403');
    await ctx.close();
  });
});
