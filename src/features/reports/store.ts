/**
 * Postgres for the reports: reads one local day's raw rows, stores and reads rollups, and
 * tells which stored rollups are still valid (see migrations/006_reports.sql). Every query is
 * parameterised; no SQL text is ever built from request values.
 */
import type pg from 'pg';
import { AGENT_COUNTERS, AGENT_TIME_COUNTERS, CALL_COUNTERS, STAFF_COUNTERS } from '../../core/metrics/counters.js';
import type { CallerRegion } from '../../core/metrics/regions.js';
import { counterSql } from './counter-sql.js';
import type { CallRow, StateEventRow } from './records.js';
import type { AgentDay, CallBucket, OfferRow, RegionDay, StaffBucket } from './rollup.js';

type Db = pg.Pool | pg.PoolClient;

/** Epoch milliseconds of a timestamptz, as a double (pg parses float8 to a number). */
const ms = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;

/** How long after a day ends its rollup may be stored: later writes to it leave stale marks. */
export const CLOSE_AFTER_MS = 3_600_000;

/** Calls this long are cut: a day's calls are looked for from a day before it. */
const CALL_LOOKBACK = '1 day';
/** Agent events read past a day's end, so wrap-ups of its last calls are whole. */
export const EVENTS_PAST_DAY_MS = 2 * 3_600_000;

export async function loadCalls(db: Db, from: number, to: number): Promise<CallRow[]> {
  const r = await db.query<{
    call_id: string;
    caller: string;
    queue: string | null;
    s: number;
    q: number | null;
    e: number | null;
    outcome: string | null;
    abandoned_at: string | null;
    wait_ms: number | null;
    talk_ms: number | null;
    agent_id: string | null;
  }>(
    `SELECT call_id, caller, queue, ${ms('started_at')} AS s, ${ms('entered_queue_at')} AS q, ${ms('ended_at')} AS e,
            outcome, abandoned_at, wait_ms, talk_ms, agent_id
       FROM calls
      WHERE started_at >= $1::timestamptz - interval '${CALL_LOOKBACK}' AND started_at < $2
        AND (ended_at IS NULL OR ended_at >= $1)`,
    [new Date(from), new Date(to)],
  );
  const rows: CallRow[] = r.rows.map((x) => ({
    callId: x.call_id,
    caller: x.caller,
    queue: x.queue,
    startedAt: x.s,
    enteredQueueAt: x.q,
    endedAt: x.e,
    outcome: x.outcome,
    abandonedAt: x.abandoned_at,
    waitMs: x.wait_ms,
    talkMs: x.talk_ms,
    agentId: x.agent_id,
  }));
  const open = rows.filter((c) => c.endedAt === null);
  if (open.length) {
    const a = await db.query<{ call_id: string; at: number; wait_ms: number | null }>(
      `SELECT call_id, ${ms('at')} AS at, (body->>'waitMs')::float8 AS wait_ms
         FROM events WHERE type = 'call.agent_answered' AND call_id = ANY($1::text[])`,
      [open.map((c) => c.callId)],
    );
    const byId = new Map(a.rows.map((x) => [x.call_id, x]));
    for (const c of open) {
      const ans = byId.get(c.callId);
      if (ans) c.liveAnswer = { at: ans.at, waitMs: ans.wait_ms ?? Math.max(0, ans.at - (c.enteredQueueAt ?? c.startedAt)) };
    }
  }
  return rows;
}

/**
 * Every agent's state changes in [from, until), each agent's list headed by the last change
 * before `from` (the state the agent was in when the day began). Agents are found with a skip
 * scan of the partial index, so agents who never change state cost nothing.
 */
export async function loadStateEvents(db: Db, from: number, until: number): Promise<StateEventRow[]> {
  // Every agent that ever changed state, by a skip scan over the index rather than a DISTINCT over all events.
  const ids = await db.query<{ agent_id: string }>(
    `WITH RECURSIVE ag AS (
       (SELECT agent_id FROM events WHERE type = 'agent.state_changed' AND agent_id IS NOT NULL ORDER BY agent_id LIMIT 1)
       UNION ALL
       SELECT (SELECT e.agent_id FROM events e
                WHERE e.type = 'agent.state_changed' AND e.agent_id > ag.agent_id ORDER BY e.agent_id LIMIT 1)
         FROM ag WHERE ag.agent_id IS NOT NULL
     )
     SELECT agent_id FROM ag WHERE agent_id IS NOT NULL`,
  );
  return loadAgentsStateEvents(
    db,
    ids.rows.map((r) => r.agent_id),
    from,
    until,
  );
}

