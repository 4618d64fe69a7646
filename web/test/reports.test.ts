import { describe, expect, it } from 'vitest';
import { filterField, reportParams, reportUrl } from '../src/pages/reports/filters';
import { abandonSeries, intervalHasData, intervalSeries, regionShare, trimIntervals } from '../src/pages/reports/series';
import { abandonChart, intervalChart, regionChart } from '../src/pages/reports/charts';
import { HELP } from '../src/pages/reports/help';
import type { AbandonRow, IntervalRow, RegionRow } from '../src/pages/reports/types';

const zh = (z: string) => z;
const en = (_z: string, e: string) => e;

const staffing = (answering = 0, paused = 0) => ({
  answering,
  available: answering,
  reserved: 0,
  onCall: 0,
  wrapUp: 0,
  paused,
  training: paused,
  meeting: 0,
  paperwork: 0,
  break: 0,
  otherPause: 0,
});

function interval(date: string, hhmm: string, o: Partial<IntervalRow> = {}): IntervalRow {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const end = `${String(h + (m === 45 ? 1 : 0)).padStart(2, '0')}:${String((m + 15) % 60).padStart(2, '0')}`;
  return {
    start: `${date}T${hhmm}:00+08:00`,
    end: `${date}T${end}:00+08:00`,
    date,
    label: `${hhmm}~${end}`,
    ivrVisits: 0,
    offered: 0,
    answered: 0,
    abandoned: 0,
    shortAbandoned: 0,
    serviceLevel: null,
    asaMs: null,
    ahtMs: null,
    staffing: staffing(),
    pausedByReason: {},
    trafficErlangs: null,
    agentsNeeded: null,
    predictedServiceLevel: null,
    ...o,
  };
}

describe('report links carry the filters', () => {
  it('builds the JSON and the CSV link from the same parameters, leaving out what is not set', () => {
    const f = { from: '2026-12-01', to: '2026-12-07', queue: 'ntax-vat', minutes: 30 };
    expect(reportUrl('intervals', f)).toBe('/api/reports/intervals?from=2026-12-01&to=2026-12-07&queue=ntax-vat&minutes=30');
    expect(reportUrl('intervals', f, 'csv')).toBe(
      '/api/reports/intervals?from=2026-12-01&to=2026-12-07&queue=ntax-vat&minutes=30&format=csv',
    );
    // minutes is the interval report's alone; no queue means all queues.
    expect(reportUrl('abandons', { ...f, queue: undefined }, 'csv')).toBe('/api/reports/abandons?from=2026-12-01&to=2026-12-07&format=csv');
    expect(reportUrl('abandons', { ...f, caller: '+8657112345678' })).toBe(
      '/api/reports/abandons?from=2026-12-01&to=2026-12-07&queue=ntax-vat&caller=%2B8657112345678',
    );
    expect(reportParams('queues', { ...f, caller: '0571' })).toEqual({ from: '2026-12-01', to: '2026-12-07', queue: 'ntax-vat' });
    expect(reportParams('agents', f)).toEqual({ from: '2026-12-01', to: '2026-12-07', queue: 'ntax-vat' });
  });

  it('asks the region report for the months of the two days', () => {
    expect(reportUrl('regions', { from: '2026-11-28', to: '2027-01-03' }, 'csv')).toBe(
      '/api/reports/regions?from=2026-11&to=2027-01&format=csv',
    );
  });

  it('encodes what it passes on', () => {
    expect(reportUrl('queues', { from: '2026-12-01', to: '2026-12-01', queue: 'a&b' })).toBe(
      '/api/reports/queues?from=2026-12-01&to=2026-12-01&queue=a%26b',
    );
  });

  it('puts an API field error at its filter', () => {
    expect(filterField('to')).toBe('to');
    expect(filterField('from')).toBe('from');
    expect(filterField('queue')).toBe('queue');
    expect(filterField('caller')).toBe('caller');
    expect(filterField('slSeconds')).toBeUndefined();
    expect(filterField(undefined)).toBeUndefined();
  });
});

