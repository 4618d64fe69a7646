/**
 * The historical reports (issue 5): intervals (来电量与人力安排), abandons (来电放弃情况), regions
 * (异地固话来电统计), agents and queues, over any range of local days of the hotline's zone.
 *
 * A report is assembled from per-day rollups. A closed day's rollup is computed once from the raw
 * rows with the metric definitions, stored, and reused while still valid (migrations/006);
 * today (and any day not yet closed) is computed from the raw rows on every request.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Logger } from 'pino';
import { shownCallCounts } from '../../core/metrics/counters.js';
import { DEFAULT_THRESHOLDS, isShortAbandon, METRICS_VERSION, waitOf, type Thresholds } from '../../core/metrics/definitions.js';
import { intervalLabel } from '../../core/metrics/intervals.js';
import { DEFAULT_HOME, type AreaCodeTable, type HomeArea } from '../../core/metrics/regions.js';
import {
  agentLines,
  intervalLines,
  queueLines,
  regionLines,
  type AgentLine,
  type IntervalLine,
  type IntervalTotals,
  type QueueLine,
  type RegionLine,
} from './assemble.js';
import { addDays, dayStart, daysBetween, localDay, monthRange } from './days.js';
import { spansFromEvents, toCallRecord, withRings } from './records.js';
import {
  buildAgentDays,
  buildCallBuckets,
  buildRegionDays,
  buildStaffBuckets,
  staffBuckets,
  type AgentDay,
  type CallBucket,
  type DayInput,
  type RegionDay,
  type StaffBucket,
} from './rollup.js';
import * as store from './store.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function loadAreaCodes(file = path.join(ROOT, 'data', 'cn-area-codes.json')): AreaCodeTable {
  return JSON.parse(readFileSync(file, 'utf8')) as AreaCodeTable;
}

/** A home area from its code ('0571'), with its province from the table; undefined if unknown. */
export function homeArea(code: string, table: AreaCodeTable): HomeArea | undefined {
  for (const [province, codes] of Object.entries(table.provinces)) if (codes.includes(code)) return { cityCode: code, province };
  return undefined;
}

export const callsKind = (t: Thresholds) => `calls:t${t.targetS}:s${t.shortAbandonS}`;
export const STAFF_KIND = 'staff';
export const regionsKind = (home: HomeArea) => `regions:${home.cityCode}`;

interface Needs {
  calls?: Thresholds;
  /** More thresholds whose call rollups are built from the same read (the background sweep's). */
  extraCalls?: readonly Thresholds[];
  staff?: boolean;
  regions?: HomeArea;
}

interface BuiltDay {
  day: string;
  from: number;
  to: number;
  stored: boolean;
  /** False when a valid rollup was found instead (someone else built it meanwhile): nothing built. */
  fresh: boolean;
  calls?: CallBucket[];
  extraCalls?: Array<{ thresholds: Thresholds; buckets: CallBucket[] }>;
  staff?: StaffBucket[];
  agents?: AgentDay[];
  regions?: RegionDay[];
}

interface Collected {
  calls: CallBucket[];
  staff: StaffBucket[];
  agents: AgentDay[];
  regions: Array<RegionDay & { day: string }>;
}

export interface Range {
  /** First and last local day, both included ('YYYY-MM-DD'). */
  from: string;
  to: string;
  queue?: string;
}

export interface IntervalParams extends Range {
  minutes: number;
  slSeconds: number;
  slTarget: number;
  /** Staffing of these agents only; the whole center when absent. */
  agents?: readonly string[];
}

/** What the background sweep (rollup-sweep.ts) asks of the reports' thread. */
export interface CatchUpParams {
  /** First and last local day to look at, both included. */
  from: string;
  to: string;
  /** SL thresholds (seconds) whose call rollups are kept ready besides the default one. */
  slSeconds?: readonly number[];
}

export interface CatchUpResult {
  /** Days this call built and stored. */
  built: string[];
  /** Days another builder held (built by it). */
  busy: string[];
  /** Days found without a valid rollup at the start of this call. */
  found: number;
  ms: number;
}

