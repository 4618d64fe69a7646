import { paramError } from '../support/param-error.js';
import { describe, expect, it } from 'vitest';
import { abandonsQuery, intervalsQuery } from '../../src/features/reports/params.js';
import { spansFromEvents, withRings, type StateEventRow } from '../../src/features/reports/records.js';
import { staffBuckets } from '../../src/features/reports/rollup.js';

const TZ = 'Asia/Shanghai';
const at = (hms: string) => Date.parse(`2008-01-18T${hms}+08:00`);
const S = 1000;
const err = paramError;

describe("report filters: agents= (team staffing) and caller= (one number's abandons)", () => {
  it('parses agent ids once each, and refuses what it cannot serve', () => {
    expect(intervalsQuery({ from: '2008-01-18' }).agents).toBeUndefined();
    expect(intervalsQuery({ from: '2008-01-18', agents: '1001,1002,1001' }).agents).toEqual(['1001', '1002']);
    expect(err(() => intervalsQuery({ from: '2008-01-18', agents: '1001;1002' }))).toMatch(/^querystring\/agents: must be agent ids/);
    expect(err(() => intervalsQuery({ from: '2008-01-18', agents: '10' }))).toMatch(/^querystring\/agents: /);
    const many = Array.from({ length: 101 }, (_, i) => String(1000 + i)).join(',');
    expect(err(() => intervalsQuery({ from: '2008-01-18', agents: many }))).toMatch(/^querystring\/agents: at most 100 agents/);
    expect(intervalsQuery({ from: '2008-01-01', to: '2008-04-01', agents: '1001' }).agents).toEqual(['1001']); // 92 days
    // Intervals cover at most 92 days with or without agents (params.ts MAX_LIST_DAYS): a 422 naming from and to.
    expect(err(() => intervalsQuery({ from: '2008-01-01', to: '2008-04-02', agents: '1001' }))).toMatch(
      /^querystring\/to: from and to may be at most 92 days apart/,
    );
    expect(err(() => intervalsQuery({ from: '2008-01-01', to: '2008-04-02' }))).toMatch(
      /^querystring\/to: from and to may be at most 92 days apart/,
    );
  });

  it('parses a caller number as the trunk delivers it', () => {
    expect(abandonsQuery({ from: '2008-01-18' }).caller).toBeUndefined();
    expect(abandonsQuery({ from: '2008-01-18', caller: '+442071234567' }).caller).toBe('+442071234567');
    expect(abandonsQuery({ from: '2008-01-18', caller: '057187168660', queue: 'ntax-vat' })).toMatchObject({
      caller: '057187168660',
      queue: 'ntax-vat',
    });
    expect(err(() => abandonsQuery({ from: '2008-01-18', caller: "0571' OR 1=1" }))).toMatch(/^querystring\/caller: /);
  });
});

describe('rings start the reserved span (the reservation itself is recorded as no state change)', () => {
  const st = (agentId: string, hms: string, to: string, callId: string | null = null): StateEventRow => ({
    agentId,
    at: at(hms),
    to,
    pauseReason: null,
    callId,
  });
  const ring = (agentId: string, hms: string, callId: string) => st(agentId, hms, 'reserved', callId);

  it('ringing reads as reserved, not available, until the agent answers or the caller hangs up', () => {
    const states = [
      st('a', '08:00:00', 'available'),
      st('a', '10:00:10', 'on_call', 'c1'),
      st('a', '10:05:00', 'wrap_up', 'c1'),
      st('a', '10:05:30', 'available', 'c1'),
      st('b', '10:01:00', 'available'),
      st('b', '10:01:20', 'available', 'c2'),
    ];
    const rings = [ring('a', '10:00:00', 'c1'), ring('b', '10:01:14', 'c2')];
    const spans = spansFromEvents(withRings(states, rings, at('09:00:00')), at('10:10:00'));
    const time = (agentId: string, state: string) =>
      spans.filter((s) => s.agentId === agentId && s.state === state).reduce((n, s) => n + s.end - s.start, 0);
    expect([time('a', 'reserved'), time('a', 'on_call'), time('b', 'reserved'), time('b', 'available')]).toEqual([
      10 * S,
      290 * S,
      6 * S,
      (14 + 520) * S,
    ]);
    expect(staffBuckets(spans, at('10:00:00'), at('10:05:00'), TZ).map((b) => b.byState.reserved)).toEqual([(10 + 6) / 300]);
  });

  it("keeps each agent's last entry before the range as its head, ring or change", () => {
    const from = at('10:00:00');
    // a was rung just before the range and answered in it; b's only ring is older than its head.
    const merged = withRings(
      [st('a', '09:00:00', 'available'), st('a', '10:00:05', 'on_call', 'c1'), st('b', '09:59:00', 'paused')],
      [ring('a', '09:59:58', 'c1'), ring('b', '09:30:00', 'c0')],
      from,
    );
    expect(merged.map((e) => [e.agentId, new Date(e.at).toISOString().slice(11, 19), e.to])).toEqual([
      ['a', '01:59:58', 'reserved'],
      ['a', '02:00:05', 'on_call'],
      ['b', '01:59:00', 'paused'],
    ]);
    // A change and a ring at the same instant: the ring first, so the change ends it.
    expect(withRings([st('c', '10:00:00', 'available', 'x')], [ring('c', '10:00:00', 'x')], from).map((e) => e.to)).toEqual([
      'reserved',
      'available',
    ]);
  });
});
