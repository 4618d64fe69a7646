import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  abandonRate,
  agentStats,
  averageHandleTime,
  averageSpeedOfAnswer,
  currentLongestWaitMs,
  intervalReport,
  isShortAbandon,
  longestWaitMs,
  METRICS_VERSION,
  momentOf,
  occupancy,
  serviceLevel,
  type AgentOffer,
  type CallRecord,
} from '../../src/core/metrics/definitions.js';
import type { StateSpan } from '../../src/core/metrics/intervals.js';

const S = 1000;
const MIN = 60 * S;
const cst = (h: number, m: number, s = 0) => Date.UTC(2008, 0, 18, h - 8, m, s);
const q = cst(9, 0); // every call in the first set enters the queue at 09:00:00

/** Answered call that waited `waitS` seconds, then talked `talkS`. */
const answered = (callId: string, waitS: number, talkS: number, extra: Partial<CallRecord> = {}): CallRecord => ({
  callId,
  enteredQueueAt: q,
  answeredAt: q + waitS * S,
  endedAt: q + (waitS + talkS) * S,
  outcome: 'answered',
  ...extra,
});

// T = 20 s, short abandon < 5 s (the defaults).
const calls: CallRecord[] = [
  answered('c1', 10, 100, { holdMs: 10 * S, wrapUpMs: 30 * S, talkMs: 100 * S }), // within; handle 140 s
  answered('c2', 20, 200), // wait exactly T: within (<=); handle 200 s
  answered('c3', 21, 130, { holdMs: 10 * S, wrapUpMs: 20 * S }), // late; talk 130 − 10 = 120, handle 150 s
  { callId: 'c4', enteredQueueAt: q, endedAt: q + 3 * S, outcome: 'abandoned', abandonedAt: 'queue' }, // short
  { callId: 'c5', enteredQueueAt: q, endedAt: q + 31 * S, outcome: 'abandoned', abandonedAt: 'ringing', waitMs: 30 * S },
  { callId: 'c6', enteredQueueAt: q, endedAt: q + 5 * S, outcome: 'abandoned' }, // exactly 5 s: not short; place → queue
  { callId: 'c7', enteredQueueAt: q, endedAt: q + 60 * S, outcome: 'callback' }, // not an abandon
  { callId: 'c8', startedAt: q - 30 * S, endedAt: q, outcome: 'abandoned', abandonedAt: 'ivr' }, // never queued
  { callId: 'c9', enteredQueueAt: q, endedAt: q + 90 * S, outcome: 'overflow' }, // flowed out after 90 s
];

describe('definitions v1', () => {
  it('is version 1', () => {
    expect(METRICS_VERSION).toBe(1);
  });

  it('short abandon: in queue or ringing with wait < 5 s', () => {
    expect(calls.filter((c) => isShortAbandon(c)).map((c) => c.callId)).toEqual(['c4']);
  });

  it('service level = answered within T / (answered + non-short abandons)', () => {
    // within: c1 (10 s), c2 (20 s) = 2; denominator: c1 c2 c3 + c5 c6 = 5 (c4 short, c7 c9 c8 out).
    expect(serviceLevel(calls)).toEqual({ numerator: 2, denominator: 5, value: 0.4 });
    // T = 30 s: c3 (21 s) joins the numerator → 3 / 5. Short = 2 s: c4 (3 s) joins the denominator → 3 / 6.
    expect(serviceLevel(calls, { targetS: 30, shortAbandonS: 2 })).toEqual({ numerator: 3, denominator: 6, value: 0.5 });
  });

  it('service level of nothing is null, not 0 or 100 %', () => {
    expect(serviceLevel([]).value).toBeNull();
    expect(serviceLevel([calls[3]!]).value).toBeNull(); // only a short abandon
  });

  it('abandon rate = non-short abandons / (offered − short abandons); a callback is not an abandon', () => {
    // offered: everything but c8 = 8; minus short c4 = 7. Abandons: c5, c6 = 2.
    const r = abandonRate(calls);
    expect(r.numerator).toBe(2);
    expect(r.denominator).toBe(7);
    expect(r.value).toBeCloseTo(2 / 7, 12);
  });

  it('ASA over answered calls, ring time included', () => {
    // (10 + 20 + 21) / 3 = 17 s.
    expect(averageSpeedOfAnswer(calls)).toEqual({ totalMs: 51 * S, count: 3, valueMs: 17 * S });
  });

  it('longest wait over every queued call, whatever its outcome', () => {
    expect(longestWaitMs(calls)).toBe(90 * S); // c9 overflowed after 90 s
    expect(longestWaitMs([])).toBeNull();
    expect(currentLongestWaitMs([q, q + 40 * S], q + 100 * S)).toBe(100 * S);
    expect(currentLongestWaitMs([], q)).toBeNull();
  });

  it('AHT = talk + hold + wrap-up over answered calls', () => {
    // (140 + 200 + 150) / 3 = 163.33 s.
    const aht = averageHandleTime(calls);
    expect(aht.totalMs).toBe(490 * S);
    expect(aht.count).toBe(3);
    expect(aht.valueMs).toBeCloseTo((490 * S) / 3, 9);
  });

  it('occupancy = (on_call + wrap_up) / (those + available); ringing and pauses excluded', () => {
    // (10 + 2) / (10 + 2 + 3) min = 0.8; reserved 0.5 min and paused 5 min play no part.
    const o = occupancy({ on_call: 10 * MIN, wrap_up: 2 * MIN, available: 3 * MIN, reserved: 0.5 * MIN, paused: 5 * MIN });
    expect(o.value).toBeCloseTo(0.8, 12);
    expect(occupancy({}).value).toBeNull();
  });
});