export interface ReportServiceDeps {
  pool: pg.Pool;
  tz: string;
  /** Abandons shorter than this are short (SHORT_ABANDON_S). */
  shortAbandonS?: number;
  areaCodes?: AreaCodeTable;
  log?: Logger;
}

const iso = (t: number) => new Date(t).toISOString();
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const BUILTIN_PAUSES = ['training', 'meeting', 'paperwork', 'break'] as const;

export class ReportService {
  readonly tz: string;
  readonly areaCodes: AreaCodeTable;
  readonly shortAbandonS: number;
  private readonly pool: pg.Pool;

  constructor(private readonly d: ReportServiceDeps) {
    this.pool = d.pool;
    this.tz = d.tz;
    this.areaCodes = d.areaCodes ?? loadAreaCodes();
    this.shortAbandonS = d.shortAbandonS ?? DEFAULT_THRESHOLDS.shortAbandonS;
  }

  thresholds(slSeconds: number = DEFAULT_THRESHOLDS.targetS): Thresholds {
    return { targetS: slSeconds, shortAbandonS: this.shortAbandonS };
  }

  /** 来电量与人力安排: per interval, calls, staffing, service level and Erlang C advice. */
  async intervals(p: IntervalParams) {
    const t = this.thresholds(p.slSeconds);
    const team = p.agents?.length ? p.agents : undefined;
    const [c, teamStaff] = await Promise.all([
      this.collect(p.from, p.to, { calls: t, staff: !team }, p.queue),
      team ? this.staffOf(team, p.from, p.to) : undefined,
    ]);
    const { lines, totals } = intervalLines(c.calls, teamStaff ?? c.staff, {
      tz: this.tz,
      minutes: p.minutes,
      queue: p.queue,
      targetS: p.slSeconds,
      targetSL: p.slTarget,
    });
    return {
      ...this.head(p),
      agents: team ? [...team] : null,
      minutes: p.minutes,
      targets: { slSeconds: p.slSeconds, slTarget: p.slTarget, shortAbandonS: this.shortAbandonS },
      rows: lines.map((l) => this.intervalOut(l, p.minutes)),
      totals: totalsOut(totals),
    };
  }

  /** Per queue: offered, answered, abandoned, short abandons, SL, ASA, abandon rate, longest wait. */
  async queues(p: Range & { slSeconds?: number }) {
    const t = this.thresholds(p.slSeconds);
    const c = await this.collect(p.from, p.to, { calls: t }, p.queue);
    return {
      ...this.head(p),
      targets: { slSeconds: t.targetS, shortAbandonS: t.shortAbandonS },
      rows: queueLines(c.calls, p.queue).map(queueOut),
    };
  }

  /** Per agent: offers, answers, misses, AHT, time per state and pause reason, occupancy. */
  async agents(p: Range) {
    const c = await this.collect(p.from, p.to, { staff: true }, p.queue);
    const [names, reasons] = await Promise.all([store.readAgentNames(this.pool), store.readPauseReasons(this.pool)]);
    return {
      ...this.head(p),
      note: 'handle time = talk + wrap-up; hold is not recorded yet, so it counts 0',
      pauseReasons: reasons,
      rows: agentLines(c.agents, p.queue).map((l) => agentOut(l, names.get(l.agentId) ?? null)),
    };
  }

