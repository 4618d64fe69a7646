import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshAgentId, randomPassword, callAs, startTestService, type TestRig } from '../support/service.js';
import { requestFrom } from '../support/from-address.js';

let rig: TestRig;
const run = randomBytes(3).toString('hex');
const user = (role: string) => `t-${role}-${run}`;
const passwords: Record<string, string> = {};
const tokens: Record<string, string> = {};
let agentA: string;
let agentB: string;

const call = (token: string | undefined, method: string, url: string, body?: unknown) => callAs(rig, token, method, url, body);
const admin = (method: string, url: string, body?: unknown) => call(rig.svc.config.ADMIN_TOKEN, method, url, body);

async function login(username: string, password: string) {
  return call(undefined, 'POST', '/api/auth/login', { username, password });
}

beforeAll(async () => {
  rig = await startTestService({ LOGIN_MAX_FAILURES: '3' });
  agentA = await freshAgentId(rig);
  agentB = await freshAgentId(rig);
  for (const id of [agentA, agentB]) {
    expect(
      (await admin('PUT', `/api/agents/${id}`, { name: `坐席${id}`, password: randomPassword(), skills: { vat: 3 }, queues: ['ntax-vat'] }))
        .status,
    ).toBe(201);
  }
  for (const role of ['admin', 'supervisor', 'agent', 'readonly']) {
    passwords[role] = randomPassword();
    const r = await admin('POST', '/api/accounts', {
      username: user(role),
      displayName: `测试 ${role}`,
      role,
      password: passwords[role],
      ...(role === 'agent' ? { agentId: agentA } : {}),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const s = await login(user(role), passwords[role]!);
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ username: user(role), role });
    tokens[role] = s.body.token;
  }
  const key = await call(tokens.admin, 'POST', '/api/api-keys', { name: `wallboard ${run}`, role: 'readonly' });
  expect(key.status).toBe(201);
  tokens.tool = key.body.key;
});
afterAll(async () => {
  for (const id of [agentA, agentB]) if (id) await admin('DELETE', `/api/agents/${id}`).catch(() => undefined);
  await rig?.stop();
});

