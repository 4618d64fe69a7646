import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/uuidv7.js';
import { callAs, freshAgentId, randomPassword, startTestService, type TestRig } from '../support/service.js';

// Recordings through the API against the real service and Postgres: who may list and play, Range
// requests, each playback audited, holds and their field-named 400s. The files are put in a
// directory of this test's own (RECORDINGS_DIR) and rows in `recordings`, as a recorded call leaves
// them (test/e2e/recording-audio.test.ts records real calls through Asterisk).
let rig: TestRig;
const run = randomBytes(3).toString('hex');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tax12366-rec-api-'));
const tokens: Record<string, string> = {};
let agentA: string;
const queue = `recapi-${run}`;
const body = Buffer.concat([Buffer.from('RIFF'), randomBytes(20_000)]);
let recId: string;
let callId: string;

const call = (who: string | undefined, method: string, url: string, b?: unknown) => callAs(rig, who, method, url, b);
const admin = (method: string, url: string, b?: unknown) => call(rig.svc.config.ADMIN_TOKEN, method, url, b);

async function account(role: string, o: { agentId?: string; department?: string } = {}): Promise<string> {
  const username = `t-rec-${role}-${run}`;
  const password = randomPassword();
  const r = await admin('POST', '/api/accounts', { username, displayName: `测试 ${role}`, role, password, ...o });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const s = await call(undefined, 'POST', '/api/auth/login', { username, password });
  expect(s.status).toBe(200);
  return s.body.token;
}

async function audioAs(token: string, id: string, range?: string) {
  const r = await fetch(`${rig.svc.url}/api/recordings/${id}/audio`, {
    headers: { authorization: `Bearer ${token}`, ...(range ? { range } : {}) },
  });
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
}
const plays = async (id: string) =>
  (await rig.pool.query(`SELECT actor, after FROM audit_log WHERE action = 'recording.play' AND target_id = $1 ORDER BY id`, [id])).rows;

