import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentsLeftBehind, checkAgentRefs, checkIvrRefs, checkRoutingRefs } from '../../src/core/config/cross-check.js';
import type { IvrDefinition } from '../../src/core/ivr/definition.js';
import { validateDefinition } from '../../src/core/ivr/validate.js';
import { validateRoutingConfig, type RoutingConfig } from '../../src/core/routing/config.js';

const read = (file: string) => parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));
const ivr = validateDefinition(read('ivr/12366.yaml'));
const routing = validateRoutingConfig(read('routing/12366.yaml'));
if (!ivr.ok || !routing.ok) throw new Error('the shipped configuration does not validate');
const tree: IvrDefinition = ivr.def;
const rules: RoutingConfig = routing.config;

const queueOf = (q: unknown) => (q as { queue: string }).queue;
const without = (c: RoutingConfig, drop: { queues?: string[]; skills?: string[] }): RoutingConfig => ({
  skills: c.skills.filter((s) => !drop.skills?.includes(s.code)),
  queues: c.queues.filter((q) => !drop.queues?.includes(queueOf(q))),
});
/** Node ids using each queue and each skill, read off the tree independently of the code under test. */
const usersOf = (kind: 'queue' | 'skill', name: string) =>
  Object.entries(tree.nodes)
    .filter(([, n]) =>
      kind === 'queue' ? (n.kind === 'queue' || n.kind === 'voicemail') && n.queue === name : n.kind === 'queue' && name in n.skills,
    )
    .map(([id]) => id)
    .sort();
const usedQueues = [...new Set(Object.values(tree.nodes).flatMap((n) => (n.kind === 'queue' || n.kind === 'voicemail' ? [n.queue] : [])))];
const usedSkills = [...new Set(Object.values(tree.nodes).flatMap((n) => (n.kind === 'queue' ? Object.keys(n.skills) : [])))];

describe('IVR against routing', () => {
  it('the shipped IVR tree and routing configuration agree', () => {
    expect(checkIvrRefs(tree, { version: 1, config: rules })).toEqual([]);
    expect(checkRoutingRefs(rules, { version: 1, def: tree })).toEqual([]);
  });

  it('names the node and field of a missing queue and a missing skill', () => {
    const pilot = structuredClone(tree);
    (pilot.nodes['ntax.vat'] as { queue: string }).queue = 'vat-pilot';
    (pilot.nodes['ntax.cit'] as { skills: Record<string, number> }).skills = { cit: 1, 'cit/export': 2 };
    expect(checkIvrRefs(pilot, { version: 7, config: rules })).toEqual([
      {
        path: '/nodes/ntax.vat/queue',
        nodeId: 'ntax.vat',
        field: 'queue',
        message: 'node "ntax.vat" sends calls to queue "vat-pilot", which routing version 7 does not have',
      },
      {
        path: '/nodes/ntax.cit/skills/cit~1export',
        nodeId: 'ntax.cit',
        field: 'skills/cit~1export',
        message: 'node "ntax.cit" requires skill "cit/export", which routing version 7 does not have',
      },
    ]);
  });

  it('a voicemail node needs its queue too (the callback list the message lands in)', () => {
    const r = checkIvrRefs(tree, { config: without(rules, { queues: ['other'] }) });
    expect(r.map((p) => p.path)).toEqual(expect.arrayContaining(['/nodes/callback/queue', '/nodes/other/queue']));
    expect(r[0]!.message).toMatch(/the routing configuration does not have/);
  });

  it('removing any set of queues and skills the IVR uses: exactly one problem per node and reference, at its path', () => {
    fc.assert(
      fc.property(fc.subarray(usedQueues), fc.subarray(usedSkills), (queues, skills) => {
        const config = without(rules, { queues, skills });
        const want = [
          ...queues.flatMap((q) => usersOf('queue', q).map((id) => `/nodes/${id}/queue`)),
          ...skills.flatMap((s) => usersOf('skill', s).map((id) => `/nodes/${id}/skills/${s}`)),
        ].sort();
        expect(
          checkIvrRefs(tree, { config })
            .map((p) => p.path)
            .sort(),
        ).toEqual(want);
        // Seen from the routing side: the same references, at /queues and /skills, each naming the node.
        const back = checkRoutingRefs(config, { version: 3, def: tree });
        expect(back.length).toBe(want.length);
        for (const q of queues) {
          for (const id of usersOf('queue', q)) {
            expect(back).toContainEqual({
              path: '/queues',
              message: `queue "${q}" is missing: IVR version 3 node "${id}" sends calls to it`,
            });
          }
        }
        for (const s of skills) {
          for (const id of usersOf('skill', s)) {
            expect(back).toContainEqual({
              path: '/skills',
              message: `skill "${s}" is not declared: IVR version 3 node "${id}" requires it`,
            });
          }
        }
      }),
    );
  });

  it('queues and skills the IVR does not use may go', () => {
    const extra: RoutingConfig = {
      skills: [...rules.skills, { code: 'customs', zh: '海关' }],
      queues: [...rules.queues, { queue: 'customs' }],
    };
    expect(checkRoutingRefs(without(extra, { queues: ['customs'], skills: ['customs'] }), { version: 1, def: tree })).toEqual([]);
  });
});

