import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/ivr.js';
import { freePorts } from '../support/rig.js';
import { registerAgent } from '../support/sipp.js';
import { freshAgentId as freshId, randomPassword, startTestService, waitFor, type TestRig } from '../support/service.js';

let rig: TestRig;
const created: string[] = [];

beforeAll(async () => {
  rig = await startTestService();
});
afterAll(async () => {
  for (const id of created) await api(rig, 'DELETE', `/api/agents/${id}`).catch(() => undefined);
  await rig?.stop();
});

/** An agent id no earlier run used, deleted again when this file is done. */
async function freshAgentId(): Promise<string> {
  const id = await freshId(rig);
  created.push(id);
  return id;
}

/** Pause reason codes are letters and underscores only; unique per run. */
function freshCode(prefix: string): string {
  return `${prefix}_${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;
}

interface StateEvent {
  type: string;
  agentId: string;
  from: string;
  to: string;
  reason?: string;
  via?: string;
  pauseReason?: string;
}

async function storedStateEvents(agentId: string): Promise<StateEvent[]> {
  const r = await rig.pool.query<{ body: StateEvent }>(
    "SELECT body FROM events WHERE agent_id = $1 AND type = 'agent.state_changed' ORDER BY seq",
    [agentId],
  );
  return r.rows.map((x) => x.body);
}

async function streamStateEvents(agentId: string): Promise<StateEvent[]> {
  const entries = await rig.redis.xrange(`${rig.prefix}:events`, '-', '+');
  return entries
    .map(([, f]) => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])))
    .filter((f) => f.agentId === agentId && f.type === 'agent.state_changed')
    .map((f) => JSON.parse(f.json!) as StateEvent);
}

const pick = (e: StateEvent) => ({ from: e.from, to: e.to, reason: e.reason, via: e.via, pauseReason: e.pauseReason });

describe('agents API', () => {
  it('refuses requests without the token', async () => {
    const r = await fetch(`${rig.svc.url}/api/agents`);
    expect(r.status).toBe(401);
    const p = await fetch(`${rig.svc.url}/api/pause-reasons`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(p.status).toBe(401);
  });

  it('creates an agent whose phone registers at once; a new password replaces the old one', async () => {
    const id = await freshAgentId();
    const password = randomPassword();
    const put = await api(rig, 'PUT', `/api/agents/${id}`, {
      name: '王芳',
      password,
      skills: { vat: 4, invoice: 2 },
      queues: ['ntax-vat', 'ntax-invoice'],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    expect(put.body).toMatchObject({
      agentId: id,
      name: '王芳',
      skills: { vat: 4, invoice: 2 },
      queues: ['ntax-vat', 'ntax-invoice'],
      state: 'logged_out',
      registered: false,
    });
    expect(put.body).not.toHaveProperty('password');
    // Only the digest is stored.
    const row = (await rig.pool.query('SELECT * FROM agents WHERE agent_id = $1', [id])).rows[0];
    expect(JSON.stringify(row)).not.toContain(password);
    expect(row).toMatchObject({ skills: { vat: 4, invoice: 2 }, queues: ['ntax-vat', 'ntax-invoice'], active: true });
    // Routing sees the profile in live state.
    expect((await rig.svc.liveAgents.agent(id))?.profile).toEqual({
      name: '王芳',
      skills: { vat: 4, invoice: 2 },
      queues: ['ntax-vat', 'ntax-invoice'],
    });

    // The phone exists in Asterisk without a restart: it registers with that password.
    const port = freePorts().sip;
    await registerAgent(id, password, port);
    await waitFor('registered in live state', async () => (await rig.svc.liveAgents.agent(id))?.registered);
    const got = await api(rig, 'GET', `/api/agents/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ agentId: id, registered: true, state: 'logged_out' });
    const list = await api(rig, 'GET', '/api/agents');
    expect(list.body.find((a: { agentId: string }) => a.agentId === id)).toMatchObject({ name: '王芳', registered: true });

    // New password: the old one is refused, the new one accepted.
    const next = randomPassword();
    const upd = await api(rig, 'PUT', `/api/agents/${id}`, { name: '王芳', password: next, skills: { vat: 5 }, queues: ['ntax-vat'] });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    await expect(registerAgent(id, password, port)).rejects.toThrow(/REGISTER/);
    await registerAgent(id, next, port);

    // An update without a password keeps the phone's password.
    const keep = await api(rig, 'PUT', `/api/agents/${id}`, { name: '王芳芳', skills: { vat: 5, cit: 1 }, queues: [] });
    expect(keep.status).toBe(200);
    expect(keep.body).toMatchObject({ name: '王芳芳', skills: { vat: 5, cit: 1 }, queues: [] });
    await registerAgent(id, next, port);
    expect((await rig.svc.liveAgents.agent(id))?.profile).toEqual({ name: '王芳芳', skills: { vat: 5, cit: 1 }, queues: [] });
  }, 60_000);

  it('changes states with reasons, recorded in Postgres and the Redis stream; refuses what does not apply', async () => {
    const id = await freshAgentId();
    expect(
      (await api(rig, 'PUT', `/api/agents/${id}`, { name: '李明', password: randomPassword(), skills: { iit: 3 }, queues: ['ntax-iit'] }))
        .status,
    ).toBe(201);

    // Nothing to pause or end yet.
    const early = await api(rig, 'POST', `/api/agents/${id}/pause`, { reason: 'training' });
    expect(early.status).toBe(409);
    expect(early.body).toEqual({ error: `agent ${id} is logged_out, cannot pause`, state: 'logged_out' });

    const login = await api(rig, 'POST', `/api/agents/${id}/login`);
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ agentId: id, from: 'logged_out', state: 'available', pauseReason: null });
    expect((await api(rig, 'POST', `/api/agents/${id}/end-wrap-up`)).body).toEqual({
      error: `agent ${id} is available, cannot end wrap-up`,
      state: 'available',
    });
    expect((await api(rig, 'POST', `/api/agents/${id}/login`)).status).toBe(409);

    const bad = await api(rig, 'POST', `/api/agents/${id}/pause`, { reason: 'nap' });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatch(/reason.*"nap" does not exist/);

    const pause = await api(rig, 'POST', `/api/agents/${id}/pause`, { reason: 'training' });
    expect(pause.status).toBe(200);
    expect(pause.body).toEqual({ agentId: id, from: 'available', state: 'paused', pauseReason: 'training' });
    const paused = await api(rig, 'GET', `/api/agents/${id}`);
    expect(paused.body).toMatchObject({ state: 'paused', pauseReason: 'training' });
    expect(Date.parse(paused.body.since)).toBeGreaterThan(Date.now() - 60_000);
    expect((await rig.svc.liveAgents.agent(id))?.pauseReason).toBe('training');

    expect((await api(rig, 'POST', `/api/agents/${id}/unpause`)).body).toMatchObject({ state: 'available', from: 'paused' });
    expect((await api(rig, 'GET', `/api/agents/${id}`)).body).toMatchObject({ state: 'available', pauseReason: null });
    expect((await api(rig, 'POST', `/api/agents/${id}/logout`)).body).toMatchObject({ state: 'logged_out', from: 'available' });

    const expected = [
      { from: 'logged_out', to: 'available', reason: 'login', via: 'api', pauseReason: undefined },
      { from: 'available', to: 'paused', reason: 'pause', via: 'api', pauseReason: 'training' },
      { from: 'paused', to: 'available', reason: 'unpause', via: 'api', pauseReason: undefined },
      { from: 'available', to: 'logged_out', reason: 'logout', via: 'api', pauseReason: undefined },
    ];
    await waitFor('four state changes stored', async () => (await storedStateEvents(id)).length === 4);
    expect((await storedStateEvents(id)).map(pick)).toEqual(expected);
    await waitFor('four state changes in the stream', async () => (await streamStateEvents(id)).length === 4);
    expect((await streamStateEvents(id)).map(pick)).toEqual(expected);

    // The timeline is the same, in order, and can be cut by time.
    const tl = await api(rig, 'GET', `/api/agents/${id}/timeline`);
    expect(tl.status).toBe(200);
    expect(tl.body.map((e: StateEvent) => [e.from, e.to, e.via, e.pauseReason])).toEqual(
      expected.map((e) => [e.from, e.to, e.via, e.pauseReason ?? null]),
    );
    const after = await api(rig, 'GET', `/api/agents/${id}/timeline?from=${encodeURIComponent(tl.body[2].at)}`);
    expect(after.body.map((e: StateEvent) => e.to)).toEqual(['available', 'logged_out']);
    const none = await api(rig, 'GET', `/api/agents/${id}/timeline?to=${encodeURIComponent(tl.body[0].at)}`);
    expect(none.body).toEqual([]);
    expect((await api(rig, 'GET', `/api/agents/${id}/timeline?from=yesterday`)).body.error).toMatch(/querystring\/from/);
  }, 60_000);

  it('lets ops add a pause reason and pause with it', async () => {
    const reasons = await api(rig, 'GET', '/api/pause-reasons');
    expect(reasons.status).toBe(200);
    const codes = reasons.body.map((r: { code: string }) => r.code);
    for (const c of ['training', 'meeting', 'paperwork', 'break', 'no_answer']) expect(codes).toContain(c);
    expect(reasons.body.find((r: { code: string }) => r.code === 'meeting')).toMatchObject({ zh: '会议', builtin: true });

    const code = freshCode('coaching');
    const add = await api(rig, 'POST', '/api/pause-reasons', { code, zh: '辅导', en: 'Coaching' });
    expect(add.status, JSON.stringify(add.body)).toBe(201);
    expect(add.body).toMatchObject({ code, zh: '辅导', en: 'Coaching', builtin: false });
    expect((await api(rig, 'POST', '/api/pause-reasons', { code, zh: '辅导', en: 'Coaching' })).status).toBe(409);
    const bad = await api(rig, 'POST', '/api/pause-reasons', { code: 'Coffee-Break', zh: '咖啡', en: 'Coffee' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^body\/code /);

    const id = await freshAgentId();
    await api(rig, 'PUT', `/api/agents/${id}`, { name: '赵磊', password: randomPassword(), skills: {}, queues: [] });
    await api(rig, 'POST', `/api/agents/${id}/login`);
    const pause = await api(rig, 'POST', `/api/agents/${id}/pause`, { reason: code });
    expect(pause.status).toBe(200);
    expect(pause.body).toMatchObject({ state: 'paused', pauseReason: code });
    await waitFor('pause stored', async () => (await storedStateEvents(id)).some((e) => e.pauseReason === code));

    // Reworded, then retired: the agent paused for it stays paused for it; nobody can pick it again.
    const renamed = await api(rig, 'PATCH', `/api/pause-reasons/${code}`, { zh: '业务辅导' });
    expect(renamed.body).toMatchObject({ code, zh: '业务辅导', en: 'Coaching' });
    expect((await api(rig, 'PATCH', `/api/pause-reasons/${code}`, {})).status).toBe(400);
    expect((await api(rig, 'DELETE', '/api/pause-reasons/training')).status).toBe(409);
    expect((await api(rig, 'DELETE', `/api/pause-reasons/${code}`)).body).toEqual({ code, retired: true });
    expect((await api(rig, 'DELETE', `/api/pause-reasons/${code}`)).status).toBe(404);
    expect((await api(rig, 'GET', '/api/pause-reasons')).body.map((r: { code: string }) => r.code)).not.toContain(code);
    expect((await api(rig, 'GET', `/api/agents/${id}`)).body).toMatchObject({ state: 'paused', pauseReason: code });
    await api(rig, 'POST', `/api/agents/${id}/unpause`);
    expect((await api(rig, 'POST', `/api/agents/${id}/pause`, { reason: code })).status).toBe(422);
    const audit = (await api(rig, 'GET', `/api/audit?targetKind=pause_reason&targetId=${code}`)).body.map(
      (e: { action: string }) => e.action,
    );
    expect(audit).toEqual(['pause_reason.retire', 'pause_reason.update', 'pause_reason.create']);
  }, 30_000);

  it('rejects bad input naming the field', async () => {
    const id = await freshAgentId();
    const good = { name: '周杰', password: randomPassword(), skills: { vat: 3 }, queues: ['ntax-vat'] };
    const cases: Array<[unknown, RegExp]> = [
      [{ ...good, skills: { vat: 7 } }, /^body\/skills\/vat /],
      [{ ...good, skills: { vat: 0 } }, /^body\/skills\/vat /],
      [{ ...good, skills: { vat: 2.5 } }, /^body\/skills\/vat /],
      [{ ...good, password: 'short' }, /^body\/password /],
      [{ ...good, role: 'admin' }, /^body\/role is not an allowed field/],
      [{ ...good, name: undefined }, /^body\/name is required/],
      [{ ...good, queues: 'ntax-vat' }, /^body\/queues /],
      [{ ...good, skills: undefined }, /^body\/skills is required/],
    ];
    for (const [body, want] of cases) {
      const r = await api(rig, 'PUT', `/api/agents/${id}`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error, JSON.stringify(body)).toMatch(want);
    }
    const badId = await api(rig, 'PUT', '/api/agents/12ab', good);
    expect(badId.status).toBe(400);
    expect(badId.body.error).toMatch(/^params\/id /);
    // Creating needs a password.
    const { password: _, ...noPassword } = good;
    const np = await api(rig, 'PUT', `/api/agents/${id}`, noPassword);
    expect(np.status).toBe(400);
    expect(np.body.error).toMatch(/^body\/password: password is required/);
    expect((await rig.pool.query('SELECT 1 FROM agents WHERE agent_id = $1', [id])).rowCount).toBe(0);
    expect((await api(rig, 'POST', `/api/agents/${id}/pause`, { reason: 'break', extra: 1 })).body.error).toMatch(/^body\/extra /);
  });

  it('answers 404 for unknown agents, and deleting removes the phone and logs the agent out', async () => {
    const ghost = await freshAgentId();
    for (const [m, p] of [
      ['GET', ''],
      ['POST', '/login'],
      ['POST', '/logout'],
      ['POST', '/unpause'],
      ['POST', '/end-wrap-up'],
      ['DELETE', ''],
      ['GET', '/timeline'],
    ] as const) {
      const r = await api(rig, m, `/api/agents/${ghost}${p}`);
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(r.body.error).toBe(`agent ${ghost} does not exist`);
    }
    expect((await api(rig, 'POST', `/api/agents/${ghost}/pause`, { reason: 'break' })).status).toBe(404);

    const id = await freshAgentId();
    const password = randomPassword();
    await api(rig, 'PUT', `/api/agents/${id}`, { name: '孙丽', password, skills: { social: 2 }, queues: ['ltax-social'] });
    const port = freePorts().sip;
    await registerAgent(id, password, port);
    await api(rig, 'POST', `/api/agents/${id}/login`);
    await waitFor('registered', async () => (await rig.svc.liveAgents.agent(id))?.registered);

    const del = await api(rig, 'DELETE', `/api/agents/${id}`);
    expect(del.status, JSON.stringify(del.body)).toBe(200);
    expect(del.body).toEqual({ agentId: id, deleted: true });
    expect((await api(rig, 'GET', `/api/agents/${id}`)).status).toBe(404);
    expect((await api(rig, 'GET', '/api/agents')).body.some((a: { agentId: string }) => a.agentId === id)).toBe(false);
    expect((await rig.pool.query('SELECT active FROM agents WHERE agent_id = $1', [id])).rows[0]).toEqual({ active: false });
    expect(await rig.svc.liveAgents.agent(id)).toMatchObject({ state: 'logged_out', registered: false });
    await waitFor('logout stored', async () =>
      (await storedStateEvents(id)).some((e) => e.to === 'logged_out' && e.reason === 'deleted' && e.via === 'api'),
    );
    // The phone is gone from Asterisk.
    await expect(registerAgent(id, password, port)).rejects.toThrow(/REGISTER/);
    expect((await api(rig, 'POST', `/api/agents/${id}/login`)).status).toBe(404);

    // Saved again, it needs a password, and comes back as a new agent.
    expect((await api(rig, 'PUT', `/api/agents/${id}`, { name: '孙丽', skills: {}, queues: [] })).status).toBe(400);
    expect((await api(rig, 'PUT', `/api/agents/${id}`, { name: '孙丽', password, skills: {}, queues: [] })).status).toBe(201);
    await registerAgent(id, password, port);
  }, 60_000);
});
