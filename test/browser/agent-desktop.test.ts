import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, alwaysOpen12366 } from '../support/ivr.js';
import { freePorts } from '../support/rig.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { callAs, freshAgentId, randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

let rig: TestRig;
let browser: Browser;
beforeAll(async () => {
  rig = await startTestService();
  browser = await launchBrowser();
  await activateIvr(rig, alwaysOpen12366());
});
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);

/** A fresh agent serving 国税 → 增值税 (skills vat 5, queue ntax-vat), with its phone's password. */
async function vatAgent(name: string): Promise<{ agentId: string; password: string }> {
  const agentId = await freshAgentId(rig);
  const password = randomPassword();
  const r = await admin('PUT', `/api/agents/${agentId}`, { name, password, skills: { vat: 5 }, queues: ['ntax-vat'] });
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return { agentId, password };
}

/** A taxpayer from the trunk (127.0.0.2) who presses 2 (国税) then 1 (增值税) and stays on the line for talkMs. */
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

const stateOf = (page: Page) => page.getByTestId('agent-state').getAttribute('data-state');
const waitState = (page: Page, state: string, timeout = 15_000) =>
  page.waitForSelector(`[data-testid="agent-state"][data-state="${state}"]`, { timeout });

/**
 * Waits for the pop of a call from `caller` and says when it came: the server's offer time (the
 * agent's reservation, from the live record) and when the page got it, with the state then.
 */
async function popOf(page: Page, caller: string, agentId: string) {
  const pop = page.getByTestId('screen-pop');
  await page.waitForFunction((c) => document.querySelector('[data-testid="pop-caller"]')?.textContent?.includes(c), caller, {
    timeout: 30_000,
    polling: 20,
  });
  const stateThen = await stateOf(page);
  const offeredAt = Number(await pop.getAttribute('data-offered-at'));
  const shownAt = Number(await pop.getAttribute('data-shown-at'));
  const live = await rig.svc.liveAgents.agent(agentId);
  // The page's offer time is the server's: the reservation written in Redis when the call was claimed.
  expect(offeredAt).toBe(live?.lastOfferedAt);
  return { stateThen, offeredAt, shownAt, delayMs: shownAt - offeredAt, callId: await pop.getAttribute('data-call-id') };
}

describe('agent desktop, end to end with real SIP', () => {
  it('log in and go available by the buttons; a caller from 0571 pressing 2, 1 pops within a second, survives a reload, ends in wrap-up; the next call from the number shows the first in its history', async () => {
    const { agentId, password } = await vatAgent('王小明');
    const port = freePorts().sip;
    // The phone rings 4 s before it answers: the pop must be on screen while it rings.
    const phone = sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 4000 }, calls: 2, timeoutS: 120 });
    await registerAgent(agentId, password, port);
    await waitFor('phone registered', async () => (await rig.svc.liveAgents.agent(agentId))?.registered);
    const who = await testAccount(rig, 'agent', { agentId, displayName: '王小明' });

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, rig.svc.url, who);
    await page.goto(`${rig.svc.url}/console/agent`);
    await waitState(page, 'logged_out');
    expect(await page.getByTestId('btn-available').isDisabled()).toBe(true);
    await page.getByTestId('btn-login').click();
    await waitState(page, 'available');
    // Pause with the first reason offered, then back to available: each through the page's buttons.
    await page.getByTestId('btn-pause').click();
    await waitState(page, 'paused');
    expect((await rig.svc.liveAgents.agent(agentId))?.pauseReason).toBeTruthy();
    await page.getByTestId('btn-available').click();
    await waitState(page, 'available');
    expect(await page.getByText('等待来电').count()).toBe(1);
    await screenshot(page, 'agent-desktop');
    expect(await clippedTexts(page)).toEqual([]);

    const caller = uniqueCaller('0571');
    const delays: number[] = [];
    // First call: ring 4 s, talk a few seconds, caller hangs up.
    const first = taxpayer(caller, 14_000);
    const p1 = await popOf(page, caller, agentId);
    delays.push(p1.delayMs);
    expect(p1.stateThen).toBe('reserved');
    expect(p1.delayMs).toBeGreaterThanOrEqual(0);
    expect(p1.delayMs).toBeLessThan(1000);
    expect(await page.getByTestId('pop-region').textContent()).toContain('杭州');
    expect(await page.getByTestId('pop-path').textContent()).toContain('2 → 1');
    expect(await page.getByTestId('pop-queue').textContent()).toContain('国税 → 增值税');
    expect(await page.getByTestId('pop-wait').textContent()).toMatch(/^\d+:\d\d$/);
    expect(await page.getByTestId('pop-history').textContent()).toContain('此号码没有更早的来电');
    // Ringing, the agent can do nothing but wait for the answer.
    for (const b of ['btn-pause', 'btn-logout', 'btn-available', 'btn-end-wrap-up'])
      expect(await page.getByTestId(b).isDisabled(), b).toBe(true);
    await page.waitForTimeout(400); // the buttons' fade to disabled, so the screenshot shows where it ends
    await screenshot(page, 'agent-screen-pop');
    expect(await clippedTexts(page)).toEqual([]);

    // A reload during the call: the pop comes back from the server's live state, not the page's memory.
    await page.reload();
    await page.waitForFunction((c) => document.querySelector('[data-testid="pop-caller"]')?.textContent?.includes(c), caller);
    expect(await page.getByTestId('screen-pop').getAttribute('data-call-id')).toBe(p1.callId);
    expect(['reserved', 'on_call']).toContain(await stateOf(page));
    await waitState(page, 'on_call');

    // The caller hangs up: wrap-up (ntax-vat's 20 s), ended early from the page.
    await waitState(page, 'wrap_up', 30_000);
    expect((await first.done).code).toBe(0);
    await page.getByTestId('btn-end-wrap-up').click();
    await waitState(page, 'available');
    await waitFor('the first call stored as answered', async () => {
      const r = await rig.pool.query("SELECT 1 FROM calls WHERE call_id = $1 AND outcome = 'answered'", [p1.callId]);
      return r.rowCount === 1;
    });

    // Second call from the same number: its pop lists the first (when, which agent, outcome, summary "—").
    const second = taxpayer(caller, 8000);
    const p2 = await popOf(page, caller, agentId);
    delays.push(p2.delayMs);
    expect(p2.callId).not.toBe(p1.callId);
    expect(p2.delayMs).toBeLessThan(1000);
    const history = page.getByTestId('pop-history');
    await expect.poll(() => history.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
    const row = (await history.locator('tbody tr').first().textContent()) ?? '';
    expect(row).toContain(agentId);
    expect(row).toContain('王小明');
    expect(row).toContain('已接听');
    expect(row).toContain('国税 → 增值税');
    expect(row).toContain('—');
    await page.waitForTimeout(400);
    await screenshot(page, 'agent-screen-pop-history');
    expect(await clippedTexts(page)).toEqual([]);
    await waitState(page, 'wrap_up', 40_000);
    expect((await second.done).code).toBe(0);
    await page.getByTestId('btn-end-wrap-up').click();
    await waitState(page, 'available');
    await expect.poll(async () => page.getByTestId('answered-today').textContent(), { timeout: 10_000 }).toContain('2');
    await page.getByTestId('btn-logout').click();
    await waitState(page, 'logged_out');
    const ph = await phone.done;
    expect(ph.code, ph.errors).toBe(0);
    expect(errors).toEqual([]);
    console.log(`offer → pop (ms): ${delays.join(', ')}`);
    await ctx.close();
  }, 180_000);
});

