import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, activateRouting, alwaysOpen12366, shippedRouting } from '../support/ivr.js';
import { freePorts } from '../support/rig.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { callAs, freshAgentId, randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { callIdOf, eventsOf, waitForEvent } from '../support/calls.js';
import { clippedTexts, launchBrowser, newContext, screenshot, signIn, testAccount } from '../support/browser.js';

/**
 * The ops console's configuration pages with the real rig: an admin changes who gets VAT calls in
 * the routing page, the simulator says who, activation is audited and the next real call goes
 * there; a bad edit is shown at its field and changes nothing; the IVR page plays, saves and diffs.
 */
let rig: TestRig;
let browser: Browser;
const phones: SippRun[] = [];
const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);

/** VAT calls need vat >= 4 first (the shipped policy), with short timers for a test. */
function vatPolicy() {
  const cfg = shippedRouting();
  const vat = cfg.queues.find((q: { queue: string }) => q.queue === 'ntax-vat');
  vat.steps = [
    { afterS: 0, skills: { vat: 4 } },
    { afterS: 60, skills: 'any' },
  ];
  vat.wrapUpS = 0;
  vat.ringTimeoutS = 8;
  return cfg;
}

async function agentWithPhone(skills: Record<string, number>): Promise<string> {
  const id = await freshAgentId(rig);
  const password = randomPassword();
  expect((await admin('PUT', `/api/agents/${id}`, { name: `坐席${id}`, password, skills, queues: ['ntax-vat'] })).status).toBe(201);
  const port = freePorts().sip;
  phones.push(sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 200 }, calls: 3, timeoutS: 180 }));
  await registerAgent(id, password, port);
  await waitFor(`${id} registered`, async () => (await rig.svc.liveAgents.agent(id))?.registered);
  expect((await admin('POST', `/api/agents/${id}/login`)).status).toBe(200);
  return id;
}

/** A real taxpayer call from the trunk (127.0.0.2) pressing 2, 1 (national tax, VAT); the agents it was offered to. */
async function vatCall(): Promise<string[]> {
  const caller = uniqueCaller();
  const run = sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: 3000 },
    files: { pcap: dtmfPcap(presses('21', 500, 400), { audioMs: 3000 }) },
    timeoutS: 60,
  });
  const callId = await callIdOf(rig, caller);
  await run.done;
  await waitForEvent(rig, callId, 'call.ended');
  return (await eventsOf(rig, callId, 'call.agent_offered')).map((e) => e.agentId as string);
}

/** Picks an option of an Ant Design Select by its text (the option's title). */
async function choose(page: Page, select: Locator, title: string): Promise<void> {
  await select.click();
  await page.locator(`.ant-select-item-option[title="${title}"]`).locator('visible=true').first().click();
  await expect.poll(() => select.textContent()).toContain(title);
}

/** An Ant Design input by its test id (InputNumber puts the id on the <input>, others on a wrapper). */
const input = (page: Page, id: string) => page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();

async function versionsOf(kind: 'ivr' | 'routing'): Promise<{ count: number; active: number }> {
  const list = (await admin('GET', `/api/${kind}/versions`)).body as Array<{ version: number; active: boolean }>;
  return { count: list.length, active: list.find((v) => v.active)!.version };
}

beforeAll(async () => {
  rig = await startTestService();
  browser = await launchBrowser();
  await activateRouting(rig, vatPolicy());
  await activateIvr(rig, alwaysOpen12366());
});
afterAll(async () => {
  for (const p of phones.splice(0)) p.kill();
  await browser?.close();
  await rig?.stop();
});