/**
 * The state changes of the named agents in [from, until), each agent's list headed by the last
 * change before `from`, as loadStateEvents reads them for everyone. For staffing of a team.
 */
export async function loadAgentsStateEvents(db: Db, agentIds: readonly string[], from: number, until: number): Promise<StateEventRow[]> {
  const r = await db.query<{ agent_id: string; at: number; st: string; reason: string | null; call_id: string | null }>(
    `SELECT x.agent_id, ${ms('x.at')} AS at, x.st, x.reason, x.call_id FROM unnest($1::text[]) AS ag(agent_id) CROSS JOIN LATERAL (
       (SELECT agent_id, at, seq, body->>'to' AS st, body->>'pauseReason' AS reason, body->>'callId' AS call_id
          FROM events WHERE type = 'agent.state_changed' AND agent_id = ag.agent_id AND at < $2
         ORDER BY events.at DESC, events.seq DESC LIMIT 1)
       UNION ALL
       (SELECT agent_id, at, seq, body->>'to', body->>'pauseReason', body->>'callId'
          FROM events WHERE type = 'agent.state_changed' AND agent_id = ag.agent_id AND at >= $2 AND at < $3
         ORDER BY events.at, events.seq)
     ) x
     ORDER BY x.agent_id, x.at, x.seq`,
    [agentIds, new Date(from), new Date(until)],
  );
  return r.rows.map((x) => ({ agentId: x.agent_id, at: x.at, to: x.st, pauseReason: x.reason, callId: x.call_id }));
}

/** Rings start before a day and end in it for at most a ring timeout; this covers any. */
export const RINGS_BEFORE_MS = 3_600_000;

/** Rings (call.agent_offered) in [from, until), of the named agents or all, as starts of `reserved` (records.withRings). */
export async function loadRings(db: Db, from: number, until: number, agentIds?: readonly string[]): Promise<StateEventRow[]> {
  const r = await db.query<{ agent_id: string; at: number; call_id: string | null }>(
    `SELECT agent_id, ${ms('at')} AS at, call_id FROM events
      WHERE type = 'call.agent_offered' AND at >= $1 AND at < $2 AND agent_id IS NOT NULL AND ($3::text[] IS NULL OR agent_id = ANY($3::text[]))
      ORDER BY agent_id, at, seq`,
    [new Date(from), new Date(until), agentIds ?? null],
  );
  return r.rows.map((x) => ({ agentId: x.agent_id, at: x.at, to: 'reserved', pauseReason: null, callId: x.call_id }));
}

/** Offers rung in [from, to) and what became of each. */
export async function loadOffers(db: Db, from: number, to: number): Promise<OfferRow[]> {
  const r = await db.query<{
    agent_id: string;
    call_id: string;
    at: number;
    queue: string | null;
    open: boolean;
    answered: boolean;
    missed: boolean;
  }>(
    // One probe per offer on the call's events (a correlated EXISTS on the rare 'missed' type
    // can turn into a hashed scan of the whole table).
    `SELECT o.agent_id, o.call_id, ${ms('o.at')} AS at, c.queue, (c.call_id IS NOT NULL AND c.ended_at IS NULL) AS open,
            COALESCE(r.answered, false) AS answered, COALESCE(r.missed, false) AS missed
       FROM events o
       LEFT JOIN calls c ON c.call_id = o.call_id
       LEFT JOIN LATERAL (
         SELECT bool_or(e.type = 'call.agent_answered') AS answered, bool_or(e.type = 'call.agent_missed') AS missed
           FROM events e WHERE e.call_id = o.call_id AND e.agent_id = o.agent_id
            AND e.type IN ('call.agent_answered', 'call.agent_missed')
       ) r ON true
      WHERE o.type = 'call.agent_offered' AND o.at >= $1 AND o.at < $2 AND o.agent_id IS NOT NULL`,
    [new Date(from), new Date(to)],
  );
  return r.rows.map((x) => ({
    agentId: x.agent_id,
    callId: x.call_id,
    at: x.at,
    queue: x.queue,
    result: x.answered ? 'answered' : x.missed ? 'no_answer' : x.open ? 'pending' : 'cancelled',
  }));
}

