import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import { PgDesktopRepo } from '../../src/features/desktop/desktop-repo.js';
import { PgSummaryRepo } from '../../src/features/summaries/summary-repo.js';
import { TopicsService } from '../../src/features/summaries/topics-service.js';
import { REPO, requireEnv } from '../support/rig.js';

// Real Postgres. Calls get ids and a caller prefix no other test uses, and are removed afterwards;
// the agent ids and the queue are this run's own, so the report's counts are this test's alone.
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
const tag = `${Date.now() % 1e7}`;
const caller = `8${tag}`;
const queue = `topics-${tag}`;
const agentA = `9${tag.slice(-5)}`;
const agentB = `8${tag.slice(-5)}`;
const repo = new PgSummaryRepo(pool);
const topics = new TopicsService(repo, 'Asia/Shanghai');
let seq = 0;

/** An answered call, started at a Beijing time ("2031-03-04 09:00"), lasting a minute. */
async function call(agentId: string, at: string) {
  const id = `sum-${tag}-${seq++}`;
  await pool.query(
    `INSERT INTO calls (call_id, caller, dialed, started_at, ended_at, outcome, agent_id, queue, duration_ms, talk_ms)
     VALUES ($1, $2, '12366', ($3::timestamp AT TIME ZONE 'Asia/Shanghai'), ($3::timestamp AT TIME ZONE 'Asia/Shanghai') + interval '1 minute', 'answered', $4, $5, 60000, 50000)`,
    [id, caller, at, agentId, queue],
  );
  return (await repo.call(id))!;
}

const vat = ['问题库', '国税', '增值税', '进项税额抵扣'];
const iit = ['问题库', '地税', '个人所得税'];
const summary = (categoryPath: string[], articles: Array<{ id: number; question: string }> = []) => ({
  categoryId: categoryPath === vat ? 7 : 8,
  categoryPath,
  question: '进口货物的海关完税凭证能否抵扣',
  resolution: 'answered',
  notes: '',
  articles,
});

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), pino({ level: 'silent' }));
});
afterAll(async () => {
  const like = `sum-${tag}-%`;
  for (const t of ['call_summary_articles', 'call_summary_versions', 'call_summaries', 'calls'])
    await pool.query(`DELETE FROM ${t} WHERE call_id LIKE $1`, [like]);
  await pool.end();
});

