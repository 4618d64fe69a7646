import type { Logger } from 'pino';
import type { AgentLiveStore } from '../agents/agent-live-store.js';
import type { DesktopService, DesktopView } from './desktop-service.js';

export interface DesktopChannelDeps {
  /** Which agents changed since a change number (scripts.ts NOTE_CHANGE): every state move and offer is one. */
  liveAgents: Pick<AgentLiveStore, 'agentsChangedSince'>;
  desktop: Pick<DesktopService, 'view'>;
  log: Logger;
  now: () => number;
  /** How often the changed agents are asked for while any desktop is open. */
  tickMs?: number;
  /** Every watched agent is read again this often, changed or not (today's count, a change written by hand). */
  fullMs?: number;
}

export type Frame = DesktopView & { at: number };
type Send = (frame: Frame) => void;

/**
 * Pushes each open agent desktop its view when the agent changes. Every instance follows the
 * agents' change numbers in Redis (the same ones AgentMirror reads): one small read per tick
 * however many desktops are open, and only the changed agents' views are rebuilt. A reservation
 * (the offer) is a change, so a desktop on any instance has its pop within a tick plus one
 * assembly (measured in test/browser/agent-desktop.test.ts), well inside the second asked for.
 * Chosen over tailing the event stream: the stream carries an event only after the outbox
 * flushed it, and the pop needs the live session, which the agent's record points to.
 */
export class DesktopChannel {
  private readonly watchers = new Map<string, Set<Send>>();
  /** The last view each agent's desktops were sent (without its time), to send only what changed. */
  private readonly sent = new Map<string, string>();
  /** Agents whose call facts were not all readable yet: read again next tick. */
  private readonly unsettled = new Set<string>();
  private seq: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastFull = 0;
  private ticking = false;

  constructor(private readonly d: DesktopChannelDeps) {}

  /** Starts sending the agent's view to `send` (at once, then on every change); returns the unsubscribe. */
  watch(agentId: string, send: Send): () => void {
    const set = this.watchers.get(agentId) ?? new Set<Send>();
    set.add(send);
    this.watchers.set(agentId, set);
    void this.d.desktop.view(agentId).then(
      ({ view, settled }) => {
        if (!settled) this.unsettled.add(agentId);
        if (!set.has(send)) return;
        // The only desktop of the agent starts here; with others open, the rounds decide what they lack.
        if (set.size === 1) this.sent.set(agentId, JSON.stringify(view));
        send({ ...view, at: this.d.now() });
      },
      (err: Error) => this.d.log.warn({ err: err.message, agentId }, 'desktop view not read'),
    );
    this.timer ??= setInterval(() => void this.tick(), this.d.tickMs ?? 200);
    return () => {
      set.delete(send);
      if (set.size) return;
      this.watchers.delete(agentId);
      this.sent.delete(agentId);
      this.unsettled.delete(agentId);
      if (this.watchers.size) return;
      clearInterval(this.timer);
      this.timer = undefined;
      // The next desktop opened starts from the current number again.
      this.seq = undefined;
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: the changed (and unsettled) agents with an open desktop, each view rebuilt and sent if it changed. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const due = new Set(this.unsettled);
      const now = this.d.now();
      if (this.seq === undefined || now - this.lastFull >= (this.d.fullMs ?? 5000)) {
        // A first round (or a periodic one) reads every watched agent; the change number is taken first.
        this.seq = (await this.d.liveAgents.agentsChangedSince(Number.MAX_SAFE_INTEGER)).seq;
        this.lastFull = now;
        for (const id of this.watchers.keys()) due.add(id);
      } else {
        const changed = await this.d.liveAgents.agentsChangedSince(this.seq);
        // A sequence that went back (Redis lost its data): read every watched agent.
        if (changed.seq < this.seq) for (const id of this.watchers.keys()) due.add(id);
        this.seq = changed.seq;
        for (const a of changed.agents) if (this.watchers.has(a.agentId)) due.add(a.agentId);
        for (const id of changed.gone) if (this.watchers.has(id)) due.add(id);
      }
      await Promise.all([...due].map((id) => this.refresh(id)));
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, 'desktop round failed');
    } finally {
      this.ticking = false;
    }
  }

  private async refresh(agentId: string): Promise<void> {
    const { view, settled } = await this.d.desktop.view(agentId);
    if (settled) this.unsettled.delete(agentId);
    else this.unsettled.add(agentId);
    const set = this.watchers.get(agentId);
    if (!set) return;
    const key = JSON.stringify(view);
    if (this.sent.get(agentId) === key) return;
    this.sent.set(agentId, key);
    const frame = { ...view, at: this.d.now() };
    for (const send of set) send(frame);
  }
}
