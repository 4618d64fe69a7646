/**
 * The 12366 reports are exact for a scripted set of real calls: SIPp taxpayers on the trunk,
 * SIPp agents' phones, the real Asterisk and a real service in this process. Expectations are
 * worked out from what the script did (which number, which fate, which agent); times come from
 * the call's stored events (its recorded moments) and, for agents' pauses and log-ins, from
 * stamps taken around the API requests that made them (support/spans.ts).
 *
 * Postgres is shared with other tests and earlier runs, so every report is limited to this run:
 * a queue of its own (queue=), agents of its own for staffing (agents=; the agent report lists
 * only agents offered the queue's calls) and the IVR hang-up by its number (caller=).
 * SHORT_ABANDON_S is 3 (not the default 5), so a clearly long abandon needs only ~6 s of waiting.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intervalStart } from '../../src/core/metrics/intervals.js';
import { localDay } from '../../src/features/reports/days.js';
import { eventsOf, waitForEvent, type StoredEvent } from '../support/calls.js';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, activateRouting, alwaysOpen12366, api, shippedRouting, shippedRoutingWith } from '../support/ivr.js';
import { freePorts } from '../support/rig.js';
import { randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { agentAction, spanBounds, type Stamp, type StampedSpan } from '../support/spans.js';

const SHORT_ABANDON_S = 3;
const SL_SECONDS = 20;
const INTERVAL_MS = 15 * 60_000;
/** Staffing is reported to 3 decimals of an agent: each figure may be off by 0.0005 × 15 min. */
const ROUNDING_MS = 0.0005 * INTERVAL_MS;

type Region = 'homeCity' | 'homeProvince' | 'otherProvince' | 'international';
const PREFIX: Record<Region, string> = { homeCity: '0571', homeProvince: '0574', otherProvince: '010', international: '+4420' };
type Fate = 'answered' | 'queue' | 'short' | 'ringing' | 'ivr';

interface Scripted {
  caller: string;
  region: Region;
  fate: Fate;
  /** Who answers it, or whose phone rings while the caller gives up. */
  agent?: string;
  callId?: string;
  ev?: StoredEvent[];
}

let rig: TestRig;
const phones: SippRun[] = [];
const QUEUE = `rpt-${randomBytes(4).toString('hex')}`;
const ivrDef = alwaysOpen12366();
let agents: string[] = [];
const calls: Scripted[] = [];
const loggedIn = new Map<string, StampedSpan[]>();
const pauses = new Map<string, Map<string, StampedSpan[]>>();
const openLogin = new Map<string, Stamp>();
const openPause = new Map<string, { reason: string; from: Stamp }>();
let began = 0;
let ended = 0;

// ---- the script's vocabulary ---------------------------------------------------------------

async function freshAgentIds(n: number): Promise<string[]> {
  // 6-digit ids nobody has used: other tests use 4 digits, and state time is summed per id.
  for (;;) {
    const ids = [...new Set(Array.from({ length: n }, () => String(500_000 + Math.floor(Math.random() * 100_000))))];
    if (ids.length < n) continue;
    const used = await rig.pool.query(
      'SELECT 1 FROM events WHERE agent_id = ANY($1::text[]) UNION ALL SELECT 1 FROM agents WHERE agent_id = ANY($1::text[]) LIMIT 1',
      [ids],
    );
    if (!used.rowCount) return ids;
  }
}

async function createAgent(id: string, phone: 'answers' | 'rings', phoneCalls: number): Promise<void> {
  const password = randomPassword();
  const r = await api(rig, 'PUT', `/api/agents/${id}`, { name: `报表坐席${id}`, password, skills: { vat: 5 }, queues: [QUEUE] });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const port = freePorts().sip;
  phones.push(
    phone === 'answers'
      ? sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 200 }, calls: phoneCalls, timeoutS: 240 })
      : sipp({ scenario: 'agent-ring-only.xml', server: true, sipPort: port, calls: phoneCalls, timeoutS: 240 }),
  );
  await registerAgent(id, password, port);
  await waitFor(`${id} registered`, async () => (await rig.svc.liveAgents.agent(id))?.registered);
}

