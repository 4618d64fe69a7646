import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import type { Principal } from '../../src/core/auth/access.js';
import type { DomainEvent } from '../../src/core/events.js';
import { DEFAULT_FORM, type FormItem } from '../../src/core/quality/form.js';
import { PgQualityRepo } from '../../src/features/quality/quality-repo.js';
import { QualityError, QualityService } from '../../src/features/quality/quality-service.js';
import { REPO, requireEnv } from '../support/rig.js';

// Real Postgres: the form's versions, reviews against recordings rows, who lists what, the cursor,
// and the monthly figures on Beijing's calendar (the clock is the test's).
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
const run = randomBytes(3).toString('hex');
const events: DomainEvent[] = [];
let now = Date.parse('2026-03-10T02:00:00Z');
const service = new QualityService({
  repo: new PgQualityRepo(pool),
  publish: (e) => void events.push(...e),
  ctx: () => ({ now, newId: randomUUID }),
  tz: 'Asia/Shanghai',
});
/** Agent ids of this run only (recordings.agent_id is free text; no agents row): other runs' reviews never mix in. */
const agentIds = [0, 1, 2].map((n) => `qa-${run}-${n}`);
const [A, B, C] = agentIds as [string, string, string];
const reviewer: Principal = { id: `t-q-${run}`, role: 'quality', via: 'session' };
const agentOf = (agentId: string): Principal => ({ id: `t-a-${agentId}`, role: 'agent', via: 'session', agentId });
const recordings: string[] = [];

async function recording(o: { agentId?: string | null; durationMs?: number | null; deleted?: boolean } = {}): Promise<string> {
  const id = `qrec-${run}-${recordings.length}`;
  recordings.push(id);
  await pool.query(
    `INSERT INTO recordings (id, call_id, kind, name, queue, agent_id, caller, started_at, ended_at, duration_ms, retention_days, expires_at, deleted_at)
     VALUES ($1, $2, 'mix', $3, 'ntax-vat', $4, '057100000000', now() - interval '5 minutes', now(), $5, 180, now() + interval '180 days', $6)`,
    [
      id,
      `qcall-${id}`,
      `test/${id}`,
      o.agentId === undefined ? A : o.agentId,
      o.durationMs === undefined ? 120_000 : o.durationMs,
      o.deleted ? new Date() : null,
    ],
  );
  return id;
}
const scores = (over: Record<string, number> = {}, items: readonly FormItem[] = DEFAULT_FORM) => ({
  ...Object.fromEntries(items.map((i) => [i.key, i.maxScore])),
  ...over,
});
const stored = async (recordingId: string) =>
  Number((await pool.query('SELECT count(*) FROM quality_reviews WHERE recording_id = $1', [recordingId])).rows[0].count);

async function refused(p: Promise<unknown>): Promise<QualityError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QualityError);
  return err as QualityError;
}

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), pino({ level: 'silent' }));
  // Start from the default items (another test may have left another form as current).
  await service.replaceForm(reviewer, [...DEFAULT_FORM]);
});
afterAll(async () => {
  await service.replaceForm(reviewer, [...DEFAULT_FORM]).catch(() => undefined);
  await pool.end();
});