describe('accounts and roles', () => {
  it('passwords are stored as scrypt hashes, never as given', async () => {
    const r = await rig.pool.query<{ password_hash: string }>('SELECT password_hash FROM accounts WHERE username = $1', [user('agent')]);
    expect(r.rows[0]!.password_hash).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(r.rows[0]!.password_hash).not.toContain(passwords.agent);
    const k = await rig.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys WHERE key_hash = sha256($1::bytea)', [
      Buffer.from(tokens.tool!),
    ]);
    expect(k.rows[0]!.n).toBe(1);
  });

  it('each role may do what it should and gets 403 for the rest; no token is 401', async () => {
    const pauseB = ['POST', `/api/agents/${agentB}/pause`, { reason: 'training' }] as const;
    const table: Array<[string, string, unknown, Record<string, number>]> = [
      // [method, url, body, expected status per role]; 'none' = no token
      ['GET', '/api/agents', undefined, { none: 401, admin: 200, supervisor: 200, readonly: 200, tool: 200, agent: 403 }],
      ['GET', `/api/agents/${agentA}`, undefined, { none: 401, admin: 200, supervisor: 200, readonly: 200, agent: 200 }],
      ['GET', `/api/agents/${agentB}`, undefined, { agent: 403, tool: 200 }],
      ['GET', `/api/agents/${agentA}/timeline`, undefined, { agent: 200, readonly: 200 }],
      ['GET', `/api/agents/${agentB}/timeline`, undefined, { agent: 403 }],
      [
        'GET',
        '/api/reports/queues?from=2026-01-05&to=2026-01-05',
        undefined,
        { none: 401, admin: 200, supervisor: 200, readonly: 200, tool: 200, agent: 403 },
      ],
      ['GET', '/api/ivr/versions', undefined, { supervisor: 200, readonly: 200, agent: 403 }],
      ['GET', '/api/audit?limit=1', undefined, { none: 401, admin: 200, supervisor: 200, readonly: 200, agent: 403 }],
      ['GET', '/api/accounts', undefined, { none: 401, admin: 200, supervisor: 403, readonly: 403, tool: 403, agent: 403 }],
      ['GET', '/api/pause-reasons', undefined, { agent: 200, readonly: 200 }],
      ['GET', '/metrics', undefined, { none: 401, readonly: 200, agent: 403 }],
      ['GET', '/docs/json', undefined, { none: 401, agent: 200 }],
      ['GET', '/healthz', undefined, { none: 200 }],
      // Writes: only admins edit menus, rules, agents' phones and accounts.
      ['POST', '/api/routing/rollback', undefined, { none: 401, supervisor: 403, readonly: 403, tool: 403, agent: 403 }],
      ['POST', '/api/ivr/versions', {}, { none: 401, supervisor: 403, readonly: 403, agent: 403, admin: 422 }],
      ['PUT', `/api/agents/${agentB}`, { name: 'x', skills: {}, queues: [] }, { supervisor: 403, readonly: 403, agent: 403 }],
      ['POST', '/api/pause-reasons', { code: 'x', zh: 'x', en: 'x' }, { supervisor: 403, agent: 403 }],
      [
        'POST',
        '/api/accounts',
        { username: 'nobody', displayName: 'x', role: 'admin', password: 'x' },
        { supervisor: 403, readonly: 403, agent: 403, admin: 400 },
      ],
      ['POST', '/api/api-keys', { name: 'x', role: 'admin' }, { supervisor: 403, tool: 403, agent: 403 }],
      // Supervisors control and move agents; an agent only itself; read-only tools nothing.
      ['POST', `/api/agents/${agentB}/login`, undefined, { readonly: 403, agent: 403, supervisor: 200 }],
      [...pauseB, { none: 401, supervisor: 200, readonly: 403, tool: 403, agent: 403 }],
      ['POST', `/api/agents/${agentB}/logout`, undefined, { agent: 403, supervisor: 200 }],
      ['PUT', `/api/agents/${agentB}/assignment`, { queues: ['ntax-vat', 'ntax-invoice'] }, { supervisor: 200, readonly: 403, agent: 403 }],
      ['POST', `/api/agents/${agentA}/login`, undefined, { agent: 200 }],
      ['POST', `/api/agents/${agentA}/pause`, { reason: 'paperwork' }, { agent: 200 }],
      ['POST', '/api/simulate', { caller: '057188886666', digits: '21' }, { readonly: 200, supervisor: 200, agent: 403 }],
    ];
    const got: string[] = [];
    const want: string[] = [];
    for (const [method, url, body, expected] of table) {
      for (const [who, status] of Object.entries(expected)) {
        const r = await call(who === 'none' ? undefined : tokens[who], method, url, body);
        got.push(`${who} ${method} ${url} -> ${r.status}`);
        want.push(`${who} ${method} ${url} -> ${status}`);
        if (r.status === 401 || r.status === 403) expect(r.body.error).toMatch(/authentication required|may not/);
      }
    }
    expect(got).toEqual(want);
  });

  it("the live WebSocket needs a token: refused without one, open to an agent's session", async () => {
    const open = (q: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${rig.svc.url.replace('http', 'ws')}/api/live${q}`);
        ws.on('message', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => undefined);
      });
    expect(await open('')).toBe(401);
    expect(await open(`?access_token=${tokens.agent}`)).toBe(101);
  });

  it('/api/me says who a token belongs to', async () => {
    expect((await call(tokens.agent, 'GET', '/api/me')).body).toEqual({
      id: user('agent'),
      role: 'agent',
      via: 'session',
      agentId: agentA,
      // Only a liaison's account names a department (test/e2e/workorders.test.ts).
      department: null,
      displayName: '测试 agent',
      // A bearer token needs no CSRF token: only a browser's cookie session gets one (console-session.test.ts).
      csrfToken: null,
    });
    expect((await call(tokens.tool, 'GET', '/api/me')).body).toMatchObject({ role: 'readonly', via: 'api_key', csrfToken: null });
  });

  it('sessions end: on logout, on expiry, when an admin resets the password or disables the account', async () => {
    const s1 = (await login(user('supervisor'), passwords.supervisor!)).body.token;
    expect((await call(s1, 'POST', '/api/auth/logout')).status).toBe(204);
    expect((await call(s1, 'GET', '/api/me')).status).toBe(401);

    const s2 = (await login(user('supervisor'), passwords.supervisor!)).body.token;
    await rig.pool.query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE username = $1", [user('supervisor')]);
    expect((await call(s2, 'GET', '/api/me')).status).toBe(401);

    const s3 = (await login(user('readonly'), passwords.readonly!)).body.token;
    const newPw = randomPassword();
    expect((await call(tokens.admin, 'PATCH', `/api/accounts/${user('readonly')}`, { password: newPw })).status).toBe(200);
    expect((await call(s3, 'GET', '/api/me')).status).toBe(401);
    expect((await login(user('readonly'), newPw)).status).toBe(200);

    expect((await call(tokens.admin, 'DELETE', `/api/accounts/${user('readonly')}`)).body).toMatchObject({ disabled: true });
    expect((await login(user('readonly'), newPw)).status).toBe(401);
  });

  it('a revoked API key stops working at once', async () => {
    const k = await call(tokens.admin, 'POST', '/api/api-keys', { name: `short-lived ${run}`, role: 'readonly' });
    expect((await call(k.body.key, 'GET', '/api/agents')).status).toBe(200);
    expect((await call(tokens.admin, 'DELETE', `/api/api-keys/${k.body.apiKey.id}`)).body.revokedAt).not.toBeNull();
    expect((await call(k.body.key, 'GET', '/api/agents')).status).toBe(401);
  });

  it('login is rate limited per user name and address: after 3 failures the next waits, but not from another address', async () => {
    const name = user('agent');
    for (let i = 0; i < 3; i++) expect((await login(name, 'wrong-password')).status).toBe(401);
    const blocked = await login(name, passwords.agent!);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(blocked.body.error).toMatch(/too many failed logins/);
    // Another user is not locked out by it.
    expect((await login(user('admin'), passwords.admin!)).status).toBe(200);
    // Nor is the same user from another address: a stranger's guesses do not lock the person out.
    const elsewhere = await requestFrom('127.0.0.5', `${rig.svc.url}/api/auth/login`, {
      method: 'POST',
      body: { username: name, password: passwords.agent },
    });
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(200);
  });

  it('the audit log says who changed what, with before and after', async () => {
    const a = await call(tokens.admin, 'GET', `/api/audit?targetKind=agent&targetId=${agentB}`);
    expect(a.status).toBe(200);
    const byAction = Object.fromEntries(a.body.map((e: { action: string }) => [e.action, e]));
    expect(byAction['agent.pause']).toMatchObject({
      actor: user('supervisor'),
      actorRole: 'supervisor',
      via: 'session',
      before: { state: 'available' },
      after: { state: 'paused', pauseReason: 'training' },
    });
    expect(byAction['agent.assign']).toMatchObject({
      actor: user('supervisor'),
      before: { queues: ['ntax-vat'] },
      after: { queues: ['ntax-vat', 'ntax-invoice'] },
    });
    expect(byAction['agent.create']).toMatchObject({
      actor: 'bootstrap',
      before: null,
      after: { name: `坐席${agentB}`, passwordChanged: true },
    });
    expect(JSON.stringify(a.body)).not.toMatch(/sipMd5|password"/);
    const own = await call(tokens.admin, 'GET', `/api/audit?actor=${user('agent')}&action=agent`);
    expect(own.body.map((e: { action: string }) => e.action).sort()).toEqual(['agent.login', 'agent.pause']);
    const logins = await call(tokens.admin, 'GET', `/api/audit?action=auth.login_failed&targetId=${user('agent')}`);
    expect(logins.body).toHaveLength(3);
  });
});
