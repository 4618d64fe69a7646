import { describe, expect, it } from 'vitest';
import { beijingMonth, formProblems, reviewTotal, scoreProblem, unscored } from '../src/pages/quality/score';
import { qualityChart } from '../src/pages/quality/quality-chart';
import type { FormItem } from '../src/pages/quality/types';
import { beijingDayEnd, beijingDayStart, formatBytes, holdRefProblem, recordingsUrl } from '../src/pages/recordings/recording-format';
import { byCall, supervisorPhone, type Supervision } from '../src/pages/wallboard/supervision';

const zh = (z: string) => z;
const items: FormItem[] = [
  { key: 'greeting', label: '开场白', weight: 10, maxScore: 10 },
  { key: 'accuracy', label: '解答准确', weight: 50, maxScore: 8 },
  { key: 'attitude', label: '服务态度', weight: 40, maxScore: 5 },
];

describe('the review total', () => {
  it('is sum(score/max × weight) / sum(weight) × 100, rounded down to one decimal as the backend stores it', () => {
    // 10/10×10 + 6/8×50 + 4/5×40 = 10 + 37.5 + 32 = 79.5 of 100
    expect(reviewTotal(items, { greeting: 10, accuracy: 6, attitude: 4 })).toBe(79.5);
    // 7/10×10 + 5/8×50 + 3/5×40 = 7 + 31.25 + 24 = 62.25 → 62.2
    expect(reviewTotal(items, { greeting: 7, accuracy: 5, attitude: 3 })).toBe(62.2);
    expect(reviewTotal([{ key: 'a', label: 'a', weight: 3, maxScore: 3 }], { a: 1 })).toBe(33.3);
    // Down, never up: 2/3 shows 66.6 as the stored total does.
    expect(reviewTotal([{ key: 'a', label: 'a', weight: 3, maxScore: 3 }], { a: 2 })).toBe(66.6);
  });
  it('counts an unscored or not yet valid item as 0 while typing and names the unscored', () => {
    expect(reviewTotal(items, { greeting: 10 })).toBe(10);
    expect(reviewTotal(items, { greeting: 10, accuracy: 9, attitude: 2.5 })).toBe(10);
    expect(unscored(items, { greeting: 10 }).map((i) => i.key)).toEqual(['accuracy', 'attitude']);
    expect(unscored(items, { greeting: 1, accuracy: 0, attitude: 0 })).toEqual([]);
  });
  it('refuses a score outside 0..max or not whole', () => {
    expect(scoreProblem(items[2]!, 6)?.[0]).toBe('应为 0 到 5 的整数');
    // Whole points only, as the API stores them.
    expect(scoreProblem(items[2]!, 2.5)).not.toBeNull();
    expect(scoreProblem(items[2]!, -1)).not.toBeNull();
    expect(scoreProblem(items[2]!, 5)).toBeNull();
  });
});

describe('the form editor', () => {
  const ok = { key: 'greeting', label: '开场白', weight: 10, maxScore: 10 };
  const at = (list: Parameters<typeof formProblems>[0]) => formProblems(list).map((x) => `${x.index}:${x.field}`);
  it('names each problem at its row and field', () => {
    expect(
      at([ok, { key: 'greeting', label: '', weight: 0, maxScore: 1.5 }, { key: 'Bad Key', label: 'x', weight: 5, maxScore: 5 }]),
    ).toEqual(['1:key', '1:label', '1:weight', '1:maxScore', '2:key']);
    expect(formProblems(items)).toEqual([]);
    expect(formProblems([])[0]?.index).toBe(-1);
  });
  it('refuses what the API refuses: maxScore over 10, weight over 100, labels over 40 or on two lines, over 20 items', () => {
    expect(at([{ ...ok, maxScore: 11 }])).toEqual(['0:maxScore']);
    expect(formProblems([{ ...ok, maxScore: 11 }])[0]?.message[0]).toBe('满分应为 1 到 10 的整数');
    expect(at([{ ...ok, maxScore: 0 }])).toEqual(['0:maxScore']);
    expect(at([{ ...ok, weight: 101 }])).toEqual(['0:weight']);
    expect(at([{ ...ok, label: '字'.repeat(41) }])).toEqual(['0:label']);
    expect(at([{ ...ok, label: '字'.repeat(40) }])).toEqual([]);
    expect(at([{ ...ok, labelEn: 'a\nb' }])).toEqual(['0:labelEn']);
    const many = Array.from({ length: 21 }, (_, i) => ({ ...ok, key: `k${i}` }));
    expect(at(many)).toEqual(['-1:key']);
    expect(at(many.slice(0, 20))).toEqual([]);
    // The API's key rule, no stricter: a saved key starting with a digit does not block a save.
    expect(at([{ ...ok, key: '2nd_try' }])).toEqual([]);
  });
});