const push = <K, V>(m: Map<K, V[]>, k: K, v: V) => m.set(k, [...(m.get(k) ?? []), v]);

async function login(id: string) {
  openLogin.set(id, await agentAction(rig, id, 'login'));
}
async function logout(id: string) {
  push(loggedIn, id, { from: openLogin.get(id)!, to: await agentAction(rig, id, 'logout') });
  openLogin.delete(id);
}
async function pause(id: string, reason: string) {
  openPause.set(id, { reason, from: await agentAction(rig, id, 'pause', { reason }) });
}
async function unpause(id: string) {
  const p = openPause.get(id)!;
  const to = await agentAction(rig, id, 'unpause');
  if (!pauses.has(id)) pauses.set(id, new Map());
  push(pauses.get(id)!, p.reason, { from: p.from, to });
  openPause.delete(id);
}
const stateOf = (id: string, state: string) => waitFor(`${id} ${state}`, async () => (await rig.svc.liveAgents.agent(id))?.state === state);

function scripted(region: Region, fate: Fate, agent?: string, caller = uniqueCaller(PREFIX[region])): Scripted {
  const c: Scripted = { caller, region, fate, ...(agent ? { agent } : {}) };
  calls.push(c);
  return c;
}

/** Dials 12366, presses 2 1 (national tax, VAT) or only 2 for the IVR hang-up, hangs up after talkMs. */
function dial(c: Scripted, talkMs: number) {
  const sip = sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller: c.caller, dialed: '12366' },
    vars: { talk_ms: talkMs },
    files: { pcap: dtmfPcap(presses(c.fate === 'ivr' ? '2' : '21', 500, 400), { audioMs: talkMs }) },
    timeoutS: 60,
  });
  const known = calls.map((x) => x.callId).filter((x): x is string => x !== undefined);
  const id = waitFor(
    `a call from ${c.caller}`,
    async () =>
      (
        await rig.pool.query<{ call_id: string }>(
          'SELECT call_id FROM calls WHERE caller = $1 AND started_at >= $2 AND NOT (call_id = ANY($3::text[])) ORDER BY started_at LIMIT 1',
          [c.caller, new Date(began), known],
        )
      ).rows[0]?.call_id,
  ).then((x) => (c.callId = x));
  return { c, sip, id };
}

async function finish(d: ReturnType<typeof dial>): Promise<void> {
  const r = await d.sip.done;
  expect(r.code, r.errors || r.output.slice(-1500)).toBe(0);
  await waitForEvent(rig, await d.id, 'call.ended');
  d.c.ev = await eventsOf(rig, d.c.callId!);
}

// ---- the hour ------------------------------------------------------------------------------