describe('quality review on Postgres', () => {
  it('the form is versioned: a change is a new version, a stale change 409s, a review keeps its version', async () => {
    const v1 = await service.form();
    const rec = await recording();
    const first = await service.review(reviewer, { recordingId: rec, scores: scores({ courtesy: 3 }), comments: [] });
    expect(first.formVersion).toBe(v1.version);

    const items: FormItem[] = [
      { key: 'courtesy', label: '礼貌用语', weight: 1, maxScore: 10 },
      { key: 'accuracy', label: '政策准确', labelEn: 'Accuracy', weight: 3, maxScore: 4 },
    ];
    const { before, after } = await service.replaceForm(reviewer, items);
    expect(before.version).toBe(v1.version);
    expect(after).toMatchObject({ version: v1.version + 1, items, createdBy: reviewer.id });
    expect((await service.form()).version).toBe(after.version);
    // Two people saving from the same version: the second gets nothing (the route answers 409).
    expect(await new PgQualityRepo(pool).addForm(v1.version, items, now, 'late')).toBeUndefined();

    // The old review reads with its own items; a new one is scored on the new form.
    const old = await service.get(reviewer, first.id);
    expect(old.items).toEqual(v1.items);
    expect(old.total).toBe(100 - 20 * (2 / 5));
    const second = await service.review(reviewer, { recordingId: rec, scores: { courtesy: 5, accuracy: 4 }, comments: [] });
    expect(second).toMatchObject({ formVersion: after.version, total: 87.5, items });
    // The old form's keys no longer do.
    const e = await refused(service.review(reviewer, { recordingId: rec, scores: scores(), comments: [] }));
    expect(e).toMatchObject({ status: 400, message: expect.stringMatching(/^body\/scores\/policy_accuracy: is not an item/) });
    await service.replaceForm(reviewer, [...DEFAULT_FORM]);
  });

  it('stores what was reviewed and publishes quality.reviewed; bad input stores nothing', async () => {
    const rec = await recording({ agentId: B, durationMs: 90_000 });
    const v = await service.review(reviewer, {
      recordingId: rec,
      scores: scores({ policy_accuracy: 4 }),
      comments: [
        { atMs: 61_000, text: '  政策口径引用有误  ' },
        { atMs: 3_000, text: '开场白规范' },
      ],
      summary: '整体良好',
    });
    const row = (await pool.query('SELECT * FROM quality_reviews WHERE id = $1', [v.id])).rows[0];
    expect(row).toMatchObject({
      recording_id: rec,
      call_id: `qcall-${rec}`,
      agent_id: B,
      reviewer: reviewer.id,
      form_version: v.formVersion,
      total: '94.0',
      summary: '整体良好',
      // Comments in the recording's order, trimmed.
      comments: [
        { atMs: 3_000, text: '开场白规范' },
        { atMs: 61_000, text: '政策口径引用有误' },
      ],
    });
    expect(row.created_at.getTime()).toBe(now);
    expect(events.filter((e) => e.type === 'quality.reviewed' && e.reviewId === v.id)).toEqual([
      expect.objectContaining({ recordingId: rec, callId: `qcall-${rec}`, agentId: B, reviewer: reviewer.id, total: 94, v: 1 }),
    ]);

    const bad = [
      [{ scores: scores({ attitude: 6 }) }, /^body\/scores\/attitude: /],
      [{ comments: [{ atMs: 90_001, text: '超出录音' }] }, /^body\/comments\/0\/atMs: /],
      [{ summary: '长'.repeat(2001) }, /^body\/summary: /],
    ] as const;
    const clean = await recording({ agentId: B, durationMs: 90_000 });
    for (const [over, field] of bad) {
      const e = await refused(service.review(reviewer, { recordingId: clean, scores: scores(), comments: [], ...over }));
      expect(e.status).toBe(400);
      expect(e.message).toMatch(field);
    }
    expect(await stored(clean)).toBe(0);
  });

  it('refuses a deleted recording, an unanswered one, one still recording, a missing one, and the reviewer’s own call', async () => {
    const cases: Array<[Promise<string>, number, RegExp]> = [
      [recording({ deleted: true }), 409, /deleted/],
      [recording({ agentId: null }), 409, /not answered/],
      [recording({ durationMs: null }), 409, /still being recorded/],
    ];
    for (const [rec, status, message] of cases) {
      const id = await rec;
      const e = await refused(service.review(reviewer, { recordingId: id, scores: scores(), comments: [] }));
      expect(e).toMatchObject({ status, message: expect.stringMatching(message) });
      expect(await stored(id)).toBe(0);
    }
    expect(await refused(service.review(reviewer, { recordingId: `nope-${run}`, scores: scores(), comments: [] }))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^body\/recordingId: /),
    });
    // A supervisor whose account is linked to the agent who answered.
    const own = await recording({ agentId: C });
    const sup: Principal = { id: `t-sup-${run}`, role: 'supervisor', via: 'session', agentId: C };
    expect(await refused(service.review(sup, { recordingId: own, scores: scores(), comments: [] }))).toMatchObject({ status: 403 });
    expect(await refused(service.review(agentOf(A), { recordingId: own, scores: scores(), comments: [] }))).toMatchObject({ status: 403 });
    expect(await stored(own)).toBe(0);
  });

  it('lists newest first page by page; an agent only its own, forced, and 404 on another’s', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      now += 1000;
      const rec = await recording({ agentId: C });
      made.push((await service.review(reviewer, { recordingId: rec, scores: scores({ courtesy: i }), comments: [] })).id);
    }
    // Two at the same millisecond: the id breaks the tie, and the cursor still loses none.
    const same = await recording({ agentId: C });
    made.push((await service.review(reviewer, { recordingId: same, scores: scores(), comments: [] })).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await service.list(reviewer, { agentId: C, limit: 2, cursor });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.next;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.sort()).toEqual([...made].sort());
    expect(new Set(seen).size).toBe(seen.length);
    const all = (await service.list(reviewer, { agentId: C, limit: 200 })).items;
    expect(all.map((r) => r.createdAt)).toEqual([...all.map((r) => r.createdAt)].sort((a, b) => b - a));

    const asC = await service.list(agentOf(C), {});
    expect(asC.items.length).toBeGreaterThanOrEqual(6);
    expect(asC.items.every((r) => r.agentId === C)).toBe(true);
    expect((await service.list(agentOf(A), {})).items.every((r) => r.agentId === A)).toBe(true);
    expect(await refused(service.list(agentOf(A), { agentId: C }))).toMatchObject({ status: 403 });
    expect(await refused(service.get(agentOf(A), made[0]!))).toMatchObject({ status: 404 });
    expect((await service.get(agentOf(C), made[0]!)).id).toBe(made[0]);
    expect(await refused(service.list(reviewer, { cursor: 'not-a-cursor' }))).toMatchObject({ status: 400 });
    expect(await refused(service.list(reviewer, { limit: 0 }))).toMatchObject({ status: 400 });
    expect((await service.list(reviewer, { recordingId: same })).items.map((r) => r.id)).toEqual([made[5]]);
    expect((await service.list(reviewer, { callId: `qcall-${same}` })).items.map((r) => r.id)).toEqual([made[5]]);
  });

  it('the monthly report follows Beijing’s calendar and averages each review on its own form', async () => {
    const agent = `qa-${run}-month`;
    const at = async (iso: string, sc: Record<string, number>) => {
      now = Date.parse(iso);
      const rec = await recording({ agentId: agent });
      return service.review(reviewer, { recordingId: rec, scores: sc, comments: [] });
    };
    // 2026-01-31 23:59 Beijing: January. 2026-02-01 00:30 Beijing (16:30 UTC the day before): February.
    const jan = await at('2026-01-31T15:59:00Z', scores({ courtesy: 0 }));
    const feb1 = await at('2026-01-31T16:30:00Z', scores());
    const feb2 = await at('2026-02-28T15:59:59Z', scores({ courtesy: 2, policy_accuracy: 1 }));
    await at('2026-02-28T16:00:00Z', scores({ attitude: 0 })); // March in Beijing
    const row = async (month: string) => (await service.report(month)).rows.find((r) => r.agentId === agent);

    expect(await row('2026-01')).toMatchObject({ reviews: 1, avgTotal: jan.total, minTotal: 80, maxTotal: 80 });
    const feb = await row('2026-02');
    // feb2: courtesy 2/5 of 20 and policy 1/5 of 30 → 100 − 12 − 24 = 64.
    expect(feb2.total).toBe(64);
    expect(feb).toEqual({
      agentId: agent,
      agentName: null,
      reviews: 2,
      avgTotal: (feb1.total + feb2.total) / 2,
      minTotal: 64,
      maxTotal: 100,
      byItem: { courtesy: 70, policy_accuracy: 60, record_complete: 100, proficiency: 100, attitude: 100 },
    });
    expect((await row('2026-03'))?.byItem.attitude).toBe(0);
    expect(await refused(service.report('2026-13'))).toMatchObject({ status: 400, message: expect.stringMatching(/^querystring\/month/) });
  });
});
