/**
 * Knowledge-base search over 100,000 generated articles, alone and while calls are routed.
 *
 *   npm run bench:kb -- --articles 100000 --searches 2000 --rate 40 --call-rate 40 --agents 120
 *
 * --call-rate 0: the searches alone, no call load (quicker, for iterating on the search).
 *
 * Runs under the rig lock, alone. A fresh database (<db>_kbbench) for a service of its own, so the
 * shared tables get nothing; 100,000 articles written straight to it (built by the service's own
 * code: jieba's words, the weighted document), with hits spread over four orders of magnitude.
 * Then a fixed mix of queries (whole words, partial words as typed, one-character typos) sent
 * over HTTP at a fixed rate (an open load: each request leaves at its time whatever the others
 * do; latency counted from that time), first with no calls, then while SIPp places calls at
 * --call-rate through the same service's ACD. Writes docs/benchmarks/kb-search.json and a section of docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { REPO, requireEnv } from '../test/support/rig.js';
import { killHard, spawnService } from '../test/support/process.js';
import { unlinkPrefix } from '../test/support/redis.js';
import { closeFloor, openFloor, placeCalls, releaseStasisApp, type CallFloor } from './call-load.js';
import { populate, queries, type Kind } from './kb-generate.js';
import { buildKb } from '../src/features/kb/index.js';
import type { SearchStage } from '../src/features/kb/search-service.js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce<string[][]>((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1] ?? '']] : acc), []),
);
const ARTICLES = Number(args.articles ?? 100_000);
const SEARCHES = Number(args.searches ?? 2000);
const RATE = Number(args.rate ?? 40);
const CALL_RATE = Number(args['call-rate'] ?? 40);
const AGENTS = Number(args.agents ?? 120);
/** Postgres logs every statement of the bench's database slower than this (ms; postgresql-15-main.log): where the time goes. */
const LOG_SLOW_MS = args['log-slow-ms'] === undefined ? undefined : Number(args['log-slow-ms']);
const TALK_MS = Number(args['talk-ms'] ?? 2000);
const WARMUP = Number(args.warmup ?? 300);
const RUN = String(Date.now() % 100000).padStart(5, '0');
const PREFIX = `kbbench${RUN}`;

