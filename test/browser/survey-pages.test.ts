import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { stamp, type DomainEvent } from '../../src/core/events.js';
import { callAs, freshAgentId, randomPassword, startTestService, waitFor, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

/**
 * Issue 22: the 满意度 reports tab and the agent desktop's MyScores, over survey answers published
 * through the real path (outbox → events table → survey_answers), for two fresh agents.
 */
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

const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);

async function agent(name: string): Promise<string> {
  const agentId = await freshAgentId(rig);
  const r = await admin('PUT', `/api/agents/${agentId}`, { name, password: randomPassword(), skills: {}, queues: ['other'] });
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return agentId;
}

/** One survey per score (0: offered, not answered), a few seconds apart, ending now. */
function answers(agentId: string, queue: string, scores: Array<0 | 1 | 2 | 3>): DomainEvent[] {
  return scores.map((score, i) => {
    const ctx = { now: Date.now() - (scores.length - i) * 5000, newId: () => randomUUID() };
    const callId = randomUUID();
    return score
      ? stamp(ctx, { type: 'call.survey_answered', callId, agentId, queue, score, asked: 1 })
      : stamp(ctx, { type: 'call.survey_unanswered', callId, agentId, queue, reason: 'no_answer', asked: 2 });
  });
}

describe('satisfaction survey pages', () => {
  it('the 满意度 tab shows scores by agent with the chart; the agent sees its own today and this month', async () => {
    const a = await agent('王芳');
    const b = await agent('李强');
    const events = [...answers(a, 'other', [1, 1, 1, 2, 3, 0]), ...answers(b, 'ntax-vat', [1, 1, 2])];
    rig.svc.publisher.publish(events);
    await waitFor(
      'answers stored',
      async () => (await rig.pool.query('SELECT 1 FROM survey_answers WHERE agent_id = ANY($1)', [[a, b]])).rowCount === 9,
    );

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, rig.svc.url, await testAccount(rig, 'supervisor'));
    await page.goto(`${rig.svc.url}/console/reports?tab=survey`);
    const table = page.getByTestId('table-survey');
    await table.waitFor();
    const rowA = table.locator('tr', { hasText: `王芳 (${a})` });
    await expect(rowA.locator('td').allTextContents()).resolves.toEqual([
      `王芳 (${a})`,
      '6',
      '5',
      '83.3%',
      '3',
      '1',
      '1',
      '60.0%',
      '80.0%',
    ]);
    await expect(table.locator('tr', { hasText: `李强 (${b})` }).count()).resolves.toBe(1);
    await page.getByTestId('chart-survey').locator('canvas').first().waitFor();
    expect(await page.getByTestId('tab-survey').textContent()).toBe('满意度');
    expect(await clippedTexts(page)).toEqual([]);
    await screenshot(page, 'survey-report');

    // By day: today's row holds at least these nine.
    await page.getByTestId('filter-by').click();
    await page.getByTitle('按日期').click();
    await table.locator('th', { hasText: '日期' }).waitFor();
    await page.locator('.ant-select-dropdown').waitFor({ state: 'hidden' });
    expect(await clippedTexts(page)).toEqual([]);
    await screenshot(page, 'survey-report-by-day');
    await ctx.close();

    const agentCtx = await newContext(browser);
    const desk = await agentCtx.newPage();
    desk.on('pageerror', (e) => errors.push(e.message));
    await signIn(desk, rig.svc.url, await testAccount(rig, 'agent', { agentId: a, displayName: '王芳' }));
    await desk.goto(`${rig.svc.url}/console/agent`);
    const today = desk.getByTestId('my-scores-today');
    await waitFor('my scores loaded', async () => (await today.textContent())?.includes('60.0%'));
    expect(await today.textContent()).toContain('今日评价5');
    expect(await today.textContent()).toContain('满意率（含基本满意）80.0%');
    expect(await desk.getByTestId('my-scores-month').textContent()).toContain('本月评价5');
    expect(await clippedTexts(desk)).toEqual([]);
    await screenshot(desk, 'agent-my-scores');

    // Another agent's scores are not this agent's to read.
    const other = await desk.evaluate(async (id) => (await fetch(`/api/agents/${id}/survey?from=2026-01-01`)).status, b);
    expect(other).toBe(403);
    await agentCtx.close();
    expect(errors).toEqual([]);
  });

  it('the routing page has a 满意度调查 switch per queue, off for the shipped queues, and marks the queues that have it on', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, rig.svc.url, await testAccount(rig, 'admin'));
    await page.goto(`${rig.svc.url}/console/ops/routing`);
    await page.getByTestId('queue-other').click();
    const sw = page.getByTestId('queue-survey');
    await sw.waitFor();
    expect(await sw.getAttribute('aria-checked')).toBe('false');
    await sw.click();
    expect(await sw.getAttribute('aria-checked')).toBe('true');
    await page.getByTestId('queue-survey-on-other').waitFor();
    expect(await clippedTexts(page)).toEqual([]);
    await screenshot(page, 'routing-survey-switch');
    await ctx.close();
  });
});
