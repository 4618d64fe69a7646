import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { callAs, freshAgentId, randomPassword, startTestService, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';
import { ensureSampleBase } from '../support/kb-quality.js';

/*
 * The knowledge base in the console, as its people use it: an editor writes an article on
 * /ops/kb, may not approve it herself (the API's refusal is shown), a second editor approves and
 * publishes it; an agent searches from the desktop as she types (增值 finds 增值税 articles, the
 * words marked), opens one, and cannot open the editing page.
 */
let rig: TestRig;
let browser: Browser;
const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);
beforeAll(async () => {
  rig = await startTestService();
  browser = await launchBrowser();
  // Something to find besides this test's own article (imported once; later runs reuse it).
  await ensureSampleBase(admin);
});
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

interface Summary {
  id: number;
  question: string;
  status: string;
}

async function signedIn(who: {
  username: string;
  password: string;
}): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, rig.svc.url, who);
  return { page, errors, close: () => ctx.close() };
}

describe('knowledge base pages', () => {
  const tag = randomBytes(3).toString('hex');
  const categoryName = `浏览器测试目录-${tag}`;
  const question = `增值税留抵税额退还需要准备哪些资料（测试${tag}）？`;
  let categoryId: number;
  let articleId: number;

  beforeAll(async () => {
    const r = await admin('POST', '/api/kb/categories', { parentId: null, name: categoryName });
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    categoryId = (r.body as { id: number }).id;
  });

  it('an editor writes an article; she may not approve her own; a second editor approves and publishes it', async () => {
    const first = await signedIn(await testAccount(rig, 'editor', { displayName: '编辑甲' }));
    const { page } = first;
    await page.goto(`${rig.svc.url}/console/ops/kb`);
    await page.getByTestId('kb-category-admin').getByText(categoryName, { exact: false }).first().click();
    await page.getByTestId('kb-new').click();
    await page.getByTestId('kb-editor-question').fill(question);
    await page
      .getByTestId('kb-editor-answer')
      .fill('纳税人申请退还增量留抵税额，应填报退（抵）税申请表，并按主管税务机关的要求提供有关资料。本文仅用于测试。');
    await page.getByTestId('kb-editor-basis').fill('测试依据');
    await page.getByTestId('kb-editor-save').click();
    await page.getByText('已创建草稿').waitFor();

    const drafts = (await admin('GET', `/api/kb/articles?categoryId=${categoryId}&status=draft`)).body as { articles: Summary[] };
    const mine = drafts.articles.find((a) => a.question === question);
    expect(mine, JSON.stringify(drafts)).toBeDefined();
    articleId = mine!.id;
    await page.getByTestId(`kb-edit-${articleId}`).waitFor();
    await screenshot(page, 'ops-kb');
    expect(await clippedTexts(page)).toEqual([]);

    // She corrects it: a second version.
    await page.getByTestId(`kb-edit-${articleId}`).click();
    const answer = page.getByTestId('kb-editor-answer');
    await expect.poll(() => answer.inputValue()).toContain('本文仅用于测试');
    await answer.fill(
      '纳税人申请退还增量留抵税额，应填报退（抵）税申请表，并按主管税务机关的要求提供有关资料。首次申请前请先确认符合退税条件。本文仅用于测试。',
    );
    await screenshot(page, 'ops-kb-editor');
    await page.getByTestId('kb-editor-save').click();
    await page.locator('.ant-message').getByText('已保存为第 2 版').waitFor();

    // Her own article: the API refuses the review, the page shows why, nothing changes.
    await page.getByTestId('kb-tab-review').click();
    await page.getByTestId(`kb-approve-${articleId}`).click();
    await page.locator('.ant-message-error').waitFor();
    await page.waitForTimeout(400); // the message's slide-in, for the screenshot
    expect(((await admin('GET', `/api/kb/articles/${articleId}`)).body as Summary).status).toBe('draft');
    await screenshot(page, 'ops-kb-review-own');
    expect(first.errors).toEqual([]);
    await first.close();

    const second = await signedIn(await testAccount(rig, 'editor', { displayName: '编辑乙' }));
    await second.page.goto(`${rig.svc.url}/console/ops/kb`);
    await second.page.getByTestId('kb-tab-review').click();
    await second.page.getByTestId(`kb-approve-${articleId}`).click();
    await second.page.locator('.ant-message').getByText('已审核通过').waitFor();
    await second.page.getByTestId(`kb-publish-${articleId}`).click();
    await second.page.locator('.ant-message').getByText('已发布').waitFor();
    // Published: it leaves the queue.
    await second.page.getByTestId(`kb-publish-${articleId}`).waitFor({ state: 'detached' });
    await screenshot(second.page, 'ops-kb-review');
    const published = (await admin('GET', `/api/kb/articles/${articleId}`)).body as Summary;
    expect(published.status).toBe('published');

    // The history shows both versions' states and a diff.
    await second.page.getByRole('tab', { name: '目录与文章' }).click();
    await second.page.getByTestId('kb-category-admin').getByText(categoryName, { exact: false }).first().click();
    await second.page.getByTestId(`kb-history-${articleId}`).click();
    await second.page.getByTestId('kb-versions').waitFor();
    // v1 → v2: the added sentence, and nothing else of the answer.
    await second.page.locator('[data-testid="diff"] [data-diff="add"]').filter({ hasText: '首次申请前请先确认符合退税条件' }).waitFor();
    expect(await second.page.locator('[data-testid="diff"] [data-diff="del"]').filter({ hasText: '按主管税务机关' }).count()).toBe(0);
    await second.page.waitForTimeout(400); // the drawer's slide-in, for the screenshot
    await screenshot(second.page, 'ops-kb-versions');
    expect(second.errors).toEqual([]);
    await second.close();
  });

  it('an agent searches as she types (增值 finds 增值税 articles, marked), opens one, and may not edit', async () => {
    const agentId = await freshAgentId(rig);
    expect(
      (await admin('PUT', `/api/agents/${agentId}`, { name: `知识库测试 ${agentId}`, password: randomPassword(), skills: {}, queues: [] }))
        .status,
    ).toBe(201);
    const agent = await signedIn(await testAccount(rig, 'agent', { agentId }));
    const { page } = agent;
    const searches: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/kb/search')) searches.push(new URL(r.url()).searchParams.get('q') ?? '');
    });
    await page.goto(`${rig.svc.url}/console/agent`);
    const box = page.getByTestId('kb-search');
    await box.pressSequentially('增值', { delay: 40 });
    await page.locator('[data-testid="kb-results"][data-query="增值"]').waitFor();
    // Typed faster than the 150 ms pause: one search, for the whole word.
    expect(searches).toEqual(['增值']);
    const questions = await page.getByTestId('kb-result-question').allTextContents();
    expect(questions.length).toBeGreaterThan(0);
    for (const q of questions.slice(0, 3)) expect(q).toContain('增值');
    const marks = await page.locator('[data-testid="kb-result-question"] mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    for (const m of marks) expect('增值税').toContain(m.slice(0, 2));
    await screenshot(page, 'agent-kb-search');
    expect(await clippedTexts(page)).toEqual([]);

    // The published article is found by its question and opens, counting a hit.
    await box.fill(question);
    await page.locator(`[data-testid="kb-result"][data-article-id="${articleId}"]`).first().click();
    await page.getByTestId('kb-article-question').filter({ hasText: question }).waitFor();
    await expect
      .poll(
        async () =>
          (
            (await admin('GET', `/api/kb/articles?categoryId=${categoryId}`)).body as { articles: Array<{ id: number; hits: number }> }
          ).articles.find((a) => a.id === articleId)?.hits,
      )
      .toBeGreaterThanOrEqual(1);
    await page.getByTestId('kb-star-private').click();
    await page.locator('[data-testid="kb-star-private"][aria-pressed="true"]').waitFor();
    await screenshot(page, 'agent-kb-article');

    await page.goto(`${rig.svc.url}/console/kb`);
    await page.getByTestId('kb-page').waitFor();
    await page.getByRole('tab', { name: '收藏夹' }).click();
    await page.getByTestId('kb-fav-private').filter({ hasText: question }).waitFor();
    await page.getByRole('tab', { name: '目录' }).click();
    await page.getByTestId('kb-search').pressSequentially('社保五险', { delay: 20 });
    await page.locator('[data-testid="kb-results"][data-query="社保五险"]').waitFor();
    await screenshot(page, 'kb-page');
    expect(await clippedTexts(page)).toEqual([]);

    await page.goto(`${rig.svc.url}/console/ops/kb`);
    await page.locator('.ant-result-403').waitFor();
    expect(agent.errors).toEqual([]);
    await agent.close();
  });
});