/** Starts an REPEATABLE READ transaction and returns its snapshot and the database clock. */
export async function beginSnapshot(client: pg.PoolClient): Promise<{ snap: string; clock: number }> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  // Day loads are many small index scans: JIT compilation would cost more than it saves.
  await client.query('SET LOCAL jit = off');
  await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
  const r = await client.query<{ snap: string; clock: number }>(
    `SELECT pg_current_snapshot()::text AS snap, ${ms('clock_timestamp()')} AS clock`,
  );
  return r.rows[0]!;
}

/** Stored rollups still valid: same metrics version, and every later write to the day seen. */
export async function validDays(
  db: Db,
  tz: string,
  kinds: readonly string[],
  fromDay: string,
  toDay: string,
  version: number,
): Promise<Map<string, Set<string>>> {
  const r = await db.query<{ kind: string; day: string }>(
    `SELECT d.kind, to_char(d.day, 'YYYY-MM-DD') AS day FROM rpt_days d
      WHERE d.tz = $1 AND d.kind = ANY($2::text[]) AND d.day BETWEEN $3::date AND $4::date AND d.metrics_version = $5
        AND NOT EXISTS (SELECT 1 FROM rpt_stale m
                         WHERE m.from_at < d.to_at AND m.to_at >= d.from_at AND NOT pg_visible_in_snapshot(m.xid, d.snap))`,
    [tz, kinds, fromDay, toDay, version],
  );
  const out = new Map<string, Set<string>>(kinds.map((k) => [k, new Set<string>()]));
  for (const x of r.rows) out.get(x.kind)?.add(x.day);
  return out;
}

/** A closed day that lacks a valid rollup of some kinds, and since when a mark has invalidated it (null: never built). */
export interface MissingDay {
  day: string;
  kinds: string[];
  markedAt: number | null;
}

/**
 * Closed local days in [fromDay, toDay], from the first one with calls on, that lack a valid
 * rollup of one of `kinds` (never built, built by another metrics version, or invalidated by a
 * mark). Days without calls after the first call count too: a month's weekends are in its
 * reports, and left unbuilt, the first report of the month built them (on the 5 M-call year the
 * interval report's first view took 741 ms against 168 ms warm); days before any call (a new
 * installation's look-back) are skipped. Days invalidated by a mark come first, the
 * longest-marked first (a late write to history is what a supervisor is most likely to be
 * looking at); then never-built days, newest first (the recent past is opened more than last
 * year). "Closed" is by the database clock, as buildDay decides whether to store.
 */
export async function daysWithoutRollups(
  db: Db,
  tz: string,
  kinds: readonly string[],
  fromDay: string,
  toDay: string,
  version: number,
): Promise<MissingDay[]> {
  const r = await db.query<{ day: string; kinds: string[]; marked: number | null }>(
    `WITH d AS (
       SELECT g.t::date AS day, g.t AT TIME ZONE $1 AS from_at, (g.t + interval '1 day') AT TIME ZONE $1 AS to_at
         FROM generate_series($3::date::timestamp, $4::date::timestamp, interval '1 day') AS g(t)
     ), closed AS (
       SELECT * FROM d WHERE d.to_at <= now() - make_interval(secs => $6::float8 / 1000)
          AND d.to_at > (SELECT min(c.started_at) FROM calls c WHERE c.started_at >= (SELECT min(from_at) FROM d))
     )
     SELECT to_char(b.day, 'YYYY-MM-DD') AS day, array_agg(k.kind ORDER BY k.kind) AS kinds,
            (extract(epoch FROM min(s.marked)) * 1000)::float8 AS marked
       FROM closed b CROSS JOIN unnest($2::text[]) AS k(kind)
       LEFT JOIN rpt_days r ON r.tz = $1 AND r.kind = k.kind AND r.day = b.day AND r.metrics_version = $5
       LEFT JOIN LATERAL (SELECT min(m.created_at) AS marked FROM rpt_stale m
                           WHERE m.from_at < r.to_at AND m.to_at >= r.from_at AND NOT pg_visible_in_snapshot(m.xid, r.snap)) s ON true
      WHERE r.day IS NULL OR s.marked IS NOT NULL
      GROUP BY b.day
      ORDER BY min(s.marked) NULLS LAST, b.day DESC`,
    [tz, kinds, fromDay, toDay, version, CLOSE_AFTER_MS],
  );
  return r.rows.map((x) => ({ day: x.day, kinds: x.kinds, markedAt: x.marked }));
}