  /** 来电放弃情况: every abandoned call, where the caller came from and gave up, and whether they got through later. */
  async abandons(p: Range & { slSeconds?: number; limit?: number | null; offset?: number; caller?: string }) {
    const from = dayStart(p.from, this.tz);
    const to = dayStart(addDays(p.to, 1), this.tz);
    const page = { limit: p.limit ?? null, offset: p.offset ?? 0 };
    const filter = { queue: p.queue, caller: p.caller };
    const [count, rows] = await Promise.all([
      store.countAbandons(this.pool, from, to, filter),
      store.readAbandons(this.pool, from, to, to + 7 * 86_400_000, filter, page),
    ]);
    const t = this.thresholds(p.slSeconds);
    return {
      ...this.head(p),
      caller: p.caller ?? null,
      callbackWindowDays: 7,
      count,
      offset: page.offset,
      limit: page.limit,
      rows: rows.map((a) => {
        const place = a.abandonedAt ?? (a.enteredQueueAt !== null ? 'queue' : 'ivr');
        const { record } = toCallRecord(
          {
            callId: a.callId,
            caller: a.caller,
            queue: a.queue,
            startedAt: a.startedAt,
            enteredQueueAt: a.enteredQueueAt,
            endedAt: a.endedAt,
            outcome: 'abandoned',
            abandonedAt: place,
            waitMs: a.waitMs,
            talkMs: null,
            agentId: null,
          },
          a.endedAt,
        );
        const wait = place === 'ivr' ? undefined : waitOf(record);
        return {
          callId: a.callId,
          caller: a.caller,
          askedAt: iso(a.askedAt),
          endedAt: iso(a.endedAt),
          node: a.line ? (a.subLine ? `${a.line}/${a.subLine}` : a.line) : (a.ivrNode ?? ''),
          queue: a.queue,
          line: a.line,
          subLine: a.subLine,
          ivrNode: a.ivrNode,
          abandonedAt: place,
          waitMs: wait ?? null,
          durationMs: a.durationMs,
          // Queue and ringing abandons: the definitions' rule with the report's threshold;
          // IVR hang-ups: the flag recorded when the call ended (time in the IVR).
          short: place === 'ivr' ? a.shortFlag : isShortAbandon(record, t),
          positionAtEntry: a.positionAtEntry,
          positionAtAbandon: a.positionAtAbandon,
          calledBack: a.calledBack,
        };
      }),
    };
  }

  /** 异地固话来电统计: per month, callers by region around the home area. */
  async regions(p: { from: string; to: string; queue?: string; home?: string }) {
    const home = p.home === undefined ? DEFAULT_HOME : homeArea(p.home, this.areaCodes);
    if (!home) throw new RangeError(`unknown home area code ${p.home}`);
    const { fromDay, toDay } = monthRange(p.from, p.to);
    const c = await this.collect(fromDay, toDay, { regions: home }, p.queue);
    const months: string[] = [];
    for (let m = p.from; m <= p.to; m = addDays(`${m}-28`, 5).slice(0, 7)) months.push(m);
    return {
      from: p.from,
      to: p.to,
      tz: this.tz,
      queue: p.queue ?? null,
      home: { ...home, city: this.areaCodes.cities?.[home.cityCode] ?? null },
      rows: regionLines(c.regions, months, p.queue).map(regionOut),
    };
  }

