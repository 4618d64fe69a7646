import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { callAs, freshAgentId, randomPassword, startTestService, waitFor, type TestRig } from '../support/service.js';
import { choose, clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

let rig: TestRig;
let browser: Browser;
const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  rig = await startTestService();
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const c of cleanups) await c().catch(() => undefined);
  await browser?.close();
  await rig?.stop();
});

const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);
const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const count = async (sql: string, params: unknown[]) => (await rig.pool.query<{ n: number }>(sql, params)).rows[0]!.n;

/** The audit rows the page shows: their actions, in order. */
const auditActions = (page: Page) =>
  page.locator('[data-testid="audit-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));

/** Waits until the toasts are gone, so a screenshot shows the page itself. */
const quiet = (page: Page) => expect.poll(() => page.locator('.ant-message-notice').count(), { timeout: 10_000 }).toBe(0);

async function chooseOption(page: Page, label: string | RegExp, option: string) {
  // The list fades out over what is below it (the role list now reaches the dialog's buttons): a click
  // meant for them must not land on it, so the choice waits for the list to close.
  const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  await choose(() => page.getByLabel(label).click(), open.getByText(option, { exact: true }), `the list of ${String(label)}`);
}

describe('ops console: agents, pause reasons, accounts, API keys, audit (as an admin)', () => {
  it('an admin adds an agent, sets a skill in the matrix, adds a pause reason, a supervisor and an API key; the audit page lists and filters them; bad input is refused at its field', async () => {
    const who = await testAccount(rig, 'admin', { displayName: '运维测试' });
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, rig.svc.url, who);

    // ── Agents: add one, then its level in 增值税 (vat) in the matrix.
    const agentId = await freshAgentId(rig);
    await page.goto(`${rig.svc.url}/console/ops/agents`);
    await page.getByTestId('add-agent').click();
    const form = page.getByTestId('agent-form');
    await form.getByLabel(/工号/).fill(agentId);
    await form.getByLabel('姓名').fill('测试坐席甲');
    await form.getByLabel('话机密码').fill(randomPassword());
    await page
      .getByRole('button', { name: /保\s*存/ })
      .last()
      .click();
    // Found by the page's search: the matrix pages by 10, and the suite's other agents may fill the first page.
    await page.getByTestId('agent-search').locator('input').fill(agentId);
    await page.getByTestId(`agent-row-${agentId}`).waitFor();
    expect((await admin('GET', `/api/agents/${agentId}`)).body).toMatchObject({ name: '测试坐席甲', skills: {}, queues: [] });

    const vat = page.getByRole('spinbutton', { name: `${agentId} vat` });
    await vat.fill('4');
    await page.getByTestId(`save-${agentId}`).click();
    await waitFor('the level saved', async () => (await admin('GET', `/api/agents/${agentId}`)).body.skills?.vat === 4);
    await expect.poll(() => page.getByTestId(`save-${agentId}`).isDisabled()).toBe(true);
    await page.getByTestId('agent-search').locator('input').fill('');
    await page.locator('[data-testid^="agent-row-"]').first().waitFor();
    await quiet(page);
    await screenshot(page, 'ops-agents');
    expect(await clippedTexts(page)).toEqual([]);

    // A level out of range: the API refuses it, the page says so beside that cell (marked), nothing is stored.
    await page.getByTestId('agent-search').locator('input').fill(agentId);
    await vat.fill('7');
    await page.getByTestId(`save-${agentId}`).click();
    const cellError = page.getByTestId('field-error');
    await cellError.waitFor();
    expect(await cellError.textContent()).toMatch(/5/);
    expect(await vat.evaluate((e) => !!e.closest('.ant-input-number-status-error'))).toBe(true);
    expect((await admin('GET', `/api/agents/${agentId}`)).body.skills).toEqual({ vat: 4 });
    await screenshot(page, 'ops-agents-field-error');

    // ── Pause reasons: add one.
    const code = `oa_${letters(8)}`;
    cleanups.push(() => admin('DELETE', `/api/pause-reasons/${code}`));
    await page.goto(`${rig.svc.url}/console/ops/pause-reasons`);
    await page.getByTestId('add-pause-reason').click();
    await page.getByLabel('代码').fill(code);
    await page.getByLabel('中文名称').fill('业务学习');
    await page.getByLabel('英文名称').fill('Study');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByTestId(`pause-reason-${code}`).waitFor();
    expect((await admin('GET', '/api/pause-reasons')).body).toContainEqual(expect.objectContaining({ code, zh: '业务学习', en: 'Study' }));
    await quiet(page);
    await screenshot(page, 'ops-pause-reasons');
    expect(await clippedTexts(page)).toEqual([]);

    // ── Accounts: a user name with capitals and a space is refused beside the field; nothing is stored.
    await page.goto(`${rig.svc.url}/console/ops/accounts`);
    await page.getByTestId('add-account').click();
    const accountForm = page.getByTestId('account-form');
    const before = await count('SELECT count(*)::int AS n FROM accounts', []);
    await accountForm.getByLabel('用户名').fill('Zhang San');
    await accountForm.getByLabel('显示名').fill('张班长');
    await chooseOption(page, '角色', '班长');
    await accountForm.getByLabel('密码').fill(randomPassword());
    await page.getByRole('button', { name: /保\s*存/ }).click();
    const usernameItem = accountForm.locator('.ant-form-item').filter({ has: page.getByLabel('用户名') });
    await expect.poll(() => usernameItem.locator('.ant-form-item-explain-error').textContent()).toMatch(/pattern|match/i);
    expect(await count('SELECT count(*)::int AS n FROM accounts', [])).toBe(before);
    await screenshot(page, 'ops-accounts-field-error');

    const supervisor = `t-sup-${randomBytes(3).toString('hex')}`;
    await accountForm.getByLabel('用户名').fill(supervisor);
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByTestId(`account-${supervisor}`).waitFor();
    expect((await admin('GET', '/api/accounts')).body).toContainEqual(
      expect.objectContaining({ username: supervisor, role: 'supervisor', displayName: '张班长', disabled: false }),
    );

    // ── A liaison (联络员) names its department: chosen from the departments list.
    const liaison = `t-li-${randomBytes(3).toString('hex')}`;
    await page.getByTestId('add-account').click();
    await accountForm.getByLabel('用户名').fill(liaison);
    await accountForm.getByLabel('显示名').fill('地税联络员');
    await chooseOption(page, '角色', '联络员');
    await chooseOption(page, '所属部门', '杭州市地方税务局');
    await accountForm.getByLabel('密码').fill(randomPassword());
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByTestId(`account-${liaison}`).waitFor();
    expect((await admin('GET', '/api/accounts')).body).toContainEqual(
      expect.objectContaining({ username: liaison, role: 'liaison', department: 'dsj' }),
    );

    // ── API key: the secret is shown once, works, and is gone when the dialog closes.
    const keyName = `t-key-${randomBytes(3).toString('hex')}`;
    await page.getByTestId('add-api-key').click();
    await page.getByTestId('api-key-form').getByLabel(/名称/).fill(keyName);
    await page.getByRole('button', { name: /创\s*建/ }).click();
    const secretEl = page.getByTestId('api-key-secret');
    await secretEl.waitFor();
    const secret = (await secretEl.textContent())!.trim();
    expect(secret).toMatch(/^k1_/);
    const keyId = (await admin('GET', '/api/api-keys')).body.find((k: { name: string }) => k.name === keyName).id;
    cleanups.push(() => admin('DELETE', `/api/api-keys/${keyId}`));
    expect((await callAs(rig, secret, 'GET', '/api/me')).body).toMatchObject({ id: keyId, role: 'readonly' });
    await page.getByTestId('api-key-secret-done').click();
    await page.getByTestId(`api-key-${keyId}`).waitFor();
    await expect.poll(() => page.content()).not.toContain(secret);
    await quiet(page);
    await screenshot(page, 'ops-accounts');
    expect(await clippedTexts(page)).toEqual([]);

    // ── Audit: this admin's changes, newest first (one agent.update: the refused level left none); the filters narrow them.
    await page.goto(`${rig.svc.url}/console/ops/audit`);
    await page.getByTestId('filter-actor').fill(who.username);
    await page.getByTestId('audit-search').click();
    await expect
      .poll(() => auditActions(page))
      .toEqual(['api_key.create', 'account.create', 'account.create', 'pause_reason.create', 'agent.update', 'agent.create']);

    await chooseOption(page, '动作', '坐席（全部）');
    await page.getByTestId('audit-search').click();
    await expect.poll(() => auditActions(page)).toEqual(['agent.update', 'agent.create']);
    await page.getByTestId('filter-target').fill(code);
    await page.getByTestId('audit-search').click();
    await expect.poll(() => auditActions(page)).toEqual([]);
    await page.getByTestId('filter-target').fill(agentId);
    await page.getByTestId('audit-search').click();
    await expect.poll(() => auditActions(page)).toEqual(['agent.update', 'agent.create']);

    // The update's before and after, readable.
    await page.locator('[data-testid="audit-row"][data-action="agent.update"] .ant-table-row-expand-icon').click();
    const detail = page.getByTestId('audit-detail');
    await detail.waitFor();
    const text = (await detail.textContent())!;
    expect(text).toContain('"skills": {}');
    expect(text).toContain('"vat": 4');
    await screenshot(page, 'ops-audit');
    expect(await clippedTexts(page)).toEqual([]);
    // Paging, unfiltered: the next page is strictly older, and back again is the same first page.
    const ids = () =>
      page.locator('[data-testid="audit-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-row-key'))));
    await page.getByRole('button', { name: /重\s*置/ }).click();
    await expect.poll(async () => (await ids()).length).toBe(20);
    const first = await ids();
    expect(first).toEqual([...first].sort((a, b) => b - a));
    await page.getByTestId('audit-older').click();
    await expect.poll(async () => (await ids())[0]).toBeLessThan(Math.min(...first));
    await page.getByTestId('audit-newer').click();
    await expect.poll(ids).toEqual(first);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
