import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIAL_POLICY, decideDial, withinDailyCap, type DialPolicy } from '../../src/core/outbound/dial-policy.js';
import { DEFAULT_HOME, type AreaCodeTable } from '../../src/core/metrics/regions.js';

const table = JSON.parse(readFileSync(new URL('../../data/cn-area-codes.json', import.meta.url), 'utf8')) as AreaCodeTable;
const decide = (n: string, policy: DialPolicy = DEFAULT_DIAL_POLICY) => decideDial(n, policy, table, DEFAULT_HOME);

describe('outbound dial policy (callbacks, transfers)', () => {
  it.each([
    ['0090123456789', 'international'],
    ['+442071234567', 'international'],
    ['anonymous', 'withheld'],
    ['', 'withheld'],
    ['1/sip:x@127.0.0.9', 'malformed'],
    ['0571;8518@x', 'malformed'],
    ['１３８５７１１２３４５', 'malformed'], // full-width digits are not dialled as ASCII
    ['16812345', 'denied_prefix'],
    ['12366', 'denied_prefix'],
    ['4008123123', 'denied_prefix'],
    ['01012345678', 'outside_area'], // Beijing, outside the home province
    ['1012345678', 'outside_area'], // the same without the trunk prefix
    ['0999', 'unknown_number'],
    ['9'.repeat(21), 'malformed'],
  ])('refuses %j (%s)', (n, reason) => {
    const d = decide(n);
    expect(d).toMatchObject({ ok: false, reason });
  });

  it.each([
    ['13857112345', '13857112345'], // a mobile
    ['+8613857112345', '13857112345'],
    ['057185187424', '057185187424'], // Hangzhou with area code
    ['57187168660', '057187168660'], // as the seed shows it, without the trunk prefix
    ['85187424', '057185187424'], // local, without area code
    ['057487654321', '057487654321'], // Ningbo: same province
  ])('dials %j as %s', (n, digits) => {
    expect(decide(n)).toEqual({ ok: true, digits });
  });

  it('narrows and widens with the configured scope and mobile rule', () => {
    expect(decide('057487654321', { ...DEFAULT_DIAL_POLICY, scope: 'home_city' })).toMatchObject({ ok: false, reason: 'outside_area' });
    expect(decide('01012345678', { ...DEFAULT_DIAL_POLICY, scope: 'mainland' })).toEqual({ ok: true, digits: '01012345678' });
    expect(decide('13857112345', { ...DEFAULT_DIAL_POLICY, mobiles: false })).toMatchObject({ ok: false, reason: 'outside_area' });
    expect(decide('057185187424', { ...DEFAULT_DIAL_POLICY, deniedPrefixes: ['0571851'] })).toMatchObject({
      ok: false,
      reason: 'denied_prefix',
    });
  });

  it('never allows anything but a plain national number made of the digits it was given', () => {
    const chars = fc.constantFrom(...'0123456789+*#;@/:. abcx'.split(''));
    fc.assert(
      fc.property(
        fc.string({ unit: chars, maxLength: 24 }),
        fc.constantFrom<DialPolicy['scope']>('home_city', 'home_province', 'mainland'),
        (raw, scope) => {
          const d = decide(raw, { ...DEFAULT_DIAL_POLICY, scope });
          if (!d.ok) return;
          expect(d.digits).toMatch(/^(0[1-9]\d{9,10}|1[3-9]\d{9})$/);
          // The subscriber part is the caller's own digits: nothing is invented but the prefix.
          expect(raw.replace(/\D/g, '').endsWith(d.digits.slice(-7))).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("a number allowed is called back until the day's count reaches the cap", () => {
    const allowed = { ok: true as const, digits: '13857112345' };
    const policy = { ...DEFAULT_DIAL_POLICY, maxPerNumberPerDay: 6 };
    expect(withinDailyCap(allowed, 5, policy)).toEqual(allowed);
    expect(withinDailyCap(allowed, 6, policy)).toMatchObject({ ok: false, reason: 'daily_cap' });
  });
});