export interface DayKey {
  tz: string;
  day: string;
  from: number;
  to: number;
  snap: string;
  version: number;
}

async function markBuilt(db: Db, k: DayKey, kind: string): Promise<void> {
  await db.query(
    `INSERT INTO rpt_days (tz, kind, day, from_at, to_at, snap, metrics_version) VALUES ($1, $2, $3, $4, $5, $6::pg_snapshot, $7)
     ON CONFLICT (tz, kind, day) DO UPDATE SET from_at = EXCLUDED.from_at, to_at = EXCLUDED.to_at, snap = EXCLUDED.snap,
       metrics_version = EXCLUDED.metrics_version, built_at = now()`,
    [k.tz, kind, k.day, new Date(k.from), new Date(k.to), k.snap, k.version],
  );
}

// The rollup tables' counter columns come from the counter declarations (counters.ts): a new
// counter is stored and read back without touching these queries.
const CALLS = counterSql(CALL_COUNTERS);
const AGENTS = counterSql({ ...AGENT_COUNTERS, ...AGENT_TIME_COUNTERS });
const STAFF = counterSql(STAFF_COUNTERS);

/** The rollup queries, exported for the test that checks them against the declarations and the migration. */
export const INSERT_CALLS = `INSERT INTO rpt_calls_5m (tz, kind, bucket, queue, ${CALLS.columns})
       SELECT $1, $2, to_timestamp(b / 1000.0), q, ${CALLS.columns}
         FROM unnest($3::float8[], $4::text[], ${CALLS.params(5)}) AS t(b, q, ${CALLS.columns})`;
export const INSERT_STAFF = `INSERT INTO rpt_staff_5m (tz, bucket, ${STAFF.columns})
       SELECT $1, to_timestamp(b / 1000.0), ${STAFF.columns} FROM unnest($2::float8[], ${STAFF.params(3)}) AS t(b, ${STAFF.columns})`;
export const INSERT_AGENTS = `INSERT INTO rpt_agent_day (tz, day, agent_id, queue, ${AGENTS.columns})
       SELECT $1, $2::date, a, q, ${AGENTS.columns}
         FROM unnest($3::text[], $4::text[], ${AGENTS.params(5)}) AS t(a, q, ${AGENTS.columns})`;
export const SELECT_CALLS = `SELECT ${ms('bucket')} AS b, queue, ${CALLS.columns}
       FROM rpt_calls_5m WHERE tz = $1 AND kind = $2 AND bucket >= $3 AND bucket < $4 AND ($5::text IS NULL OR queue = $5)`;
export const SELECT_STAFF = `SELECT ${ms('bucket')} AS b, ${STAFF.columns} FROM rpt_staff_5m WHERE tz = $1 AND bucket >= $2 AND bucket < $3`;
export const SELECT_AGENTS = `SELECT to_char(day, 'YYYY-MM-DD') AS day, agent_id, queue, ${AGENTS.columns}
       FROM rpt_agent_day WHERE tz = $1 AND day BETWEEN $2::date AND $3::date AND queue = ANY($4::text[])`;

export async function saveCallBuckets(db: Db, k: DayKey, kind: string, rows: readonly CallBucket[]): Promise<void> {
  await db.query('DELETE FROM rpt_calls_5m WHERE tz = $1 AND kind = $2 AND bucket >= $3 AND bucket < $4', [
    k.tz,
    kind,
    new Date(k.from),
    new Date(k.to),
  ]);
  if (rows.length) {
    await db.query(INSERT_CALLS, [k.tz, kind, rows.map((b) => b.bucket), rows.map((b) => b.queue), ...CALLS.values(rows)]);
  }
  await markBuilt(db, k, kind);
}

export async function saveStaff(
  db: Db,
  k: DayKey,
  kind: string,
  staff: readonly StaffBucket[],
  agents: readonly AgentDay[],
): Promise<void> {
  await db.query('DELETE FROM rpt_staff_5m WHERE tz = $1 AND bucket >= $2 AND bucket < $3', [k.tz, new Date(k.from), new Date(k.to)]);
  await db.query('DELETE FROM rpt_agent_day WHERE tz = $1 AND day = $2', [k.tz, k.day]);
  if (staff.length) {
    await db.query(INSERT_STAFF, [k.tz, staff.map((s) => s.bucket), ...STAFF.values(staff)]);
  }
  if (agents.length) {
    await db.query(INSERT_AGENTS, [k.tz, k.day, agents.map((a) => a.agentId), agents.map((a) => a.queue), ...AGENTS.values(agents)]);
  }
  await markBuilt(db, k, kind);
}

