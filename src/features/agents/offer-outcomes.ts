import type { Logger } from 'pino';
import { afterMissedOffer } from '../../core/agents/missed-offers.js';
import type { AgentLiveStore } from './agent-live-store.js';
import type { AgentService } from './agent-service.js';

/** The no-answer pause reason (seeded in pause_reasons). */
export const NO_ANSWER_REASON = 'no_answer';

/**
 * What happens to an agent when an offered call ends: wrap-up after talk (ended by time,
 * by the agent, or by the sweeper after a restart), a counted miss that pauses the agent
 * after N in a row, or simply free again.
 */
export class OfferOutcomes {
  private readonly timers = new Set<NodeJS.Timeout>();
  private sweptAll = false;

  constructor(private readonly d: { agents: AgentService; liveAgents: AgentLiveStore; now: () => number; log: Logger }) {}

  /** On call (which also ends the agent's run of missed offers, in the same step). */
  async answered(agentId: string, callId: string): Promise<void> {
    await this.d.agents.move(agentId, 'answer', undefined, callId);
  }

  async afterTalk(agentId: string, callId: string, wrapUpS: number): Promise<void> {
    if (wrapUpS <= 0) {
      await this.d.agents.move(agentId, 'hangup', 'call_ended', callId);
      return;
    }
    const wrapUntil = this.d.now() + wrapUpS * 1000;
    if (!(await this.d.agents.move(agentId, 'hangupToWrapUp', 'call_ended', callId, { wrapUntil }))) return;
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        void this.endDueWrapUps().catch((err) => this.d.log.warn({ err }, 'ending wrap-up failed'));
      },
      wrapUpS * 1000 + 10,
    );
    this.timers.add(t);
  }

  async afterNoAnswer(agentId: string, callId: string, pauseAfter: number): Promise<void> {
    const misses = await this.d.liveAgents.countMiss(agentId);
    const move = afterMissedOffer(misses, pauseAfter);
    await this.d.agents.move(agentId, move, NO_ANSWER_REASON, callId, move === 'missPause' ? { pauseReason: NO_ANSWER_REASON } : {});
  }

  /**
   * Ends every wrap-up whose time is up; also catches ones whose timer died with a previous
   * process. Due ones come from their own sorted set; the first sweep of a process reads every
   * agent once, for wrap-ups begun before that set existed.
   */
  async endDueWrapUps(): Promise<void> {
    const now = this.d.now();
    const due = this.sweptAll
      ? await this.d.liveAgents.dueWrapUps(now)
      : (await this.d.liveAgents.agents())
          .filter((a) => a.state === 'wrap_up' && a.wrapUntil !== undefined && a.wrapUntil <= now)
          .map((a) => a.agentId);
    this.sweptAll = true;
    for (const agentId of due) {
      const a = await this.d.liveAgents.agent(agentId);
      if (a?.state === 'wrap_up') await this.d.agents.move(agentId, 'endWrapUp', 'wrap_up_elapsed', a.callId);
      else await this.d.liveAgents.forgetWrapUp(agentId);
    }
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