const KINDS: Kind[] = ['word', 'partial', 'typo', 'colloquial'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

interface Sample {
  kind: Kind;
  ms: number;
  serverMs: number;
  results: number;
  ok: boolean;
}

/** Each request leaves at its own time (i / rate), whatever the others do; its latency counts from that time. */
async function openLoad(url: string, qs: Array<{ kind: Kind; q: string }>, rate: number): Promise<{ samples: Sample[]; seconds: number }> {
  const t0 = performance.now();
  const token = requireEnv('ADMIN_TOKEN');
  const pending = qs.map(async ({ kind, q }, i) => {
    const due = t0 + (i * 1000) / rate;
    await sleep(Math.max(0, due - performance.now()));
    try {
      const r = await fetch(`${url}/api/kb/search?q=${encodeURIComponent(q)}&limit=20`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await r.json()) as { results?: unknown[]; tookMs?: number };
      return { kind, ms: performance.now() - due, serverMs: body.tookMs ?? NaN, results: body.results?.length ?? 0, ok: r.status === 200 };
    } catch {
      return { kind, ms: performance.now() - due, serverMs: NaN, results: 0, ok: false };
    }
  });
  const samples = await Promise.all(pending);
  return { samples, seconds: (performance.now() - t0) / 1000 };
}

function summary(label: string, run: { samples: Sample[]; seconds: number }) {
  const ms = run.samples.map((s) => s.ms);
  const byKind = Object.fromEntries(
    KINDS.map((k) => {
      const ks = run.samples.filter((s) => s.kind === k);
      return [
        k,
        {
          n: ks.length,
          p99: round(
            pct(
              ks.map((s) => s.ms),
              99,
            ),
          ),
          found: round((ks.filter((s) => s.results > 0).length / ks.length) * 100),
        },
      ];
    }),
  ) as Record<Kind, { n: number; p99: number; found: number }>;
  return {
    label,
    searches: run.samples.length,
    offeredPerS: RATE,
    achievedPerS: round(run.samples.length / run.seconds),
    errors: run.samples.filter((s) => !s.ok).length,
    p50: round(pct(ms, 50)),
    p95: round(pct(ms, 95)),
    p99: round(pct(ms, 99)),
    max: round(Math.max(...ms)),
    serverP99: round(pct(run.samples.map((s) => s.serverMs).filter(Number.isFinite), 99)),
    byKind,
    loopLag: undefined as { p99: number; max: number } | undefined,
  };
}

async function loopLag(url: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${requireEnv('ADMIN_TOKEN')}` } })).text();
  const v = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  const onTime = v('nodejs_eventloop_lag_min_seconds');
  return { p99: round(v('nodejs_eventloop_lag_p99_seconds') - onTime), max: round(v('nodejs_eventloop_lag_max_seconds') - onTime) };
}

async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = new URL(requireEnv('DATABASE_URL'));
  const name = `${url.pathname.slice(1)}_kbbench`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  // Identifiers cannot be parameters; this one is derived from our own configuration and quoted.
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)}`);
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  if (LOG_SLOW_MS !== undefined && Number.isInteger(LOG_SLOW_MS))
    await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(name)} SET log_min_duration_statement = ${LOG_SLOW_MS}`);
  await admin.end();
  const bench = new URL(url);
  bench.pathname = `/${name}`;
  return {
    url: bench.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function main(): Promise<void> {
  const db = await freshDatabase();
  const mainDb = process.env.DATABASE_URL!;
  process.env.DATABASE_URL = db.url;
  const svc = await spawnService({ REDIS_PREFIX: PREFIX, INSTANCE_ID: 'kbbench', LOG_LEVEL: 'warn' });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  let floor: CallFloor | undefined;
  try {
    const built = await populate(pool, ARTICLES);
    process.stderr.write(`[bench] ${ARTICLES} articles in ${built.seconds.toFixed(0)} s\n`);
    const size = (await pool.query<{ s: string }>("SELECT pg_size_pretty(pg_total_relation_size('kb_articles')) AS s")).rows[0]!.s;
    const qs = queries(SEARCHES);
    await openLoad(
      svc.url,
      queries(WARMUP).map((q, i) => ({ ...q, q: `${q.q}${i % 2 ? '' : ' '}` })),
      100,
    );

    await loopLag(svc.url);
    const loadBefore = os.loadavg()[0]!;
    const alone = summary('no calls', await openLoad(svc.url, qs, RATE));
    alone.loopLag = await loopLag(svc.url);
    process.stderr.write(`[bench] alone: ${JSON.stringify(alone)}\n`);

    const stages = await stagesByKind(pool, qs);
    process.stderr.write(`[bench] steps taken: ${JSON.stringify(stages)}\n`);

    const runs = [alone];
    let callLoad: { offeredPerS: number; seconds: number; placed: number; failed: number; achievedPerS: number } | undefined;
    if (CALL_RATE > 0) {
      floor = await openFloor(svc.url, AGENTS, TALK_MS);
      const seconds = Math.ceil(SEARCHES / RATE) + 10;
      const calls = placeCalls(RUN, CALL_RATE, seconds);
      // Searches start once the calls have filled the floor, and end before the callers stop.
      await sleep(5000);
      await loopLag(svc.url);
      const during = summary(`${CALL_RATE} calls/s`, await openLoad(svc.url, qs, RATE));
      during.loopLag = await loopLag(svc.url);
      const placed = await calls;
      callLoad = {
        offeredPerS: CALL_RATE,
        seconds,
        placed: placed.placed,
        failed: placed.failed,
        achievedPerS: round(placed.placed / seconds),
      };
      runs.push(during);
      process.stderr.write(`[bench] with calls: ${JSON.stringify(during)} ${JSON.stringify(callLoad)}\n`);
    }

    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim();
    const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Postgres ${(await pool.query<{ v: string }>('SELECT current_setting($1) AS v', ['server_version'])).rows[0]!.v}`;
    const result = {
      date: new Date().toISOString(),
      commit,
      machine,
      command: `npm run bench:kb -- --articles ${ARTICLES} --searches ${SEARCHES} --rate ${RATE} --call-rate ${CALL_RATE} --agents ${AGENTS} --talk-ms ${TALK_MS}`,
      articles: ARTICLES,
      categories: built.categories,
      tableSize: size,
      populateSeconds: round(built.seconds),
      goal: 'p99 < 50 ms over 100,000 articles while 40 calls/s are routed',
      runs,
      // Which step each kind of query ended at (all words / corrected / the coverage fallback), in %.
      stages,
      // The machine is shared (2 cores): its 1-minute load average before the searches and after them.
      loadAverage: { before: round(loadBefore, 2), after: round(os.loadavg()[0]!, 2) },
      callLoad,
    };
    mkdirSync(path.join(REPO, 'docs', 'benchmarks'), { recursive: true });
    writeFileSync(path.join(REPO, 'docs', 'benchmarks', 'kb-search.json'), JSON.stringify(result, null, 2) + '\n');
    writeSection(result);
  } finally {
    if (floor) await closeFloor(floor).catch((err: Error) => process.stderr.write(`[bench] ${err.message}\n`));
    await releaseStasisApp().catch((err: Error) => process.stderr.write(`[bench] ${err.message}\n`));
    await killHard(svc);
    await pool.end();
    process.env.DATABASE_URL = mainDb;
    await db.drop();
    const redis = new Redis(requireEnv('REDIS_URL'));
    await unlinkPrefix(redis, PREFIX).finally(() => redis.disconnect());
  }
}