beforeAll(async () => {
  rig = await startTestService({ SHORT_ABANDON_S: String(SHORT_ABANDON_S) });
  // Routing first: the IVR upload is checked against the active routing's queues, and the
  // routing against the active IVR's, which may still send to a queue an earlier run left.
  const vat = shippedRouting().queues.find((q: { queue: string }) => q.queue === 'ntax-vat');
  const left = (await activeIvrQueues()).filter((q) => !shippedRouting().queues.some((s: { queue: string }) => s.queue === q));
  await activateRouting(rig, shippedRoutingWith([QUEUE, ...left].map((queue) => ({ ...structuredClone(vat), queue }))));
  ivrDef.nodes['ntax.vat'].queue = QUEUE;
  await activateIvr(rig, ivrDef);

  const [A, B, C] = (agents = (await freshAgentIds(3)) as [string, string, string]);
  await createAgent(A, 'answers', 2);
  await createAgent(B, 'answers', 1);
  await createAgent(C, 'rings', 1);
  began = Date.now();

  // Nobody free: a caller gives up in the queue, a second one (queued behind) gives up at once,
  // and a third hangs up in the national-tax menu.
  await login(A);
  await login(B);
  await pause(A, 'training');
  await pause(B, 'paperwork');
  const q1 = dial(scripted('otherProvince', 'queue'), 7000);
  const i1 = dial(scripted('homeProvince', 'ivr'), 5000);
  await waitForEvent(rig, await q1.id, 'call.queued');
  const s1 = dial(scripted('homeCity', 'short'), 2000);
  await Promise.all([finish(q1), finish(s1), finish(i1)]);

  // A answers a Hangzhou caller, then trains; B answers a caller from abroad, then does paperwork.
  await unpause(A);
  await finish(dial(scripted('homeCity', 'answered', A), 4000));
  await stateOf(A, 'wrap_up');
  await pause(A, 'training');
  await unpause(B);
  await finish(dial(scripted('international', 'answered', B), 4000));
  await stateOf(B, 'wrap_up');
  await pause(B, 'paperwork');

  // Only C is free; C's phone rings and the Ningbo caller hangs up before anyone answers.
  await login(C);
  await finish(dial(scripted('homeProvince', 'ringing', C), 7000));
  await stateOf(C, 'available');
  await logout(C);

  // The Beijing caller who gave up in the queue calls again and A answers: called back.
  await unpause(A);
  await finish(dial(scripted('otherProvince', 'answered', A, q1.c.caller), 4000));
  await stateOf(A, 'wrap_up');
  await agentAction(rig, A, 'end-wrap-up');
  await logout(A);
  await unpause(B);
  await logout(B);
  ended = Date.now();
  // Events reach Postgres through the outbox, in order: the last log-out stored means all are.
  await waitFor(
    'log-outs stored',
    async () =>
      (
        await rig.pool.query(
          "SELECT count(*)::int AS n FROM events WHERE agent_id = ANY($1::text[]) AND type = 'agent.state_changed' AND body->>'to' = 'logged_out'",
          [agents],
        )
      ).rows[0].n === 3,
  );
}, 240_000);

afterAll(async () => {
  for (const p of phones) p.kill();
  if (!rig) return;
  for (const id of agents) {
    await api(rig, 'POST', `/api/agents/${id}/logout`).catch(() => undefined);
    await api(rig, 'DELETE', `/api/agents/${id}`).catch(() => undefined);
  }
  // Back to the shipped tree, so the next routing activated (by any test) need not know this queue.
  await activateIvr(rig, alwaysOpen12366()).catch(() => undefined);
  await rig.stop();
});

/** Queues the active IVR version sends calls to. */
async function activeIvrQueues(): Promise<string[]> {
  const { version } = (await api(rig, 'GET', '/api/ivr/active')).body;
  const def = (await api(rig, 'GET', `/api/ivr/versions/${version}`)).body;
  return Object.values(def.nodes as Record<string, { queue?: string }>).flatMap((n) => (n.queue ? [n.queue] : []));
}

// ---- what the script did, read back from the calls' recorded moments ------------------------

const of = (c: Scripted, type: string) => c.ev!.filter((e) => e.type === type);
const at = (c: Scripted, type: string) => Date.parse(of(c, type)[0]!.at);
const queued = () => calls.filter((c) => c.fate !== 'ivr');
const isAbandon = (c: Scripted) => c.fate === 'queue' || c.fate === 'short' || c.fate === 'ringing';
/** Queue entry to answer (ring time included), or to the hang-up. */
const waitMs = (c: Scripted) => (c.fate === 'answered' ? at(c, 'call.agent_answered') : at(c, 'call.ended')) - at(c, 'call.queued');
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const iso = (t: number) => new Date(t).toISOString();

async function agentEvents(id: string): Promise<StoredEvent[]> {
  return (
    await rig.pool.query("SELECT body FROM events WHERE agent_id = $1 AND type = 'agent.state_changed' ORDER BY at, seq", [id])
  ).rows.map((r) => r.body);
}