describe('recordings', () => {
  it('asks for Beijing days as instants, the end exclusive', () => {
    expect(beijingDayStart('2026-12-07')).toBe('2026-12-06T16:00:00.000Z');
    expect(beijingDayEnd('2026-12-07')).toBe('2026-12-07T16:00:00.000Z');
    const u = new URL(recordingsUrl({ from: '2026-12-01', to: '2026-12-07', caller: ' 0571 ', outcome: 'answered' }, 'c1'), 'http://x');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      from: '2026-11-30T16:00:00.000Z',
      to: '2026-12-07T16:00:00.000Z',
      caller: '0571',
      outcome: 'answered',
      kind: 'mix',
      cursor: 'c1',
    });
  });
  it('checks a hold reference and shows sizes', () => {
    expect(holdRefProblem('  ')).not.toBeNull();
    expect(holdRefProblem('x'.repeat(65))).not.toBeNull();
    expect(holdRefProblem('WO-2026-001')).toBeNull();
    // The API's pattern: no spaces or Chinese in a reference.
    expect(holdRefProblem('投诉 1')).not.toBeNull();
    expect(formatBytes(2_500_000)).toBe('2.4 MB');
    expect(formatBytes(null)).toBe('—');
  });
  it('the month is Beijing’s', () => {
    // 2026-11-30 17:00 UTC is already December in Beijing.
    expect(beijingMonth(Date.UTC(2026, 10, 30, 17))).toBe('2026-12');
  });
});

describe('supervision on the wallboard', () => {
  const s = (id: string, callId: string, mode: Supervision['mode'] = 'listen'): Supervision => ({
    id,
    callId,
    mode,
    phone: '1001',
    supervisor: 'boss',
    state: 'ringing',
    startedAt: '2026-12-07T01:00:00Z',
  });
  it('groups by call and keeps an unchanged call’s list, so its row is not redrawn', () => {
    const first = byCall(new Map(), [s('a', 'c1'), s('b', 'c2')]);
    const again = byCall(first, [s('b', 'c2'), s('a', 'c1')]);
    expect(again.get('c1')).toBe(first.get('c1'));
    const switched = byCall(again, [s('a', 'c1', 'barge'), s('b', 'c2')]);
    expect(switched.get('c1')).not.toBe(first.get('c1'));
    expect(switched.get('c2')).toBe(first.get('c2'));
    expect(byCall(switched, []).size).toBe(0);
  });
  it('rings the account’s own phone, else the remembered one if it looks like an agent id', () => {
    expect(supervisorPhone('1001', '2002')).toBe('1001');
    expect(supervisorPhone(null, '2002')).toBe('2002');
    expect(supervisorPhone(null, 'SIP/evil,x')).toBeNull();
    expect(supervisorPhone(null, null)).toBeNull();
  });
});

describe('the quality chart', () => {
  it('draws averages highest first with the lowest and highest', () => {
    const o = qualityChart(
      [
        { agentId: '1001', agentName: '王芳', reviews: 2, avgTotal: 70, minTotal: 60, maxTotal: 80, byItem: {} },
        { agentId: '1002', agentName: null, reviews: 1, avgTotal: 90, minTotal: 90, maxTotal: 90, byItem: {} },
      ],
      zh,
    ) as { xAxis: { data: string[] }; series: Array<{ data: number[] }> };
    expect(o.xAxis.data).toEqual(['1002', '王芳 (1001)']);
    expect(o.series.map((x) => x.data)).toEqual([
      [90, 70],
      [90, 60],
      [90, 80],
    ]);
  });
});
