import type { AgentState } from '../../core/agents/state.js';
import { assemblePop, showsCall, type PopFacts, type PopHistoryEntry, type ScreenPop } from '../../core/desktop/screen-pop.js';
import type { PathEntry } from '../../core/ivr/interpreter.js';
import type { AreaCodeTable, HomeArea } from '../../core/metrics/regions.js';
import type { AgentLiveStore } from '../agents/agent-live-store.js';
import type { SessionStore } from '../calls/session-store.js';
import type { DesktopRepo } from './desktop-repo.js';

/** What the agent desktop shows: the agent's state and, while a call is offered, talked or wrapped up, its screen pop. */
export interface DesktopView {
  agentId: string;
  name: string;
  state: AgentState;
  registered: boolean;
  /** When the agent entered its state (ms), null if it never changed state. */
  since: number | null;
  pauseReason: string | null;
  /** When wrap-up ends by itself (ms). */
  wrapUntil: number | null;
  /** Calls the agent answered today (Beijing time); null if history could not be read. */
  answeredToday: number | null;
  /** When the call was offered to this agent (ms, the reservation): the pop must be on screen within a second of it. */
  pop: (ScreenPop & { offeredAt: number | null }) | null;
}

/** The part of a call's live session (core/call/session.ts CallState, as stored) a pop needs. */
interface SessionFacts {
  callId: string;
  caller: string;
  queuedAt?: number;
  answeredAt?: number;
  ivr?: { path?: PathEntry[] };
  route?: { queue: string; line: string; subLine?: string; enqueuedAt: number };
}

export interface DesktopServiceDeps {
  liveAgents: Pick<AgentLiveStore, 'agent'>;
  sessions: Pick<SessionStore, 'get'>;
  repo: DesktopRepo;
  areaCodes: AreaCodeTable;
  home: HomeArea;
  now: () => number;
}

/** A caller's history is read once per call (and again after this long). */
const HISTORY_TTL_MS = 60_000;
/**
 * Today's count is read again on each state change and after this long: the call's row (its
 * outcome) is written by the outbox a moment after the agent's state moved, so a count read at
 * the move may miss it; the channel's periodic round picks the new count up.
 */
const COUNT_TTL_MS = 4000;
const CACHE_MAX = 2000;

/**
 * Builds an agent's desktop view from the live state every instance shares (the agent's record
 * and the call's session snapshot in Redis) and history in Postgres. Nothing is kept from one
 * page to the next: a page reloaded during a call gets its pop back from the live state.
 */
export class DesktopService {
  private readonly histories = new TtlCache<PopHistoryEntry[]>();
  private readonly counts = new TtlCache<number>();

  constructor(private readonly d: DesktopServiceDeps) {}

  /**
   * The view, and whether it is settled: false when the agent has a call whose facts are not all
   * readable yet (the session snapshot is written just after the reservation; an ended call's row
   * just after its end), so the channel reads again shortly instead of waiting for a change.
   */
  async view(agentId: string): Promise<{ view: DesktopView; settled: boolean }> {
    const live = await this.d.liveAgents.agent(agentId);
    const state = live?.state ?? 'logged_out';
    const callId = live?.callId;
    let pop: DesktopView['pop'] = null;
    let settled = true;
    if (callId && showsCall(state)) {
      const facts = await this.facts(callId, state);
      settled = !!facts?.queue;
      if (facts) {
        const history = await this.history(facts.caller, callId);
        pop = { ...assemblePop(facts, history, this.d.areaCodes, this.d.home), offeredAt: live?.lastOfferedAt ?? null };
      }
    }
    return {
      settled,
      view: {
        agentId,
        name: live?.profile.name ?? agentId,
        state,
        registered: live?.registered ?? false,
        since: live?.since || null,
        pauseReason: state === 'paused' ? (live?.pauseReason ?? null) : null,
        wrapUntil: state === 'wrap_up' ? (live?.wrapUntil ?? null) : null,
        answeredToday: await this.answeredToday(agentId, `${state}:${callId ?? ''}:${live?.since ?? 0}`),
        pop,
      },
    };
  }

  /** The call's facts from its live session, or, once it ended (wrap-up), from its stored row. */
  private async facts(callId: string, state: AgentState): Promise<PopFacts | undefined> {
    const json = await this.d.sessions.get(callId);
    if (json) {
      const s = JSON.parse(json) as SessionFacts;
      return {
        callId,
        caller: s.caller,
        path: s.ivr?.path ?? [],
        queue: s.route?.queue ?? null,
        line: s.route?.line ?? null,
        subLine: s.route?.subLine ?? null,
        queuedAt: s.route?.enqueuedAt ?? s.queuedAt ?? null,
        answeredAt: s.answeredAt ?? null,
      };
    }
    return state === 'wrap_up' ? this.d.repo.call(callId) : undefined;
  }

  private async history(caller: string, callId: string): Promise<PopHistoryEntry[]> {
    const key = `${callId}\0${caller}`;
    const now = this.d.now();
    const hit = this.histories.get(key, now);
    if (hit) return hit;
    const rows = await this.d.repo.history(caller);
    this.histories.set(key, rows, now + HISTORY_TTL_MS);
    return rows;
  }

  /** Read again whenever the agent's state changes (a call ending is what changes the count), and every few seconds. */
  private async answeredToday(agentId: string, stateKey: string): Promise<number | null> {
    const key = `${agentId}\0${stateKey}`;
    const now = this.d.now();
    const hit = this.counts.get(key, now);
    if (hit !== undefined) return hit;
    try {
      const n = await this.d.repo.answeredToday(agentId);
      this.counts.set(key, n, now + COUNT_TTL_MS);
      return n;
    } catch {
      return null;
    }
  }
}

/** A small map whose entries expire, and whose oldest go first when full. */
class TtlCache<T> {
  private readonly m = new Map<string, { v: T; until: number }>();
  get(key: string, now: number): T | undefined {
    const e = this.m.get(key);
    if (!e) return undefined;
    if (e.until > now) return e.v;
    this.m.delete(key);
    return undefined;
  }
  set(key: string, v: T, until: number): void {
    this.m.delete(key);
    this.m.set(key, { v, until });
    if (this.m.size > CACHE_MAX) this.m.delete(this.m.keys().next().value!);
  }
}