describe('ops console: routing page', () => {
  it('an admin makes VAT calls need a skill only one agent has: the simulator names that agent, activation is audited, the next real call goes there', async () => {
    const vatExpert = await agentWithPhone({ vat: 5 });
    const citAgent = await agentWithPhone({ cit: 4 });
    const who = await testAccount(rig, 'admin', { displayName: '运维 路由' });
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, rig.svc.url, who);
    await page.goto(`${rig.svc.url}/console/ops/routing`);
    await page.getByTestId('queue-ntax-vat').click();
    await expect.poll(() => page.getByTestId('step-0-skill-0').textContent()).toContain('vat');
    await screenshot(page, 'ops-routing');
    expect(await clippedTexts(page)).toEqual([]);

    // An invalid edit first: a negative wait. The API's message sits beside that field; nothing is stored.
    const before = await versionsOf('routing');
    await input(page, 'step-0-afterS').fill('-5');
    await page.getByTestId('save-draft').click();
    const err = page.locator('[role="alert"][data-field="queues/1/steps/0/afterS"]');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/0/);
    // Beside the field: in the same table cell as the input.
    const cell = input(page, 'step-0-afterS').locator('xpath=ancestor::td[1]');
    expect(await cell.locator('[role="alert"]').count()).toBe(1);
    expect(await versionsOf('routing')).toEqual(before);
    await input(page, 'step-0-afterS').fill('0');

    // The real edit: VAT calls need corporate income tax (cit ≥ 4), which only the second agent has.
    await choose(page, page.getByTestId('step-0-skill-0'), '企业所得税 (cit)');
    // Simulated before it is saved (the unsaved document): the CIT agent; nothing stored by asking.
    await page.getByRole('tab', { name: '模拟器' }).click();
    await page.getByTestId('sim-run').click();
    await expect.poll(() => page.getByTestId('sim-draft').textContent()).toContain('未保存的编辑');
    expect(await page.getByTestId('sim-draft-agent').textContent()).toContain(citAgent);
    expect(await versionsOf('routing')).toEqual(before);
    await page.getByRole('tab', { name: '队列与步骤' }).click();
    await page.getByTestId('comment').fill('企业所得税组接增值税来电');
    await page.getByTestId('save-draft').click();
    await page.getByTestId('activate-draft').waitFor();
    const after = await versionsOf('routing');
    expect(after).toEqual({ count: before.count + 1, active: before.active });
    const draft = Math.max(...((await admin('GET', '/api/routing/versions')).body as Array<{ version: number }>).map((v) => v.version));
    const stored = (await admin('GET', `/api/routing/versions/${draft}`)).body;
    expect(stored.queues[1].steps[0]).toEqual({ afterS: 0, skills: { cit: 4 } });

    // The simulator: under the draft the CIT agent, under the active version the VAT expert.
    await page.getByRole('tab', { name: '模拟器' }).click();
    await page.getByTestId('sim-run').click();
    await expect.poll(() => page.getByTestId('sim-draft').textContent()).toContain(`版本 ${draft}`);
    expect(await page.getByTestId('sim-draft-agent').textContent()).toContain(citAgent);
    expect(await page.getByTestId('sim-active-agent').textContent()).toContain(vatExpert);
    await screenshot(page, 'ops-simulator');
    expect(await clippedTexts(page)).toEqual([]);

    await page.getByRole('tab', { name: '版本与对比' }).click();
    await page.getByTestId('diff').waitFor();
    await page.getByTestId('diff').scrollIntoViewIfNeeded();
    expect(await page.getByTestId('diff-removed').textContent()).toBe('−1');
    expect(await page.locator('[data-diff="add"]').allTextContents()).toEqual([expect.stringContaining('cit: 4')]);
    await screenshot(page, 'ops-routing-diff');

    await page.getByTestId('activate-draft').click();
    await expect.poll(async () => (await versionsOf('routing')).active).toBe(draft);
    expect(await vatCall()).toEqual([citAgent]);

    const audit = (await admin('GET', '/api/audit?action=routing.activate')).body as Array<Record<string, any>>;
    expect(audit.find((e) => e.after?.active === draft)).toMatchObject({
      actor: who.username,
      via: 'session',
      before: { active: before.active },
    });
    expect(errors).toEqual([]);
    for (const id of [vatExpert, citAgent]) await admin('POST', `/api/agents/${id}/logout`);
    await ctx.close();
  }, 180_000);
});

