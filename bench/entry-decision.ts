/**
 * The decision a call entering an empty queue waits for (features/routing/dispatcher.ts
 * candidateOnEntry): which agent, were it the only call waiting. Two ways, interleaved per call:
 *  - a round:  every agent's record rebuilt (what the dispatcher's merge() does each time) and
 *              assign([call], agents) over all of them;
 *  - the index: RoutingIndex.bestAgentFor(call), the agents kept up to date by events.
 * At 400 agents (bench:acd), 1,100 (a province, docs/scale.md) and 10,000.
 *
 *   npm run bench:entry [-- --calls 5000] [--write]   (--write: the section in docs/benchmarks.md)
 */
import { writeSection } from './doc-section.js';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { assign } from '../src/core/routing/assign.js';
import { RoutingIndex } from '../src/core/routing/routing-index.js';
import type { Agent } from '../src/core/routing/model.js';
import { centre, percentile, rules, T0 } from './routing-data.js';

const i = process.argv.indexOf('--calls');
const CALLS = i > 0 ? Number(process.argv[i + 1]) : 5000;
const WARMUP = 500;

const rows: string[] = [];
for (const n of [400, 1100, 10_000]) {
  const c = centre(12366 + n);
  const agents = c.makeAgents(n, 0.35);
  const index = new RoutingIndex(rules);
  for (const a of agents) index.upsertAgent(a);
  const round: number[] = [];
  const indexed: number[] = [];
  let agree = 0;
  for (let k = 0; k < WARMUP + CALLS; k++) {
    const call = { ...c.makeCall(k), enqueuedAt: T0 - 1000, preferredAgentId: undefined, excludedAgents: undefined };
    const t0 = performance.now();
    const rebuilt: Agent[] = agents.map((a) => ({ ...a }));
    const a = assign([call], rebuilt, rules, T0)[0];
    const t1 = performance.now();
    const b = index.bestAgentFor(call, T0);
    const t2 = performance.now();
    if (a?.agentId === b?.agentId) agree++;
    if (k >= WARMUP) {
      round.push((t1 - t0) * 1000);
      indexed.push((t2 - t1) * 1000);
    }
  }
  if (agree !== WARMUP + CALLS) throw new Error(`index and round disagree on ${WARMUP + CALLS - agree} calls at ${n} agents`);
  const f = (x: number) => x.toFixed(1);
  rows.push(
    `| ${n} | ${CALLS} | ${f(percentile(round, 50))} / ${f(percentile(round, 99))} | ${f(percentile(indexed, 50))} / ${f(percentile(indexed, 99))} |`,
  );
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
const section = [
  `Run ${new Date().toISOString()} on ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, commit ${commit}. Command: \`npm run bench:entry -- --calls ${CALLS} --write\`.`,
  `A call entering the queue, asked alone against every agent (35 % of them free), after ${WARMUP} calls of warm-up; both ways timed on the same calls, one after the other, and checked to pick the same agent.`,
  '',
  '| agents | calls | round: rebuild + assign p50 / p99 (µs) | index: bestAgentFor p50 / p99 (µs) |',
  '| --- | --- | --- | --- |',
  ...rows,
].join('\n');
process.stdout.write(`${section}\n`);
if (process.argv.includes('--write')) writeSection(path.join(root, 'docs', 'benchmarks.md'), 'entry-bench', section);
