/**
 * What the dispatcher asks of Redis to keep its copy of every agent (AgentMirror) fresh: agent
 * records read per second by an idle dispatcher (no call waiting) while another instance changes some agents, and
 * the time one refresh takes reading every agent against reading only the changed ones.
 * Writes a section of docs/benchmarks.md.
 *
 *   npm run bench:dispatcher -- --agents 400,10000 --changes 0,100 --seconds 10
 *
 * Real Redis under a private key prefix, deleted afterwards; the routing rules are stood in for.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { redisKeys } from '../src/adapters/redis/keys.js';
import { AgentLiveStore } from '../src/features/agents/agent-live-store.js';
import { QueueStore } from '../src/features/routing/queue-store.js';
import { routingRules } from '../src/core/routing/model.js';
import { Dispatcher } from '../src/features/routing/dispatcher.js';
import { AgentMirror } from '../src/features/agents/agent-mirror.js';
import type { RoutingCatalog } from '../src/features/routing/catalog.js';
import { REPO, requireEnv } from '../test/support/rig.js';
import { unlinkPrefix } from '../test/support/redis.js';

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : d;
};
const AGENTS = arg('agents', '400,10000').split(',').map(Number);
const CHANGES = arg('changes', '0,100').split(',').map(Number);
const SECONDS = Number(arg('seconds', '10'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  agents: number;
  changes: number;
  changedPerS: number;
  readsPerS: number;
  commandsPerS: number;
}
interface Refresh {
  agents: number;
  fullMs: number;
  changedMs: number;
  changed: number;
}

async function seed(live: AgentLiveStore, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `b${String(i).padStart(5, '0')}`);
  for (let i = 0; i < n; i += 500) {
    await Promise.all(
      ids.slice(i, i + 500).map(async (id) => {
        await live.setProfile(id, { name: id, skills: { vat: 1 + (id.charCodeAt(5) % 5) }, queues: ['q'] });
        await live.setRegistered(id, true, 1);
        await live.moveAgent(id, 'login', 1);
      }),
    );
  }
  return ids;
}

async function idleDispatcher(url: string, agents: number, changes: number): Promise<Row> {
  const prefix = `bench-disp-${Date.now() % 1_000_000}`;
  const redis = new Redis(url);
  const other = new Redis(url);
  const live = new AgentLiveStore(redis, redisKeys(prefix));
  const elsewhere = new AgentLiveStore(other, redisKeys(prefix));
  const ids = await seed(elsewhere, agents);
  const rules = routingRules([
    {
      queue: 'q',
      strategy: 'longest_idle',
      preferredAgentS: 10,
      steps: [{ afterS: 0, skills: 'inherit' }],
      wrapUpS: 0,
      ringTimeoutS: 20,
      noAnswerPauseAfter: 0,
    },
  ]);
  const log = pino({ level: 'silent' });
  const dispatcher = new Dispatcher({
    queues: new QueueStore(redis, redisKeys(prefix)),
    liveAgents: live,
    agents: new AgentMirror({ liveAgents: live, now: () => Date.now(), log }),
    routing: { active: async () => ({ rules }), cached: { rules } } as unknown as RoutingCatalog,
    owner: 'bench',
    now: () => Date.now(),
    log,
    deliver: () => undefined,
    expire: () => undefined,
    callBack: async () => undefined,
  });
  dispatcher.start(1000);
  dispatcher.kick();
  await sleep(2000);
  const mine = new Set([redis.stream.localPort]);
  const monitor = await new Redis(url).monitor();
  let reads = 0;
  let commands = 0;
  monitor.on('monitor', (_t: string, args: string[], source: string) => {
    if (!mine.has(Number(source.split(':').pop()))) return;
    commands++;
    if (String(args[0]).toLowerCase() === 'hgetall' && String(args[1]).startsWith(`${prefix}:agent:`)) reads++;
  });
  let k = 0;
  const changer =
    changes > 0
      ? setInterval(() => {
          const id = ids[(k++ * 7919) % ids.length]!;
          void elsewhere.setProfile(id, { name: id, skills: { vat: 1 + (k % 5) }, queues: ['q'] });
        }, 1000 / changes)
      : undefined;
  await sleep(SECONDS * 1000);
  clearInterval(changer);
  monitor.disconnect();
  dispatcher.stop();
  await unlinkPrefix(other, prefix);
  redis.disconnect();
  other.disconnect();
  return { agents, changes, changedPerS: k / SECONDS, readsPerS: reads / SECONDS, commandsPerS: commands / SECONDS };
}

async function refreshTimes(url: string, agents: number): Promise<Refresh> {
  const prefix = `bench-refresh-${Date.now() % 1_000_000}`;
  const redis = new Redis(url);
  const live = new AgentLiveStore(redis, redisKeys(prefix));
  const ids = await seed(live, agents);
  const full: number[] = [];
  const changed: number[] = [];
  const perRefresh = 100;
  for (let round = 0; round < 10; round++) {
    let t = performance.now();
    const all = await live.agentsChangedSince(undefined);
    full.push(performance.now() - t);
    for (let i = 0; i < perRefresh; i++)
      await live.moveAgent(ids[(round * perRefresh + i * 31) % ids.length]!, i % 2 ? 'pause' : 'login', 2);
    t = performance.now();
    const some = await live.agentsChangedSince(all.seq);
    changed.push(performance.now() - t);
    if (some.agents.length > perRefresh) throw new Error(`read ${some.agents.length} agents, ${perRefresh} changed`);
  }
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { agents, fullMs: median(full), changedMs: median(changed), changed: perRefresh };
}

async function main(): Promise<void> {
  const url = requireEnv('REDIS_URL');
  const rows: Row[] = [];
  const refreshes: Refresh[] = [];
  for (const n of AGENTS) {
    for (const c of CHANGES) rows.push(await idleDispatcher(url, n, c));
    refreshes.push(await refreshTimes(url, n));
  }
  const section = [
    "## Keeping the dispatcher's copy of the agents fresh (issue 4)",
    '',
    `Run ${new Date().toISOString()} on ${os.cpus().length} cores, Redis on the same machine. Command: \`npm run bench:dispatcher -- --agents ${AGENTS.join(',')} --changes ${CHANGES.join(',')} --seconds ${SECONDS}\`.`,
    'Each instance keeps a copy of every agent (src/features/agents/agent-mirror.ts), refreshed once a second, for routing (what agents can do and how many calls they took; who is idle the dispatcher reads every round), the expected wait and wallboards.',
    'A refresh reads only the agents changed since the last one (each script that changes an agent records a change number), and every agent once a minute.',
    `Idle dispatcher, no call waiting, for ${SECONDS} s while another instance changed agents' skills at the given rate; counted with Redis MONITOR, the dispatcher's connection only.`,
    '',
    '| agents | agent changes per second (asked / made) | agent records read per second | Redis commands per second |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.agents.toLocaleString('en')} | ${r.changes} / ${r.changedPerS.toFixed(1)} | ${r.readsPerS.toFixed(1)} | ${r.commandsPerS.toFixed(1)} |`,
    ),
    '',
    'One refresh, median of 10: reading every agent (as every refresh did before) against reading the agents changed since the last one.',
    '',
    '| agents | every agent (ms) | changed only (ms) | agents changed |',
    '| --- | --- | --- | --- |',
    ...refreshes.map((r) => `| ${r.agents.toLocaleString('en')} | ${r.fullMs.toFixed(1)} | ${r.changedMs.toFixed(1)} | ${r.changed} |`),
    '',
  ].join('\n');
  const file = path.join(REPO, 'docs', 'benchmarks.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const marker = "## Keeping the dispatcher's copy of the agents fresh (issue 4)";
  const at = old.indexOf(marker);
  const next = at < 0 ? -1 : old.indexOf('\n## ', at + marker.length);
  const kept = at < 0 ? old.trimEnd() : (old.slice(0, at) + (next < 0 ? '' : old.slice(next + 1))).trimEnd();
  writeFileSync(file, `${kept}\n\n${section}`);
  process.stdout.write(`${section}\n`);
}

void main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