export async function saveRegions(db: Db, k: DayKey, kind: string, rows: readonly RegionDay[]): Promise<void> {
  await db.query('DELETE FROM rpt_region_day WHERE tz = $1 AND kind = $2 AND day = $3', [k.tz, kind, k.day]);
  if (rows.length) {
    const col = (r: CallerRegion) => rows.map((x) => x.counts[r]);
    await db.query(
      `INSERT INTO rpt_region_day (tz, kind, day, queue, home_city, home_province, other_province, international, mobile, unknown)
       SELECT $1, $2, $3::date, q, a, b, c, d, e, f
         FROM unnest($4::text[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[], $10::int[]) AS t(q, a, b, c, d, e, f)`,
      [
        k.tz,
        kind,
        k.day,
        rows.map((x) => x.queue),
        col('home_city'),
        col('home_province'),
        col('other_province'),
        col('international'),
        col('mobile'),
        col('unknown'),
      ],
    );
  }
  await markBuilt(db, k, kind);
}

export async function readCallBuckets(db: Db, tz: string, kind: string, from: number, to: number, queue?: string): Promise<CallBucket[]> {
  const r = await db.query<{ b: number; queue: string } & Record<string, unknown>>(SELECT_CALLS, [
    tz,
    kind,
    new Date(from),
    new Date(to),
    queue ?? null,
  ]);
  return r.rows.map((x) => ({ bucket: x.b, queue: x.queue, ...CALLS.read(x) }));
}

export async function readStaff(db: Db, tz: string, from: number, to: number): Promise<StaffBucket[]> {
  const r = await db.query<{ b: number } & Record<string, unknown>>(SELECT_STAFF, [tz, new Date(from), new Date(to)]);
  return r.rows.map((x) => ({ bucket: x.b, ...STAFF.read(x) }));
}

export async function readAgentDays(
  db: Db,
  tz: string,
  fromDay: string,
  toDay: string,
  queue?: string,
): Promise<Array<AgentDay & { day: string }>> {
  const r = await db.query<{ day: string; agent_id: string; queue: string } & Record<string, unknown>>(SELECT_AGENTS, [
    tz,
    fromDay,
    toDay,
    queue === undefined ? ['*'] : ['*', queue],
  ]);
  return r.rows.map((x) => ({ day: x.day, agentId: x.agent_id, queue: x.queue, ...AGENTS.read(x) }));
}

export async function readRegionDays(
  db: Db,
  tz: string,
  kind: string,
  fromDay: string,
  toDay: string,
): Promise<Array<RegionDay & { day: string }>> {
  const r = await db.query<{ day: string; queue: string } & Record<CallerRegion, number>>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, queue, home_city, home_province, other_province, international, mobile, unknown
       FROM rpt_region_day WHERE tz = $1 AND kind = $2 AND day BETWEEN $3::date AND $4::date`,
    [tz, kind, fromDay, toDay],
  );
  return r.rows.map((x) => ({
    day: x.day,
    queue: x.queue,
    counts: {
      home_city: x.home_city,
      home_province: x.home_province,
      other_province: x.other_province,
      international: x.international,
      mobile: x.mobile,
      unknown: x.unknown,
    },
  }));
}

/** Marks that every stored rollup overlapping them has already seen (kept a day for safety). */
export async function pruneStaleMarks(db: Db): Promise<number> {
  const r = await db.query(
    `DELETE FROM rpt_stale m WHERE m.created_at < now() - interval '1 day'
        AND NOT EXISTS (SELECT 1 FROM rpt_days d WHERE m.from_at < d.to_at AND m.to_at >= d.from_at AND NOT pg_visible_in_snapshot(m.xid, d.snap))`,
  );
  return r.rowCount ?? 0;
}

export interface AbandonRow {
  callId: string;
  caller: string;
  askedAt: number;
  startedAt: number;
  enteredQueueAt: number | null;
  endedAt: number;
  queue: string | null;
  line: string | null;
  subLine: string | null;
  ivrNode: string | null;
  abandonedAt: string | null;
  waitMs: number | null;
  durationMs: number | null;
  shortFlag: boolean | null;
  positionAtEntry: number | null;
  positionAtAbandon: number | null;
  calledBack: boolean;
}

/** Which abandons a list holds: a queue (calls that reached it), a caller's number, or both. */
export interface AbandonFilter {
  queue?: string;
  caller?: string;
}

const ABANDONS_WHERE = `c.outcome = 'abandoned' AND COALESCE(c.entered_queue_at, c.started_at) >= $1 AND COALESCE(c.entered_queue_at, c.started_at) < $2
        AND ($3::text IS NULL OR c.queue = $3) AND ($4::text IS NULL OR c.caller = $4)`;

export async function countAbandons(db: Db, from: number, to: number, f: AbandonFilter = {}): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM calls c WHERE ${ABANDONS_WHERE}`, [
    new Date(from),
    new Date(to),
    f.queue ?? null,
    f.caller ?? null,
  ]);
  return r.rows[0]!.n;
}

