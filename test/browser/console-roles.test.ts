import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { callAs, freshAgentId, randomPassword, startTestService, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

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

type Role = 'admin' | 'supervisor' | 'agent' | 'readonly' | 'editor' | 'liaison' | 'quality';
const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);
const one = async (sql: string, params: unknown[] = []) => (await rig.pool.query(sql, params)).rows[0];
/** Knowledge-base categories of a name, read through the API (the KB feature owns its tables). */
const kbCategoryCount = async (name: string) =>
  ((await admin('GET', '/api/kb/categories')).body as { categories: Array<{ name: string }> }).categories.filter((c) => c.name === name)
    .length;

const ALL_PAGES = [
  '/agent',
  '/wallboard',
  '/reports',
  '/callbacks',
  '/workorders',
  '/ops/ivr',
  '/ops/routing',
  '/ops/agents',
  '/ops/pause-reasons',
  '/ops/accounts',
  '/ops/audit',
  '/kb',
  '/ops/kb',
  '/recordings',
  '/quality/mine',
  '/quality/report',
  '/quality/form',
];
/** What each role is offered (docs: agents their desktop; read-only the wallboard, reports, callbacks and audit; everyone the knowledge base; editors its editing; admins everything else). */
const OFFERED: Record<Role, string[]> = {
  admin: [
    '/wallboard',
    '/reports',
    '/callbacks',
    '/workorders',
    '/ops/ivr',
    '/ops/routing',
    '/ops/agents',
    '/ops/pause-reasons',
    '/ops/accounts',
    '/ops/audit',
    '/kb',
    '/ops/kb',
    '/recordings',
    '/quality/report',
    '/quality/form',
  ],
  supervisor: [
    '/wallboard',
    '/reports',
    '/callbacks',
    '/workorders',
    '/ops/audit',
    '/kb',
    '/recordings',
    '/quality/report',
    '/quality/form',
  ],
  readonly: ['/wallboard', '/reports', '/callbacks', '/ops/audit', '/kb'],
  // An agent reads the reviews of its own calls (我的质检).
  agent: ['/agent', '/workorders', '/kb', '/quality/mine'],
  // The knowledge base's keeper: its pages, and reports (hot categories and articles).
  editor: ['/reports', '/kb', '/ops/kb'],
  // A department's liaison (联络员): its department's work orders, and the knowledge base to answer them.
  liaison: ['/workorders', '/kb'],
  // Quality reviewer (质检员): recordings, the quality report and form, and the reports.
  quality: ['/reports', '/kb', '/recordings', '/quality/report', '/quality/form'],
};

/** A request from the page itself (its cookie), with or without the CSRF token /api/me gave this session. */
async function fromPage(page: Page, method: string, url: string, body: unknown, withCsrf: boolean) {
  return page.evaluate(
    async ({ method, url, body, withCsrf }) => {
      const me = await (await fetch('/api/me')).json();
      const r = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', ...(withCsrf ? { 'x-csrf-token': me.csrfToken } : {}) },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: await r.text() };
    },
    { method, url, body, withCsrf },
  );
}

