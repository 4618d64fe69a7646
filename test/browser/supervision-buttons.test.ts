import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { oneAgentOnOther } from '../support/one-agent.js';
import { freePorts } from '../support/rig.js';
import { registerAgent, sipp } from '../support/sipp.js';
import { callAs, freshAgentId, randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { clippedTexts, launchBrowser, newContext, screenshot, settled, signIn, testAccount } from '../support/browser.js';

/**
 * Issue 23's supervision from the wallboard, on a real bridged call: a supervisor whose account has
 * no agent id picks the phone it sits at (remembered after a reload), listens (its SIPp phone rings
 * and answers), switches to whisper and barge, leaves; a refused request shows the API's message;
 * a read-only account sees no such buttons.
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
const rowState = (page: Page, agentId: string, state: string, timeout = 30_000) =>
  page.waitForSelector(`[data-testid="agent-row-${agentId}"][data-state="${state}"]`, { timeout });
/** The active supervisions of a call, as the API lists them (it must be there: 200). */
async function supervisionsOf(callId: string) {
  const r = await admin('GET', '/api/supervision');
  expect(r.status, `GET /api/supervision: ${JSON.stringify(r.body)}`).toBe(200);
  return (r.body as { items: Array<{ callId: string; mode: string; phone: string; state: string }> }).items.filter(
    (s) => s.callId === callId,
  );
}

describe('supervision buttons on the wallboard', () => {
  it('listen, whisper, barge and leave from the supervisor’s own phone on a talking call', async () => {
    const { agentId, phone } = await oneAgentOnOther(rig.svc.url, rig.pool, { name: '陈立', phoneCalls: 1, timeoutS: 120 });
    // The supervisor's desk phone: an agent's SIP account, registered, never logged in to a queue.
    const deskPhone = await freshAgentId(rig);
    const password = randomPassword();
    const put = await admin('PUT', `/api/agents/${deskPhone}`, { name: '班长座机', password, skills: {}, queues: ['other'] });
    expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
    const port = freePorts().sip;
    const supPhone = sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 500 }, calls: 1, timeoutS: 120 });
    await registerAgent(deskPhone, password, port);
    await waitFor('desk phone registered', async () => (await rig.svc.liveAgents.agent(deskPhone))?.registered);

    const caller = uniqueCaller('0571');
    const taxpayer = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 60_000 },
      files: { pcap: dtmfPcap(presses('0', 400), { audioMs: 60_000 }) },
      timeoutS: 120,
    });

    const errors: string[] = [];
    const ctx = await newContext(browser);
    const board = await ctx.newPage();
    board.on('pageerror', (e) => errors.push(e.message));
    await signIn(board, rig.svc.url, await testAccount(rig, 'supervisor', { displayName: '值班班长' }));
    await board.goto(`${rig.svc.url}/console/wallboard`);
    await rowState(board, agentId, 'on_call');
    const callId = await waitFor('the live call id', async () => (await rig.svc.liveAgents.agent(agentId))?.callId ?? undefined);

    // No phone chosen yet: the page asks for one and sends nothing.
    await board.getByTestId(`supervise-listen-${agentId}`).click();
    await board.locator('.ant-message').getByText('请先在上方选择您使用的话机').waitFor();
    expect(await supervisionsOf(callId)).toEqual([]);

    // The phone the supervisor sits at, remembered in this browser.
    await board.getByTestId('supervise-phone-select').click();
    await board.keyboard.type(deskPhone);
    await board.locator('.ant-select-item-option', { hasText: `${deskPhone} 班长座机` }).click();
    await board.reload();
    await rowState(board, agentId, 'on_call');
    expect(await board.getByTestId('supervise-phone-select').textContent()).toContain(deskPhone);

    // 监听: the desk phone rings and answers; the row shows it.
    await board.getByTestId(`supervise-listen-${agentId}`).click();
    await board.waitForSelector(`[data-testid="supervise-mode-${agentId}"][data-mode="listen"][data-state="joined"]`, { timeout: 20_000 });
    expect(await supervisionsOf(callId)).toMatchObject([{ mode: 'listen', phone: deskPhone, state: 'joined' }]);
    expect(await board.getByTestId(`supervise-mode-${agentId}`).textContent()).toBe('监听中 · 已接通');
    expect(await clippedTexts(board)).toEqual([]);
    // The ringing toast is stale once joined: the picture shows the row as it stays.
    await settled(board);
    await screenshot(board, 'wallboard-supervision');

    await board.getByTestId(`supervise-switch-whisper-${agentId}`).click();
    await board.waitForSelector(`[data-testid="supervise-mode-${agentId}"][data-mode="whisper"]`);
    expect(await supervisionsOf(callId)).toMatchObject([{ mode: 'whisper' }]);
    await board.getByTestId(`supervise-switch-barge-${agentId}`).click();
    await board.waitForSelector(`[data-testid="supervise-mode-${agentId}"][data-mode="barge"]`);
    expect(await board.getByTestId(`supervise-mode-${agentId}`).textContent()).toContain('强插中');

    // 退出: the buttons come back; the desk phone is hung up (its scenario ends cleanly).
    await board.getByTestId(`supervise-leave-${agentId}`).click();
    await board.getByTestId(`supervise-listen-${agentId}`).waitFor();
    expect(await supervisionsOf(callId)).toEqual([]);
    const sup = await supPhone.done;
    expect(sup.code, `desk phone SIPp: ${sup.errors} ${sup.output.slice(-1500)}`).toBe(0);

    // A phone that is no agent's: the API refuses, and its message is shown.
    await board.evaluate(() => localStorage.setItem('tax12366.supervisePhone', 'nosuchphone'));
    await board.reload();
    await rowState(board, agentId, 'on_call');
    await board.getByTestId(`supervise-listen-${agentId}`).click();
    await board.locator('.ant-message-error').waitFor();
    expect(await supervisionsOf(callId)).toEqual([]);

    // A read-only account sees the call but no supervision buttons.
    const roCtx = await newContext(browser);
    const ro = await roCtx.newPage();
    ro.on('pageerror', (e) => errors.push(e.message));
    await signIn(ro, rig.svc.url, await testAccount(rig, 'readonly'));
    await ro.goto(`${rig.svc.url}/console/wallboard`);
    await rowState(ro, agentId, 'on_call');
    expect(await ro.locator('[data-testid^="supervise-"]').count()).toBe(0);
    await roCtx.close();
    await ctx.close();

    expect((await taxpayer.done).code).toBe(0);
    expect((await phone.done).code).toBe(0);
    expect(errors).toEqual([]);
  }, 180_000);
});