/** Which step each query ended at, searched once more directly (not timed): shows the mix exercises the fallback. */
async function stagesByKind(pool: pg.Pool, qs: Array<{ kind: Kind; q: string }>): Promise<Record<Kind, Record<SearchStage, number>>> {
  const { search } = buildKb(pool);
  const out = Object.fromEntries(KINDS.map((k) => [k, { all: 0, corrected: 0, coverage: 0 }])) as Record<Kind, Record<SearchStage, number>>;
  const seen = new Map<string, SearchStage>();
  for (const { kind, q } of qs) {
    let stage = seen.get(q);
    if (!stage) seen.set(q, (stage = (await search.search(q, { statuses: ['published'], limit: 20 })).stage));
    out[kind][stage]++;
  }
  for (const k of KINDS) {
    const n = qs.filter((x) => x.kind === k).length || 1;
    for (const s of ['all', 'corrected', 'coverage'] as const) out[k][s] = round((out[k][s] / n) * 100);
  }
  return out;
}

function writeSection(r: {
  date: string;
  commit: string;
  machine: string;
  command: string;
  articles: number;
  categories: number;
  tableSize: string;
  populateSeconds: number;
  runs: Array<ReturnType<typeof summary> & { loopLag?: { p99: number; max: number } }>;
  callLoad: { offeredPerS: number; seconds: number; placed: number; failed: number } | undefined;
  stages: Record<Kind, Record<SearchStage, number>>;
  loadAverage: { before: number; after: number };
}) {
  const file = path.join(REPO, 'docs', 'benchmarks.md');
  const rows = r.runs.map(
    (x) =>
      `| ${x.label} | ${x.searches} | ${x.offeredPerS} / ${x.achievedPerS} | ${x.errors} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.max} | ${x.serverP99} | ${KINDS.map((k) => x.byKind[k].p99).join(' / ')} | ${KINDS.map((k) => x.byKind[k].found).join(' / ')} | ${x.loopLag?.p99 ?? ''} / ${x.loopLag?.max ?? ''} |`,
  );
  const section = [
    `Run ${r.date} at ${r.commit} on ${r.machine}. Command: \`${r.command}\`. Results also in docs/benchmarks/kb-search.json.`,
    `The machine's 1-minute load average (2 cores, shared with other work): ${r.loadAverage.before} before the searches, ${r.loadAverage.after} after.`,
    '',
    `${r.articles.toLocaleString('en')} published articles in ${r.categories} categories (generated from a vocabulary of tax terms, bench/kb-vocabulary.ts; kb_articles with its indexes ${r.tableSize}), written in ${r.populateSeconds} s`,
    'into a database of its own for a service of its own. Queries over HTTP (`GET /api/kb/search?q=…&limit=20`, the admin token) at a fixed rate, an open load: each leaves at its',
    'time whatever the others do, and its latency counts from that time. The mix: 40 % whole words ("增值税 专用发票"), 25 % partial words as typed ("小规模纳税人留抵退"),',
    '15 % one-character typos of a question phrase, 20 % colloquial questions ("西湖区个体工商户的社保费怎么算": words no article holds all of).',
    `Step each kind ended at (% all words / corrected / coverage fallback): ${KINDS.map((k) => `${k} ${r.stages[k].all} / ${r.stages[k].corrected} / ${r.stages[k].coverage}`).join('; ')}.`,
    r.callLoad
      ? `Then the same queries while SIPp places calls through the same service (ACD: a bench queue, SIPp agents that answer, talk ${TALK_MS / 1000} s and hang up): ${r.callLoad.placed} calls offered at ${r.callLoad.offeredPerS}/s for ${r.callLoad.seconds} s, ${r.callLoad.failed} failed (SIPp: a call fails unless an agent answers it and hangs up).`
      : 'No call load in this run (`--call-rate 0`).',
    '',
    '| load | searches | rate offered / achieved (/s) | errors | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | p99 in the service (tookMs) | p99 word / partial / typo / colloquial (ms) | found % word / partial / typo / colloquial | event loop late p99 / max (ms) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  const [start, end] = ['<!-- kb-search-bench:start -->', '<!-- kb-search-bench:end -->'];
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const block = `${start}\n${section}\n${end}`;
  writeFileSync(
    file,
    old.includes(start) && old.includes(end)
      ? old.slice(0, old.indexOf(start)) + block + old.slice(old.indexOf(end) + end.length)
      : `${old.trimEnd()}\n\n## Knowledge-base search over 100,000 articles (issue 22)\n\n${block}\n`,
  );
  process.stdout.write(`${section}\n`);
}

void main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
