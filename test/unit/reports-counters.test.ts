import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  addCounts,
  AGENT_COUNTERS,
  AGENT_TIME_COUNTERS,
  CALL_COUNTERS,
  counterAdder,
  counterNames,
  SHOWN_CALL_COUNTERS,
  STAFF_COUNTERS,
  zeroCounts,
  type CounterKind,
  type Counters,
} from '../../src/core/metrics/counters.js';
import { intervalReport } from '../../src/core/metrics/definitions.js';
import { agentLines, intervalLines, queueLines } from '../../src/features/reports/assemble.js';
import { agentColumns, INTERVAL_COLUMNS } from '../../src/features/reports/columns.js';
import {
  buildAgentDays,
  buildCallBuckets,
  buildStaffBuckets,
  type AgentDay,
  type CallBucket,
  type DayInput,
  type StaffBucket,
} from '../../src/features/reports/rollup.js';
import * as store from '../../src/features/reports/store.js';

/**
 * The counter declarations (core/metrics/counters.ts) against every shape derived from them: the
 * rollup tables as the migrations create them, the store's queries (through a fake database that
 * plays the INSERT and SELECT), the rows the rollup builds, and the assembled reports and CSV.
 */

const TZ = 'Asia/Shanghai';
const at = (hms: string) => Date.parse(`2008-01-18T${hms}+08:00`);
const S = 1000;

// ---- the rollup tables, as the migrations leave them -----------------------------------------

interface Col {
  type: string;
  notNull: boolean;
}

function migratedTables(): Map<string, Map<string, Col>> {
  const dir = new URL('../../migrations/', import.meta.url);
  const tables = new Map<string, Map<string, Col>>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const sql = readFileSync(new URL(file, dir), 'utf8');
    for (const m of sql.matchAll(/CREATE TABLE IF NOT EXISTS (\w+) \(([\s\S]*?)\n\);/g)) {
      const cols = new Map<string, Col>();
      for (const line of m[2]!.split('\n')) {
        const c = /^\s*(\w+)\s+(\w+)(.*?),?\s*$/.exec(line);
        if (!c || c[1] === 'PRIMARY') continue;
        cols.set(c[1]!, { type: c[2]!, notNull: /NOT NULL/.test(c[3]!) });
      }
      tables.set(m[1]!, cols);
    }
    // A counter added later comes with an ALTER TABLE ... ADD COLUMN.
    for (const m of sql.matchAll(/ALTER TABLE (?:IF EXISTS )?(\w+)\s+ADD COLUMN (?:IF NOT EXISTS )?(\w+)\s+(\w+)([^,;]*)/g)) {
      tables.get(m[1]!)?.set(m[2]!, { type: m[3]!, notNull: /NOT NULL/.test(m[4]!) });
    }
  }
  return tables;
}

/** How each kind is stored: ms sums can pass 2^31 over a busy bucket; a max is null when nothing waited. */
const COLUMN_TYPE: Record<CounterKind, Col> = {
  count: { type: 'integer', notNull: true },
  'sum-ms': { type: 'bigint', notNull: true },
  'max-ms': { type: 'integer', notNull: false },
  'ms-by-key': { type: 'jsonb', notNull: true },
  'agents-by-key': { type: 'jsonb', notNull: true },
};

const ROLLUPS: Array<{ table: string; keys: string[]; counters: Counters }> = [
  { table: 'rpt_calls_5m', keys: ['tz', 'kind', 'bucket', 'queue'], counters: CALL_COUNTERS },
  { table: 'rpt_agent_day', keys: ['tz', 'day', 'agent_id', 'queue'], counters: { ...AGENT_COUNTERS, ...AGENT_TIME_COUNTERS } },
  { table: 'rpt_staff_5m', keys: ['tz', 'bucket'], counters: STAFF_COUNTERS },
];

describe('counter declarations and the rollup tables', () => {
  const tables = migratedTables();

  for (const { table, keys, counters } of ROLLUPS) {
    it(`${table}: its columns are its keys and the declared counters, each stored as its kind`, () => {
      const cols = tables.get(table);
      expect(cols, `${table} is created by a migration`).toBeDefined();
      const declared = Object.values(counters).map((c) => c.column);
      expect(new Set(declared).size).toBe(declared.length);
      expect([...cols!.keys()].sort()).toEqual([...keys, ...declared].sort());
      for (const [name, spec] of Object.entries(counters)) {
        expect({ counter: name, ...cols!.get(spec.column) }).toEqual({ counter: name, ...COLUMN_TYPE[spec.kind] });
      }
    });
  }

  it('every counter is described', () => {
    for (const { counters } of ROLLUPS) for (const spec of Object.values(counters)) expect(spec.description.length).toBeGreaterThan(10);
  });
});

