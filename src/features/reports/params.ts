/**
 * Report query parameters: strings in, checked values out. Every problem names its parameter
 * ("querystring/to: ..."), so a 400 says what to fix. Pure.
 */
import { DEFAULT_THRESHOLDS } from '../../core/metrics/definitions.js';
import { INTERVAL_MINUTES } from './assemble.js';
import type { Lang } from '../../core/lang.js';
import { dayCount, monthCount, parseDay, parseMonth } from './days.js';

export class ParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`querystring/${param}: ${message}`);
    this.name = 'ParamError';
  }
}

/**
 * A range the request is well formed for but that is too wide to answer: 422, naming `from` and
 * `to` (the report cannot be had in one piece; ask for less).
 */
export class RangeTooWide extends ParamError {
  constructor(limit: string) {
    super('to', `from and to may be at most ${limit} apart for this report; ask for a narrower range`);
    this.name = 'RangeTooWide';
  }
}

/** Longest range one request may ask for (days), so one request cannot tie up the database. */
export const MAX_DAYS = 366 * 3;
/**
 * Reports with a row per interval or per call (intervals, abandons): a quarter at most. Three
 * years of 15-minute intervals is 100,000 rows, and of abandoned calls millions, held whole in
 * memory twice (the reports' thread, then the HTTP thread).
 */
export const MAX_LIST_DAYS = 92;
export const MAX_MONTHS = 36;
export const QUEUE_PATTERN = '^[a-z0-9][a-z0-9_-]{0,39}$';
/** Agent ids (SIP user names, as in the agents API), comma-separated. */
export const AGENTS_PATTERN = '^[0-9]{3,6}(,[0-9]{3,6})*$';
/** A caller number as the trunk delivers it (digits, an optional leading +). */
export const CALLER_PATTERN = '^\\+?[0-9]{3,20}$';
/**
 * Staffing of named agents is read from their raw state changes, not from the day rollups
 * (which hold the whole center): at most this many, over at most MAX_LIST_DAYS (the intervals range).
 */
export const MAX_AGENTS = 100;

export interface Output {
  format: 'json' | 'csv';
  lang: Lang;
}

export interface RawQuery {
  [k: string]: string | undefined;
}

function output(q: RawQuery): Output {
  return { format: q.format === 'csv' ? 'csv' : 'json', lang: q.lang === 'en' ? 'en' : 'zh' };
}

function queue(q: RawQuery): string | undefined {
  if (q.queue === undefined || q.queue === '') return undefined;
  if (!new RegExp(QUEUE_PATTERN).test(q.queue)) throw new ParamError('queue', `must be a queue name (got ${JSON.stringify(q.queue)})`);
  return q.queue;
}

/** `agents=1001,1002`: staffing of these agents only (a team) instead of the whole center. */
function agents(q: RawQuery): string[] | undefined {
  if (q.agents === undefined || q.agents === '') return undefined;
  if (!new RegExp(AGENTS_PATTERN).test(q.agents))
    throw new ParamError('agents', `must be agent ids separated by commas, e.g. 1001,1002 (got ${JSON.stringify(q.agents)})`);
  const ids = [...new Set(q.agents.split(','))];
  if (ids.length > MAX_AGENTS) throw new ParamError('agents', `at most ${MAX_AGENTS} agents (got ${ids.length})`);
  return ids;
}

function caller(q: RawQuery): string | undefined {
  if (q.caller === undefined || q.caller === '') return undefined;
  if (!new RegExp(CALLER_PATTERN).test(q.caller))
    throw new ParamError('caller', `must be a phone number, digits with an optional leading + (got ${JSON.stringify(q.caller)})`);
  return q.caller;
}

export function dayRange(q: RawQuery): { from: string; to: string } {
  const from = q.from === undefined ? undefined : parseDay(q.from);
  if (!from) throw new ParamError('from', `must be a date YYYY-MM-DD (got ${JSON.stringify(q.from ?? null)})`);
  const to = q.to === undefined ? from : parseDay(q.to);
  if (!to) throw new ParamError('to', `must be a date YYYY-MM-DD (got ${JSON.stringify(q.to)})`);
  if (to < from) throw new ParamError('to', `must not be before from (${from})`);
  if (dayCount(from, to) > MAX_DAYS) throw new ParamError('to', `range is longer than ${MAX_DAYS} days`);
  return { from, to };
}