/** Talk (as the call recorded it) + the agent's wrap-up span for that call. */
async function handleMs(c: Scripted): Promise<number> {
  const ev = await agentEvents(c.agent!);
  const i = ev.findIndex((e) => e.to === 'wrap_up' && e.callId === c.callId);
  expect(i).toBeGreaterThanOrEqual(0);
  return (of(c, 'call.ended')[0]!.talkMs as number) + Date.parse(ev[i + 1]!.at) - Date.parse(ev[i]!.at);
}

/** 1 + the callers entered before c and still waiting at t (an offered call has left the queue). */
function positionAt(c: Scripted, t: number): number {
  const left = (o: Scripted) => (of(o, 'call.agent_offered').length ? at(o, 'call.agent_offered') : at(o, 'call.ended'));
  return 1 + queued().filter((o) => o !== c && at(o, 'call.queued') < at(c, 'call.queued') && left(o) > t).length;
}

async function expectedTotals() {
  const q = queued();
  const answered = q.filter((c) => c.fate === 'answered');
  const abandoned = q.filter(isAbandon);
  const short = q.filter((c) => c.fate === 'short');
  const within = answered.filter((c) => waitMs(c) <= SL_SECONDS * 1000);
  const slDenominator = answered.length + abandoned.length - short.length;
  return {
    ivrVisits: q.length,
    offered: q.length,
    answered: answered.length,
    abandoned: abandoned.length,
    shortAbandoned: short.length,
    slWithin: within.length,
    slDenominator,
    serviceLevel: within.length / slDenominator,
    asaMs: mean(answered.map(waitMs)),
    ahtMs: mean(await Promise.all(answered.map(handleMs))),
    abandonRate: (abandoned.length - short.length) / (q.length - short.length),
    longestWaitMs: Math.max(...q.map(waitMs)),
  };
}

