import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, activateRouting, alwaysOpen12366, shippedRouting } from '../support/ivr.js';
import { freePorts } from '../support/rig.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { freshAgentId, randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { callIdOf, eventsOf, waitForEvent } from '../support/calls.js';

/**
 * The "done when": an admin changes who handles VAT calls, checks it with the simulator,
 * activates it, the next real call follows it, the audit log shows it, and a rollback undoes it,
 * all on one running service.
 */
let rig: TestRig;
let token: string;
const phones: SippRun[] = [];
const username = `t-ops-${randomBytes(3).toString('hex')}`;

async function as(method: string, url: string, body?: unknown) {
  const r = await fetch(`${rig.svc.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** VAT calls need vat >= 4 first (the shipped policy), with short timers for a test. */
function vatPolicy(skills: Record<string, number>) {
  const cfg = shippedRouting();
  const vat = cfg.queues.find((q: { queue: string }) => q.queue === 'ntax-vat');
  vat.steps = [
    { afterS: 0, skills },
    { afterS: 60, skills: 'any' },
  ];
  vat.wrapUpS = 0;
  vat.ringTimeoutS = 8;
  return cfg;
}

async function agentWithPhone(skills: Record<string, number>): Promise<string> {
  const id = await freshAgentId(rig);
  const password = randomPassword();
  expect((await as('PUT', `/api/agents/${id}`, { name: `坐席${id}`, password, skills, queues: ['ntax-vat'] })).status).toBe(201);
  const port = freePorts().sip;
  phones.push(sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 200 }, calls: 3, timeoutS: 120 }));
  await registerAgent(id, password, port);
  await waitFor(`${id} registered`, async () => (await rig.svc.liveAgents.agent(id))?.registered);
  expect((await as('POST', `/api/agents/${id}/login`)).status).toBe(200);
  return id;
}

/** A real taxpayer call pressing 2, 1 (national tax, VAT); the agent it was offered to. */
async function vatCall(): Promise<{ caller: string; offered: string[] }> {
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
  const offered = (await eventsOf(rig, callId, 'call.agent_offered')).map((e) => e.agentId as string);
  return { caller, offered };
}

beforeAll(async () => {
  rig = await startTestService();
  await activateRouting(rig, vatPolicy({ vat: 4 }));
  await activateIvr(rig, alwaysOpen12366());
  const password = randomPassword();
  const created = await fetch(`${rig.svc.url}/api/accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rig.svc.config.ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username, displayName: '运维 王', role: 'admin', password }),
  });
  expect(created.status).toBe(201);
  const login = await fetch(`${rig.svc.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  token = ((await login.json()) as { token: string }).token;
});
afterAll(async () => {
  for (const p of phones.splice(0)) p.kill();
  await rig?.stop();
});

describe('an admin changes who handles VAT calls, live', () => {
  it('simulate the draft, activate, the next call follows it, audited, rolled back', async () => {
    const vatExpert = await agentWithPhone({ vat: 5 });
    const citTeam = await agentWithPhone({ cit: 4 });
    const before = (await as('GET', '/api/routing/active')).body.version as number;

    // The draft: this season the corporate income tax team takes VAT calls.
    const up = await as('POST', '/api/routing/versions?comment=CIT%20team%20takes%20VAT', vatPolicy({ cit: 3 }));
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const draft = up.body.version as number;

    const caller = uniqueCaller();
    const now = await as('POST', '/api/simulate', { caller, digits: '21' });
    expect(now.body).toMatchObject({ routingVersion: before, outcome: { kind: 'queue', queue: 'ntax-vat' } });
    expect(now.body.steps[0]).toMatchObject({ eligible: [vatExpert], wouldGet: vatExpert });
    const sim = await as('POST', '/api/simulate', { caller, digits: '21', routingVersion: draft });
    expect(sim.body).toMatchObject({ routingVersion: draft, outcome: { kind: 'queue', queue: 'ntax-vat' } });
    expect(sim.body.steps[0]).toMatchObject({ required: { cit: 3 }, eligible: [citTeam], wouldGet: citTeam });

    expect((await as('POST', `/api/routing/versions/${draft}/activate`)).body).toEqual({ active: draft });
    expect((await vatCall()).offered).toEqual([sim.body.steps[0].wouldGet]);

    const audit = (await as('GET', '/api/audit?action=routing&targetKind=routing')).body as Array<Record<string, any>>;
    const activation = audit.find((e) => e.action === 'routing.activate' && e.after?.active === draft);
    expect(activation).toMatchObject({
      actor: username,
      actorRole: 'admin',
      via: 'session',
      before: { active: before },
      after: { active: draft },
    });
    const upload = audit.find((e) => e.action === 'routing.upload' && e.targetId === String(draft));
    expect(upload).toMatchObject({ actor: username, before: null });
    expect(upload!.after.config.queues.find((q: { queue: string }) => q.queue === 'ntax-vat').steps[0].skills).toEqual({ cit: 3 });

    expect((await as('POST', '/api/routing/rollback')).body).toEqual({ active: before });
    expect((await vatCall()).offered).toEqual([vatExpert]);
    const rolled = (await as('GET', '/api/audit?action=routing.rollback')).body[0];
    expect(rolled).toMatchObject({ actor: username, before: { active: draft }, after: { active: before } });
    for (const id of [vatExpert, citTeam]) await as('POST', `/api/agents/${id}/logout`);
  }, 120_000);
});
