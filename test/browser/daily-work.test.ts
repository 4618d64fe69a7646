import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, activateRouting, alwaysOpen12366, shippedRoutingWith } from '../support/ivr.js';
import { freePorts } from '../support/rig.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { callAs, freshAgentId, freshMobile, randomPassword, startTestService, waitFor, type TestRig } from '../support/service.js';
import { callIdOf, eventsOf, streamEventsOf, waitForEvent, type StoredEvent } from '../support/calls.js';
import { clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

/*
 * Issue 22, the center's daily work on ONE call, with the real rig and a real browser: a taxpayer
 * calls through the trunk and presses 0 (queue "other", survey on); the agent's SIPp phone answers
 * and the agent, signed in to the desktop in Chromium, searches the knowledge base as she types and
 * opens an article during the call; her phone hangs up, the taxpayer stays, hears the survey and
 * presses 1; at wrap-up she writes the summary (the opened article ticked, resolution 转工单) and
 * creates a work order for 地税 from the desktop; the 地税 liaison replies on /workorders; a
 * supervisor answers the taxpayer by a real callback through the trunk and closes the order. Every
 * step is checked in Postgres and in the Redis stream.
 */
const AGENT_TALK_MS = 10_000;
const run = randomBytes(2).toString('hex');
// This run's own branch of the knowledge base: the search and the summary's category are its alone.
const path = ['问题库', `地税（日常${run}）`, '房产税', '减免'];
const articleQ = `增值税小规模纳税人出租房产如何申请房产税困难减免（日常${run}）`;
const question = '出租房产的房产税困难减免如何申请';

let rig: TestRig;
let browser: Browser;
const runs: SippRun[] = [];
const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);