/**
 * Abandoned calls whose caller asked for a person (queue entry; call start for IVR hang-ups) in
 * [from, to), oldest first, `limit` from `offset` (all when limit is null). Called back: the same
 * number had a later call answered before `callbackUntil`.
 */
export async function readAbandons(
  db: Db,
  from: number,
  to: number,
  callbackUntil: number,
  f: AbandonFilter = {},
  page: { limit: number | null; offset: number } = { limit: null, offset: 0 },
): Promise<AbandonRow[]> {
  const r = await db.query<{
    call_id: string;
    caller: string;
    asked: number;
    s: number;
    q: number | null;
    e: number;
    queue: string | null;
    line: string | null;
    sub_line: string | null;
    ivr_node: string | null;
    abandoned_at: string | null;
    wait_ms: number | null;
    duration_ms: number | null;
    short_abandon: boolean | null;
    position_at_entry: number | null;
    position_at_abandon: number | null;
    called_back: boolean;
  }>(
    `SELECT c.call_id, c.caller, ${ms('COALESCE(c.entered_queue_at, c.started_at)')} AS asked, ${ms('c.started_at')} AS s,
            ${ms('c.entered_queue_at')} AS q, ${ms('COALESCE(c.ended_at, c.started_at)')} AS e, c.queue, c.line, c.sub_line, c.ivr_node,
            c.abandoned_at, c.wait_ms, c.duration_ms, c.short_abandon, c.position_at_entry, c.position_at_abandon,
            EXISTS (SELECT 1 FROM calls b WHERE b.caller = c.caller AND b.outcome = 'answered'
                       AND b.started_at > c.started_at AND b.started_at < $5) AS called_back
       FROM calls c
      WHERE ${ABANDONS_WHERE}
      ORDER BY COALESCE(c.entered_queue_at, c.started_at), c.call_id
      LIMIT $6 OFFSET $7`,
    [new Date(from), new Date(to), f.queue ?? null, f.caller ?? null, new Date(callbackUntil), page.limit, page.offset],
  );
  return r.rows.map((x) => ({
    callId: x.call_id,
    caller: x.caller,
    askedAt: x.asked,
    startedAt: x.s,
    enteredQueueAt: x.q,
    endedAt: x.e,
    queue: x.queue,
    line: x.line,
    subLine: x.sub_line,
    ivrNode: x.ivr_node,
    abandonedAt: x.abandoned_at,
    waitMs: x.wait_ms,
    durationMs: x.duration_ms,
    shortFlag: x.short_abandon,
    positionAtEntry: x.position_at_entry,
    positionAtAbandon: x.position_at_abandon,
    calledBack: x.called_back,
  }));
}

export async function readAgentNames(db: Db): Promise<Map<string, string>> {
  const r = await db.query<{ agent_id: string; name: string }>('SELECT agent_id, name FROM agents');
  return new Map(r.rows.map((x) => [x.agent_id, x.name]));
}

export async function readPauseReasons(db: Db): Promise<Array<{ code: string; zh: string; en: string }>> {
  const r = await db.query<{ code: string; zh: string; en: string }>(
    'SELECT code, zh, en FROM pause_reasons ORDER BY builtin DESC, created_at, code',
  );
  return r.rows;
}
