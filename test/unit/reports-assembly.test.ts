import { paramError } from '../support/param-error.js';
import { describe, expect, it } from 'vitest';
import { agentLines, intervalLines, queueLines, regionLines } from '../../src/features/reports/assemble.js';
import { dayStart, daysBetween, localDay, monthRange, parseDay } from '../../src/features/reports/days.js';
import { agentsQuery, intervalsQuery, regionsQuery } from '../../src/features/reports/params.js';
import { clipSpans, spansFromEvents, toCallRecord, wrapUpByCall, type CallRow } from '../../src/features/reports/records.js';
import {
  buildCallBuckets,
  buildStaffBuckets,
  type CallBucket,
  type DayInput,
  type StaffBucket,
} from '../../src/features/reports/rollup.js';

const TZ = 'Asia/Shanghai';
const at = (hms: string) => Date.parse(`2008-01-18T${hms}+08:00`);
const S = 1000;

const bucket = (hms: string, queue: string, over: Partial<CallBucket> = {}): CallBucket => ({
  bucket: at(hms),
  queue,
  ivrVisits: 0,
  offered: 0,
  answered: 0,
  abandoned: 0,
  shortAbandoned: 0,
  slWithin: 0,
  slDen: 0,
  asaMs: 0,
  asaN: 0,
  arNum: 0,
  arDen: 0,
  longestWaitMs: null,
  handleMs: 0,
  handleN: 0,
  ...over,
});

describe('local days', () => {
  it('turns local days into instants of the zone', () => {
    expect(new Date(dayStart('2008-01-18', TZ)).toISOString()).toBe('2008-01-17T16:00:00.000Z');
    expect(localDay(Date.parse('2008-01-17T16:00:00Z'), TZ)).toBe('2008-01-18');
    expect(localDay(Date.parse('2008-01-17T15:59:59Z'), TZ)).toBe('2008-01-17');
    expect(daysBetween('2008-02-28', '2008-03-01')).toEqual(['2008-02-28', '2008-02-29', '2008-03-01']);
    expect(monthRange('2008-01', '2008-02')).toEqual({ fromDay: '2008-01-01', toDay: '2008-02-29' });
    expect(parseDay('2008-02-30')).toBeUndefined();
    // A zone with summer time: New York's local midnight moves with the offset.
    expect(new Date(dayStart('2024-07-01', 'America/New_York')).toISOString()).toBe('2024-07-01T04:00:00.000Z');
  });
});

describe('report parameters', () => {
  const err = paramError;
  it('defaults and checks', () => {
    expect(intervalsQuery({ from: '2008-01-18' })).toMatchObject({
      from: '2008-01-18',
      to: '2008-01-18',
      minutes: 15,
      slSeconds: 20,
      slTarget: 0.8,
      format: 'json',
      lang: 'zh',
    });
    expect(
      intervalsQuery({ from: '2008-01-18', to: '2008-01-19', slTarget: '.9', slSeconds: '30', minutes: '30', format: 'csv', lang: 'en' }),
    ).toMatchObject({ slTarget: 0.9, slSeconds: 30, minutes: 30, format: 'csv', lang: 'en' });
    expect(err(() => intervalsQuery({ from: '2008-01-18', minutes: '7' }))).toMatch(/^querystring\/minutes: /);
    expect(err(() => intervalsQuery({ from: '2008-01-18', slTarget: '1' }))).toMatch(/^querystring\/slTarget: /);
    expect(err(() => intervalsQuery({ from: '2008-01-18', slSeconds: '0' }))).toMatch(/^querystring\/slSeconds: /);
    expect(err(() => agentsQuery({ from: '2008-01-18', to: '2008-01-17' }))).toMatch(/^querystring\/to: must not be before/);
    expect(err(() => agentsQuery({}))).toMatch(/^querystring\/from: /);
    expect(err(() => regionsQuery({ from: '2008-13' }, () => true))).toMatch(/^querystring\/from: /);
    expect(err(() => regionsQuery({ from: '2008-01', home: '0571' }, () => false))).toMatch(/^querystring\/home: /);
  });
});

