import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, alwaysOpen12366 } from '../support/ivr.js';
import { freePorts } from '../support/rig.js';
import { registerAgent, sipp } from '../support/sipp.js';
import { callAs, freshAgentId, randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

/**
 * The day on the floor, both pages at once against the real rig: an agent in the desktop,
 * a supervisor on the wallboard, one taxpayer pressing 2, 1.
 */
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

const agentState = (page: Page, state: string, timeout = 20_000) =>
  page.waitForSelector(`[data-testid="agent-state"][data-state="${state}"]`, { timeout });
const rowState = (page: Page, agentId: string, state: string, timeout = 20_000) =>
  page.waitForSelector(`[data-testid="agent-row-${agentId}"][data-state="${state}"]`, { timeout });

describe('a call on the floor, seen from the agent desktop and the wallboard', () => {
  it('the agent goes ready in the page; the supervisor sees the caller waiting, then the agent on the call; the pop shows number, region and path while the phone rings; wrap-up after', async () => {
    const agentId = await freshAgentId(rig);
    const password = randomPassword();
    const put = await callAs(rig, rig.svc.config.ADMIN_TOKEN, 'PUT', `/api/agents/${agentId}`, {
      name: '李晓华',
      password,
      skills: { vat: 5 },
      queues: ['ntax-vat'],
    });
    expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
    const port = freePorts().sip;
    const phone = sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 3000 }, calls: 1, timeoutS: 120 });
    await registerAgent(agentId, password, port);
    await waitFor('phone registered', async () => (await rig.svc.liveAgents.agent(agentId))?.registered);

    const errors: string[] = [];
    const agentCtx = await newContext(browser);
    const desk = await agentCtx.newPage();
    desk.on('pageerror', (e) => errors.push(`desktop: ${String(e)}`));
    await signIn(desk, rig.svc.url, await testAccount(rig, 'agent', { agentId, displayName: '李晓华' }));
    await desk.goto(`${rig.svc.url}/console/agent`);
    await agentState(desk, 'logged_out');
    await desk.getByTestId('btn-login').click();
    await agentState(desk, 'available');
    // Paused first, so the caller waits where the supervisor can see it.
    await desk.getByTestId('btn-pause').click();
    await agentState(desk, 'paused');

    const supCtx = await newContext(browser);
    const board = await supCtx.newPage();
    board.on('pageerror', (e) => errors.push(`wallboard: ${String(e)}`));
    await signIn(board, rig.svc.url, await testAccount(rig, 'supervisor', { displayName: '值班班长' }));
    await board.goto(`${rig.svc.url}/console/wallboard`);
    await rowState(board, agentId, 'paused');

    const caller = uniqueCaller('0571');
    const taxpayer = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 12_000 },
      files: { pcap: dtmfPcap(presses('21', 500, 400), { audioMs: 12_000 }) },
      timeoutS: 60,
    });
    await board.waitForSelector('[data-testid="queue-tile-ntax-vat"][data-waiting="1"]', { timeout: 30_000 });
    await screenshot(board, 'floor-wallboard-waiting');

    // Ready: the call is offered, and the pop is on the desktop before the phone (3 s of ringing) answers.
    await desk.getByTestId('btn-available').click();
    await desk.waitForFunction((c) => document.querySelector('[data-testid="pop-caller"]')?.textContent?.includes(c), caller, {
      timeout: 15_000,
      polling: 20,
    });
    expect(await desk.getByTestId('agent-state').getAttribute('data-state')).toBe('reserved');
    expect(await desk.getByTestId('pop-region').textContent()).toContain('杭州');
    expect(await desk.getByTestId('pop-path').textContent()).toContain('2 → 1');
    expect(await desk.getByTestId('pop-queue').textContent()).toContain('国税 → 增值税');

    await rowState(board, agentId, 'on_call');
    await board.waitForSelector('[data-testid="queue-tile-ntax-vat"][data-waiting="0"]');
    expect(await board.getByTestId(`agent-row-${agentId}`).textContent()).toContain(caller);
    await screenshot(board, 'floor-wallboard-on-call');

    // The taxpayer hangs up: wrap-up on both pages.
    await agentState(desk, 'wrap_up', 30_000);
    await rowState(board, agentId, 'wrap_up');
    expect((await taxpayer.done).code).toBe(0);
    await desk.getByTestId('btn-end-wrap-up').click();
    await agentState(desk, 'available');
    await desk.getByTestId('btn-logout').click();
    await agentState(desk, 'logged_out');
    expect((await phone.done).code).toBe(0);
    expect(errors).toEqual([]);
    await agentCtx.close();
    await supCtx.close();
  }, 150_000);
});
