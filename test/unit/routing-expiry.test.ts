import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expiry,
  nextExpiryAt,
  turnAwayAction,
  waitingVerdict,
  type WaitingFacts,
  type WaitingVerdict,
} from '../../src/core/routing/expiry.js';
import { routingRules, type OnExpiry, type QueueRules, type RoutingRules } from '../../src/core/routing/model.js';
import { T0, call, queue } from '../support/routing-fixtures.js';

describe('expiry', () => {
  const rules = routingRules([queue({ onExpiry: { afterS: 60, action: 'overflow', toQueue: 'general' }, maxWaitS: 300 })]);
  const c = call('c');

  it('says nothing until onExpiry.afterS, then the action, and max_wait once the hard cap passes', () => {
    expect(expiry(c, rules, T0 + 59_999)).toBeUndefined();
    expect(expiry(c, rules, T0 + 60_000)).toEqual({ action: 'overflow', toQueue: 'general' });
    expect(expiry(c, rules, T0 + 300_000)).toEqual({ action: 'max_wait' });
    expect(nextExpiryAt(c, rules, T0)).toBe(T0 + 60_000);
    expect(nextExpiryAt(c, rules, T0 + 60_000)).toBe(T0 + 300_000);
    expect(nextExpiryAt(c, rules, T0 + 300_000)).toBeUndefined();
  });

  it('returns each action without its timing', () => {
    const r = (onExpiry: QueueRules['onExpiry']) => routingRules([queue({ onExpiry })]);
    expect(expiry(c, r({ afterS: 1, action: 'callback' }), T0 + 1000)).toEqual({ action: 'callback' });
    expect(expiry(c, r({ afterS: 1, action: 'voicemail' }), T0 + 1000)).toEqual({ action: 'voicemail' });
    expect(expiry(c, r({ afterS: 1, action: 'message_hangup', prompt: 'p' }), T0 + 1000)).toEqual({
      action: 'message_hangup',
      prompt: 'p',
    });
    expect(expiry(c, r(undefined), T0 + 1e9)).toBeUndefined();
  });
});

describe('waitingVerdict', () => {
  const facts = (over: Partial<WaitingFacts> = {}): WaitingFacts => ({ call: call('c'), keptPlace: false, position: 1, ...over });
  const voicemail = routingRules([queue({ onExpiry: { afterS: 120, action: 'voicemail' }, maxQueued: 2, maxWaitS: 600 })]);
  const bare = routingRules([queue({ maxQueued: 2 })]);

  it('routes a call within its time, its queue not full and staffed', () => {
    expect(waitingVerdict(facts({ unstaffed: false }), voicemail, T0 + 1000)).toEqual({ kind: 'route' });
  });

  it('asks about staffing only when nothing else ends the wait', () => {
    expect(waitingVerdict(facts(), voicemail, T0 + 1000)).toEqual({ kind: 'need_staffing' });
    // Timed out, or the queue is full: the answer is known without asking.
    expect(waitingVerdict(facts(), voicemail, T0 + 120_000)).toEqual({ kind: 'expire', action: { action: 'voicemail' } });
    expect(waitingVerdict(facts({ position: 3 }), voicemail, T0)).toEqual({ kind: 'expire', action: { action: 'voicemail' } });
  });

  it('turns a caller away at once, by the queue rule whatever its afterS, when the queue is full or unstaffed', () => {
    expect(waitingVerdict(facts({ position: 2, unstaffed: false }), voicemail, T0)).toEqual({ kind: 'route' });
    expect(waitingVerdict(facts({ position: 3 }), voicemail, T0)).toEqual({ kind: 'expire', action: { action: 'voicemail' } });
    expect(waitingVerdict(facts({ unstaffed: true }), voicemail, T0)).toEqual({ kind: 'expire', action: { action: 'voicemail' } });
    // Without an onExpiry rule the call stops queueing (the call flow ends it).
    expect(waitingVerdict(facts({ position: 3 }), bare, T0)).toEqual({ kind: 'expire', action: { action: 'max_wait' } });
    expect(waitingVerdict(facts({ unstaffed: true }), bare, T0)).toEqual({ kind: 'expire', action: { action: 'max_wait' } });
  });

  it('applies the time rules before the turn-away rules: maxWaitS gives max_wait even in a full queue', () => {
    expect(waitingVerdict(facts({ position: 9, unstaffed: true }), voicemail, T0 + 600_000)).toEqual({
      kind: 'expire',
      action: { action: 'max_wait' },
    });
  });

  it('never ends a kept place (callback), which still counts in the queue', () => {
    expect(waitingVerdict(facts({ keptPlace: true, position: 9, unstaffed: true }), voicemail, T0 + 1e9)).toEqual({ kind: 'route' });
  });

  it('routes a call whose queue has no rules any more', () => {
    expect(waitingVerdict(facts({ call: call('c', { queue: 'gone' }), position: 99, unstaffed: true }), voicemail, T0 + 1e9)).toEqual({
      kind: 'route',
    });
  });

  it('gives each onExpiry action when turning away', () => {
    const onExpiries: OnExpiry[] = [
      { afterS: 5, action: 'overflow', toQueue: 'general' },
      { afterS: 5, action: 'callback' },
      { afterS: 5, action: 'voicemail' },
      { afterS: 5, action: 'message_hangup', prompt: 'closed' },
    ];
    for (const onExpiry of onExpiries) {
      const { afterS, ...action } = onExpiry;
      void afterS;
      expect(turnAwayAction(queue({ onExpiry }))).toEqual(action);
    }
  });
});