describe('stored rows as metric records', () => {
  const row: CallRow = {
    callId: 'c',
    caller: '1',
    queue: 'q',
    startedAt: at('10:00:00'),
    enteredQueueAt: at('10:00:30'),
    endedAt: at('10:05:00'),
    outcome: 'answered',
    abandonedAt: null,
    waitMs: null,
    talkMs: 240 * S,
    agentId: '1001',
  };
  it('answer moment is end − talk; unanswered exits read as neither answered nor abandoned', () => {
    expect(toCallRecord(row, 0, 30 * S).record).toMatchObject({
      outcome: 'answered',
      answeredAt: at('10:01:00'),
      talkMs: 240 * S,
      wrapUpMs: 30 * S,
    });
    expect(toCallRecord({ ...row, outcome: 'rejected', talkMs: null }, 0).record.outcome).toBe('overflow');
    expect(toCallRecord({ ...row, outcome: 'voicemail', talkMs: null }, 0).record.outcome).toBe('voicemail');
    expect(toCallRecord({ ...row, outcome: 'callback_requested', talkMs: null }, 0).record.outcome).toBe('callback');
    expect(toCallRecord({ ...row, outcome: 'abandoned', abandonedAt: 'ringing', waitMs: 40 * S }, 0).record).toMatchObject({
      abandonedAt: 'ringing',
      waitMs: 40 * S,
    });
  });
  it('a call in progress ends now, unsettled unless an agent answered it', () => {
    const open = { ...row, endedAt: null, outcome: null, talkMs: null };
    expect(toCallRecord(open, at('10:03:00'))).toMatchObject({
      inProgress: true,
      record: { outcome: 'overflow', endedAt: at('10:03:00') },
    });
    expect(toCallRecord({ ...open, liveAnswer: { at: at('10:01:00'), waitMs: 30 * S } }, at('10:03:00')).record).toMatchObject({
      outcome: 'answered',
      answeredAt: at('10:01:00'),
      waitMs: 30 * S,
    });
  });
  it('state events become spans that end at the next change; logged-out time is not staffing', () => {
    const spans = spansFromEvents(
      [
        { agentId: 'a', at: at('08:00:00'), to: 'available', pauseReason: null, callId: null },
        { agentId: 'a', at: at('09:00:00'), to: 'wrap_up', pauseReason: null, callId: 'c1' },
        { agentId: 'a', at: at('09:01:00'), to: 'paused', pauseReason: 'break', callId: null },
        { agentId: 'b', at: at('09:30:00'), to: 'logged_out', pauseReason: null, callId: null },
      ],
      at('10:00:00'),
    );
    expect(spans.map((s) => [s.agentId, s.state, s.reason, s.end - s.start])).toEqual([
      ['a', 'available', undefined, 3600 * S],
      ['a', 'wrap_up', undefined, 60 * S],
      ['a', 'paused', 'break', 3540 * S],
      ['b', 'logged_out', undefined, 1800 * S],
    ]);
    expect(wrapUpByCall(spans).get('c1')).toBe(60 * S);
    expect(clipSpans(spans, at('08:30:00'), at('09:00:30')).map((s) => [s.state, s.end - s.start])).toEqual([
      ['available', 1800 * S],
      ['wrap_up', 30 * S],
    ]);
  });
});

describe('day rollup', () => {
  it('keeps the parts of each figure per 5-minute bucket and queue', () => {
    const input: DayInput = {
      day: '2008-01-18',
      tz: TZ,
      from: Date.parse('2008-01-17T16:00:00Z'),
      to: Date.parse('2008-01-18T16:00:00Z'),
      now: Date.parse('2008-01-20T00:00:00Z'),
      calls: [
        // Offered 10:02:55 (bucket 10:00), answered 10:03:05 after 10 s, talk 60 s, wrap 20 s.
        {
          callId: 'a',
          caller: '1',
          queue: 'q',
          startedAt: at('10:02:00'),
          enteredQueueAt: at('10:02:55'),
          endedAt: at('10:04:05'),
          outcome: 'answered',
          abandonedAt: null,
          waitMs: null,
          talkMs: 60 * S,
          agentId: 'x',
        },
        // Offered 10:04:00, abandoned 10:06:00 (bucket 10:05) after 120 s.
        {
          callId: 'b',
          caller: '1',
          queue: 'q',
          startedAt: at('10:03:00'),
          enteredQueueAt: at('10:04:00'),
          endedAt: at('10:06:00'),
          outcome: 'abandoned',
          abandonedAt: 'queue',
          waitMs: 120 * S,
          talkMs: null,
          agentId: null,
        },
        // The day before: none of its moments is in the day.
        {
          callId: 'c',
          caller: '1',
          queue: 'q',
          startedAt: at('10:00:00') - 86_400_000,
          enteredQueueAt: null,
          endedAt: at('10:01:00') - 86_400_000,
          outcome: 'ended_in_ivr',
          abandonedAt: null,
          waitMs: null,
          talkMs: null,
          agentId: null,
        },
      ],
      spans: [{ agentId: 'x', state: 'wrap_up', start: at('10:04:05'), end: at('10:04:25'), callId: 'a' }],
      offers: [],
    };
    const b = buildCallBuckets(input, { targetS: 20, shortAbandonS: 5 });
    expect(
      b.map((x) => [
        new Date(x.bucket).toISOString().slice(11, 16),
        x.ivrVisits,
        x.offered,
        x.answered,
        x.abandoned,
        x.slWithin,
        x.slDen,
        x.asaMs,
        x.arNum,
        x.arDen,
        x.longestWaitMs,
        x.handleMs,
        x.handleN,
      ]),
    ).toEqual([
      // 10:00 bucket: both calls started and were offered here; a answered (within) → SL 1/1, ASA 10 s;
      // abandon rate of the calls offered here: b abandoned / 2 offered; longest wait b's 120 s; handle 60 + 20 s.
      ['02:00', 2, 2, 1, 0, 1, 1, 10 * S, 1, 2, 120 * S, 80 * S, 1],
      // 10:05 bucket: b's abandon moment → in the SL denominator.
      ['02:05', 0, 0, 0, 1, 0, 1, 0, 0, 0, null, 0, 0],
    ]);
    expect(buildStaffBuckets(input).map((s) => [s.byState.wrap_up])).toEqual([[20 / 300]]);
  });
});