beforeAll(async () => {
  rig = await startTestService({ RECORDINGS_DIR: dir, RECORDINGS_AGENT_OWN: 'false' });
  agentA = await freshAgentId(rig);
  expect(
    (await admin('PUT', `/api/agents/${agentA}`, { name: `坐席${agentA}`, password: randomPassword(), skills: {}, queues: [] })).status,
  ).toBe(201);
  for (const role of ['supervisor', 'quality', 'readonly', 'editor']) tokens[role] = await account(role);
  tokens.liaison = await account('liaison', { department: 'dsj' });
  tokens.agent = await account('agent', { agentId: agentA });
  recId = uuidv7();
  callId = uuidv7();
  const name = `calls/2026-12-07/${callId}`;
  mkdirSync(path.join(dir, 'calls/2026-12-07'), { recursive: true });
  writeFileSync(path.join(dir, `${name}.wav`), body);
  await rig.pool.query(
    `INSERT INTO recordings (id, call_id, kind, name, queue, agent_id, caller, started_at, ended_at, duration_ms, size_bytes, sha256, end_reason, retention_days, expires_at)
     VALUES ($1, $2, 'mix', $3, $4, $5, '057188880000', now() - interval '2 minutes', now(), 60000, $6, $7, 'call_ended', 180, now() + interval '180 days')`,
    [recId, callId, name, queue, agentA, body.length, createHash('sha256').update(body).digest('hex')],
  );
});
afterAll(async () => {
  await rig?.pool.query('DELETE FROM recording_holds WHERE recording_id = $1', [recId]);
  await rig?.pool.query('DELETE FROM recordings WHERE queue = $1', [queue]);
  await rig?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('recordings over the API', () => {
  it('roles without recordings get 403 for listing, one recording and playback; an agent too while RECORDINGS_AGENT_OWN is off', async () => {
    for (const role of ['readonly', 'editor', 'liaison', 'agent']) {
      const as = tokens[role]!;
      expect((await call(as, 'GET', `/api/recordings?queue=${queue}`)).status, role).toBe(403);
      expect((await call(as, 'GET', `/api/recordings/${recId}`)).status, role).toBe(403);
      expect((await audioAs(as, recId)).status, role).toBe(403);
    }
    expect(await plays(recId)).toEqual([]);
  });

  it('supervisors and quality reviewers list and search (caller prefix, queue, agent)', async () => {
    for (const role of ['supervisor', 'quality']) {
      const r = await call(tokens[role], 'GET', `/api/recordings?queue=${queue}&caller=05718888&agentId=${agentA}&limit=10`);
      expect(r.status).toBe(200);
      expect(r.body.items.map((x: { id: string }) => x.id)).toEqual([recId]);
      expect(r.body.items[0]).toMatchObject({
        callId,
        agentId: agentA,
        agentName: `坐席${agentA}`,
        sizeBytes: body.length,
        holds: [],
        reviewed: false,
      });
    }
    expect((await call(tokens.quality, 'GET', `/api/recordings?queue=${queue}&caller=0999`)).body.items).toEqual([]);
    const badLimit = await call(tokens.quality, 'GET', `/api/recordings?limit=500`);
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error).toContain('limit');
    const bad = await call(tokens.quality, 'GET', `/api/recordings?caller=${encodeURIComponent("0571' OR 1=1")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('caller');
  });

  it('plays the file whole and by ranges (206, the right bytes); a playback is audited once at its start, not per range', async () => {
    const whole = await audioAs(tokens.quality!, recId);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.bytes.equals(body)).toBe(true);
    const part = await audioAs(tokens.quality!, recId, 'bytes=100-1099');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${body.length}`);
    expect(part.bytes.equals(body.subarray(100, 1100))).toBe(true);
    const tail = await audioAs(tokens.supervisor!, recId, 'bytes=-10');
    expect(tail.status).toBe(206);
    expect(tail.bytes.equals(body.subarray(body.length - 10))).toBe(true);
    expect((await audioAs(tokens.quality!, recId, `bytes=${body.length + 10}-`)).status).toBe(416);
    // One playback started (the request without Range); the ranges after it wrote nothing more.
    const p = await plays(recId);
    expect(p).toHaveLength(1);
    expect(p[0].actor).toContain('t-rec-quality');
    expect(p[0].after).toMatchObject({ callId, agentId: agentA, range: null });
  });

  it('holds: put and released by supervisors and reviewers, audited; bad input is a 400 naming the field and stores nothing', async () => {
    const bad = await call(tokens.quality, 'POST', `/api/recordings/${recId}/holds`, { reason: 'complaint', ref: 'a b;rm -rf' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('ref');
    const badReason = await call(tokens.quality, 'POST', `/api/recordings/${recId}/holds`, { reason: 'forever', ref: 'X1' });
    expect(badReason.status).toBe(400);
    expect(badReason.body.error).toContain('reason');
    expect((await call(tokens.readonly, 'POST', `/api/recordings/${recId}/holds`, { reason: 'complaint', ref: 'X1' })).status).toBe(403);
    expect((await rig.pool.query('SELECT count(*)::int AS n FROM recording_holds WHERE recording_id = $1', [recId])).rows[0].n).toBe(0);

    const h = await call(tokens.supervisor, 'POST', `/api/recordings/${recId}/holds`, {
      reason: 'workorder',
      ref: 'WO-2026-0042',
      note: '投诉工单',
    });
    expect(h.status).toBe(201);
    const seen = await call(tokens.quality, 'GET', `/api/recordings/${recId}`);
    expect(seen.body.holds).toEqual([
      expect.objectContaining({ id: h.body.id, reason: 'workorder', ref: 'WO-2026-0042', note: '投诉工单' }),
    ]);
    expect((await call(tokens.quality, 'DELETE', `/api/recordings/${recId}/holds/${h.body.id}`)).status).toBe(204);
    expect((await call(tokens.quality, 'DELETE', `/api/recordings/${recId}/holds/${h.body.id}`)).status).toBe(404);
    const audit = await rig.pool.query(`SELECT action FROM audit_log WHERE target_id = $1 AND action LIKE 'recording.%hold' ORDER BY id`, [
      recId,
    ]);
    expect(audit.rows.map((r) => r.action)).toEqual(['recording.hold', 'recording.release_hold']);
  });

  it('an unknown recording is 404; the retention runs are listed for those who place holds', async () => {
    expect((await call(tokens.quality, 'GET', `/api/recordings/${uuidv7()}`)).status).toBe(404);
    expect((await call(tokens.quality, 'GET', '/api/recordings/retention/runs')).status).toBe(200);
    expect((await call(tokens.readonly, 'GET', '/api/recordings/retention/runs')).status).toBe(403);
  });
});