beforeAll(async () => {
  rig = await startTestService();
  browser = await launchBrowser();
  await activateIvr(rig, alwaysOpen12366());
  await activateRouting(
    rig,
    shippedRoutingWith([
      // Wrap-up long enough for the summary and the order; the agent ends it herself.
      {
        queue: 'other',
        strategy: 'longest_idle',
        steps: [{ afterS: 0, skills: 'any' }],
        wrapUpS: 120,
        ringTimeoutS: 10,
        noAnswerPauseAfter: 0,
        survey: true,
      },
    ]),
  );
  const r = await admin('POST', '/api/kb/import', {
    version: 1,
    articles: [
      { path, question: articleQ, answer: '纳税人纳税确有困难的，可向主管税务机关申请减征或免征房产税。', status: 'published' },
      { path, question: `房产税纳税期限（日常${run}）`, answer: '按年计算、分期缴纳。', status: 'published' },
    ],
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}, 60_000);
afterAll(async () => {
  for (const r of runs) r.kill();
  await browser?.close();
  await rig?.stop();
});

async function pageAs(who: { username: string; password: string }): Promise<{ page: Page; errors: string[] }> {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, rig.svc.url, who);
  return { page, errors };
}
const waitState = (page: Page, state: string, timeout = 15_000) =>
  page.waitForSelector(`[data-testid="agent-state"][data-state="${state}"]`, { timeout });
/** Every event of the order, as stored in Postgres and as it reached the Redis stream, in order. */
async function orderEvents(orderId: string): Promise<{ pg: StoredEvent[]; stream: StoredEvent[] }> {
  const pg = (await rig.pool.query<{ body: StoredEvent }>("SELECT body FROM events WHERE body->>'orderId' = $1 ORDER BY seq", [orderId]))
    .rows;
  const stream = (await rig.redis.xrange(`${rig.prefix}:events`, '-', '+'))
    .map(([, f]) => JSON.parse(f[f.indexOf('json') + 1]!) as StoredEvent)
    .filter((e) => e.orderId === orderId);
  return { pg: pg.map((r) => r.body), stream };
}
const omitId = ({ id: _id, ...rest }: StoredEvent) => rest;

describe('the daily work of the center on one call', () => {
  it('call → KB during the call → survey 1 → summary → work order to 地税 → liaison reply → callback → closed; all in Postgres and the stream', async () => {
    // 1. The agent: a SIPp phone that answers at once, talks AGENT_TALK_MS and hangs up.
    const agentId = await freshAgentId(rig);
    const password = randomPassword();
    expect((await admin('PUT', `/api/agents/${agentId}`, { name: '王日常', password, skills: {}, queues: ['other'] })).status).toBe(201);
    const port = freePorts().sip;
    const phone = sipp({
      scenario: 'agent-talks-then-hangs-up.xml',
      server: true,
      sipPort: port,
      vars: { talk_ms: AGENT_TALK_MS },
      calls: 1,
      timeoutS: 60,
    });
    runs.push(phone);
    await registerAgent(agentId, password, port);
    await waitFor('phone registered', async () => (await rig.svc.liveAgents.agent(agentId))?.registered);
    const agentAccount = await testAccount(rig, 'agent', { agentId, displayName: '王日常' });
    const agent = await pageAs(agentAccount);
    const searches: string[] = [];
    agent.page.on('request', (r) => {
      if (r.url().includes('/api/kb/search')) searches.push(new URL(r.url()).searchParams.get('q') ?? '');
    });
    await agent.page.goto(`${rig.svc.url}/console/agent`);
    await waitState(agent.page, 'logged_out');
    await agent.page.getByTestId('btn-login').click();
    await waitState(agent.page, 'available');

    // The taxpayer (a mobile, so the callback may dial it) presses 0 at once and 1 while the survey's question plays.
    const caller = await freshMobile(rig);
    const taxpayer = sipp({
      scenario: 'caller-dtmf-waits-for-hangup.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      files: { pcap: dtmfPcap([...presses('0', 400), ...presses('1', AGENT_TALK_MS + 4500)], { audioMs: AGENT_TALK_MS + 8000 }) },
      timeoutS: 45,
    });
    runs.push(taxpayer);
    const callId = await callIdOf(rig, caller);
    await agent.page.waitForFunction((c) => document.querySelector('[data-testid="pop-caller"]')?.textContent?.includes(c), caller, {
      timeout: 20_000,
    });
    expect(await agent.page.getByTestId('screen-pop').getAttribute('data-call-id')).toBe(callId);
    await waitState(agent.page, 'on_call');

    // 2. During the call: 增值 finds 增值税 articles, the words marked; then the article is opened on this call.
    const box = agent.page.getByTestId('kb-search');
    await box.pressSequentially('增值', { delay: 40 });
    await agent.page.locator('[data-testid="kb-results"][data-query="增值"]').waitFor();
    expect(searches).toEqual(['增值']);
    const marks = await agent.page.locator('[data-testid="kb-result-question"] mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    for (const m of marks) expect('增值税').toContain(m.slice(0, 2));
    await box.fill(`日常${run} 房产税困难减免`);
    const hit = agent.page.locator('[data-testid="kb-result"]', { hasText: articleQ }).first();
    await hit.waitFor();
    const articleId = Number(await hit.getAttribute('data-article-id'));
    await hit.click();
    await agent.page.getByTestId('kb-article-question').filter({ hasText: articleQ }).waitFor();
    await screenshot(agent.page, 'daily-desktop-kb-during-call');
    expect(await clippedTexts(agent.page)).toEqual([]);
    const opened = await waitFor(
      'the open recorded against the call',
      async () =>
        (await rig.pool.query('SELECT article_id::int AS id, opened_by, opened_at FROM kb_article_opens WHERE call_id = $1', [callId]))
          .rows[0],
    );
    expect(opened).toMatchObject({ id: articleId, opened_by: agentAccount.username });

    // 3. The agent's phone hangs up: wrap-up; the taxpayer stays for the survey and presses 1.
    await waitState(agent.page, 'wrap_up', 20_000);
    const ended = await waitForEvent(rig, callId, 'call.ended', 5000);
    expect(ended).toMatchObject({ outcome: 'answered', hungUpBy: 'agent', agentId });
    // Opened during the call, not after.
    expect((opened.opened_at as Date).getTime()).toBeLessThan(Date.parse(ended.at));
    const survey = await waitForEvent(rig, callId, 'call.survey_answered', 25_000);
    expect(survey).toMatchObject({ callId, agentId, queue: 'other', score: 1 });
    const t = await taxpayer.done;
    expect(t.code, t.errors || t.output.slice(-1500)).toBe(0);

    // 4. The summary at wrap-up: the category by typing, the opened article ticked already, 转工单.
    const form = agent.page.getByTestId('summary-form');
    await form.waitFor();
    expect(await form.getAttribute('data-call-id')).toBe(callId);
    await agent.page.getByTestId('summary-category').click();
    await agent.page.keyboard.type(`日常${run}`);
    await agent.page.locator('.ant-select-tree-title', { hasText: '减免' }).click();
    const ticked = agent.page.getByTestId(`summary-article-${articleId}`);
    await ticked.waitFor();
    expect(await ticked.locator('input[type="checkbox"]').isChecked()).toBe(true);
    await agent.page.getByTestId('summary-question').fill(question);
    await agent.page.getByTestId('summary-resolution').getByText('转工单').click();
    // The tree's list fades out over the form: the screenshot waits for it, and for the radio's animation.
    await agent.page.locator('.ant-select-dropdown:visible').waitFor({ state: 'detached' });
    await form.scrollIntoViewIfNeeded();
    await agent.page.waitForTimeout(300);
    await screenshot(agent.page, 'daily-summary-filled');
    expect(await clippedTexts(agent.page)).toEqual([]);
    await agent.page.getByTestId('summary-save').click();
    await agent.page.getByTestId('summary-saved').waitFor();
    const summary = (
      await rig.pool.query('SELECT category_id, category_path, question, resolution, articles FROM call_summaries WHERE call_id = $1', [
        callId,
      ])
    ).rows[0];
    expect(summary).toMatchObject({
      category_path: path,
      question,
      resolution: 'work_order',
      articles: [{ id: articleId, question: articleQ }],
    });

    // 5. A work order for 地税 from the desktop, prefilled with the caller and the summary.
    await agent.page.getByTestId('btn-create-workorder').click();
    await agent.page.getByTestId('workorder-form').waitFor();
    const content = agent.page.getByTestId('workorder-content');
    await expect.poll(() => content.inputValue()).toContain(`来电小结：减免：${question}`);
    expect(await content.inputValue()).toContain(`来电号码：${caller}`);
    const department = agent.page.getByTestId('workorder-department');
    await department.click();
    await agent.page.locator('.ant-select-item-option[title="杭州市地方税务局"]').locator('visible=true').first().click();
    await expect.poll(() => department.textContent()).toContain('杭州市地方税务局');
    await agent.page.getByTestId('workorder-title').fill('出租房产房产税困难减免申请');
    await content.press('Control+End');
    await content.pressSequentially('请地税局告知减免申请的材料和时限。');
    await agent.page.getByRole('button', { name: /^创\s*建$/ }).click();
    await agent.page.getByText('工单已创建').waitFor();
    const order = (
      await rig.pool.query('SELECT id, caller, call_id, department, status, content FROM work_orders WHERE call_id = $1', [callId])
    ).rows[0];
    expect(order).toMatchObject({ caller, call_id: callId, department: 'dsj', status: 'assigned' });
    expect(order.content).toContain(`来电小结：减免：${question}`);
    await agent.page.getByTestId('btn-end-wrap-up').click();
    await waitState(agent.page, 'available');

    // 6. The 地税 liaison sees it on /workorders and replies.
    const li = await pageAs(await testAccount(rig, 'liaison', { department: 'dsj', displayName: '地税联络员' }));
    await li.page.goto(`${rig.svc.url}/console/workorders`);
    const row = li.page.getByTestId(`order-${order.id}`);
    await row.waitFor();
    await screenshot(li.page, 'daily-liaison-orders');
    expect(await clippedTexts(li.page)).toEqual([]);
    await row.getByTestId('order-open').click();
    const ldrawer = li.page.getByTestId('order-drawer');
    await ldrawer.getByText('请地税局告知减免申请的材料和时限').waitFor();
    await ldrawer.getByTestId('act-reply').click();
    await li.page.getByTestId('action-note').fill('请携带房产证明及困难情况说明到主管税务机关申请，十五个工作日内办结。');
    await li.page.getByRole('button', { name: /确\s*定/ }).click();
    await ldrawer.locator('[data-step="replied"]').waitFor();

    // 7. The supervisor answers the taxpayer by a callback (the carrier's side answers) and closes the order.
    // The agent's phone ended its one call; the same phone (port) now answers and waits for the taxpayer's BYE.
    const ph = await phone.done;
    expect(ph.code, ph.errors || ph.output.slice(-1500)).toBe(0);
    const phone2 = sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 200 }, calls: 1, timeoutS: 50 });
    runs.push(phone2);
    runs.push(
      sipp({
        scenario: 'taxpayer-answers-callback.xml',
        server: true,
        ip: '127.0.0.2',
        sipPort: 5070,
        vars: { talk_ms: 3000 },
        calls: 1,
        timeoutS: 60,
      }),
    );
    const supAccount = await testAccount(rig, 'supervisor', { displayName: '赵班长' });
    const boss = await pageAs(supAccount);
    await boss.page.goto(`${rig.svc.url}/console/workorders`);
    await boss.page.getByTestId(`order-${order.id}`).getByTestId('order-open').click();
    const bdrawer = boss.page.getByTestId('order-drawer');
    await bdrawer.getByText('十五个工作日内办结').waitFor();
    await bdrawer.getByTestId('act-replyCaller').click();
    await boss.page.getByRole('button', { name: /确\s*定/ }).click();
    await bdrawer.locator('[data-step="caller_replied"]').waitFor();
    const back = await waitFor(
      'the callback dialled and answered',
      async () =>
        (await rig.pool.query<{ call_id: string }>("SELECT call_id FROM calls WHERE callback_for = $1 AND dialed = 'callback'", [callId]))
          .rows[0]?.call_id,
      30_000,
    );
    expect(await waitForEvent(rig, back, 'call.agent_answered', 30_000)).toMatchObject({ agentId });
    await bdrawer.getByTestId('act-close').click();
    await boss.page.getByTestId('action-note').fill('已回电告知纳税人');
    await boss.page.getByRole('button', { name: /确\s*定/ }).click();
    await bdrawer.locator('[data-step="closed"]').waitFor();
    expect(await bdrawer.getByTestId('drawer-status').textContent()).toBe('已办结');
    await boss.page.waitForTimeout(300);
    await screenshot(boss.page, 'daily-order-closed');
    expect(await clippedTexts(boss.page)).toEqual([]);

    // 8. Postgres: the call's events, the summary's event, the survey's row; the order and its steps.
    const callEvents = await eventsOf(rig, callId);
    const types = callEvents.map((e) => e.type);
    for (const type of [
      'call.agent_answered',
      'call.ended',
      'call.survey_answered',
      'call.summarized',
      'workorder.created',
      'callback.attempted',
    ])
      expect(types, type).toContain(type);
    expect(types.indexOf('call.agent_answered')).toBeLessThan(types.indexOf('call.ended'));
    expect(types.indexOf('call.ended')).toBeLessThan(types.indexOf('call.survey_answered'));
    const summarized = callEvents.find((e) => e.type === 'call.summarized')!;
    expect(summarized).toMatchObject({
      callId,
      agentId,
      queue: 'other',
      categoryId: Number(summary.category_id),
      categoryPath: path,
      articleIds: [articleId],
      resolution: 'work_order',
      version: 1,
      by: agentAccount.username,
    });
    expect(callEvents.find((e) => e.type === 'call.agent_answered')).toMatchObject({ callId, agentId });
    expect(callEvents.find((e) => e.type === 'callback.attempted')).toMatchObject({
      callId,
      caller,
      queue: 'other',
      attempt: 1,
      result: 'answered',
    });
    expect((await rig.pool.query('SELECT agent_id, queue, score FROM survey_answers WHERE call_id = $1', [callId])).rows).toEqual([
      { agent_id: agentId, queue: 'other', score: 1 },
    ]);
    const steps = (await rig.pool.query('SELECT kind FROM work_order_steps WHERE order_id = $1 ORDER BY seq', [order.id])).rows;
    expect(steps.map((s) => s.kind)).toEqual(['created', 'assigned', 'replied', 'caller_replied', 'closed']);
    expect((await rig.pool.query('SELECT status FROM work_orders WHERE id = $1', [order.id])).rows[0].status).toBe('closed');

    const orderTypes = ['workorder.created', 'workorder.assigned', 'workorder.replied', 'workorder.caller_replied', 'workorder.closed'];
    await waitFor('order events stored', async () => (await orderEvents(order.id)).stream.length === orderTypes.length, 10_000);
    const ev = await orderEvents(order.id);
    expect(ev.pg.map((e) => e.type)).toEqual(orderTypes);
    expect(ev.pg[0]).toMatchObject({
      orderId: order.id,
      orderType: 'transfer',
      aboutStaff: false,
      department: 'dsj',
      callId,
      createdBy: agentAccount.username,
    });
    expect(ev.pg[1]).toMatchObject({ orderId: order.id, department: 'dsj', by: agentAccount.username });
    expect(ev.pg[2]).toMatchObject({ orderId: order.id, department: 'dsj', late: false });
    expect(ev.pg[3]).toMatchObject({ orderId: order.id, via: 'callback', by: supAccount.username });
    expect(ev.pg[4]).toMatchObject({ orderId: order.id, by: supAccount.username });
    expect(typeof ev.pg[0]!.dueAt).toBe('string');

    // The Redis stream: the same events, the same fields.
    expect(ev.stream.map(omitId)).toEqual(ev.pg.map(omitId));
    const stream = await waitFor('the call’s events in the stream', async () => {
      const s = await streamEventsOf(rig, callId);
      return s.some((e) => e.type === 'callback.attempted') && s;
    });
    for (const e of callEvents.filter((x) =>
      ['call.agent_answered', 'call.ended', 'call.survey_answered', 'call.summarized', 'callback.attempted'].includes(x.type),
    ))
      expect(
        stream.find((s) => s.id === e.id),
        e.type,
      ).toEqual(e);
    expect(stream.find((s) => s.type === 'call.survey_answered')).toMatchObject({ callId, agentId, queue: 'other', score: 1 });

    const ph2 = await phone2.done;
    expect(ph2.code, ph2.errors || ph2.output.slice(-1500)).toBe(0);
    expect([...agent.errors, ...li.errors, ...boss.errors]).toEqual([]);
  }, 85_000);
});