describe('ops console: IVR page', () => {
  it('an admin edits a prompt and plays it as synthesized, marks a holiday on the calendar, saves a draft and sees the diff; an unknown queue is refused at its field', async () => {
    const who = await testAccount(rig, 'admin', { displayName: '运维 导航' });
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, rig.svc.url, who);
    await page.goto(`${rig.svc.url}/console/ops/ivr`);
    await page.getByTestId('tree-main').click();
    await page.getByTestId('prompt-main-menu-zh').waitFor();
    await screenshot(page, 'ops-ivr');
    expect(await clippedTexts(page)).toEqual([]);

    // A prompt edited and played: the service synthesizes it, the page plays a WAV blob.
    await page.getByTestId('tree-welcome').click();
    const text = `您好，欢迎致电一二三六六纳税服务热线，测试${Date.now() % 1000}。`;
    await page.getByTestId('prompt-welcome-zh').fill(text);
    await page.getByTestId('play-welcome-zh').click();
    const audio = page.getByTestId('audio-welcome-zh');
    await audio.waitFor();
    const sound = await audio.evaluate(async (el: HTMLAudioElement) => {
      if (el.readyState < 1) await new Promise((resolve) => el.addEventListener('loadedmetadata', resolve, { once: true }));
      // What the page made the blob from (the console's CSP lets no script fetch a blob: URL).
      return { src: el.src, type: el.dataset.type, bytes: Number(el.dataset.bytes), duration: el.duration };
    });
    expect(sound.src).toMatch(/^blob:/);
    expect(sound.type).toBe('audio/wav');
    expect(sound.bytes).toBeGreaterThan(1000);
    expect(sound.duration).toBeGreaterThan(1);

    // A holiday on the calendar: the 20th of the month shown.
    await page.getByRole('tab', { name: '工作时间与节假日' }).click();
    const day = `${new Date().toISOString().slice(0, 8)}20`;
    await page.locator(`td[title="${day}"]`).click();
    expect(await page.getByTestId('day-panel').textContent()).toContain(day);
    await page.getByTestId('holiday-name').fill('测试假日');
    await page.getByTestId('add-holiday').click();
    await expect.poll(() => page.getByTestId(`day-${day}`).textContent()).toContain('测试假日');
    await screenshot(page, 'ops-ivr-calendar');

    const before = await versionsOf('ivr');
    await page.getByTestId('save-draft').click();
    await page.getByTestId('activate-draft').waitFor();
    expect(await versionsOf('ivr')).toEqual({ count: before.count + 1, active: before.active });
    await page.getByRole('tab', { name: '版本与对比' }).click();
    await page.getByTestId('diff').waitFor();
    const added = (await page.locator('[data-diff="add"]').allTextContents()).join('\n');
    expect(added).toContain(text);
    expect(added).toContain('测试假日');
    await page.getByTestId('diff').scrollIntoViewIfNeeded();
    await screenshot(page, 'ops-ivr-diff');

    // An unknown queue: refused beside the queue field; nothing stored, nothing activated.
    await page.getByRole('tab', { name: '菜单树' }).click();
    await page.getByTestId('tree-ntax.vat').click();
    await input(page, 'node-queue').fill('no-such-queue');
    const stored = await versionsOf('ivr');
    await page.getByTestId('save-draft').click();
    const err = page.locator('[role="alert"][data-field="nodes/ntax.vat/queue"]');
    await err.waitFor();
    expect(await err.textContent()).toContain('no-such-queue');
    expect(await page.getByTestId('node-form').locator('[role="alert"]').count()).toBeGreaterThan(0);
    expect(await versionsOf('ivr')).toEqual(stored);
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);
});