describe('interval assembly', () => {
  const calls = [
    bucket('09:00:00', 'ntax', {
      ivrVisits: 5,
      offered: 4,
      answered: 3,
      abandoned: 1,
      shortAbandoned: 1,
      slWithin: 2,
      slDen: 3,
      asaMs: 30 * S,
      asaN: 3,
      handleMs: 600 * S,
      handleN: 3,
      arNum: 0,
      arDen: 3,
      longestWaitMs: 12 * S,
    }),
    bucket('09:10:00', 'ntax', {
      ivrVisits: 1,
      offered: 1,
      answered: 1,
      slWithin: 0,
      slDen: 1,
      asaMs: 40 * S,
      asaN: 1,
      handleMs: 200 * S,
      handleN: 1,
      arDen: 1,
      longestWaitMs: 40 * S,
    }),
    bucket('09:10:00', 'ltax', { offered: 2, abandoned: 2, slDen: 2, arNum: 2, arDen: 2, longestWaitMs: 90 * S }),
    bucket('09:15:00', 'ntax', { offered: 1 }),
  ];
  const staff: StaffBucket[] = [
    { bucket: at('09:00:00'), byState: { available: 2, on_call: 1 }, byReason: {} },
    { bucket: at('09:05:00'), byState: { available: 1, paused: 1 }, byReason: { training: 1 } },
    { bucket: at('09:20:00'), byState: { wrap_up: 3 }, byReason: {} },
  ];
  const o = { tz: TZ, minutes: 15, targetS: 20, targetSL: 0.8 };

  it('adds buckets into intervals and forms ratios from summed parts', () => {
    const { lines, totals } = intervalLines(calls, staff, o);
    expect(lines.map((l) => new Date(l.start).toISOString().slice(11, 16))).toEqual(['01:00', '01:15']);
    const [a, b] = lines;
    expect(a).toMatchObject({
      ivrVisits: 6,
      offered: 7,
      answered: 4,
      abandoned: 3,
      shortAbandoned: 1,
      asaMs: (70 * S) / 4,
      ahtMs: 200 * S,
    });
    expect(a!.serviceLevel).toEqual({ numerator: 2, denominator: 6, value: 2 / 6 });
    // Staffing: three 5-minute averages, each a third of the interval: (2+1)/3 available + 1/3 on call.
    expect(a!.staffing.answering).toBeCloseTo((2 + 1 + 1 + 0) / 3, 12);
    expect(a!.staffing.byReason.training).toBeCloseTo(1 / 3, 12);
    // Erlang C: A = 7 × 200 s / 900 s = 1.556 Erl.
    expect(a!.trafficErlangs).toBeCloseTo((7 * 200) / 900, 12);
    expect(a!.agentsNeeded).toBeGreaterThan(1);
    // 09:15: no answer finished, so the range AHT (800 s / 4) forecasts; staffing 3 wrap-up for a third.
    expect(b).toMatchObject({ offered: 1, ahtMs: null, serviceLevel: { value: null } });
    expect(b!.trafficErlangs).toBeCloseTo(200 / 900, 12);
    expect(b!.staffing.wrapUp).toBeCloseTo(1, 12);
    expect(totals).toMatchObject({ offered: 8, abandonRate: { numerator: 2, denominator: 6 }, longestWaitMs: 90 * S });
  });

  it('filters one queue; 30-minute intervals take six buckets', () => {
    expect(intervalLines(calls, [], { ...o, queue: 'ltax' }).totals).toMatchObject({
      offered: 2,
      abandoned: 2,
      serviceLevel: { value: 0 },
    });
    const { lines } = intervalLines(calls, staff, { ...o, minutes: 30 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ offered: 8, answered: 4 });
    expect(lines[0]!.staffing.answering).toBeCloseTo((3 + 1 + 3) / 6, 12);
    expect(() => intervalLines(calls, staff, { ...o, minutes: 7 })).toThrow(RangeError);
  });

  it('queue lines leave out calls that never queued and add an all-queues line', () => {
    const lines = queueLines([...calls, bucket('09:00:00', '', { ivrVisits: 9 })]);
    expect(lines.map((l) => [l.queue, l.offered, l.abandonRate.value])).toEqual([
      ['ltax', 2, 1],
      ['ntax', 6, 0],
      [null, 8, 2 / 6],
    ]);
    expect(queueLines(calls, 'ltax').map((l) => l.queue)).toEqual(['ltax']);
  });
});