const range = () => {
  const tz = rig.svc.config.TZ_NAME;
  return { from: localDay(began, tz), to: localDay(ended, tz) };
};
async function report(path: string, params: Record<string, string>) {
  const r = await api(rig, 'GET', `/api/reports/${path}?${new URLSearchParams(params)}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

// ---- the reports ---------------------------------------------------------------------------

describe('12366 reports for one scripted hour of real calls', () => {
  it('the script did what it says (so the expectations below mean something)', () => {
    for (const c of calls) {
      const offers = of(c, 'call.agent_offered').map((e) => e.agentId);
      if (c.fate === 'ivr') expect(of(c, 'call.queued')).toEqual([]);
      else expect(of(c, 'call.queued')[0]).toMatchObject({ queue: QUEUE });
      if (c.fate === 'answered') expect([offers, of(c, 'call.agent_answered')[0]?.agentId]).toEqual([[c.agent], c.agent]);
      if (c.fate === 'ringing') expect([offers, of(c, 'call.agent_answered')]).toEqual([[c.agent], []]);
      if (c.fate === 'queue' || c.fate === 'short' || c.fate === 'ivr') expect(offers).toEqual([]);
      // Short and long abandons are clear of the threshold; answers are within the SL target.
      if (c.fate === 'short') expect(waitMs(c)).toBeLessThan(SHORT_ABANDON_S * 1000 - 1000);
      if (c.fate === 'queue' || c.fate === 'ringing') expect(waitMs(c)).toBeGreaterThan(SHORT_ABANDON_S * 1000 + 1000);
      if (c.fate === 'answered') expect(waitMs(c)).toBeLessThan(SL_SECONDS * 1000);
    }
    // The short abandon queued behind the long one and left while it still waited.
    const [q1, s1] = queued();
    expect([
      positionAt(s1!, at(s1!, 'call.queued')),
      positionAt(s1!, at(s1!, 'call.ended')),
      positionAt(q1!, at(q1!, 'call.ended')),
    ]).toEqual([2, 2, 1]);
  });

  it('queues: offered, answered, abandons, short abandons, SL, ASA, abandon rate, longest wait, AHT', async () => {
    const r = await report('queues', { ...range(), queue: QUEUE, slSeconds: String(SL_SECONDS) });
    expect(r.targets).toEqual({ slSeconds: SL_SECONDS, shortAbandonS: SHORT_ABANDON_S });
    expect(r.rows).toHaveLength(1);
    const { asaMs, ahtMs, serviceLevel, abandonRate, ...counts } = await expectedTotals();
    expect(r.rows[0]).toMatchObject({ queue: QUEUE, ...counts });
    expect(r.rows[0].asaMs).toBeCloseTo(asaMs!, 6);
    expect(r.rows[0].ahtMs).toBeCloseTo(ahtMs!, 6);
    expect(r.rows[0].serviceLevel).toBeCloseTo(serviceLevel, 12);
    expect(r.rows[0].abandonRate).toBeCloseTo(abandonRate, 12);
  });

  it('intervals: each call counted in the 15 minutes of its moment, staffing of these agents per reason', async () => {
    const r = await report('intervals', { ...range(), queue: QUEUE, agents: agents.join(','), minutes: '15' });
    expect([r.queue, r.agents, r.minutes, r.targets.shortAbandonS]).toEqual([QUEUE, agents, 15, SHORT_ABANDON_S]);
    const { asaMs, ahtMs, serviceLevel, abandonRate, ...counts } = await expectedTotals();
    expect(r.totals).toMatchObject(counts);
    expect(
      [r.totals.asaMs - asaMs!, r.totals.ahtMs - ahtMs!, r.totals.serviceLevel - serviceLevel, r.totals.abandonRate - abandonRate].map(
        (d) => Math.abs(d) < 1e-6,
      ),
    ).toEqual([true, true, true, true]);

    // Rows: every quarter hour from the first log-in to the last log-out, nothing else.
    const tz = rig.svc.config.TZ_NAME;
    const states = (await Promise.all(agents.map(agentEvents))).flat();
    const first = Math.min(...states.filter((e) => e.from === 'logged_out').map((e) => Date.parse(e.at)));
    const last = Math.max(...states.filter((e) => e.to === 'logged_out').map((e) => Date.parse(e.at)));
    const starts: string[] = [];
    for (let t = intervalStart(first, tz, 15); t < last; t += INTERVAL_MS) starts.push(iso(t));
    expect(r.rows.map((x: { start: string }) => x.start)).toEqual(starts);

    const q = queued();
    const pausedBy = (reason: string) => [...pauses.values()].flatMap((m) => m.get(reason) ?? []);
    for (const row of r.rows) {
      const s = Date.parse(row.start);
      const inRow = (t: number) => t >= s && t < s + INTERVAL_MS;
      const n = (cs: Scripted[], moment: string) => cs.filter((c) => inRow(at(c, moment))).length;
      expect({
        start: row.start,
        ivrVisits: row.ivrVisits,
        offered: row.offered,
        answered: row.answered,
        abandoned: row.abandoned,
        short: row.shortAbandoned,
      }).toEqual({
        start: row.start,
        ivrVisits: n(q, 'call.started'),
        offered: n(q, 'call.queued'),
        answered: n(
          q.filter((c) => c.fate === 'answered'),
          'call.agent_answered',
        ),
        abandoned: n(q.filter(isAbandon), 'call.ended'),
        short: n(
          q.filter((c) => c.fate === 'short'),
          'call.ended',
        ),
      });
      // Average agents × interval length = time; bounded by the stamps, give or take the rounding.
      const within = (avg: number, b: { min: number; max: number }, slack = ROUNDING_MS) => {
        expect(avg * INTERVAL_MS).toBeGreaterThanOrEqual(b.min - slack);
        expect(avg * INTERVAL_MS).toBeLessThanOrEqual(b.max + slack);
      };
      within(row.staffing.training, spanBounds(pausedBy('training'), s, s + INTERVAL_MS));
      within(row.staffing.paperwork, spanBounds(pausedBy('paperwork'), s, s + INTERVAL_MS));
      within(row.staffing.answering + row.staffing.paused, spanBounds([...loggedIn.values()].flat(), s, s + INTERVAL_MS), 2 * ROUNDING_MS);
      expect([row.staffing.meeting, row.staffing.break, row.staffing.otherPause]).toEqual([0, 0, 0]);
      expect(Object.keys(row.pausedByReason).every((k) => k === 'training' || k === 'paperwork')).toBe(true);
    }
    const sum = (k: string) => r.rows.reduce((a: number, x: Record<string, number>) => a + x[k]!, 0);
    expect(['ivrVisits', 'offered', 'answered', 'abandoned', 'shortAbandoned'].map(sum)).toEqual([
      counts.ivrVisits,
      counts.offered,
      counts.answered,
      counts.abandoned,
      counts.shortAbandoned,
    ]);
  });

  it('agents: offers, answers, caller hung up while ringing, AHT, time per state and pause reason', async () => {
    const r = await report('agents', { ...range(), queue: QUEUE });
    expect(r.rows.map((x: { agentId: string }) => x.agentId)).toEqual([...agents].sort());
    for (const row of r.rows) {
      const id: string = row.agentId;
      const mine = calls.filter((c) => c.agent === id);
      const answered = mine.filter((c) => c.fate === 'answered');
      expect(row).toMatchObject({
        name: `报表坐席${id}`,
        offered: mine.length,
        answered: answered.length,
        noAnswer: 0,
        cancelled: mine.filter((c) => c.fate === 'ringing').length,
        handled: answered.length,
      });
      const aht = mean(await Promise.all(answered.map(handleMs)));
      if (aht === null) expect(row.ahtMs).toBeNull();
      else expect(row.ahtMs).toBeCloseTo(aht, 6);
      // Pause time per reason and logged-in time: between the stamps of the requests that made them.
      const reasons = pauses.get(id) ?? new Map<string, StampedSpan[]>();
      expect(Object.keys(row.msByPauseReason).sort()).toEqual([...reasons.keys()].sort());
      for (const [reason, spans] of reasons) {
        const b = spanBounds(spans);
        expect(row.msByPauseReason[reason]).toBeGreaterThanOrEqual(b.min);
        expect(row.msByPauseReason[reason]).toBeLessThanOrEqual(b.max);
      }
      const total = Object.values(row.msByState as Record<string, number>).reduce((a, b) => a + b, 0);
      const b = spanBounds(loggedIn.get(id)!);
      expect(total).toBeGreaterThanOrEqual(b.min);
      expect(total).toBeLessThanOrEqual(b.max);
      const pausedMs = Object.values(row.msByPauseReason as Record<string, number>).reduce((a, x) => a + x, 0);
      expect(row.msByState.paused ?? 0).toBeCloseTo(pausedMs, 6);
      // Reserved time: from the reservation for each call (its ring, if no reservation was recorded)
      // to the agent's next change (answered, or the caller hung up).
      const ev = await agentEvents(id);
      const rang = mine.map((c) => {
        const ring = at(c, 'call.agent_offered');
        const reserved = ev.find((e) => e.to === 'reserved' && e.callId === c.callId);
        const start = reserved ? Math.min(ring, Date.parse(reserved.at)) : ring;
        return Date.parse(ev.find((e) => Date.parse(e.at) > ring && e.to !== 'reserved')!.at) - start;
      });
      expect(row.msByState.reserved ?? 0).toBeCloseTo(
        rang.reduce((a, x) => a + x, 0),
        6,
      );
      for (const c of mine.filter((x) => x.fate === 'ringing'))
        expect(row.msByState.reserved).toBeGreaterThanOrEqual(at(c, 'call.ended') - at(c, 'call.agent_offered'));
    }
  });

  it('abandons: where each caller gave up, after how long, at which position, and who got through later', async () => {
    const r = await report('abandons', { ...range(), queue: QUEUE });
    const gaveUp = queued()
      .filter(isAbandon)
      .sort((a, b) => at(a, 'call.queued') - at(b, 'call.queued'));
    expect(r.count).toBe(gaveUp.length);
    const started = (c: Scripted) => at(c, 'call.started');
    expect(r.rows).toEqual(
      gaveUp.map((c) => ({
        callId: c.callId,
        caller: c.caller,
        askedAt: iso(at(c, 'call.queued')),
        endedAt: iso(at(c, 'call.ended')),
        node: '国税/增值税',
        queue: QUEUE,
        line: '国税',
        subLine: '增值税',
        ivrNode: null,
        abandonedAt: c.fate === 'ringing' ? 'ringing' : 'queue',
        waitMs: waitMs(c),
        durationMs: of(c, 'call.ended')[0]!.durationMs,
        short: c.fate === 'short',
        // A caller whose agent's phone rang was no longer in the queue: no position.
        positionAtEntry: c.fate === 'ringing' ? null : positionAt(c, at(c, 'call.queued')),
        positionAtAbandon: c.fate === 'ringing' ? null : positionAt(c, at(c, 'call.ended')),
        calledBack: calls.some((o) => o.caller === c.caller && o.fate === 'answered' && started(o) > started(c)),
      })),
    );

    // The IVR hang-up has no queue: found by its number, at the menu its key led to.
    const ivr = calls.find((c) => c.fate === 'ivr')!;
    const menu = ivrDef.nodes.main.options['2'];
    const one = await report('abandons', { ...range(), caller: ivr.caller });
    const duration = of(ivr, 'call.ended')[0]!.durationMs as number;
    expect(duration).toBeGreaterThan(SHORT_ABANDON_S * 1000 + 1000);
    expect([one.caller, one.count]).toEqual([ivr.caller, 1]);
    expect(one.rows).toEqual([
      {
        callId: ivr.callId,
        caller: ivr.caller,
        askedAt: iso(at(ivr, 'call.started')),
        endedAt: iso(at(ivr, 'call.ended')),
        node: menu,
        queue: null,
        line: null,
        subLine: null,
        ivrNode: menu,
        abandonedAt: 'ivr',
        waitMs: null,
        durationMs: duration,
        short: false,
        positionAtEntry: null,
        positionAtAbandon: null,
        calledBack: false,
      },
    ]);

    // Queue and number together: the Beijing caller's abandon, not their answered call.
    const q1 = gaveUp.find((c) => c.fate === 'queue')!;
    const both = await report('abandons', { ...range(), queue: QUEUE, caller: q1.caller });
    expect(both.rows.map((x: { callId: string }) => x.callId)).toEqual([q1.callId]);
  });

  it("regions: the queue's callers by where they called from, around Hangzhou", async () => {
    const { from, to } = range();
    const r = await report('regions', { from: from.slice(0, 7), to: to.slice(0, 7), queue: QUEUE });
    const got = { homeCity: 0, homeProvince: 0, otherProvince: 0, international: 0, mobile: 0, unknown: 0, outsideFixed: 0, total: 0 };
    for (const row of r.rows) for (const k of Object.keys(got) as Array<keyof typeof got>) got[k] += row[k];
    const n = (region: Region) => queued().filter((c) => c.region === region).length;
    expect(got).toEqual({
      homeCity: n('homeCity'),
      homeProvince: n('homeProvince'),
      otherProvince: n('otherProvince'),
      international: n('international'),
      mobile: 0,
      unknown: 0,
      outsideFixed: n('homeProvince') + n('otherProvince') + n('international'),
      total: queued().length,
    });
  });
});
