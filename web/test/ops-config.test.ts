import { describe, expect, it } from 'vitest';
import {
  allKeys,
  buildTree,
  digitTo,
  formatRanges,
  holidayOn,
  hoursNode,
  parseRanges,
  queuePaths,
  withHoliday,
  withMenuDigit,
  withNode,
  withoutHoliday,
  withPromptText,
  withWeekly,
  type Ivr,
} from '../src/pages/ops/ivr-doc';
import {
  describeSkills,
  skillsMode,
  withQueue,
  withStep,
  withStepAdded,
  withStepRemoved,
  type Routing,
} from '../src/pages/ops/routing-doc';
import { canonicalYaml, diffRows, diffStats } from '../src/pages/ops/config-diff';
import { problemAt, problemsUnder } from '../src/pages/ops/problems';

/** A small tree shaped like the shipped 12366 one: welcome → hours → main menu → national tax menu → queues. */
const ivr = (): Ivr => ({
  name: 'test',
  start: 'welcome',
  operator: 'other',
  prompts: { welcome: { zh: '您好', en: 'Hello' }, main: { zh: '请按键' }, closed: { zh: '下班了' } },
  nodes: {
    welcome: { kind: 'play', prompt: 'welcome', next: 'hours' },
    hours: {
      kind: 'hours',
      weekly: { mon: [['08:30', '12:00']] },
      holidays: [{ from: '2026-10-01', to: '2026-10-07', name: '国庆节' }],
      workdays: ['2026-10-10'],
      open: 'main',
      closed: 'bye',
    },
    bye: { kind: 'hangup', prompt: 'closed' },
    main: { kind: 'menu', prompt: 'main', options: { '0': 'other', '2': 'ntax', '1': 'finance' }, onRetriesExhausted: 'other' },
    ntax: { kind: 'menu', prompt: 'main', options: { '1': 'ntax.vat', '*': 'main' }, onRetriesExhausted: 'other' },
    'ntax.vat': { kind: 'queue', queue: 'ntax-vat', skills: { vat: 1 }, line: '国税' },
    finance: { kind: 'queue', queue: 'finance', skills: {}, line: '财政' },
    other: { kind: 'queue', queue: 'other', skills: {}, line: '其它' },
    orphan: { kind: 'hangup' },
  },
});

