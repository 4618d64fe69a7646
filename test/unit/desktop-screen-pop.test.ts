import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assemblePop,
  describePath,
  lineLabel,
  parseIvrPath,
  POP_HISTORY_LIMIT,
  regionOf,
  showsCall,
  type PopHistoryEntry,
} from '../../src/core/desktop/screen-pop.js';
import { DEFAULT_HOME, type AreaCodeTable } from '../../src/core/metrics/regions.js';

const table = JSON.parse(readFileSync(new URL('../../data/cn-area-codes.json', import.meta.url), 'utf8')) as AreaCodeTable;

/** The shipped tree's walk for 国税 → 增值税 (keys 2, 1). */
const vatWalk = [
  { nodeId: 'welcome' },
  { nodeId: 'office-hours' },
  { nodeId: 'main' },
  { nodeId: 'ntax', digit: '2' },
  { nodeId: 'ntax.vat', digit: '1' },
];

const earlier = (callId: string, at: number): PopHistoryEntry => ({
  callId,
  at,
  agentId: '1001',
  agentName: '张三',
  outcome: 'answered',
  line: '国税',
  subLine: '增值税',
  summary: null,
});

describe('screen pop: the IVR path', () => {
  it('keeps the keys pressed and the nodes from the first menu answered, leaving out the greeting and the hours check', () => {
    expect(describePath(vatWalk)).toEqual({ keys: ['2', '1'], nodes: ['main', 'ntax', 'ntax.vat'] });
  });
  it('a caller who pressed nothing (the operator after silence) shows where they ended', () => {
    expect(describePath([{ nodeId: 'welcome' }, { nodeId: 'main' }, { nodeId: 'to-agent' }])).toEqual({ keys: [], nodes: ['to-agent'] });
    expect(describePath([])).toEqual({ keys: [], nodes: [] });
  });
  it('the stored "digit:node" strings read back as the session had them', () => {
    const stored = vatWalk.map((p) => (p.digit ? `${p.digit}:${p.nodeId}` : p.nodeId));
    expect(parseIvrPath(stored)).toEqual(vatWalk);
    expect(parseIvrPath(['*:main', '#:x.y'])).toEqual([
      { nodeId: 'main', digit: '*' },
      { nodeId: 'x.y', digit: '#' },
    ]);
    expect(parseIvrPath(null)).toEqual([]);
  });
  it('every key pressed is kept, in order, whatever the walk (property)', () => {
    const entry = fc.record({
      nodeId: fc.stringMatching(/^[a-z.]{1,8}$/),
      digit: fc.option(fc.constantFrom('0', '1', '2', '9', '*'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (walk) => {
        const path = walk.map((e) => (e.digit === undefined ? { nodeId: e.nodeId } : { nodeId: e.nodeId, digit: e.digit }));
        const d = describePath(path);
        expect(d.keys).toEqual(path.filter((p) => p.digit !== undefined).map((p) => p.digit));
        // The last node is always where the caller is; nodes never outnumber the walk.
        if (path.length) expect(d.nodes[d.nodes.length - 1]).toBe(path[path.length - 1]!.nodeId);
        expect(d.nodes.length).toBeLessThanOrEqual(path.length);
      }),
    );
  });
});

describe('screen pop: the caller', () => {
  it('a Hangzhou fixed line, with or without the trunk prefix, is 浙江 杭州 (0571)', () => {
    for (const n of ['057187168660', '57187168660'])
      expect(regionOf(n, table, DEFAULT_HOME)).toMatchObject({ kind: 'home_city', zh: '浙江 杭州（0571）' });
    expect(regionOf('01062345678', table, DEFAULT_HOME)).toMatchObject({ kind: 'other_province', zh: expect.stringContaining('（010）') });
  });
  it('a mobile or a number the table does not know says so instead of guessing a place', () => {
    expect(regionOf('13957168429', table, DEFAULT_HOME)).toMatchObject({ kind: 'mobile', zh: '手机（未知归属地）' });
    expect(regionOf('abc', table, DEFAULT_HOME)).toMatchObject({ kind: 'unknown', zh: '未知' });
    expect(regionOf('+442079460000', table, DEFAULT_HOME)).toMatchObject({ kind: 'international', zh: '国际' });
  });
  it('the business line reads 国税 → 增值税, the line alone without a sub-line, nothing without a line', () => {
    expect(lineLabel('国税', '增值税')).toBe('国税 → 增值税');
    expect(lineLabel('财政', null)).toBe('财政');
    expect(lineLabel(null, '增值税')).toBeNull();
  });
});

describe('screen pop: assembly', () => {
  const facts = {
    callId: 'c-now',
    caller: '057187168660',
    path: vatWalk,
    queue: 'ntax-vat',
    line: '国税',
    subLine: '增值税',
    queuedAt: 1000,
    answeredAt: null,
  };
  it('joins the call, its region and line, and the earlier calls newest first without this one', () => {
    const pop = assemblePop(facts, [earlier('c-1', 10), earlier('c-now', 5000), earlier('c-2', 20)], table, DEFAULT_HOME);
    expect(pop).toMatchObject({
      callId: 'c-now',
      caller: '057187168660',
      region: { kind: 'home_city', zh: '浙江 杭州（0571）' },
      keys: ['2', '1'],
      nodes: ['main', 'ntax', 'ntax.vat'],
      queue: 'ntax-vat',
      lineLabel: '国税 → 增值税',
      queuedAt: 1000,
      answeredAt: null,
    });
    expect(pop.history.map((h) => h.callId)).toEqual(['c-2', 'c-1']);
    expect(pop.history[0]!.summary).toBeNull();
  });
  it(`shows at most ${POP_HISTORY_LIMIT} earlier calls, the newest`, () => {
    const many = Array.from({ length: 25 }, (_, i) => earlier(`c-${i}`, i));
    const pop = assemblePop(facts, many, table, DEFAULT_HOME);
    expect(pop.history).toHaveLength(POP_HISTORY_LIMIT);
    expect(pop.history[0]!.callId).toBe('c-24');
  });
  it('a call is shown while offered, talking and in wrap-up only', () => {
    expect(['reserved', 'on_call', 'wrap_up'].every(showsCall)).toBe(true);
    expect(['logged_out', 'available', 'paused'].some(showsCall)).toBe(false);
  });
});