  /**
   * Builds and stores the rollups of every closed day in the range that lacks a valid one, for
   * the default thresholds and home area (and `slSeconds` if given). For backfills and benches;
   * reports do the same for the days they need.
   */
  async refresh(p: {
    from: string;
    to: string;
    slSeconds?: number;
    home?: HomeArea;
    concurrency?: number;
  }): Promise<{ days: number; built: number }> {
    const needs: Needs = { calls: this.thresholds(p.slSeconds), staff: true, regions: p.home ?? DEFAULT_HOME };
    const kinds = kindsOf(needs);
    const valid = await store.validDays(this.pool, this.tz, kinds, p.from, p.to, METRICS_VERSION);
    const days = daysBetween(p.from, p.to);
    const todo = days.filter((day) => !kinds.every((k) => valid.get(k)!.has(day)));
    // Two builders overlap one day's reading (Postgres) with another's computing (Node).
    let next = 0;
    const worker = async () => {
      while (next < todo.length) await this.buildDay(todo[next++]!, needs);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(p.concurrency ?? 1, 4)) }, worker));
    await store.pruneStaleMarks(this.pool);
    return { days: days.length, built: todo.length };
  }

  /**
   * The background sweep's work (rollup-sweep.ts): every closed day in the range, from the first
   * one with calls on, that lacks a valid rollup (never built, or invalidated by a mark) is built and stored, for
   * the default thresholds, each of `slSeconds` and the default home area; marked days first
   * (store.daysWithoutRollups). One day at a time, yielding between days so that reports asked
   * of this thread meanwhile are answered. A day another builder holds is left to it (try-lock):
   * two sweeps on two instances share the days and never build one twice.
   */
  async catchUp(p: CatchUpParams): Promise<CatchUpResult> {
    const started = Date.now();
    const seconds = [...new Set([DEFAULT_THRESHOLDS.targetS, ...(p.slSeconds ?? [])])];
    const thresholds = seconds.map((s) => this.thresholds(s));
    const home = DEFAULT_HOME;
    const all: Needs = { calls: thresholds[0], extraCalls: thresholds.slice(1), staff: true, regions: home };
    const missing = await store.daysWithoutRollups(this.pool, this.tz, kindsOf(all), p.from, p.to, METRICS_VERSION);
    const built: string[] = [];
    const busy: string[] = [];
    for (const m of missing) {
      // Only the kinds this day lacks (a new threshold's days need only its call rollups).
      const lacks = new Set(m.kinds);
      const calls = thresholds.filter((t) => lacks.has(callsKind(t)));
      const needs: Needs = {
        calls: calls[0],
        extraCalls: calls.slice(1),
        staff: lacks.has(STAFF_KIND),
        regions: lacks.has(regionsKind(home)) ? home : undefined,
      };
      const r = await this.buildDay(m.day, needs, 'try');
      if (r === 'busy') busy.push(m.day);
      else if (r.fresh && r.stored) built.push(m.day);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (built.length) await store.pruneStaleMarks(this.pool);
    return { built, busy, found: missing.length, ms: Date.now() - started };
  }

  /**
   * Staffing of a team, straight from its members' state changes over the whole range: the
   * stored rollups sum every agent, so they cannot be split. Same spans and clipping as a day's rollup.
   */
  private async staffOf(agentIds: readonly string[], fromDay: string, toDay: string): Promise<StaffBucket[]> {
    const from = dayStart(fromDay, this.tz);
    const to = Math.min(dayStart(addDays(toDay, 1), this.tz), Date.now());
    if (to <= from) return [];
    const [events, rings] = await Promise.all([
      store.loadAgentsStateEvents(this.pool, agentIds, from, to),
      store.loadRings(this.pool, from - store.RINGS_BEFORE_MS, to, agentIds),
    ]);
    return staffBuckets(spansFromEvents(withRings(events, rings, from), to), from, to, this.tz);
  }

  private head(p: Range) {
    return { from: p.from, to: p.to, tz: this.tz, queue: p.queue ?? null, metricsVersion: METRICS_VERSION };
  }

  private intervalOut(l: IntervalLine, minutes: number) {
    const s = l.staffing;
    const reasons = s.byReason;
    const named = BUILTIN_PAUSES.reduce((a, k) => a + (reasons[k] ?? 0), 0);
    return {
      start: iso(l.start),
      end: iso(l.end),
      date: localDay(l.start, this.tz),
      label: intervalLabel(l.start, this.tz, minutes),
      ...shownCallCounts(l),
      serviceLevel: l.serviceLevel.value,
      slWithin: l.serviceLevel.numerator,
      slDenominator: l.serviceLevel.denominator,
      asaMs: l.asaMs,
      ahtMs: l.ahtMs,
      staffing: {
        answering: r3(s.answering),
        available: r3(s.available),
        reserved: r3(s.reserved),
        onCall: r3(s.onCall),
        wrapUp: r3(s.wrapUp),
        paused: r3(s.paused),
        training: r3(reasons.training ?? 0),
        meeting: r3(reasons.meeting ?? 0),
        paperwork: r3(reasons.paperwork ?? 0),
        break: r3(reasons.break ?? 0),
        otherPause: r3(Math.max(0, s.paused - named)),
      },
      pausedByReason: Object.fromEntries(Object.entries(reasons).map(([k, v]) => [k, r3(v)])),
      trafficErlangs: l.trafficErlangs === null ? null : r3(l.trafficErlangs),
      agentsNeeded: l.agentsNeeded,
      predictedServiceLevel: l.predictedServiceLevel,
    };
  }

  /** Rollup parts for the days of the range: stored ones read, missing or stale ones built. */
  private async collect(fromDay: string, toDay: string, needs: Needs, queue?: string): Promise<Collected> {
    const kinds = kindsOf(needs);
    const now = Date.now();
    const days = daysBetween(fromDay, toDay).filter((d) => dayStart(d, this.tz) <= now);
    const valid = await store.validDays(this.pool, this.tz, kinds, fromDay, toDay, METRICS_VERSION);
    const memory: BuiltDay[] = [];
    let stored = 0;
    for (const day of days) {
      if (kinds.every((k) => valid.get(k)!.has(day))) continue;
      const built = await this.buildDay(day, needs);
      if (built === 'busy') continue; // never: this build waits for the lock
      if (built.stored) stored += 1;
      else memory.push(built);
    }
    // Marks every stored day has since seen are dead weight; drop them now and then.
    if (stored > 0) await store.pruneStaleMarks(this.pool);
    const from = dayStart(fromDay, this.tz);
    const to = dayStart(addDays(toDay, 1), this.tz);
    const fromMemory = (t: number) => memory.some((m) => t >= m.from && t < m.to);
    const memoryDays = new Set(memory.map((m) => m.day));
    const [calls, staff, agents, regions] = await Promise.all([
      needs.calls ? store.readCallBuckets(this.pool, this.tz, callsKind(needs.calls), from, to, queue) : [],
      needs.staff ? store.readStaff(this.pool, this.tz, from, to) : [],
      needs.staff ? store.readAgentDays(this.pool, this.tz, fromDay, toDay, queue) : [],
      needs.regions ? store.readRegionDays(this.pool, this.tz, regionsKind(needs.regions), fromDay, toDay) : [],
    ]);
    return {
      calls: [...calls.filter((b) => !fromMemory(b.bucket)), ...memory.flatMap((m) => m.calls ?? [])],
      staff: [...staff.filter((b) => !fromMemory(b.bucket)), ...memory.flatMap((m) => m.staff ?? [])],
      agents: [...agents.filter((a) => !memoryDays.has(a.day)), ...memory.flatMap((m) => m.agents ?? [])],
      regions: [
        ...regions.filter((r) => !memoryDays.has(r.day)),
        ...memory.flatMap((m) => (m.regions ?? []).map((r) => ({ ...r, day: m.day }))),
      ],
    };
  }

  /**
   * Reads one day's raw rows in one snapshot, builds what is needed and, if the day is closed,
   * stores it with that snapshot. One builder per zone and day at a time (advisory lock): a
   * request waits for it (`lock: 'wait'`), the background sweep goes on to another day ('try').
   */
  private async buildDay(day: string, needs: Needs, lock: 'wait' | 'try' = 'wait'): Promise<BuiltDay | 'busy'> {
    const started = Date.now();
    const from = dayStart(day, this.tz);
    const to = dayStart(addDays(day, 1), this.tz);
    const lockKey = `${this.tz}|${day}`;
    const client = await this.pool.connect();
    try {
      if (lock === 'wait') await client.query('SELECT pg_advisory_lock(12367, hashtext($1))', [lockKey]);
      else {
        const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(12367, hashtext($1)) AS ok', [lockKey]);
        if (!got.rows[0]!.ok) return 'busy';
      }
      try {
        // Someone else may have built it while we waited for the lock.
        const kinds = kindsOf(needs);
        const valid = await store.validDays(client, this.tz, kinds, day, day, METRICS_VERSION);
        if (kinds.every((k) => valid.get(k)!.has(day))) return { day, from, to, stored: true, fresh: false };
        const { snap, clock } = await store.beginSnapshot(client);
        try {
          const withEvents = needs.staff || needs.calls || needs.extraCalls?.length;
          const until = Math.min(to + store.EVENTS_PAST_DAY_MS, clock);
          const calls = await store.loadCalls(client, from, to);
          const states = withEvents ? await store.loadStateEvents(client, from, until) : [];
          const events = withEvents ? withRings(states, await store.loadRings(client, from - store.RINGS_BEFORE_MS, until), from) : [];
          const offers = needs.staff ? await store.loadOffers(client, from, to) : [];
          const input: DayInput = { day, tz: this.tz, from, to, now: clock, calls, spans: spansFromEvents(events, until), offers };
          const built: BuiltDay = { day, from, to, stored: to <= clock - store.CLOSE_AFTER_MS, fresh: true };
          if (needs.calls) built.calls = buildCallBuckets(input, needs.calls);
          built.extraCalls = (needs.extraCalls ?? []).map((t) => ({ thresholds: t, buckets: buildCallBuckets(input, t) }));
          if (needs.staff) {
            built.staff = buildStaffBuckets(input);
            built.agents = buildAgentDays(input);
          }
          if (needs.regions) built.regions = buildRegionDays(input, this.areaCodes, needs.regions);
          if (built.stored) {
            const k: store.DayKey = { tz: this.tz, day, from, to, snap, version: METRICS_VERSION };
            if (built.calls && needs.calls) await store.saveCallBuckets(client, k, callsKind(needs.calls), built.calls);
            for (const x of built.extraCalls) await store.saveCallBuckets(client, k, callsKind(x.thresholds), x.buckets);
            if (built.staff && built.agents) await store.saveStaff(client, k, STAFF_KIND, built.staff, built.agents);
            if (built.regions && needs.regions) await store.saveRegions(client, k, regionsKind(needs.regions), built.regions);
          }
          await client.query('COMMIT');
          this.d.log?.debug(
            { day, calls: calls.length, events: events.length, stored: built.stored, ms: Date.now() - started },
            'report day built',
          );
          return built;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock(12367, hashtext($1))', [lockKey]).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  }
}

function kindsOf(n: Needs): string[] {
  const kinds: string[] = [];
  if (n.calls) kinds.push(callsKind(n.calls));
  for (const t of n.extraCalls ?? []) kinds.push(callsKind(t));
  if (n.staff) kinds.push(STAFF_KIND);
  if (n.regions) kinds.push(regionsKind(n.regions));
  return kinds;
}

function totalsOut(t: IntervalTotals) {
  return {
    ...shownCallCounts(t),
    serviceLevel: t.serviceLevel.value,
    slWithin: t.serviceLevel.numerator,
    slDenominator: t.serviceLevel.denominator,
    asaMs: t.asaMs,
    ahtMs: t.ahtMs,
    abandonRate: t.abandonRate.value,
    longestWaitMs: t.longestWaitMs,
  };
}

function queueOut(l: QueueLine) {
  return { queue: l.queue, ...totalsOut(l) };
}

function agentOut(l: AgentLine, name: string | null) {
  return {
    agentId: l.agentId,
    name,
    offered: l.offered,
    answered: l.answered,
    noAnswer: l.noAnswer,
    cancelled: l.cancelled,
    handled: l.handled,
    ahtMs: l.ahtMs,
    msByState: l.msByState,
    msByPauseReason: l.msByPauseReason,
    occupancy: l.occupancy.value,
  };
}

function regionOut(l: RegionLine) {
  return {
    month: l.month,
    homeCity: l.counts.home_city,
    homeProvince: l.counts.home_province,
    otherProvince: l.counts.other_province,
    international: l.counts.international,
    mobile: l.counts.mobile,
    unknown: l.counts.unknown,
    outsideFixed: l.outsideFixed,
    total: l.total,
  };
}

export type IntervalsReport = Awaited<ReturnType<ReportService['intervals']>>;
export type QueuesReport = Awaited<ReturnType<ReportService['queues']>>;
export type AgentsReport = Awaited<ReturnType<ReportService['agents']>>;
export type AbandonsReport = Awaited<ReturnType<ReportService['abandons']>>;
export type RegionsReport = Awaited<ReturnType<ReportService['regions']>>;
