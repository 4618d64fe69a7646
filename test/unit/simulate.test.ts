import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/core/simulate.js';
import { validateDefinition } from '../../src/core/ivr/validate.js';
import { validateRoutingConfig } from '../../src/core/routing/config.js';
import type { Agent } from '../../src/core/routing/model.js';
import { alwaysOpen12366 } from '../support/ivr.js';
import { REPO } from '../support/rig.js';

const ivr = (def: unknown) => {
  const v = validateDefinition(def);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.def;
};
const routing = validateRoutingConfig(YAML.parse(readFileSync(path.join(REPO, 'routing', '12366.yaml'), 'utf8')));
if (!routing.ok) throw new Error('shipped routing invalid');
const rules = routing.rules;

const agent = (agentId: string, vat: number, extra: Partial<Agent> = {}): Agent => ({
  agentId,
  state: 'available',
  registered: true,
  skills: { vat },
  queues: ['ntax-vat'],
  idleSince: 1000,
  callsHandled: 0,
  ...extra,
});
const agents = [
  agent('A', 5, { idleSince: 2000 }),
  agent('B', 2, { idleSince: 1000 }),
  agent('C', 5, { state: 'paused' }),
  agent('D', 5, { registered: false }),
];
// A Wednesday at 10:00 in Hangzhou.
const at = Date.parse('2026-03-11T02:00:00Z');

describe('simulator', () => {
  it('2, 1 goes to the VAT queue; each step says who is eligible and who would get the call', () => {
    const s = simulate({ ivr: ivr(alwaysOpen12366()), rules, agents, caller: '057185187424', at, digits: '21' });
    expect(s.path.map((p) => p.nodeId)).toEqual(['welcome', 'office-hours', 'main', 'ntax', 'ntax.vat']);
    expect(s.outcome).toMatchObject({ kind: 'queue', queue: 'ntax-vat', skills: { vat: 1 }, line: '国税', subLine: '增值税' });
    // Shipped rules: vat >= 4, after 30 s vat >= 2, after 90 s anyone serving the queue.
    expect(s.steps).toEqual([
      { afterS: 0, required: { vat: 4 }, eligible: ['A'], wouldGet: 'A' },
      { afterS: 30, required: { vat: 2 }, eligible: ['A', 'B'], wouldGet: 'B' },
      { afterS: 90, required: 'any', eligible: ['A', 'B'], wouldGet: 'B' },
    ]);
    expect(s.expiry).toEqual({ afterS: 180, action: 'overflow', toQueue: 'other' });
  });

  it('a returning caller is held for their last agent while the window lasts', () => {
    const s = simulate({ ivr: ivr(alwaysOpen12366()), rules, agents, caller: '057185187424', at, digits: '21', preferredAgentId: 'A' });
    expect(s.steps[0]).toMatchObject({ eligible: ['A'], wouldGet: 'A' });
  });

  it('outside office hours the shipped tree takes a message; silence in a menu ends where the menu says', () => {
    const shipped = ivr(YAML.parse(readFileSync(path.join(REPO, 'ivr', '12366.yaml'), 'utf8')));
    const sunday = Date.parse('2026-03-15T02:00:00Z');
    expect(simulate({ ivr: shipped, rules, agents, caller: '01012345678', at: sunday, digits: '' }).outcome).toEqual({
      kind: 'voicemail',
      queue: 'other',
    });
    const silent = simulate({ ivr: ivr(alwaysOpen12366()), rules, agents, caller: '01012345678', at, digits: '' });
    expect(silent.outcome).toMatchObject({ kind: 'queue', queue: 'other' });
    expect(silent.path.at(-2)?.nodeId).toBe('to-agent');
  });
});
