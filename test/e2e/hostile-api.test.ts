/**
 * The API as someone hostile sees it (issue 19, docs/security.md "The ops API"): racing the login
 * limit, locking a named person out, guessing bearer tokens, tokens in URLs, a revoked session's
 * WebSocket, a three-year report, the bootstrap token after setup. Each refusal also leaves every
 * stored account, session, API key and non-login audit entry as it was.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPassword, callAs, startTestService, type TestRig } from '../support/service.js';
import { requestFrom } from '../support/from-address.js';
import { AuthService } from '../../src/features/auth/auth-service.js';
import { PgAccountRepo } from '../../src/features/auth/account-repo.js';
import type { LoginLimiter } from '../../src/features/auth/login-limiter.js';

const MAX_FAILURES = 3;
const PER_ADDRESS = 20;
let rig: TestRig;
const run = randomBytes(3).toString('hex');
const victim = `t-victim-${run}`;
const boss = `t-boss-${run}`;
const passwords: Record<string, string> = { [victim]: randomPassword(), [boss]: randomPassword() };

const call = (token: string | undefined, method: string, url: string, body?: unknown) => callAs(rig, token, method, url, body);
const login = (username: string, password: string) => call(undefined, 'POST', '/api/auth/login', { username, password });

/** Everything a refusal must leave alone; logins and failed logins are audited by design and left out. */
async function stored(): Promise<string> {
  const q = async (sql: string) => JSON.stringify((await rig.pool.query(sql)).rows);
  return [
    await q('SELECT username, role, password_hash, disabled, updated_at FROM accounts ORDER BY username'),
    await q("SELECT encode(token_hash, 'hex') AS t, username, expires_at FROM sessions ORDER BY 1"),
    await q('SELECT id, revoked_at FROM api_keys ORDER BY id'),
    await q("SELECT count(*)::int AS n, max(id) AS last FROM audit_log WHERE action NOT IN ('auth.login', 'auth.login_failed')"),
  ].join('\n');
}