/** Opens an agent's desktop channel with a browser's session cookie (from node, so the answer's status is seen): the status it was refused with, or 101. */
async function openChannel(ctx: BrowserContext, path: string): Promise<{ status: number; firstFrame?: any }> {
  const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const ws = new WebSocket(`${rig.svc.url.replace('http', 'ws')}${path}`, { headers: { cookie, origin: rig.svc.url } });
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('message', (m) => {
      resolve({ status: 101, firstFrame: JSON.parse(String(m)) });
      ws.close();
    });
    ws.on('error', () => resolve({ status: -1 }));
  });
}

/** A write from the signed-in page, with its CSRF token, as the page would make it. */
async function pageWrite(page: Page, path: string, body: unknown = {}) {
  return page.evaluate(
    async ({ path, body }) => {
      const me = await (await fetch('/api/me')).json();
      const r = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify(body),
      });
      return r.status;
    },
    { path, body },
  );
}

describe('agent desktop: who may watch and act', () => {
  it("agent A cannot open agent B's channel or act on B (403, crafted requests too); a read-only account cannot act; a supervisor may watch", async () => {
    const a = await vatAgent('甲坐席');
    const b = await vatAgent('乙坐席');
    await rig.svc.liveAgents.setRegistered(b.agentId, true, Date.now());
    await rig.svc.agents.move(b.agentId, 'login', 'test');
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, rig.svc.url, await testAccount(rig, 'agent', { agentId: a.agentId }));

    expect((await openChannel(ctx, `/api/agents/${a.agentId}/live`)).status).toBe(101);
    const encoded = [...b.agentId].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    for (const path of [
      `/api/agents/${b.agentId}/live`,
      `/api/agents/${b.agentId}/live?id=${a.agentId}`,
      `/api/agents/${encoded}/live`,
      `/api/agents/${b.agentId}/live?access_token=x`,
    ])
      expect((await openChannel(ctx, path)).status, path).toBe(403);
    for (const path of [
      `/api/agents/${b.agentId}/logout`,
      `/api/agents/${encoded}/pause`,
      `/api/agents/${b.agentId}/end-wrap-up?id=${a.agentId}`,
    ])
      expect(await pageWrite(page, path, path.endsWith('pause') ? { reason: 'training' } : {}), path).toBe(403);
    expect((await rig.svc.liveAgents.agent(b.agentId))?.state).toBe('available');
    await ctx.close();

    const ro = await newContext(browser);
    const roPage = await ro.newPage();
    await signIn(roPage, rig.svc.url, await testAccount(rig, 'readonly'));
    expect(await pageWrite(roPage, `/api/agents/${b.agentId}/logout`)).toBe(403);
    expect(await pageWrite(roPage, `/api/agents/${a.agentId}/login`)).toBe(403);
    expect((await openChannel(ro, `/api/agents/${b.agentId}/live`)).status).toBe(403);
    expect((await rig.svc.liveAgents.agent(b.agentId))?.state).toBe('available');
    await ro.close();

    const sup = await newContext(browser);
    const supPage = await sup.newPage();
    await signIn(supPage, rig.svc.url, await testAccount(rig, 'supervisor'));
    const watched = await openChannel(sup, `/api/agents/${b.agentId}/live`);
    expect(watched.status).toBe(101);
    expect(watched.firstFrame).toMatchObject({ agentId: b.agentId, state: 'available', pop: null });
    await sup.close();
    await rig.svc.agents.move(b.agentId, 'logout', 'test');
  }, 60_000);
});