describe('the IVR tree the page draws', () => {
  it('starts at the start node, each node expanded once where first met, keys as on a phone (1..9, 0, *)', () => {
    const [root, orphan] = buildTree(ivr());
    expect(root!.nodeId).toBe('welcome');
    const hours = root!.children[0]!;
    expect(hours).toMatchObject({ nodeId: 'hours', via: 'next' });
    expect(hours.children.map((c) => [c.via, c.nodeId])).toEqual([
      ['open', 'main'],
      ['closed', 'bye'],
    ]);
    const main = hours.children[0]!;
    expect(main.children.map((c) => [c.via, c.nodeId, !!c.ref])).toEqual([
      ['1', 'finance', false],
      ['2', 'ntax', false],
      ['0', 'other', false],
      ['retries', 'other', true],
    ]);
    const ntax = main.children[1]!;
    // '*' back to main: a link, not the whole menu again (no endless tree).
    expect(ntax.children.map((c) => [c.via, c.nodeId, !!c.ref])).toEqual([
      ['1', 'ntax.vat', false],
      ['*', 'main', true],
      ['retries', 'other', true],
    ]);
    expect(orphan).toMatchObject({ nodeId: 'orphan', kind: 'hangup', children: [] });
    const keys = allKeys(buildTree(ivr()));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('shows a missing target as such rather than failing', () => {
    const def = withNode(ivr(), 'welcome', { kind: 'play', prompt: 'welcome', next: 'nowhere' });
    expect(buildTree(def)[0]!.children[0]).toMatchObject({ nodeId: 'nowhere', kind: 'missing' });
  });
});

describe('the IVR paths of the simulator', () => {
  it('lists the keys that reach each queue, the shortest way, through an open hours node', () => {
    expect(queuePaths(ivr())).toEqual([
      { digits: '0', nodeId: 'other', queue: 'other' },
      { digits: '1', nodeId: 'finance', queue: 'finance' },
      { digits: '21', nodeId: 'ntax.vat', queue: 'ntax-vat' },
    ]);
  });
});

describe('IVR edits', () => {
  it('change a prompt text without touching the document given; an empty English removes it', () => {
    const def = ivr();
    const zh = withPromptText(def, 'welcome', 'zh', '你好，欢迎');
    expect(zh.prompts.welcome).toEqual({ zh: '你好，欢迎', en: 'Hello' });
    expect(def.prompts.welcome!.zh).toBe('您好');
    expect(withPromptText(def, 'welcome', 'en', '').prompts.welcome).toEqual({ zh: '您好' });
  });

  it('move a menu option to another key, never onto a taken one', () => {
    const def = ivr();
    expect(digitTo(def, 'ntax')).toEqual({ menuId: 'main', digit: '2' });
    const moved = withMenuDigit(def, 'main', '2', '5')!;
    expect(moved.nodes.main).toMatchObject({ options: { '0': 'other', '5': 'ntax', '1': 'finance' } });
    expect(digitTo(moved, 'ntax')).toEqual({ menuId: 'main', digit: '5' });
    expect(withMenuDigit(def, 'main', '2', '1')).toBeUndefined();
    expect(withMenuDigit(def, 'main', '2', '12')).toBeUndefined();
    expect(withMenuDigit(def, 'ntax.vat', '2', '5')).toBeUndefined();
  });

  it('holidays: which one a day is in, add one in date order, remove one; weekly hours set and cleared', () => {
    const { id, node } = hoursNode(ivr())!;
    expect(id).toBe('hours');
    expect(holidayOn(node, '2026-10-03')).toMatchObject({ name: '国庆节', index: 0 });
    expect(holidayOn(node, '2026-10-08')).toBeUndefined();
    const added = withHoliday(node, { from: '2026-06-19', to: '2026-06-19', name: '端午节' });
    expect(added.holidays).toEqual([{ from: '2026-06-19', name: '端午节' }, node.holidays![0]]);
    expect(withoutHoliday(added, 1).holidays).toEqual([{ from: '2026-06-19', name: '端午节' }]);
    const sat = withWeekly(node, 'sat', [['09:00', '12:00']]);
    expect(sat.weekly.sat).toEqual([['09:00', '12:00']]);
    expect('mon' in withWeekly(node, 'mon', []).weekly).toBe(false);
    expect(node.weekly.mon).toEqual([['08:30', '12:00']]);
  });

  it('reads and writes opening ranges as one line', () => {
    expect(
      formatRanges([
        ['08:30', '12:00'],
        ['13:30', '17:30'],
      ]),
    ).toBe('08:30-12:00, 13:30-17:30');
    expect(parseRanges('8:30-12:00，13:30-17:30')).toEqual([
      ['08:30', '12:00'],
      ['13:30', '17:30'],
    ]);
    expect(parseRanges('')).toEqual([]);
    expect(parseRanges('morning')).toBeUndefined();
  });
});

const routing = (): Routing => ({
  skills: [{ code: 'vat', zh: '增值税' }],
  queues: [
    { queue: 'other', strategy: 'longest_idle', steps: [{ afterS: 0, skills: 'any' }], wrapUpS: 20, ringTimeoutS: 15 },
    {
      queue: 'ntax-vat',
      strategy: 'longest_idle',
      steps: [
        { afterS: 0, skills: { vat: 4 } },
        { afterS: 30, skills: 'inherit' },
      ],
      onExpiry: { afterS: 180, action: 'overflow', toQueue: 'other' },
      wrapUpS: 20,
      ringTimeoutS: 15,
    },
  ],
});

describe('routing edits', () => {
  it('change a queue and a step, add and remove steps, leaving the given document as it was', () => {
    const doc = routing();
    const s = withQueue(doc, 1, { strategy: 'most_skilled', onExpiry: undefined });
    expect(s.queues[1]!.strategy).toBe('most_skilled');
    expect('onExpiry' in s.queues[1]!).toBe(false);
    expect(doc.queues[1]!.strategy).toBe('longest_idle');
    const step = withStep(doc, 1, 0, { skills: { cit: 3 } });
    expect(step.queues[1]!.steps[0]).toEqual({ afterS: 0, skills: { cit: 3 } });
    expect(doc.queues[1]!.steps[0]!.skills).toEqual({ vat: 4 });
    const added = withStepAdded(doc, 1);
    expect(added.queues[1]!.steps[2]).toEqual({ afterS: 90, skills: 'any' });
    expect(withStepRemoved(added, 1, 1).queues[1]!.steps.map((x) => x.afterS)).toEqual([0, 90]);
  });

  it('describes what a step asks for', () => {
    expect(skillsMode('any')).toBe('any');
    expect(skillsMode({ vat: 4 })).toBe('skills');
    expect(describeSkills({ vat: 4, cit: 3 }, (c) => (c === 'vat' ? '增值税' : c))).toBe('增值税 ≥ 4, cit ≥ 3');
    expect(describeSkills('inherit')).toBe('inherit');
  });
});

describe('version diffs', () => {
  it('compare canonical YAML: key order does not count, a changed value does', () => {
    expect(canonicalYaml({ b: 1, a: { d: 2, c: 3 } })).toBe('a:\n  c: 3\n  d: 2\nb: 1\n');
    const a = routing();
    const reverse = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverse)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverse(x)]),
            )
          : v;
    const reordered = reverse(a);
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(a));
    expect(diffStats(diffRows(a, reordered))).toEqual({ added: 0, removed: 0 });
    const b = withStep(a, 1, 0, { afterS: 0, skills: { vat: 5 } });
    const rows = diffRows(a, b, 1);
    expect(rows.filter((r) => r.kind === 'del').map((r) => r.text.trim())).toEqual(['vat: 4']);
    expect(rows.filter((r) => r.kind === 'add').map((r) => r.text.trim())).toEqual(['vat: 5']);
    // One line of context either side, the rest folded into counted skips.
    const shown = rows.filter((r) => r.kind !== 'skip').length;
    const hidden = rows.filter((r) => r.kind === 'skip').reduce((n, r) => n + Number(r.text), 0);
    expect(shown).toBe(4);
    expect(shown + hidden - 1).toBe(canonicalYaml(a).trim().split('\n').length);
    const del = rows.find((r) => r.kind === 'del')!;
    const add = rows.find((r) => r.kind === 'add')!;
    expect(del.oldNo).toBe(add.newNo);
  });
});

describe('problems at their fields', () => {
  it('finds the message for a field, and those under a node', () => {
    const problems = [
      { path: '/queues/1/steps/0/afterS', message: 'must be >= 0' },
      { path: '/nodes/ntax.vat/queue', message: 'names unknown queue "x"' },
      { path: '/nodes/ntax.vat', message: 'is not reachable' },
    ];
    expect(problemAt(problems, 'queues/1/steps/0/afterS')).toBe('must be >= 0');
    expect(problemAt(problems, 'queues/1/steps/1/afterS')).toBeUndefined();
    expect(problemsUnder(problems, 'nodes/ntax.vat').length).toBe(2);
    expect(problemsUnder(problems, 'nodes/ntax').length).toBe(0);
  });
});
