import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/core/ivr/validate.js';
import { validateRoutingConfig } from '../../src/core/routing/config.js';
import type { AgentLive } from '../../src/features/agents/agent-live-store.js';
import { RoutingSimulator } from '../../src/features/routing/simulator.js';
import { alwaysOpen12366 } from '../support/ivr.js';
import { REPO } from '../support/rig.js';

const def = validateDefinition(alwaysOpen12366());
if (!def.ok) throw new Error('test IVR invalid');
const shippedRouting = () => YAML.parse(readFileSync(path.join(REPO, 'routing', '12366.yaml'), 'utf8'));
const compile = (c: unknown) => {
  const v = validateRoutingConfig(c);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return { config: v.config, rules: v.rules };
};
const active = { version: 5, ...compile(shippedRouting()) };
// A draft in which the VAT queue takes anyone serving it from the start.
const draftConfig = shippedRouting();
const vat = draftConfig.queues.find((q: { queue: string }) => q.queue === 'ntax-vat');
vat.steps = [{ afterS: 0, skills: 'any' }];
const draft = compile(draftConfig);

const agent = (agentId: string, skill: number): AgentLive => ({
  agentId,
  state: 'available',
  registered: true,
  since: 1000,
  callsHandled: 0,
  misses: 0,
  profile: { name: agentId, skills: { vat: skill }, queues: ['ntax-vat'] },
});
// A Wednesday at 10:00 in Hangzhou.
const at = Date.parse('2026-03-11T02:00:00Z');

const simulator = new RoutingSimulator({
  ivr: {
    activeVersion: async () => 3,
    definition: async (v) => (v === 3 || v === 4 ? def.def : Promise.reject(new Error(`IVR version ${v} does not exist`))),
  },
  routing: { active: async () => active, version: async (v) => (v === 6 ? draft : undefined) },
  agents: async () => [agent('A', 5), agent('B', 1)],
  lastAgent: async (caller) => (caller === '057100000001' ? 'B' : undefined),
});

describe('RoutingSimulator', () => {
  it('runs the active versions against the agents as they are, and names the versions it used', async () => {
    const r = await simulator.run({ caller: '057100000002', digits: '21', at });
    if (!r.ok) throw new Error('expected a simulation');
    expect([r.ivrVersion, r.routingVersion, r.preferredAgentId]).toEqual([3, 5, undefined]);
    expect(r.simulation.outcome).toMatchObject({ kind: 'queue', queue: 'ntax-vat' });
    // Shipped rules: vat >= 4 first, so only A.
    expect(r.simulation.steps[0]).toMatchObject({ eligible: ['A'], wouldGet: 'A' });
  });

  it("runs a draft routing version and an older IVR version when asked, with the caller's preferred agent", async () => {
    const r = await simulator.run({ caller: '057100000001', digits: '21', at, ivrVersion: 4, routingVersion: 6 });
    if (!r.ok) throw new Error('expected a simulation');
    expect([r.ivrVersion, r.routingVersion, r.preferredAgentId]).toEqual([4, 6, 'B']);
    // Held for B, whom the shipped rules (vat >= 4) would not even allow.
    expect(r.simulation.steps[0]).toMatchObject({ required: 'any', eligible: ['B'], wouldGet: 'B' });
  });

  it('says which version does not exist', async () => {
    expect(await simulator.run({ caller: '057100000002', digits: '', at, ivrVersion: 9 })).toEqual({
      ok: false,
      missing: 'IVR',
      version: 9,
    });
    expect(await simulator.run({ caller: '057100000002', digits: '', at, routingVersion: 9 })).toEqual({
      ok: false,
      missing: 'routing',
      version: 9,
    });
  });

  it('runs an unsaved routing document (version 0 in the answer), and refuses an invalid one with its problems', async () => {
    const r = await simulator.run({ caller: '057100000002', digits: '21', at, routingDocument: draftConfig });
    if (!r.ok) throw new Error('expected a simulation');
    expect(r.routingVersion).toBe(0);
    expect(r.simulation.steps[0]).toMatchObject({ required: 'any', eligible: ['A', 'B'] });
    const bad = shippedRouting();
    bad.queues[1].steps[0].afterS = -5;
    bad.queues[1].onExpiry.toQueue = 'no-such-queue';
    const refused = await simulator.run({ caller: '057100000002', digits: '21', at, routingDocument: bad });
    expect(refused.ok).toBe(false);
    expect('invalid' in refused && refused.invalid.map((e) => e.path)).toEqual(['/queues/1/steps/0/afterS']);
  });
});