describe('waitingVerdict, property', () => {
  const onExpiryArb: fc.Arbitrary<OnExpiry | undefined> = fc.option(
    fc.oneof(
      fc.record({ afterS: fc.integer({ min: 0, max: 10 }), action: fc.constant('overflow' as const), toQueue: fc.constant('other') }),
      fc.record({ afterS: fc.integer({ min: 0, max: 10 }), action: fc.constantFrom('callback' as const, 'voicemail' as const) }),
      fc.record({ afterS: fc.integer({ min: 0, max: 10 }), action: fc.constant('message_hangup' as const), prompt: fc.constant('p') }),
    ),
    { nil: undefined },
  );
  const caseArb = fc.record({
    onExpiry: onExpiryArb,
    maxWaitS: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
    maxQueued: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    queue: fc.constantFrom('q', 'q', 'q', 'gone'),
    keptPlace: fc.boolean(),
    position: fc.integer({ min: 1, max: 6 }),
    unstaffed: fc.boolean(),
    waitedMs: fc.integer({ min: -1000, max: 14_000 }),
  });
  type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;
  const setup = (k: Case) => {
    const over: Partial<QueueRules> = {};
    if (k.onExpiry) over.onExpiry = k.onExpiry;
    if (k.maxWaitS !== undefined) over.maxWaitS = k.maxWaitS;
    if (k.maxQueued !== undefined) over.maxQueued = k.maxQueued;
    const rules: RoutingRules = routingRules([queue(over)]);
    const f: WaitingFacts = { call: call('c', { queue: k.queue }), keptPlace: k.keptPlace, position: k.position };
    return { rules, f, now: T0 + k.waitedMs };
  };
  /** Asks about staffing the way the dispatcher does: only when the verdict needs it. */
  const decide = (f: WaitingFacts, rules: RoutingRules, now: number, unstaffed: boolean): WaitingVerdict => {
    const v = waitingVerdict(f, rules, now);
    return v.kind === 'need_staffing' ? waitingVerdict({ ...f, unstaffed }, rules, now) : v;
  };

  it('asking about staffing only when needed decides as knowing it from the start would', () => {
    fc.assert(
      fc.property(caseArb, (k) => {
        const { rules, f, now } = setup(k);
        const known = waitingVerdict({ ...f, unstaffed: k.unstaffed }, rules, now);
        expect(known.kind).not.toBe('need_staffing');
        expect(decide(f, rules, now, k.unstaffed)).toEqual(known);
      }),
    );
  });

  it('ends a wait only for a reason: its time rule, a full queue or no staff; never a kept place', () => {
    fc.assert(
      fc.property(caseArb, (k) => {
        const { rules, f, now } = setup(k);
        const v = decide(f, rules, now, k.unstaffed);
        const q = rules.queues.get(f.call.queue);
        const timed = expiry(f.call, rules, now);
        if (f.keptPlace || !q) {
          expect(v).toEqual({ kind: 'route' });
        } else if (timed) {
          expect(v).toEqual({ kind: 'expire', action: timed });
        } else {
          const full = q.maxQueued !== undefined && f.position > q.maxQueued;
          expect(v).toEqual(full || k.unstaffed ? { kind: 'expire', action: turnAwayAction(q) } : { kind: 'route' });
        }
      }),
    );
  });

  it('a call further back is never kept waiting when one ahead of it is turned away', () => {
    fc.assert(
      fc.property(caseArb, (k) => {
        const { rules, f, now } = setup(k);
        const here = decide(f, rules, now, k.unstaffed);
        const behind = decide({ ...f, position: f.position + 1 }, rules, now, k.unstaffed);
        if (here.kind === 'expire') expect(behind).toEqual(here);
      }),
    );
  });
});