describe('web console: what each role is offered, and what the API refuses it', () => {
  let self: string;
  let other: string;
  beforeAll(async () => {
    // Two agents: one the agent account is linked to, one it is not.
    self = await freshAgentId(rig);
    other = await freshAgentId(rig);
    for (const id of [self, other])
      expect(
        (await admin('PUT', `/api/agents/${id}`, { name: `角色测试 ${id}`, password: randomPassword(), skills: {}, queues: [] })).status,
      ).toBe(201);
  });

  for (const role of ['admin', 'supervisor', 'agent', 'readonly', 'editor', 'liaison', 'quality'] as const) {
    it(`${role}: the menu and home offer its pages only; other pages by URL show 403; forbidden writes and writes without the CSRF token are refused and change nothing`, async () => {
      const who = await testAccount(rig, role, role === 'agent' ? { agentId: self } : role === 'liaison' ? { department: 'dsj' } : {});
      const ctx = await newContext(browser);
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await signIn(page, rig.svc.url, who);

      // Home cards and menu links: exactly this role's pages.
      const cards = await page
        .locator('[data-testid^="home-card-"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace('home-card-', '')));
      expect(cards.sort()).toEqual([...OFFERED[role]].sort());
      const menu = await page
        .locator('.ant-layout-sider a')
        .evaluateAll((els) => els.map((e) => new URL((e as HTMLAnchorElement).href).pathname));
      expect(menu.sort()).toEqual(['/console', ...OFFERED[role].map((p) => `/console${p}`)].sort());
      await screenshot(page, `home-${role}`);
      expect(await clippedTexts(page)).toEqual([]);

      // Every other page, opened by its URL, is the 403 result (the API would refuse its data anyway).
      for (const path of ALL_PAGES.filter((p) => !OFFERED[role].includes(p))) {
        await page.goto(`${rig.svc.url}/console${path}`);
        await page.locator('.ant-result-403').waitFor();
        expect(await page.getByText('您的角色无权使用此页面').count(), path).toBe(1);
      }

      // Forbidden writes, crafted in this role's own browser session with the right CSRF token: refused by the API for the role.
      const forbidden: Array<{ method: string; url: string; body: unknown; unchanged: () => Promise<unknown> }> = [];
      const agentRow = (id: string) => one('SELECT name, skills, queues, active FROM agents WHERE agent_id = $1', [id]);
      const newUser = `t-crafted-${role}`;
      const routingCount = () => one('SELECT count(*)::int AS n FROM routing_versions');
      const otherState = async () => (await admin('GET', `/api/agents/${other}`)).body.state;
      if (role !== 'admin') {
        forbidden.push(
          {
            method: 'PUT',
            url: `/api/agents/${other}`,
            body: { name: '被篡改', skills: { vat: 5 }, queues: [] },
            unchanged: () => agentRow(other),
          },
          {
            method: 'POST',
            url: '/api/accounts',
            body: { username: newUser, displayName: '越权', role: 'admin', password: randomPassword() },
            unchanged: () => one('SELECT count(*)::int AS n FROM accounts WHERE username = $1', [newUser]),
          },
          { method: 'POST', url: '/api/routing/versions', body: { skills: [], queues: [] }, unchanged: routingCount },
        );
        // Only kb.write holders change the knowledge base.
        if (role !== 'editor') {
          const name = `越权目录-${role}`;
          forbidden.push({
            method: 'POST',
            url: '/api/kb/categories',
            body: { parentId: null, name },
            unchanged: () => kbCategoryCount(name),
          });
        }
        if (role !== 'supervisor')
          forbidden.push({ method: 'POST', url: `/api/agents/${other}/pause`, body: { reason: 'break' }, unchanged: otherState });
      }
      for (const w of forbidden) {
        const before = await w.unchanged();
        const r = await fromPage(page, w.method, w.url, w.body, true);
        expect(r.status, `${w.method} ${w.url}: ${r.body}`).toBe(403);
        expect(r.body).toContain(`role ${role} may not`);
        expect(await w.unchanged(), `${w.method} ${w.url}`).toEqual(before);
      }

      // A write the role may make, without the CSRF header: refused, and the password stays.
      const hash = () => one('SELECT password_hash FROM accounts WHERE username = $1', [who.username]);
      const before = await hash();
      const noCsrf = await fromPage(page, 'POST', '/api/me/password', { current: who.password, password: randomPassword() }, false);
      expect(noCsrf.status, noCsrf.body).toBe(403);
      expect(noCsrf.body).toContain('x-csrf-token');
      expect(await hash()).toEqual(before);
      if (role !== 'readonly') {
        // And one of the role's real powers, likewise refused without it.
        const [url, body] =
          role === 'agent'
            ? [`/api/agents/${self}/pause`, { reason: 'break' }]
            : role === 'editor'
              ? ['/api/kb/categories', { parentId: null, name: 'crafted-csrf' }]
              : role === 'supervisor'
                ? [`/api/agents/${other}/pause`, { reason: 'break' }]
                : role === 'liaison'
                  ? ['/api/workorders/00000000-0000-7000-8000-000000000000/reply', { note: '伪造' }]
                  : role === 'quality'
                    ? ['/api/quality/reviews', { recordingId: 'crafted', scores: {}, comments: [] }]
                    : ['/api/pause-reasons', { code: 'crafted', zh: '伪造', en: 'Forged' }];
        const stateBefore = await otherState();
        const r = await fromPage(page, 'POST', url, body, false);
        expect(r.status, r.body).toBe(403);
        expect(r.body).toContain('x-csrf-token');
        expect(await otherState()).toBe(stateBefore);
        expect((await one("SELECT count(*)::int AS n FROM pause_reasons WHERE code = 'crafted'")).n).toBe(0);
        expect(await kbCategoryCount('crafted-csrf')).toBe(0);
      }
      expect(errors).toEqual([]);
      await ctx.close();
    });
  }
});