describe('agentStats', () => {
  it('counts offers per agent and clips state time to the window', () => {
    const offers: AgentOffer[] = [
      { agentId: 'a1', callId: 'x1', at: cst(8, 55), result: 'answered' },
      { agentId: 'a1', callId: 'x2', at: cst(9, 1), result: 'no_answer' },
      { agentId: 'a1', callId: 'x3', at: cst(9, 2), result: 'cancelled' },
      { agentId: 'a1', callId: 'x4', at: cst(9, 11), result: 'answered' },
      { agentId: 'a1', callId: 'x5', at: cst(8, 40), result: 'answered' }, // before the window
      { agentId: 'a2', callId: 'x2', at: cst(9, 1, 20), result: 'no_answer' },
    ];
    const spans: StateSpan[] = [
      { agentId: 'a1', state: 'available', start: cst(8, 45), end: cst(9, 0) },
      { agentId: 'a1', state: 'paused', reason: '会议', start: cst(9, 0), end: cst(9, 10) },
      { agentId: 'a1', state: 'on_call', start: cst(9, 10), end: cst(9, 20) },
    ];
    const [a1, a2] = agentStats(offers, spans, { from: cst(8, 50), to: cst(9, 15) });
    expect(a1).toMatchObject({ agentId: 'a1', offered: 4, answered: 2, noAnswer: 1, cancelled: 1 });
    // Clipped to 08:50–09:15: available 10 min, 会议 10 min, on_call 5 min.
    expect(a1?.msByState).toEqual({ available: 10 * MIN, paused: 10 * MIN, on_call: 5 * MIN });
    expect(a1?.msByPauseReason).toEqual({ 会议: 10 * MIN });
    // Occupancy 5 / (5 + 10) = 1/3.
    expect(a1?.occupancy.value).toBeCloseTo(1 / 3, 12);
    expect(a2).toMatchObject({ agentId: 'a2', offered: 1, noAnswer: 1, msByState: {} });
  });
});