describe('call summaries (Postgres)', () => {
  it('the call as history has it: its agent, queue and end', async () => {
    const c = await call(agentA, '2031-03-04 09:00');
    expect(c).toMatchObject({ agentId: agentA, queue, endedAt: c.startedAt + 60_000 });
    expect(await repo.call(`sum-${tag}-none`)).toBeUndefined();
  });

  it('saves versions: the current row, every version kept, the article rows replaced', async () => {
    const c = await call(agentA, '2031-03-04 09:10');
    const cc = { ...c, agentId: c.agentId! };
    expect(
      await repo.save(
        cc,
        summary(vat, [
          { id: 1, question: '海关完税凭证' },
          { id: 2, question: '农产品发票' },
        ]),
        't-a',
      ),
    ).toBe(1);
    expect(await repo.save(cc, summary(iit, [{ id: 3, question: '专项附加扣除' }]), 't-sup')).toBe(2);
    const s = (await repo.get(c.callId))!;
    expect(s).toMatchObject({
      version: 2,
      categoryPath: iit,
      createdBy: 't-a',
      updatedBy: 't-sup',
      articles: [{ id: 3, question: '专项附加扣除' }],
    });
    expect(s.versions.map((v) => [v.version, v.editedBy])).toEqual([
      [1, 't-a'],
      [2, 't-sup'],
    ]);
    const v1 = await pool.query('SELECT category_path, articles FROM call_summary_versions WHERE call_id = $1 AND version = 1', [c.callId]);
    expect(v1.rows[0]).toEqual({
      category_path: vat,
      articles: [
        { id: 1, question: '海关完税凭证' },
        { id: 2, question: '农产品发票' },
      ],
    });
    const arts = await pool.query('SELECT article_id FROM call_summary_articles WHERE call_id = $1', [c.callId]);
    expect(arts.rows).toEqual([{ article_id: 3 }]);
  });

  it('concurrent saves of one call each get their own version', async () => {
    const c = await call(agentA, '2031-03-04 09:20');
    const cc = { ...c, agentId: c.agentId! };
    const versions = await Promise.all([1, 2, 3].map(() => repo.save(cc, summary(vat), 't-a')));
    expect(versions.sort()).toEqual([1, 2, 3]);
    expect((await repo.get(c.callId))!.versions).toHaveLength(3);
    // Left as the report's data: one more vat summary by agent A on 2031-03-04.
  });

  it("the caller's history in the screen pop shows each summarized call's line", async () => {
    const rows = await new PgDesktopRepo(pool).history(caller);
    const byId = new Map(rows.map((r) => [r.callId, r.summary]));
    expect(byId.get(`sum-${tag}-1`)).toBe('个人所得税：进口货物的海关完税凭证能否抵扣');
    expect(byId.get(`sum-${tag}-0`)).toBeNull();
  });

  it('hot topics: categories by path and articles, per day, queue and agent, from the local day', async () => {
    const d1 = await call(agentB, '2031-03-05 00:10'); // Beijing's 5th, still the 4th in UTC
    await repo.save({ ...d1, agentId: agentB }, summary(vat, [{ id: 1, question: '海关完税凭证' }]), 't-b');
    const d2 = await call(agentB, '2031-03-05 23:50');
    await repo.save({ ...d2, agentId: agentB }, summary(vat, [{ id: 1, question: '海关完税凭证（新）' }]), 't-b');

    const byDay = await topics.report({ from: '2031-03-04', to: '2031-03-06', queue });
    expect(byDay.summaries).toBe(4);
    expect(byDay.groups.map((g) => [g.key, g.summaries])).toEqual([
      ['2031-03-04', 2],
      ['2031-03-05', 2],
      ['2031-03-06', 0],
    ]);
    // A tie is ordered by path, code point by code point (国 U+56FD before 地 U+5730).
    expect(byDay.groups[0]!.categories.map((c) => [c.path.at(-1), c.count])).toEqual([
      ['进项税额抵扣', 1],
      ['个人所得税', 1],
    ]);
    expect(byDay.groups[1]!.categories).toEqual([{ path: vat, categoryId: 7, count: 2 }]);
    // An article summarized under two wordings is counted once, shown under one of them.
    expect(byDay.groups[1]!.articles).toEqual([{ id: 1, question: '海关完税凭证（新）', count: 2 }]);
    expect(byDay.overall.categories[0]).toEqual({ path: vat, categoryId: 7, count: 3 });

    const byAgent = await topics.report({ from: '2031-03-04', to: '2031-03-05', queue, by: 'agent' });
    expect(byAgent.groups.map((g) => [g.key, g.summaries])).toEqual(
      [
        [agentA, 2],
        [agentB, 2],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const onlyB = await topics.report({ from: '2031-03-04', to: '2031-03-05', queue, by: 'queue', agentId: agentB, limit: 1 });
    expect(onlyB.groups).toEqual([
      {
        key: queue,
        summaries: 2,
        categories: [{ path: vat, categoryId: 7, count: 2 }],
        articles: [{ id: 1, question: '海关完税凭证（新）', count: 2 }],
      },
    ]);
  });

  it('hot topics over a month reads the call_at index, not the whole table', async () => {
    // Small tables may still be read whole by the planner; with seqscan off, the index must serve it.
    await pool.query('SET enable_seqscan = off');
    const forced = JSON.stringify(
      (
        await pool.query(
          `EXPLAIN (FORMAT JSON) SELECT category_path, count(*) FROM call_summaries WHERE call_at >= '2031-03-01' AND call_at < '2031-04-01' GROUP BY 1`,
        )
      ).rows[0],
    );
    await pool.query('RESET enable_seqscan');
    expect(forced).toMatch(/call_summaries_call_at_idx/);
  });
});