/** dayRange for the reports with a row per interval or per call. */
function listRange(q: RawQuery): { from: string; to: string } {
  const r = dayRange(q);
  if (dayCount(r.from, r.to) > MAX_LIST_DAYS) throw new RangeTooWide(`${MAX_LIST_DAYS} days`);
  return r;
}

function integer(q: RawQuery, name: string, dflt: number, min: number, max: number): number {
  const v = q[name];
  if (v === undefined || v === '') return dflt;
  if (!/^\d{1,8}$/.test(v) || Number(v) < min || Number(v) > max)
    throw new ParamError(name, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return Number(v);
}

export function slSeconds(q: RawQuery): number {
  return integer(q, 'slSeconds', DEFAULT_THRESHOLDS.targetS, 1, 3600);
}

export function intervalsQuery(q: RawQuery) {
  const minutes = integer(q, 'minutes', 15, 1, 60);
  if (!(INTERVAL_MINUTES as readonly number[]).includes(minutes))
    throw new ParamError('minutes', `must be one of ${INTERVAL_MINUTES.join(', ')} (got ${minutes})`);
  let slTarget = 0.8;
  if (q.slTarget !== undefined && q.slTarget !== '') {
    slTarget = Number(q.slTarget);
    if (!/^(0?\.\d+|0|1(\.0+)?)$/.test(q.slTarget) || !(slTarget > 0 && slTarget < 1)) {
      throw new ParamError('slTarget', `must be a fraction between 0 and 1, e.g. 0.8 (got ${JSON.stringify(q.slTarget)})`);
    }
  }
  const days = listRange(q);
  return { ...days, queue: queue(q), agents: agents(q), minutes, slSeconds: slSeconds(q), slTarget, ...output(q) };
}

export function rangeQuery(q: RawQuery) {
  return { ...dayRange(q), queue: queue(q), slSeconds: slSeconds(q), ...output(q) };
}

/**
 * JSON pages of the abandon list (1,000 rows unless asked); a CSV export holds up to
 * ABANDONS_MAX_PAGE rows (the reply's X-Total-Count says how many there are: page on with offset).
 */
export const ABANDONS_PAGE = 1000;
export const ABANDONS_MAX_PAGE = 100_000;

export function abandonsQuery(q: RawQuery) {
  const base = { ...listRange(q), queue: queue(q), slSeconds: slSeconds(q), ...output(q) };
  const limit =
    q.limit === undefined || q.limit === ''
      ? base.format === 'csv'
        ? ABANDONS_MAX_PAGE
        : ABANDONS_PAGE
      : integer(q, 'limit', ABANDONS_PAGE, 1, ABANDONS_MAX_PAGE);
  return { ...base, caller: caller(q), limit, offset: integer(q, 'offset', 0, 0, 10_000_000) };
}

export function agentsQuery(q: RawQuery) {
  return { ...dayRange(q), queue: queue(q), ...output(q) };
}

export function regionsQuery(q: RawQuery, knownHome: (code: string) => boolean) {
  const from = q.from === undefined ? undefined : parseMonth(q.from);
  if (!from) throw new ParamError('from', `must be a month YYYY-MM (got ${JSON.stringify(q.from ?? null)})`);
  const to = q.to === undefined ? from : parseMonth(q.to);
  if (!to) throw new ParamError('to', `must be a month YYYY-MM (got ${JSON.stringify(q.to)})`);
  if (to < from) throw new ParamError('to', `must not be before from (${from})`);
  if (monthCount(from, to) > MAX_MONTHS) throw new ParamError('to', `range is longer than ${MAX_MONTHS} months`);
  const home = q.home === undefined || q.home === '' ? undefined : q.home;
  if (home !== undefined && (!/^0\d{2,3}$/.test(home) || !knownHome(home))) {
    throw new ParamError('home', `must be a mainland area code with its 0, e.g. 0571 (got ${JSON.stringify(home)})`);
  }
  return { from, to, home, queue: queue(q), ...output(q) };
}