beforeAll(async () => {
  rig = await startTestService({ LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_MAX_PER_ADDRESS: String(PER_ADDRESS) });
  const admin = rig.svc.config.ADMIN_TOKEN;
  for (const [username, role] of [
    [victim, 'supervisor'],
    [boss, 'admin'],
  ] as const) {
    const r = await call(admin, 'POST', '/api/accounts', { username, displayName: username, role, password: passwords[username] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});

describe('hostile API', () => {
  it('100 parallel wrong passwords for one user get at most the configured number of 401s; the rest wait (429)', async () => {
    const before = await stored();
    const answers = await Promise.all(Array.from({ length: 100 }, () => login(victim, 'not-the-password')));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX_FAILURES);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    for (const a of answers.filter((x) => x.status === 429)) expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Even the right password waits, from this address.
    expect((await login(victim, passwords[victim]!)).status).toBe(429);
    expect(await stored()).toBe(before);
  }, 60_000);

  it('the same user from another address is not locked out by them', async () => {
    const r = await requestFrom('127.0.0.5', `${rig.svc.url}/api/auth/login`, {
      method: 'POST',
      body: { username: victim, password: passwords[victim] },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.token).toMatch(/^s1_/);
  });

  it('a token in the URL counts only on the /api/live WebSocket', async () => {
    const token = (await login(boss, passwords[boss]!)).body.token as string;
    expect((await call(token, 'GET', '/api/accounts')).status).toBe(200);
    const before = await stored();
    // node:http, as fetch refuses to send an Upgrade header.
    for (const upgrade of ['x', 'websocket']) {
      const r = await requestFrom('127.0.0.1', `${rig.svc.url}/api/accounts?access_token=${token}`, {
        headers: { upgrade, connection: 'upgrade' },
      });
      expect(r.status, `Upgrade: ${upgrade}`).toBe(401);
    }
    expect((await call(undefined, 'GET', `/metrics?access_token=${token}`)).status).toBe(401);
    // A write with the token in the URL changes nothing either.
    const w = await requestFrom('127.0.0.1', `${rig.svc.url}/api/accounts?access_token=${token}`, {
      method: 'POST',
      body: { username: `t-x-${run}`, displayName: 'x', role: 'admin', password: randomPassword() },
      headers: { upgrade: 'x', connection: 'upgrade' },
    });
    expect(w.status).toBe(401);
    expect(await stored()).toBe(before);
    const live = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${rig.svc.url.replace('http', 'ws')}/api/live?access_token=${token}`);
      ws.on('message', () => {
        ws.close();
        resolve(101);
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(live).toBe(101);
  });

  it('guessing bearer tokens from one address is cut off with 429, even for a right one; other addresses are not', async () => {
    const token = (await login(boss, passwords[boss]!)).body.token as string;
    const before = await stored();
    const guesser = '127.0.0.7';
    const statuses: number[] = [];
    for (let i = 0; i < PER_ADDRESS + 3; i++) {
      statuses.push(
        (
          await requestFrom(guesser, `${rig.svc.url}/api/accounts`, {
            headers: { authorization: `Bearer s1_${randomBytes(32).toString('base64url')}` },
          })
        ).status,
      );
    }
    expect(statuses.slice(0, PER_ADDRESS)).toEqual(Array(PER_ADDRESS).fill(401));
    expect(statuses.slice(PER_ADDRESS)).toEqual([429, 429, 429]);
    const right = await requestFrom(guesser, `${rig.svc.url}/api/accounts`, { headers: { authorization: `Bearer ${token}` } });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // /healthz tells a blocked address nothing more either.
    const health = await requestFrom(guesser, `${rig.svc.url}/healthz`, { headers: { authorization: `Bearer ${token}` } });
    expect(health.body.postgres).toEqual({ ok: true });
    expect((await call(token, 'GET', '/api/accounts')).status).toBe(200);
    expect(await stored()).toBe(before);
  });

  it("a revoked session's WebSocket is closed within seconds (4401)", async () => {
    // From the address that is not in back-off (the race above was from 127.0.0.1).
    const token = (
      await requestFrom('127.0.0.5', `${rig.svc.url}/api/auth/login`, {
        method: 'POST',
        body: { username: victim, password: passwords[victim] },
      })
    ).body.token as string;
    const ws = new WebSocket(`${rig.svc.url.replace('http', 'ws')}/api/live?access_token=${token}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<{ code: number; at: number }>((resolve) => ws.once('close', (code) => resolve({ code, at: Date.now() })));
    const t0 = Date.now();
    expect((await call(token, 'POST', '/api/auth/logout')).status).toBe(204);
    const { code, at } = await closed;
    expect(code).toBe(4401);
    expect(at - t0).toBeLessThan(8000);
  }, 20_000);

  it('a three-year CSV of calls or intervals is refused (422 naming from and to), and a quarter is streamed', async () => {
    const token = (await login(boss, passwords[boss]!)).body.token as string;
    const before = await stored();
    for (const report of ['abandons', 'intervals']) {
      const r = await call(token, 'GET', `/api/reports/${report}?from=2023-01-01&to=2025-12-31&format=csv`);
      expect(r.status, report).toBe(422);
      expect(r.body.fields).toEqual(['/from', '/to']);
      expect(r.body.error).toMatch(/from and to may be at most 92 days apart/);
    }
    const ok = await fetch(`${rig.svc.url}/api/reports/abandons?from=2015-01-01&to=2015-04-02&format=csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/text\/csv/);
    expect(ok.headers.get('transfer-encoding')).toBe('chunked');
    expect(Number(ok.headers.get('x-total-count'))).toBeGreaterThanOrEqual(0);
    // The byte-order mark, then the header (text() would drop the mark).
    expect(Buffer.from(await ok.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(await stored()).toBe(before);
  }, 60_000);

  it('/healthz without a token says ok or down per dependency and nothing else; with one, the details', async () => {
    const bare = await call(undefined, 'GET', '/healthz');
    expect(bare.status).toBe(200);
    expect(bare.body).toEqual({ ok: true, asterisk: { ok: true }, postgres: { ok: true }, redis: { ok: true } });
    const token = (await login(boss, passwords[boss]!)).body.token as string;
    const full = await call(token, 'GET', '/healthz');
    expect(full.body.postgres).toMatchObject({ ok: true, ms: expect.any(Number) });
  });

  it('ADMIN_TOKEN is refused once an enabled admin account exists (unless ADMIN_TOKEN_ALWAYS)', async () => {
    // The boss account above is an enabled admin.
    const limiter = {} as LoginLimiter;
    const bootstrapToken = `bootstrap-${randomBytes(16).toString('hex')}`;
    const service = (bootstrapAlways: boolean, repo = new PgAccountRepo(rig.pool)) =>
      new AuthService({
        repo,
        limiter,
        bootstrapToken,
        bootstrapAlways,
        sessionTtlMs: 60_000,
        now: Date.now,
        log: pino({ level: 'silent' }),
      });
    expect(await service(false).authenticate(bootstrapToken)).toBeUndefined();
    expect(await service(true).authenticate(bootstrapToken)).toMatchObject({ id: 'bootstrap', role: 'admin' });
    // Before the first admin exists it is the way in.
    const empty = Object.assign(Object.create(PgAccountRepo.prototype) as PgAccountRepo, { hasAdmin: async () => false });
    expect(await service(false, empty).authenticate(bootstrapToken)).toMatchObject({ id: 'bootstrap', role: 'admin' });
  });
});