describe('intervalReport', () => {
  // A: IVR 08:59:50, queued 08:59:58, answered 09:00:10 (12 s)  → ivr+offered 08:45, answered 09:00
  // B: IVR 09:01:00, queued 09:01:30, hung up 09:01:32 (2 s)     → short abandon in 09:00
  // C: IVR 09:02:00, queued 09:02:10, hung up ringing 09:02:50 (40 s)
  // D: IVR 09:03:00, hung up in the IVR 09:03:30                 → IVR visit only
  // E: IVR 08:50:00, queued 08:50:20, answered 08:50:50 (30 s: late)
  const day: CallRecord[] = [
    {
      callId: 'A',
      startedAt: cst(8, 59, 50),
      enteredQueueAt: cst(8, 59, 58),
      answeredAt: cst(9, 0, 10),
      endedAt: cst(9, 3),
      outcome: 'answered',
    },
    {
      callId: 'B',
      startedAt: cst(9, 1),
      enteredQueueAt: cst(9, 1, 30),
      endedAt: cst(9, 1, 32),
      outcome: 'abandoned',
      abandonedAt: 'queue',
    },
    {
      callId: 'C',
      startedAt: cst(9, 2),
      enteredQueueAt: cst(9, 2, 10),
      endedAt: cst(9, 2, 50),
      outcome: 'abandoned',
      abandonedAt: 'ringing',
    },
    { callId: 'D', startedAt: cst(9, 3), endedAt: cst(9, 3, 30), outcome: 'abandoned', abandonedAt: 'ivr' },
    {
      callId: 'E',
      startedAt: cst(8, 50),
      enteredQueueAt: cst(8, 50, 20),
      answeredAt: cst(8, 50, 50),
      endedAt: cst(8, 55),
      outcome: 'answered',
    },
  ];

  it('counts each moment in the interval where it happened', () => {
    const [r845, r900] = intervalReport(day);
    expect(r845).toMatchObject({ intervalStart: cst(8, 45), ivrVisits: 2, offered: 2, answered: 1, abandoned: 0, shortAbandoned: 0 });
    expect(r900).toMatchObject({ intervalStart: cst(9, 0), ivrVisits: 3, offered: 2, answered: 1, abandoned: 2, shortAbandoned: 1 });
    // SL by the interval the call was settled in. 08:45: E late → 0/1.
    // 09:00: A within (12 s), B short (out), C counts → 1/2. ASA 09:00 = A's 12 s.
    expect(r845?.serviceLevel).toEqual({ numerator: 0, denominator: 1, value: 0 });
    expect(r900?.serviceLevel).toEqual({ numerator: 1, denominator: 2, value: 0.5 });
    expect(r900?.averageSpeedOfAnswer.valueMs).toBe(12 * S);
  });

  it('defines the moments', () => {
    const [a] = day;
    expect(momentOf(a!, 'ivr_visit')).toBe(cst(8, 59, 50));
    expect(momentOf(a!, 'offered')).toBe(cst(8, 59, 58));
    expect(momentOf(a!, 'answered')).toBe(cst(9, 0, 10));
    expect(momentOf(a!, 'abandoned')).toBeUndefined();
    expect(momentOf(day[2]!, 'abandoned')).toBe(cst(9, 2, 50));
    expect(momentOf(day[3]!, 'abandoned')).toBeUndefined(); // an IVR hang-up is not a queue abandon
  });

  it('interval figures add up to the whole-day figure from the same function (property)', () => {
    const start = cst(8, 0);
    const rec = fc
      .record({
        id: fc.nat(),
        q: fc.integer({ min: 0, max: 4 * 3600 }),
        w: fc.integer({ min: 0, max: 120 }),
        kind: fc.constantFrom('answered', 'queue', 'ringing', 'callback'),
      })
      .map(({ id, q: qs, w, kind }): CallRecord => {
        const enteredQueueAt = start + qs * S;
        const left = enteredQueueAt + w * S;
        if (kind === 'answered') return { callId: `${id}`, enteredQueueAt, answeredAt: left, endedAt: left + 60 * S, outcome: 'answered' };
        if (kind === 'callback') return { callId: `${id}`, enteredQueueAt, endedAt: left, outcome: 'callback' };
        return { callId: `${id}`, enteredQueueAt, endedAt: left, outcome: 'abandoned', abandonedAt: kind };
      });
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 60 }), (recs) => {
        const rows = intervalReport(recs);
        const whole = serviceLevel(recs);
        expect(rows.reduce((a, r) => a + r.serviceLevel.numerator, 0)).toBe(whole.numerator);
        expect(rows.reduce((a, r) => a + r.serviceLevel.denominator, 0)).toBe(whole.denominator);
        expect(rows.reduce((a, r) => a + r.offered, 0)).toBe(recs.length);
      }),
    );
  });
});
