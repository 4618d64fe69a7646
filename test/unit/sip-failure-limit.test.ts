import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FailureLimit, remoteAddress } from '../../src/core/sip-edge/failure-limit.js';

const policy = { maxFailures: 5, windowMs: 60_000, blockMs: 600_000 };

describe('SIP failure limit', () => {
  it('blocks a source on its fifth failure within the window, once, until the block ends', () => {
    const l = new FailureLimit(policy);
    for (let i = 0; i < 4; i++) expect(l.fail('192.0.2.7', i * 1000).block).toBe(false);
    expect(l.fail('192.0.2.7', 4000)).toEqual({ block: true, until: 604_000, failures: 5 });
    expect(l.fail('192.0.2.7', 5000).block).toBe(false);
    expect(l.blockedAt(5000)).toEqual(['192.0.2.7']);
    expect(l.isBlocked('192.0.2.8', 5000)).toBe(false);
    expect(l.expire(604_000)).toEqual(['192.0.2.7']);
    expect(l.blockedAt(604_000)).toEqual([]);
  });

  it('forgets failures older than the window: a phone that mistypes now and then is never blocked', () => {
    const l = new FailureLimit(policy);
    for (let i = 0; i < 50; i++) expect(l.fail('192.0.2.7', i * 15_001).block).toBe(false);
  });

  it('never blocks with fewer failures in any window than the limit, and always blocks at the limit (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 40 }), (raw) => {
        const times = [...raw].sort((a, b) => a - b);
        const l = new FailureLimit(policy);
        let blockedAt: number | undefined;
        for (const t of times) {
          const v = l.fail('a', t);
          if (v.block && blockedAt === undefined) blockedAt = t;
        }
        // The first time at which 5 failures fall within a window (t - 60 s, t].
        const first = times.find((t, i) => i >= 4 && times[i - 4]! > t - policy.windowMs);
        expect(blockedAt).toBe(first);
      }),
    );
  });

  it('reads the address of a security event, and nothing else', () => {
    expect(remoteAddress('IPV4/UDP/127.0.0.5/31555')).toBe('127.0.0.5');
    expect(remoteAddress('IPV6/UDP/::1/5060')).toBe('::1');
    expect(remoteAddress('IPV4/UDP/127.0.0.5,deny=0.0.0.0/5060')).toBeUndefined();
    expect(remoteAddress(undefined)).toBeUndefined();
  });
});
