/**
 * Whether the center may dial a number on its own trunk (a callback, an IVR transfer), and the
 * exact digits to dial. Decided here and only here: a caller id or an uploaded menu is input
 * from outside, and a dial string built from it unchecked is toll fraud waiting to happen
 * (international or premium-rate numbers, or SIP URI tricks like `1/sip:x@host`).
 *
 * The number is classified with the same area-code table as the region report
 * (core/metrics/regions.ts), so "home province" means the same thing in both places.
 */
import { classifyCaller, type AreaCodeTable, type HomeArea } from '../metrics/regions.js';

/** Which fixed lines may be dialled: the home city only, the home province, or the whole mainland. */
export type DialScope = 'home_city' | 'home_province' | 'mainland';
export type DialPurpose = 'callback' | 'transfer';

export interface DialPolicy {
  scope: DialScope;
  /**
   * Mainland mobile numbers (1[3-9] + 9 digits). A mobile number says nothing of where its
   * owner is without a number-segment table, so they are allowed or refused as a whole.
   */
  mobiles: boolean;
  /** National-form prefixes never dialled: premium-rate and information services, short service numbers. */
  deniedPrefixes: readonly string[];
  /** Attempts per number per local day, counted by the caller of this module (a Redis script). */
  maxPerNumberPerDay: number;
}

/**
 * 160/168: information services (声讯台); 1259x: SP voice services; 106: SMS gateways; 95/96:
 * service short numbers; 400/800: company hotlines (the called party pays); 10/11/12: short
 * public numbers (110, 120, 12366 itself).
 */
export const DEFAULT_DENIED_PREFIXES: readonly string[] = ['160', '168', '1259', '106', '95', '96', '400', '800', '10', '11', '12'];

export const DEFAULT_DIAL_POLICY: DialPolicy = {
  scope: 'home_province',
  mobiles: true,
  deniedPrefixes: DEFAULT_DENIED_PREFIXES,
  maxPerNumberPerDay: 6,
};

export type DialRefusal = 'withheld' | 'malformed' | 'international' | 'denied_prefix' | 'outside_area' | 'unknown_number';

export type DialDecision = { ok: true; digits: string } | { ok: false; reason: DialRefusal; detail: string };

/** Longer than any national number with every prefix: anything past this is not a phone number. */
export const MAX_NUMBER_LENGTH = 20;

const WITHHELD = new Set(['', 'anonymous', 'unknown', 'restricted', 'private', 'unavailable', 'withheld']);
const MOBILE = /^1[3-9]\d{9}$/;
const LOCAL = /^[2-9]\d{6,7}$/;

/**
 * Decides on a number as received (caller id) or configured (transfer target). `digits`, when
 * allowed, is the national form with trunk prefix for fixed lines ("057185187424") or the
 * 11-digit mobile number: only ASCII digits, whatever came in.
 */
export function decideDial(raw: string, policy: DialPolicy, table: AreaCodeTable, home: HomeArea): DialDecision {
  const trimmed = raw.trim();
  if (WITHHELD.has(trimmed.toLowerCase())) return { ok: false, reason: 'withheld', detail: 'number withheld or absent' };
  if (trimmed.length > MAX_NUMBER_LENGTH || !/^\+?[0-9]+$/.test(trimmed))
    return { ok: false, reason: 'malformed', detail: 'not a phone number (digits only)' };
  let n = trimmed;
  if (n.startsWith('+86')) n = n.slice(3);
  else if (n.startsWith('0086')) n = n.slice(4);
  else if (n.startsWith('+') || n.startsWith('00'))
    return { ok: false, reason: 'international', detail: 'international numbers are not dialled' };

  const deniedBy = (digits: string) => policy.deniedPrefixes.find((p) => digits.startsWith(p));
  if (MOBILE.test(n)) {
    const denied = deniedBy(n);
    if (denied !== undefined) return { ok: false, reason: 'denied_prefix', detail: `numbers starting ${denied} are not dialled` };
    return policy.mobiles ? { ok: true, digits: n } : { ok: false, reason: 'outside_area', detail: 'mobile numbers are not dialled' };
  }
  // Fixed lines arrive with or without the trunk prefix 0 (the seed shows 57187168660), or as a
  // local number without area code.
  const national = LOCAL.test(n) ? `${home.cityCode}${n}` : n.startsWith('0') ? n : `0${n}`;
  const where = classifyCaller(national, table, home);
  const fixed = where.region === 'home_city' || where.region === 'home_province' || where.region === 'other_province';
  // Checked on the number as received too: "16812345" is no fixed line, and saying it is a
  // premium-rate prefix tells ops more than "unknown".
  const denied = deniedBy(national) ?? (fixed ? undefined : deniedBy(n));
  if (denied !== undefined) return { ok: false, reason: 'denied_prefix', detail: `numbers starting ${denied} are not dialled` };
  if (!fixed) return { ok: false, reason: 'unknown_number', detail: 'not a mainland fixed-line or mobile number' };
  const inScope =
    policy.scope === 'mainland' || where.region === 'home_city' || (policy.scope === 'home_province' && where.region === 'home_province');
  if (!inScope)
    return {
      ok: false,
      reason: 'outside_area',
      detail: `area code ${where.areaCode ?? '?'} is outside the ${policy.scope.replace('_', ' ')}`,
    };
  return { ok: true, digits: national };
}

/** Why a callback is not offered or not dialled: the number itself, or its attempts today are used up. */
export type CallbackRefusal = DialRefusal | 'daily_cap';
export type CallbackDecision = { ok: true; digits: string } | { ok: false; reason: CallbackRefusal; detail: string };

/**
 * Whether a number decideDial allowed may be called back now: fewer than `maxPerNumberPerDay`
 * calls were placed to it today before this one (counted per dialled digits, so "+8613857112345"
 * and "13857112345" share one count).
 */
export function withinDailyCap(allowed: Extract<DialDecision, { ok: true }>, dialledToday: number, policy: DialPolicy): CallbackDecision {
  if (dialledToday >= policy.maxPerNumberPerDay)
    return {
      ok: false,
      reason: 'daily_cap',
      detail: `${dialledToday} calls placed to this number today (at most ${policy.maxPerNumberPerDay})`,
    };
  return allowed;
}