describe('agent and region assembly', () => {
  const day = (agentId: string, queue: string, over: Record<string, unknown>) => ({
    agentId,
    queue,
    offered: 0,
    answered: 0,
    noAnswer: 0,
    cancelled: 0,
    handleMs: 0,
    handleN: 0,
    msByState: {},
    msByReason: {},
    ...over,
  });
  const days = [
    day('1001', '*', {
      offered: 3,
      answered: 2,
      noAnswer: 1,
      handleMs: 400 * S,
      handleN: 2,
      msByState: { on_call: 300 * S, wrap_up: 100 * S, available: 600 * S },
      msByReason: {},
    }),
    day('1001', '*', {
      offered: 1,
      answered: 1,
      handleMs: 200 * S,
      handleN: 1,
      msByState: { on_call: 100 * S, available: 400 * S, paused: 50 * S },
      msByReason: { training: 50 * S },
    }),
    day('1001', 'ntax', { offered: 1, answered: 1, handleMs: 200 * S, handleN: 1 }),
    day('1002', '*', { msByState: { available: 100 * S } }),
  ];
  it('sums days per agent; occupancy = handle / (handle + idle)', () => {
    const [a, b] = agentLines(days);
    expect(a).toMatchObject({
      agentId: '1001',
      offered: 4,
      answered: 3,
      noAnswer: 1,
      ahtMs: 200 * S,
      msByState: { on_call: 400 * S, wrap_up: 100 * S, available: 1000 * S, paused: 50 * S },
      msByPauseReason: { training: 50 * S },
    });
    expect(a!.occupancy.value).toBeCloseTo(500 / 1500, 12);
    expect(b).toMatchObject({ agentId: '1002', offered: 0, ahtMs: null, occupancy: { value: 0 } });
  });
  it('with a queue: its offers beside the whole state time, only agents it offered to', () => {
    expect(agentLines(days, 'ntax')).toEqual([
      expect.objectContaining({ agentId: '1001', offered: 1, ahtMs: 200 * S, msByState: expect.objectContaining({ on_call: 400 * S }) }),
    ]);
  });
  it('regions per month, empty months included; 小计 = fixed lines from elsewhere', () => {
    const counts = (n: number) => ({ home_city: n, home_province: 1, other_province: 2, international: 1, mobile: 3, unknown: 0 });
    const lines = regionLines(
      [
        { day: '2008-01-18', queue: 'q', counts: counts(10) },
        { day: '2008-01-19', queue: '', counts: counts(1) },
      ],
      ['2008-01', '2008-02'],
    );
    expect(lines).toEqual([
      {
        month: '2008-01',
        counts: { home_city: 11, home_province: 2, other_province: 4, international: 2, mobile: 6, unknown: 0 },
        outsideFixed: 8,
        total: 25,
      },
      {
        month: '2008-02',
        counts: { home_city: 0, home_province: 0, other_province: 0, international: 0, mobile: 0, unknown: 0 },
        outsideFixed: 0,
        total: 0,
      },
    ]);
    expect(regionLines([{ day: '2008-01-18', queue: 'q', counts: counts(10) }], ['2008-01'], 'other')[0]!.total).toBe(0);
  });
});