describe('agent against routing', () => {
  it('accepts declared skills and existing queues, and an agent with none', () => {
    expect(checkAgentRefs({ skills: { vat: 4, invoice: 2 }, queues: ['ntax-vat', 'other'] }, { config: rules })).toEqual([]);
    expect(checkAgentRefs({ skills: {}, queues: [] }, { config: rules })).toEqual([]);
    expect(checkAgentRefs({}, { config: rules })).toEqual([]);
  });

  it('names each unknown skill by code and each unknown queue by position', () => {
    expect(checkAgentRefs({ skills: { vat: 4, vatt: 3 }, queues: ['other', 'nowhere'] }, { version: 4, config: rules })).toEqual([
      { path: '/skills/vatt', message: 'skill "vatt" is not declared in routing version 4' },
      { path: '/queues/1', message: 'queue "nowhere" does not exist in routing version 4' },
    ]);
  });

  it('any agent built from the configuration passes; any one foreign name is caught at its path', () => {
    const codes = rules.skills.map((s) => s.code);
    const names = rules.queues.map(queueOf);
    const agent = fc.record({
      skills: fc.dictionary(fc.constantFrom(...codes), fc.integer({ min: 1, max: 5 })),
      queues: fc.uniqueArray(fc.constantFrom(...names)),
    });
    const foreign = fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}$/).filter((x) => !codes.includes(x) && !names.includes(x));
    fc.assert(
      fc.property(agent, foreign, fc.boolean(), (a, name, asSkill) => {
        expect(checkAgentRefs(a, { config: rules })).toEqual([]);
        const bad = asSkill ? { ...a, skills: { ...a.skills, [name]: 3 } } : { ...a, queues: [...a.queues, name] };
        const problems = checkAgentRefs(bad, { config: rules });
        expect(problems.map((p) => p.path)).toEqual([asSkill ? `/skills/${name}` : `/queues/${a.queues.length}`]);
      }),
    );
  });
});

describe('agents a routing version leaves behind', () => {
  const agent = (agentId: string, skills: Record<string, number>, queues: string[]) => ({ agentId, skills, queues });

  it('none when every agent holds declared skills and serves existing queues', () => {
    expect(agentsLeftBehind(rules, [agent('1001', { vat: 4 }, ['ntax-vat']), agent('1002', {}, [])])).toEqual([]);
  });

  it('one problem per dropped queue or skill, naming the agents who still have it', () => {
    const dropped = without(rules, { queues: ['ntax-vat'], skills: ['invoice'] });
    const agents = [
      agent('1002', { vat: 4, invoice: 2 }, ['ntax-vat', 'other']),
      agent('1001', { invoice: 5 }, ['ntax-vat']),
      agent('1003', { vat: 3 }, ['other']),
    ];
    expect(agentsLeftBehind(dropped, agents)).toEqual([
      { path: '/skills', message: 'skill "invoice" is not declared in this version; 2 agents 1001, 1002 still hold it' },
      { path: '/queues', message: 'queue "ntax-vat" is not in this version; 2 agents 1001, 1002 still serve it' },
    ]);
  });

  it('a long list names ten agents and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, i) => agent(String(2000 + i), {}, ['ntax-vat']));
    const [p] = agentsLeftBehind(without(rules, { queues: ['ntax-vat'] }), many);
    expect(p!.message).toBe(
      'queue "ntax-vat" is not in this version; 25 agents 2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009 and 15 more still serve it',
    );
  });
});
