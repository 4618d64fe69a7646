import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateDefinition, type IvrError } from '../../src/core/ivr/validate.js';

const shipped = (): any => parse(readFileSync(new URL('../../ivr/12366.yaml', import.meta.url), 'utf8'));

/** A tiny valid definition the cases below break one way at a time. */
function small(): any {
  return {
    name: 'small',
    start: 'menu',
    operator: 'agent',
    prompts: { hello: { zh: '你好' }, bye: { zh: '再见', en: 'Bye' } },
    nodes: {
      menu: { kind: 'menu', prompt: 'hello', options: { '1': 'agent', '2': 'bye' }, onRetriesExhausted: 'agent' },
      agent: { kind: 'queue', queue: 'other', skills: {}, line: '其它' },
      bye: { kind: 'hangup', prompt: 'bye' },
    },
  };
}

function errorsOf(def: unknown, opts?: Parameters<typeof validateDefinition>[1]): IvrError[] {
  const r = validateDefinition(def, opts);
  if (r.ok) throw new Error('expected validation to fail');
  return r.errors;
}

describe('validateDefinition', () => {
  it('accepts the shipped 12366 tree', () => {
    const r = validateDefinition(shipped());
    expect(r.ok ? [] : r.errors).toEqual([]);
    expect(r.ok && r.def.name).toBe('12366-default');
  });

  it('accepts the shipped tree against the queues and skills it names', () => {
    const def = shipped();
    const queues = new Set<string>();
    const skills = new Set<string>();
    for (const n of Object.values<any>(def.nodes)) {
      if (n.queue) queues.add(n.queue);
      for (const s of Object.keys(n.skills ?? {})) skills.add(s);
    }
    expect(validateDefinition(def, { knownQueues: queues, knownSkills: skills }).ok).toBe(true);
  });

  it('reports a missing node reference with path, node id and field', () => {
    const def = shipped();
    def.nodes.ntax.options['5'] = 'vat2';
    expect(errorsOf(def)).toEqual([
      {
        path: '/nodes/ntax/options/5',
        nodeId: 'ntax',
        field: 'options/5',
        message: 'node "ntax" option "5" points to missing node "vat2"',
      },
    ]);
  });

  it('reports missing next, open/closed, onRetriesExhausted, start and operator targets', () => {
    const def = small();
    def.start = 'nowhere';
    def.operator = 'ghost';
    def.nodes.menu.onRetriesExhausted = 'gone';
    def.nodes.p = { kind: 'play', prompt: 'hello', next: 'x' };
    def.nodes.h = { kind: 'hours', weekly: {}, open: 'y', closed: 'z' };
    const paths = errorsOf(def).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/start',
        '/operator',
        '/nodes/menu/onRetriesExhausted',
        '/nodes/p/next',
        '/nodes/h/open',
        '/nodes/h/closed',
      ]),
    );
  });

  it('reports an operator that is not a queue node', () => {
    const def = small();
    def.operator = 'bye';
    expect(errorsOf(def)).toContainEqual(
      expect.objectContaining({ path: '/operator', message: 'operator "bye" is a hangup node; it must be a queue node' }),
    );
  });

  it('reports a prompt that is not defined', () => {
    const def = small();
    def.nodes.menu.invalidPrompt = 'oops';
    def.defaults = { timeoutPrompt: 'silence' };
    expect(errorsOf(def)).toEqual([
      { path: '/defaults/timeoutPrompt', field: 'timeoutPrompt', message: 'defaults timeoutPrompt "silence" is not defined in prompts' },
      {
        path: '/nodes/menu/invalidPrompt',
        nodeId: 'menu',
        field: 'invalidPrompt',
        message: 'node "menu" invalidPrompt "oops" is not defined in prompts',
      },
    ]);
  });

  it('reports an unreachable node', () => {
    const def = small();
    def.nodes.orphan = { kind: 'hangup' };
    expect(errorsOf(def)).toEqual([
      { path: '/nodes/orphan', nodeId: 'orphan', message: 'node "orphan" is not reachable from start "menu" or operator "agent"' },
    ]);
  });

  it('counts the 0 convention as an edge to the operator', () => {
    const def = small();
    def.operator = 'person';
    def.nodes.person = { kind: 'queue', queue: 'other', skills: {}, line: '其它' };
    expect(validateDefinition(def).ok).toBe(true);
    def.nodes.menu.conventions = { operator: false };
    def.operator = undefined;
    expect(errorsOf(def).map((e) => e.nodeId)).toEqual(['person']);
  });

  it('reports a cycle without exit', () => {
    const def = small();
    def.nodes.menu.options['3'] = 'a';
    def.nodes.a = { kind: 'menu', prompt: 'hello', options: { '1': 'b' }, onRetriesExhausted: 'b', conventions: { operator: false } };
    def.nodes.b = { kind: 'play', prompt: 'hello', next: 'a' };
    expect(errorsOf(def)).toEqual([
      {
        path: '/nodes/a',
        nodeId: 'a',
        message: 'cycle without exit: nodes "a", "b" never reach a queue, voicemail, transfer or hangup node',
      },
    ]);
  });

  it('does not report a cycle that has an exit', () => {
    const def = small();
    def.nodes.menu.options['3'] = 'a';
    def.nodes.a = { kind: 'menu', prompt: 'hello', options: { '1': 'menu' }, onRetriesExhausted: 'menu', conventions: { operator: false } };
    expect(validateDefinition(def).ok).toBe(true);
  });

  it('reports a node looping to itself', () => {
    const def = small();
    def.nodes.menu.options['3'] = 'spin';
    def.nodes.spin = { kind: 'hours', weekly: {}, open: 'spin', closed: 'spin' };
    expect(errorsOf(def).map((e) => e.message)).toEqual([
      'cycle without exit: node "spin" never reach a queue, voicemail, transfer or hangup node',
    ]);
  });

  it('reports overlapping and inverted hours ranges', () => {
    const def = shipped();
    def.nodes['office-hours'].weekly.mon = [
      ['08:30', '12:00'],
      ['11:30', '17:30'],
      ['19:00', '18:00'],
    ];
    expect(errorsOf(def)).toEqual([
      {
        path: '/nodes/office-hours/weekly/mon/2',
        nodeId: 'office-hours',
        field: 'weekly/mon/2',
        message: 'node "office-hours" weekly/mon/2 19:00-18:00 does not end after it starts',
      },
      {
        path: '/nodes/office-hours/weekly/mon/1',
        nodeId: 'office-hours',
        field: 'weekly/mon/1',
        message: 'node "office-hours" weekly/mon/1 11:30-17:30 overlaps weekly/mon/0 08:30-12:00',
      },
    ]);
  });

  it('accepts ranges that touch', () => {
    const def = shipped();
    def.nodes['office-hours'].weekly.sat = [
      ['08:00', '12:00'],
      ['12:00', '24:00'],
    ];
    expect(validateDefinition(def).ok).toBe(true);
  });

  it('reports inverted and overlapping holidays, bad dates and workdays inside holidays', () => {
    const def = shipped();
    const h = def.nodes['office-hours'];
    h.holidays = [
      { from: '2026-03-10', to: '2026-03-01' },
      { from: '2026-05-01', to: '2026-05-05', name: 'Labour' },
      { from: '2026-05-05' },
      { from: '2026-02-30' },
    ];
    h.workdays = ['2026-05-02'];
    expect(errorsOf(def).map((e) => [e.field, e.message])).toEqual([
      ['holidays/0', 'node "office-hours" holidays/0 (2026-03-10..2026-03-01) ends before it starts'],
      ['holidays/3/from', 'node "office-hours" holidays/3 from 2026-02-30 is not a calendar date'],
      ['holidays/3/to', 'node "office-hours" holidays/3 to 2026-02-30 is not a calendar date'],
      ['holidays/2', 'node "office-hours" holidays/2 (2026-05-05..2026-05-05) overlaps holidays/1 (2026-05-01..2026-05-05 Labour)'],
      ['workdays/0', 'node "office-hours" workdays/0 2026-05-02 falls inside holidays/1 (2026-05-01..2026-05-05 Labour)'],
    ]);
  });

  it('reports an unknown time zone', () => {
    const def = shipped();
    def.nodes['office-hours'].timezone = 'Asia/Nowhere';
    expect(errorsOf(def).map((e) => e.path)).toEqual(['/nodes/office-hours/timezone']);
  });

  it('reports unknown queues and skills with the field path', () => {
    const errors = errorsOf(small(), { knownQueues: new Set(['finance']), knownSkills: new Set() });
    expect(errors).toEqual([
      { path: '/nodes/agent/queue', nodeId: 'agent', field: 'queue', message: 'node "agent" names unknown queue "other"' },
    ]);
    const def = small();
    def.nodes.agent.skills = { vat: 2 };
    expect(errorsOf(def, { knownSkills: new Set(['cit']) })).toEqual([
      { path: '/nodes/agent/skills/vat', nodeId: 'agent', field: 'skills/vat', message: 'node "agent" requires unknown skill "vat"' },
    ]);
  });

  describe('schema', () => {
    it('rejects something that is not a definition', () => {
      expect(errorsOf(42)[0]).toMatchObject({ path: '' });
      expect(errorsOf({}).map((e) => e.path)).toEqual(expect.arrayContaining(['/name', '/start', '/prompts', '/nodes']));
    });

    it('checks each node against the schema of its own kind', () => {
      const def = small();
      def.nodes.menu.timeoutS = 'long';
      delete def.nodes.agent.line;
      def.nodes.bye.colour = 'red';
      def.nodes.odd = { kind: 'teleport' };
      expect(errorsOf(def)).toEqual([
        expect.objectContaining({ path: '/nodes/menu/timeoutS', nodeId: 'menu', field: 'timeoutS' }),
        expect.objectContaining({
          path: '/nodes/agent/line',
          nodeId: 'agent',
          field: 'line',
          message: 'node "agent" field "line": is required',
        }),
        expect.objectContaining({ path: '/nodes/bye/colour', nodeId: 'bye', message: 'node "bye": unexpected property "colour"' }),
        expect.objectContaining({
          path: '/nodes/odd/kind',
          message: 'node "odd" has kind "teleport"; expected one of menu, play, hours, queue, voicemail, transfer, hangup',
        }),
      ]);
    });

    it('rejects bad node ids, prompt names, digits, skills and lines', () => {
      const def = small();
      def.nodes.Menu2 = { kind: 'hangup' };
      def.prompts['Hello World'] = { zh: '你好' };
      def.nodes.menu.options.x = 'agent';
      def.nodes.agent.skills = { vat: 6 };
      def.nodes.agent.line = '海关';
      expect(errorsOf(def).map((e) => e.path)).toEqual([
        '/prompts/Hello World',
        '/nodes/Menu2',
        '/nodes/menu/options/x',
        '/nodes/agent/skills/vat',
        '/nodes/agent/line',
      ]);
    });
  });
});