describe('interval rows as the volume and staffing chart', () => {
  const rows = [
    interval('2026-12-07', '07:45'),
    interval('2026-12-07', '08:00', { staffing: staffing(2, 1) }),
    interval('2026-12-07', '08:15'),
    interval('2026-12-07', '08:30', { ivrVisits: 5, offered: 4, answered: 3, abandoned: 1, staffing: staffing(2.26, 0), agentsNeeded: 3 }),
    interval('2026-12-07', '08:45'),
  ];

  it('keeps the span from the first to the last interval with data, gaps inside included', () => {
    expect(rows.map(intervalHasData)).toEqual([false, true, false, true, false]);
    expect(trimIntervals(rows).map((r) => r.label.slice(0, 5))).toEqual(['08:00', '08:15', '08:30']);
    expect(trimIntervals([interval('2026-12-07', '08:00')])).toEqual([]);
  });

  it('gives calls per interval, agents answering to one decimal and Erlang C advice, null where there is none', () => {
    const s = intervalSeries(rows);
    expect(s).toEqual({
      labels: ['08:00', '08:15', '08:30'],
      offered: [0, 0, 4],
      answered: [0, 0, 3],
      abandoned: [0, 0, 1],
      answering: [2, 0, 2.3],
      needed: [null, null, 3],
    });
  });

  it('labels intervals with their day when the range has several days', () => {
    const s = intervalSeries([interval('2026-12-06', '23:45', { offered: 1 }), interval('2026-12-07', '00:00', { offered: 2 })]);
    expect(s.labels).toEqual(['12-06 23:45', '12-07 00:00']);
  });

  it('draws calls on the left axis and agents on the right, in the page language', () => {
    const o = intervalChart(intervalSeries(rows), zh) as { series: Array<{ name: string; yAxisIndex?: number; data: unknown[] }> };
    expect(o.series.map((x) => [x.name, x.yAxisIndex ?? 0])).toEqual([
      ['来电量', 0],
      ['接听量', 0],
      ['放弃量', 0],
      ['接听人数', 1],
      ['建议人数(Erlang C)', 1],
    ]);
    expect(o.series[0]!.data).toEqual([0, 0, 4]);
    expect((intervalChart(intervalSeries(rows), en) as { series: Array<{ name: string }> }).series[0]!.name).toBe('Offered');
  });
});

describe('regions and abandons as charts', () => {
  const region = (month: string, o: Partial<RegionRow>): RegionRow => ({
    month,
    homeCity: 0,
    homeProvince: 0,
    otherProvince: 0,
    international: 0,
    mobile: 0,
    unknown: 0,
    outsideFixed: 0,
    total: 0,
    ...o,
  });

  it('adds the months up per region and leaves out regions without calls', () => {
    const share = regionShare(
      [region('2026-11', { homeCity: 3, mobile: 1 }), region('2026-12', { homeCity: 2, otherProvince: 4 })],
      '杭州',
      zh,
    );
    expect(share).toEqual([
      { key: 'homeCity', name: '杭州本地电话', value: 5 },
      { key: 'otherProvince', name: '省外电话', value: 4 },
      { key: 'mobile', name: '手机', value: 1 },
    ]);
    expect(regionShare([], '杭州', zh)).toEqual([]);
    const pie = regionChart(share, zh) as { series: Array<{ type: string; data: unknown[] }> };
    expect(pie.series[0]).toMatchObject({ type: 'pie', data: share });
  });

  it('counts abandons per wait band, by where the caller gave up; IVR hang-ups apart', () => {
    const a = (abandonedAt: string, waitMs: number | null): AbandonRow => ({
      callId: `${abandonedAt}-${waitMs}`,
      caller: '057100000000',
      askedAt: '2026-12-07T01:00:00Z',
      node: '国税/增值税',
      queue: 'ntax-vat',
      abandonedAt,
      waitMs,
      short: false,
      calledBack: false,
    });
    const s = abandonSeries(
      [a('queue', 0), a('queue', 9_999), a('queue', 10_000), a('ringing', 25_000), a('queue', 600_000), a('ivr', null)],
      zh,
    );
    expect(s.bands).toEqual(['0–10秒', '10–20秒', '20–30秒', '30–60秒', '60–120秒', '120秒以上']);
    expect(s.queue).toEqual([2, 1, 0, 0, 0, 1]);
    expect(s.ringing).toEqual([0, 0, 1, 0, 0, 0]);
    expect(s.ivr).toBe(1);
    const bars = abandonChart(s, zh) as { series: Array<{ name: string; stack: string; data: number[] }> };
    expect(bars.series.map((x) => [x.name, x.stack])).toEqual([
      ['排队中放弃', 'place'],
      ['振铃中放弃', 'place'],
    ]);
  });
});

describe('column meanings', () => {
  it('explains every column in both languages, the counts in the API’s own words', () => {
    for (const [k, [z, e]] of Object.entries(HELP)) {
      expect(z, k).toMatch(/[\u4e00-\u9fff]/);
      expect(e.length, k).toBeGreaterThan(5);
    }
    expect(HELP.offered[1]).toBe('calls that entered the queue in the bucket');
  });
});

describe('hot topics (热点) filters', () => {
  it('asks for the grouping and one agent, and names the agent filter in errors', () => {
    const f = { from: '2026-12-01', to: '2026-12-07', queue: 'ntax-vat', by: 'agent' as const, agentId: '1001', caller: '0571' };
    expect(reportParams('topics', f)).toEqual({ from: '2026-12-01', to: '2026-12-07', queue: 'ntax-vat', by: 'agent', agentId: '1001' });
    expect(reportUrl('topics', f)).toBe('/api/reports/topics?from=2026-12-01&to=2026-12-07&queue=ntax-vat&by=agent&agentId=1001');
    expect(filterField('agentId')).toBe('agentId');
  });
});