// ---- the store's queries, played by a fake database ---------------------------------------------

/**
 * Plays `INSERT INTO t (cols) SELECT exprs FROM unnest($a, $b, ...) AS t(aliases)` into rows keyed by
 * column, and answers a SELECT with the stored rows (bigint columns as text, as pg gives them).
 */
class FakeDb {
  readonly rows = new Map<string, Array<Record<string, unknown>>>();
  readonly types = migratedTables();

  query(text: string, params: unknown[] = []): Promise<{ rows: unknown[]; rowCount: number }> {
    const sql = text.replace(/\s+/g, ' ').trim();
    if (/^(DELETE|INSERT INTO rpt_days)/.test(sql)) return Promise.resolve({ rows: [], rowCount: 0 });
    const ins = /^INSERT INTO (\w+) \(([^)]*)\) SELECT (.*) FROM unnest\((.*)\) AS t\(([^)]*)\)$/.exec(sql);
    if (ins) return Promise.resolve(this.insert(ins[1]!, split(ins[2]!), split(ins[3]!), split(ins[4]!), split(ins[5]!), params));
    const sel = /^SELECT (.*?) FROM (rpt_\w+) WHERE/.exec(sql);
    if (sel) return Promise.resolve(this.select(sel[2]!, split(sel[1]!)));
    throw new Error(`fake db does not know: ${sql}`);
  }

  private insert(table: string, cols: string[], exprs: string[], arrays: string[], aliases: string[], params: unknown[]) {
    const param = (p: string) => params[Number(/^\$(\d+)/.exec(p)![1]) - 1];
    // Every parameter is used, in order, and each array lines up with one alias.
    const used = [...exprs, ...arrays].flatMap((e) => [...e.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    expect([...new Set(used)].sort((a, b) => a - b)).toEqual(params.map((_, i) => i + 1));
    expect(arrays).toHaveLength(aliases.length);
    expect(exprs).toHaveLength(cols.length);
    const columns = arrays.map((a) => param(a) as unknown[]);
    const n = columns[0]!.length;
    for (const c of columns) expect(c).toHaveLength(n);
    const list = this.rows.get(table) ?? [];
    for (let i = 0; i < n; i++) {
      const alias = (name: string) => columns[aliases.indexOf(name)]![i];
      const row: Record<string, unknown> = {};
      cols.forEach((col, j) => {
        const e = exprs[j]!;
        const ts = /^to_timestamp\((\w+) \/ 1000\.0\)$/.exec(e);
        if (e.startsWith('$')) row[col] = param(e);
        else if (ts) row[col] = alias(ts[1]!);
        else if (aliases.includes(e)) row[col] = alias(e);
        else throw new Error(`fake db cannot evaluate ${e}`);
        const type = this.types.get(table)!.get(col)!.type;
        if (type === 'jsonb') row[col] = JSON.parse(row[col] as string);
        if (type === 'bigint') row[col] = String(row[col]);
      });
      list.push(row);
    }
    this.rows.set(table, list);
    return { rows: [], rowCount: n };
  }

  private select(table: string, exprs: string[]) {
    const rows = (this.rows.get(table) ?? []).map((r) => {
      const out: Record<string, unknown> = {};
      for (const e of exprs) {
        const ms = /^\(extract\(epoch FROM (\w+)\) \* 1000\)::float8 AS (\w+)$/.exec(e);
        const day = /^to_char\((\w+), 'YYYY-MM-DD'\) AS (\w+)$/.exec(e);
        if (ms) out[ms[2]!] = r[ms[1]!];
        else if (day) out[day[2]!] = r[day[1]!];
        else if (e in r) out[e] = r[e];
        else throw new Error(`fake db cannot select ${e}`);
      }
      return out;
    });
    return { rows, rowCount: rows.length };
  }
}

/** Splits a list at top-level commas. */
function split(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** A value per counter, each different from the others and from zero, so a counter put in another's place shows. */
function distinct<D extends Counters>(d: D, seed: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  counterNames(d).forEach((name, i) => {
    const v = seed + 7 * (i + 1);
    const kind = d[name]!.kind;
    out[name] = kind === 'count' ? v : kind === 'sum-ms' || kind === 'max-ms' ? v * 1000 + 0.4 : { a: v, b: v + 0.5 };
  });
  return out;
}

describe('counter declarations and the store', () => {
  const key: store.DayKey = { tz: TZ, day: '2008-01-18', from: at('00:00:00'), to: at('00:00:00') + 86_400_000, snap: '1:1:', version: 1 };
  const db = () => new FakeDb() as unknown as pg.PoolClient & FakeDb;

  it('stores every call counter in its column and reads it back (ms rounded, as the columns hold them)', async () => {
    const rows = [0, 1].map(
      (i) => ({ bucket: at('09:00:00') + i * 300_000, queue: `q${i}`, ...distinct(CALL_COUNTERS, i * 100) }) as unknown as CallBucket,
    );
    rows[1]!.longestWaitMs = null;
    const fake = db();
    await store.saveCallBuckets(fake, key, 'calls:t20:s5', rows);
    const stored = fake.rows.get('rpt_calls_5m')!;
    for (const [name, spec] of Object.entries(CALL_COUNTERS)) {
      const v = rows[0]![name as keyof CallBucket];
      expect(Number(stored[0]![spec.column]), name).toBe(spec.kind === 'count' ? v : Math.round(v as number));
    }
    const back = await store.readCallBuckets(fake, TZ, 'calls:t20:s5', key.from, key.to);
    const rounded = rows.map((r) => ({
      ...r,
      asaMs: Math.round(r.asaMs),
      handleMs: Math.round(r.handleMs),
      longestWaitMs: r.longestWaitMs === null ? null : Math.round(r.longestWaitMs),
    }));
    expect(back).toEqual(rounded);
  });

  it('stores every agent and staffing counter in its column and reads it back', async () => {
    const agents = [
      { agentId: '1001', queue: '*', ...distinct({ ...AGENT_COUNTERS, ...AGENT_TIME_COUNTERS }, 3) },
    ] as unknown as AgentDay[];
    const staff = [{ bucket: at('09:00:00'), ...distinct(STAFF_COUNTERS, 5) }] as unknown as StaffBucket[];
    const fake = db();
    await store.saveStaff(fake, key, 'staff', staff, agents);
    expect(await store.readStaff(fake, TZ, key.from, key.to)).toEqual(staff);
    const back = await store.readAgentDays(fake, TZ, key.day, key.day);
    expect(back).toEqual(agents.map((a) => ({ day: key.day, ...a, handleMs: Math.round(a.handleMs) })));
  });
});

// ---- rows built, rows added, reports assembled ---------------------------------------------------

describe('counter declarations and the rollup rows', () => {
  const input: DayInput = {
    day: '2008-01-18',
    tz: TZ,
    from: Date.parse('2008-01-17T16:00:00Z'),
    to: Date.parse('2008-01-18T16:00:00Z'),
    now: Date.parse('2008-01-20T00:00:00Z'),
    calls: [
      {
        callId: 'a',
        caller: '1',
        queue: 'q',
        startedAt: at('10:02:00'),
        enteredQueueAt: at('10:02:55'),
        endedAt: at('10:04:05'),
        outcome: 'answered',
        abandonedAt: null,
        waitMs: null,
        talkMs: 60 * S,
        agentId: 'x',
      },
    ],
    spans: [{ agentId: 'x', state: 'wrap_up', start: at('10:04:05'), end: at('10:04:25'), callId: 'a' }],
    offers: [{ agentId: 'x', callId: 'a', at: at('10:02:56'), queue: 'q', result: 'answered' }],
  };

  it('a built row holds its place and exactly the declared counters', () => {
    for (const b of buildCallBuckets(input, { targetS: 20, shortAbandonS: 5 }))
      expect(Object.keys(b).sort()).toEqual(['bucket', 'queue', ...counterNames(CALL_COUNTERS)].sort());
    for (const a of buildAgentDays(input)) {
      expect(Object.keys(a).sort()).toEqual(
        ['agentId', 'queue', ...counterNames(AGENT_COUNTERS), ...counterNames(AGENT_TIME_COUNTERS)].sort(),
      );
    }
    for (const s of buildStaffBuckets(input)) expect(Object.keys(s).sort()).toEqual(['bucket', ...counterNames(STAFF_COUNTERS)].sort());
  });

  it('the core interval report counts exactly the shown call counters', () => {
    const [row] = intervalReport(
      input.calls.map((c) => ({ callId: c.callId, startedAt: c.startedAt, endedAt: c.endedAt!, outcome: 'abandoned' as const })),
    );
    expect(
      Object.keys(row!)
        .filter((k) => typeof row![k as keyof typeof row] === 'number' && k !== 'intervalStart')
        .sort(),
    ).toEqual([...SHOWN_CALL_COUNTERS].sort());
  });

  it('zeros add nothing; counts and ms add up, a max keeps the larger, maps add key by key', () => {
    const acc = zeroCounts(CALL_COUNTERS);
    addCounts(CALL_COUNTERS, acc, { ...zeroCounts(CALL_COUNTERS), offered: 2, asaMs: 5, longestWaitMs: 40 });
    addCounts(CALL_COUNTERS, acc, { ...zeroCounts(CALL_COUNTERS), offered: 3, asaMs: 6, longestWaitMs: 30 });
    addCounts(CALL_COUNTERS, acc, zeroCounts(CALL_COUNTERS));
    expect(acc).toEqual({ ...zeroCounts(CALL_COUNTERS), offered: 5, asaMs: 11, longestWaitMs: 40 });
    const t = zeroCounts(AGENT_TIME_COUNTERS);
    addCounts(AGENT_TIME_COUNTERS, t, { msByState: { on_call: 1 }, msByReason: {} });
    addCounts(AGENT_TIME_COUNTERS, t, { msByState: { on_call: 2, available: 3 }, msByReason: { break: 4 } });
    expect(t).toEqual({ msByState: { on_call: 3, available: 3 }, msByReason: { break: 4 } });
    // Each zero row has maps of its own.
    expect(zeroCounts(AGENT_TIME_COUNTERS).msByState).toEqual({});
  });

  it("adding leaves the row's place alone, and a counter name that is not an identifier is refused", () => {
    const row = { bucket: 1, queue: 'q', ...zeroCounts(CALL_COUNTERS) };
    const other: CallBucket = { bucket: 2, queue: 'r', ...zeroCounts(CALL_COUNTERS), answered: 1 };
    counterAdder(CALL_COUNTERS)(row, other);
    expect(row).toMatchObject({ bucket: 1, queue: 'q', answered: 1 });
    expect(() => counterAdder({ 'x; y': { kind: 'count', column: 'x', description: 'not a name' } })).toThrow(/not an identifier/);
  });
});

describe('counter declarations and the assembled reports', () => {
  const base = (): CallBucket => ({ bucket: at('09:00:00'), queue: 'q', ...(distinct(CALL_COUNTERS, 1) as object) }) as CallBucket;

  it('every call counter reaches the queue report, and shown ones appear as they are in interval lines and totals', () => {
    const before = queueLines([base()]);
    for (const name of counterNames(CALL_COUNTERS)) {
      const b = base() as unknown as Record<string, number>;
      b[name] = b[name]! + 1000;
      expect(queueLines([b as unknown as CallBucket]), `${name} changes the queue report`).not.toEqual(before);
    }
    const { lines, totals } = intervalLines([base(), { ...base(), queue: 'r' }], [], { tz: TZ, minutes: 15, targetS: 20, targetSL: 0.8 });
    for (const name of SHOWN_CALL_COUNTERS) {
      expect(lines[0]![name], name).toBe(2 * base()[name]);
      expect(totals[name], name).toBe(2 * base()[name]);
    }
  });

  it('every agent counter reaches the agent report', () => {
    const day = (): AgentDay =>
      ({ agentId: '1001', queue: '*', ...(distinct({ ...AGENT_COUNTERS, ...AGENT_TIME_COUNTERS }, 2) as object) }) as AgentDay;
    const before = agentLines([day()]);
    for (const name of [...counterNames(AGENT_COUNTERS), ...counterNames(AGENT_TIME_COUNTERS)]) {
      const d = day() as unknown as Record<string, unknown>;
      d[name] = typeof d[name] === 'number' ? (d[name] as number) + 1000 : { z: 1 };
      expect(agentLines([d as unknown as AgentDay]), `${name} changes the agent report`).not.toEqual(before);
    }
  });

  it('shown counters are CSV columns headed as declared', () => {
    const heads = INTERVAL_COLUMNS.map((c) => c.zh);
    for (const name of SHOWN_CALL_COUNTERS) expect(heads).toContain(CALL_COUNTERS[name].shown.zh);
    const agentHeads = agentColumns([]).map((c) => c.en);
    for (const spec of Object.values(AGENT_COUNTERS)) if ('shown' in spec) expect(agentHeads).toContain(spec.shown.en);
  });
});
