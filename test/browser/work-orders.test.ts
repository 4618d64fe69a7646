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
const runs: SippRun[] = [];
beforeAll(async () => {
  rig = await startTestService();
  browser = await launchBrowser();
  await activateIvr(rig, alwaysOpen12366());
});
afterAll(async () => {
  for (const r of runs) r.kill();
  await browser?.close();
  await rig?.stop();
});

const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);

async function pageAs(who: { username: string; password: string }): Promise<{ page: Page; errors: string[] }> {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, rig.svc.url, who);
  return { page, errors };
}

describe('work orders in the console', () => {
  it('an agent creates an order from the call on the desktop; the 地税 liaison sees it and replies; a supervisor closes it', async () => {
    // An agent of 国税 → 增值税 with a SIPp phone that answers, logged in and available.
    const agentId = await freshAgentId(rig);
    const password = randomPassword();
    expect(
      (await admin('PUT', `/api/agents/${agentId}`, { name: '李工单', password, skills: { vat: 5 }, queues: ['ntax-vat'] })).status,
    ).toBe(201);
    const port = freePorts().sip;
    runs.push(sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 300 }, calls: 1, timeoutS: 90 }));
    await registerAgent(agentId, password, port);
    await waitFor('phone registered', async () => (await rig.svc.liveAgents.agent(agentId))?.registered);
    expect((await admin('POST', `/api/agents/${agentId}/login`)).status).toBeLessThan(300);

    const agent = await pageAs(await testAccount(rig, 'agent', { agentId, displayName: '李工单' }));
    await agent.page.goto(`${rig.svc.url}/console/agent`);
    await agent.page.waitForSelector('[data-testid="agent-state"][data-state="available"]');
    expect(await agent.page.getByTestId('btn-create-workorder').isDisabled()).toBe(true);

    // A taxpayer presses 2 (国税), 1 (增值税) and talks.
    const caller = uniqueCaller('0571');
    runs.push(
      sipp({
        scenario: 'caller-dtmf.xml',
        ip: '127.0.0.2',
        keys: { caller, dialed: '12366' },
        vars: { talk_ms: 8000 },
        files: { pcap: dtmfPcap(presses('21', 500, 400), { audioMs: 8000 }) },
        timeoutS: 60,
      }),
    );
    await agent.page.waitForFunction((c) => document.querySelector('[data-testid="pop-caller"]')?.textContent?.includes(c), caller, {
      timeout: 30_000,
    });
    const callId = await agent.page.getByTestId('screen-pop').getAttribute('data-call-id');
    await agent.page.getByTestId('btn-create-workorder').click();
    const form = agent.page.getByTestId('workorder-form');
    await form.waitFor();
    expect(await agent.page.getByTestId('workorder-content').inputValue()).toContain(`来电号码：${caller}`);
    const department = agent.page.getByTestId('workorder-department');
    await department.click();
    await agent.page.locator('.ant-select-item-option[title="杭州市地方税务局"]').locator('visible=true').first().click();
    await expect.poll(() => department.textContent()).toContain('杭州市地方税务局');
    await agent.page.getByTestId('workorder-title').fill('房产税减免申请进度');
    await agent.page.getByTestId('workorder-content').fill(`来电号码：${caller}\n纳税人询问房产税困难减免申请的办理进度，请地税局答复。`);
    await screenshot(agent.page, 'workorder-create');
    expect(await clippedTexts(agent.page)).toEqual([]);
    await agent.page.getByRole('button', { name: /^创\s*建$/ }).click();
    await agent.page.getByText('工单已创建').waitFor();
    const order = (await rig.pool.query('SELECT id, caller, call_id, department, status FROM work_orders WHERE call_id = $1', [callId]))
      .rows[0];
    expect(order).toMatchObject({ caller, call_id: callId, department: 'dsj', status: 'assigned' });

    // A staff complaint and a 国税 order the liaison must not see.
    const sup = await testAccount(rig, 'supervisor', { displayName: '赵班长' });
    const hidden = [
      { type: 'complaint', aboutStaff: true, title: '投诉地税窗口人员态度', content: '内容', caller: '057100000001', department: 'dsj' },
      { type: 'transfer', title: '国税出口退税咨询', content: '内容', caller: '057100000002', department: 'gsj' },
    ];
    for (const h of hidden) expect((await admin('POST', '/api/workorders', h)).status).toBe(201);

    // The 地税 liaison: its department's orders, the new one among them; replies to it.
    const li = await pageAs(await testAccount(rig, 'liaison', { department: 'dsj', displayName: '地税联络员' }));
    await li.page.goto(`${rig.svc.url}/console/workorders`);
    await li.page.getByText('本部门工单 · 杭州市地方税务局').waitFor();
    const row = li.page.getByTestId(`order-${order.id}`);
    await row.waitFor();
    expect(await li.page.getByText('投诉地税窗口人员态度').count()).toBe(0);
    expect(await li.page.getByText('国税出口退税咨询').count()).toBe(0);
    await screenshot(li.page, 'workorders-liaison');
    expect(await clippedTexts(li.page)).toEqual([]);
    await row.getByTestId('order-open').click();
    const drawer = li.page.getByTestId('order-drawer');
    await drawer.getByText('纳税人询问房产税困难减免申请的办理进度').waitFor();
    expect(await drawer.getByTestId('act-close').count()).toBe(0);
    await drawer.getByTestId('act-reply').click();
    await li.page.getByTestId('action-note').fill('已受理，预计本周五前办结，届时短信通知纳税人。');
    await li.page.getByRole('button', { name: /确\s*定/ }).click();
    await drawer.locator('[data-step="replied"]').waitFor();
    expect(await drawer.getByTestId('drawer-status').textContent()).toBe('已答复');
    await screenshot(li.page, 'workorders-liaison-replied');
    expect(await clippedTexts(li.page)).toEqual([]);

    // The supervisor: every order, the summary per department; closes this one.
    const boss = await pageAs(sup);
    await boss.page.goto(`${rig.svc.url}/console/workorders`);
    await boss.page.getByTestId('workorder-summary').waitFor();
    expect(await boss.page.getByText('投诉地税窗口人员态度').count()).toBeGreaterThan(0);
    await boss.page.getByTestId(`order-${order.id}`).getByTestId('order-open').click();
    const bdrawer = boss.page.getByTestId('order-drawer');
    await bdrawer.getByText('已受理，预计本周五前办结').waitFor();
    await bdrawer.getByTestId('act-close').click();
    await boss.page.getByTestId('action-note').fill('已电话告知纳税人');
    await boss.page.getByRole('button', { name: /确\s*定/ }).click();
    await bdrawer.locator('[data-step="closed"]').waitFor();
    expect(await bdrawer.getByTestId('drawer-status').textContent()).toBe('已办结');
    await screenshot(boss.page, 'workorders-supervisor-closed');
    expect(await clippedTexts(boss.page)).toEqual([]);
    await bdrawer.locator('.ant-drawer-close').click();
    await screenshot(boss.page, 'workorders-supervisor');

    const steps = (await rig.pool.query('SELECT kind FROM work_order_steps WHERE order_id = $1 ORDER BY seq', [order.id])).rows;
    expect(steps.map((s) => s.kind)).toEqual(['created', 'assigned', 'replied', 'closed']);
    expect([...agent.errors, ...li.errors, ...boss.errors]).toEqual([]);
  });
});
