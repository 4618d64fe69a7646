import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IVR_LIMITS } from '../../src/core/ivr/definition.js';
import { canReach, stronglyConnected, type Graph } from '../../src/core/ivr/graph.js';
import { validateDefinition, type IvrError } from '../../src/core/ivr/validate.js';
import { cpuTimed } from '../support/cpu-time.js';
import { CountingGraph } from '../support/counting-graph.js';

/**
 * An upload is validated on the thread that serves calls: its size is bounded before any other
 * check, and every check is linear, so a hostile definition costs milliseconds, not seconds.
 */

/** The fix-point loop the validator used before (quadratic on a chain), kept as the judge. */
function canExitByFixPoint(graph: Graph, terminal: (id: string) => boolean): Set<string> {
  const canExit = new Set<string>([...graph.keys()].filter(terminal));
  for (let grew = true; grew;) {
    grew = false;
    for (const [id, targets] of graph) {
      if (canExit.has(id) || !targets.some((t) => canExit.has(t))) continue;
      canExit.add(id);
      grew = true;
    }
  }
  return canExit;
}

/** A chain n0 -> n1 -> ... -> n(count-1), the last one hanging up. */
function chain(count: number): Record<string, any> {
  const nodes: Record<string, unknown> = {};
  for (let i = 0; i < count - 1; i++) nodes[`n${i}`] = { kind: 'play', prompt: 'p', next: `n${i + 1}` };
  nodes[`n${count - 1}`] = { kind: 'hangup' };
  return { name: 'chain', start: 'n0', prompts: { p: { zh: '您好' } }, nodes };
}

const chainGraph = (count: number): Map<string, string[]> =>
  new Map(Array.from({ length: count }, (_, i) => [`n${i}`, i + 1 < count ? [`n${i + 1}`] : []]));

function errorsOf(def: unknown): IvrError[] {
  const r = validateDefinition(def);
  if (r.ok) throw new Error('expected validation to fail');
  return r.errors;
}

describe('IVR graph checks', () => {
  it('find the nodes that can exit exactly as the old fix-point loop did, on random graphs', () => {
    const graphs = fc
      .integer({ min: 1, max: 25 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 4 }), { minLength: n, maxLength: n }),
          fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(graphs, ([edges, terminals]) => {
        const graph = new Map(edges.map((ts, i) => [`n${i}`, [...new Set(ts.map((t) => `n${t}`))]]));
        const terminal = (id: string) => terminals[Number(id.slice(1))]!;
        expect([...canReach(graph, terminal)].sort()).toEqual([...canExitByFixPoint(graph, terminal)].sort());
      }),
      { numRuns: 500 },
    );
  });

  // Linear: a few reads of each node (the old fix-point loop read every node once per pass, 20,000
  // passes here, and took about 18 s). Counted, not timed: a loaded machine does not change it.
  const LINEAR = 10 * 20_000;

  it('walk a 20,000-node chain in linear time', () => {
    const graph = new CountingGraph(chainGraph(20_000), LINEAR);
    const exits = canReach(graph, (id) => id === 'n19999');
    const sccs = stronglyConnected(graph);
    expect(exits.size).toBe(20_000);
    expect(sccs).toHaveLength(20_000);
    expect(graph.reads).toBeLessThanOrEqual(LINEAR);
  });

  it('find a 20,000-node loop without exit in linear time', () => {
    const chain = chainGraph(20_000);
    chain.set('n19999', ['n0']);
    const graph = new CountingGraph(chain, LINEAR);
    const exits = canReach(graph, () => false);
    const sccs = stronglyConnected(graph);
    expect(exits.size).toBe(0);
    expect(sccs).toHaveLength(1);
    expect(graph.reads).toBeLessThanOrEqual(LINEAR);
  });

  it('the read count catches a walk that is not linear', () => {
    const graph = new CountingGraph(chainGraph(200), 10 * 200);
    // A fix-point loop: every node re-read once per pass until nothing changes.
    const fixPoint = () => {
      for (let pass = 0; pass < 200; pass++) for (const id of graph.keys()) graph.get(id);
    };
    expect(fixPoint).toThrow(/not linear/);
  });
});

describe('IVR size bounds', () => {
  it('refuse a 20,000-node definition at /nodes before looking at any node', () => {
    const def = chain(20_000);
    // A node that is wrong too: not reported, since nothing past the count is checked.
    def.nodes.n5 = { kind: 'nonsense' };
    const { value: errors, ms } = cpuTimed(() => errorsOf(def));
    expect(errors).toEqual([{ path: '/nodes', field: 'nodes', message: `nodes: at most ${IVR_LIMITS.nodes} nodes (got 20000)` }]);
    expect(ms).toBeLessThan(200);
  });

  it('validate a definition of the largest allowed size in well under a second', () => {
    const def = chain(IVR_LIMITS.nodes);
    const { value: r, ms } = cpuTimed(() => validateDefinition(def));
    expect(r.ok).toBe(true);
    expect(ms).toBeLessThan(200);
  });

  it('refuse one node too many', () => {
    expect(errorsOf(chain(IVR_LIMITS.nodes + 1)).map((e) => e.path)).toEqual(['/nodes']);
  });

  it('refuse too many prompts at /prompts', () => {
    const def = chain(3);
    for (let i = 0; i < IVR_LIMITS.prompts; i++) def.prompts[`extra${i}`] = { zh: '您好' };
    expect(errorsOf(def)).toEqual([
      { path: '/prompts', field: 'prompts', message: `prompts: at most ${IVR_LIMITS.prompts} prompts (got ${IVR_LIMITS.prompts + 1})` },
    ]);
  });

  it('refuse a prompt text longer than the limit, naming it', () => {
    const def = chain(3);
    def.prompts.p.zh = '您'.repeat(IVR_LIMITS.promptText + 1);
    def.prompts.p.en = 'a'.repeat(IVR_LIMITS.promptText);
    const errors = errorsOf(def);
    expect(errors.map((e) => e.path)).toEqual(['/prompts/p/zh']);
    expect(errors[0]!.message).toMatch(/500/);
  });

  it('refuse more holidays or workdays than the limit on an hours node, naming the field', () => {
    const def = chain(3);
    const days = Array.from({ length: IVR_LIMITS.dates + 1 }, (_, i) => new Date(Date.UTC(2030, 0, 1 + i)).toISOString().slice(0, 10));
    def.start = 'hours';
    def.nodes.hours = { kind: 'hours', weekly: {}, holidays: days.map((from) => ({ from })), workdays: days, open: 'n0', closed: 'n0' };
    expect(errorsOf(def).map((e) => e.path)).toEqual(['/nodes/hours/holidays', '/nodes/hours/workdays']);
  });

  it('finds a workday inside one of many holidays the same as a scan would', () => {
    const def = chain(3);
    const days = Array.from({ length: IVR_LIMITS.dates }, (_, i) => new Date(Date.UTC(2030, 0, 1 + 2 * i)).toISOString().slice(0, 10));
    def.start = 'hours';
    def.nodes.hours = {
      kind: 'hours',
      weekly: {},
      holidays: days.map((from) => ({ from })),
      workdays: [days[7], '2030-01-02'],
      open: 'n0',
      closed: 'n0',
    };
    expect(errorsOf(def).map((e) => e.message)).toEqual([
      `node "hours" workdays/0 ${days[7]} falls inside holidays/7 (${days[7]}..${days[7]})`,
    ]);
  });
});
