/**
 * What Asterisk itself saw during the benchmark, from AMI with its own timestamps: when each
 * agent's phone was dialled and when that channel ended, and (for app_queue) when callers joined
 * and left its queue. Both systems are timed to the same Asterisk event, DialBegin of the
 * agent's channel, so neither is measured at a point the other is not.
 */
import AsteriskManager from 'asterisk-manager';
import type { Span } from './idle-while-waiting.js';

export interface Dial {
  at: number;
  /** The caller's channel, when the dial has one (app_queue); an ARI originate has none. */
  callerUid?: string;
  agentUid: string;
  /** The agent's id, from the channel name PJSIP/<id>-xxxxxxxx. */
  agentId: string;
}

export class AmiTimeline {
  private readonly ami: AsteriskManager;
  readonly dials: Dial[] = [];
  /** Channel uniqueid -> when it ended. */
  readonly hangups = new Map<string, number>();
  /**
   * Caller uniqueid -> when the dialplan handed it to the queueing system (Newexten of Queue() or
   * Stasis()): the same point for both systems, seen through the same AMI queue, so a backlog in
   * Asterisk's AMI delivery delays both ends of either system's measurement alike.
   */
  readonly entered = new Map<string, number>();
  /** app_queue caller uniqueid -> when it joined / left its queue. */
  readonly joined = new Map<string, number>();
  readonly left = new Map<string, number>();
  /** app_queue callers put through to an agent. */
  readonly connected = new Set<string>();
  /** app_queue rang an agent still ringing for or talking to another caller (its own AgentCalled view). */
  doubleBooked = 0;
  /**
   * The one double-booking test both systems are judged by: a DialBegin on PJSIP/X while an
   * earlier PJSIP/X channel has had no Hangup yet. Occurrences, and the distinct agents.
   */
  dialWhileOpen = 0;
  readonly dialWhileOpenAgents = new Set<string>();
  /** Agent id -> its channels dialled and not yet hung up; channel uid -> agent id. */
  private readonly openByAgent = new Map<string, Set<string>>();
  private readonly agentOfUid = new Map<string, string>();
  private readonly busy = new Map<string, string>();
  private readonly barriers = new Map<string, () => void>();

  constructor(user: string, secret: string) {
    this.ami = new AsteriskManager(5038, '127.0.0.1', user, secret, true);
    this.ami.on('managerevent', (e: Record<string, string>) => this.on(e));
  }

  private on(e: Record<string, string>): void {
    const at = Number(e.timestamp) * 1000 || Date.now();
    switch (e.event) {
      case 'DialBegin': {
        const agentId = /^PJSIP\/([^-]+)-/.exec(e.destchannel ?? '')?.[1];
        if (agentId && e.destuniqueid) {
          this.dials.push({ at, callerUid: e.uniqueid || undefined, agentUid: e.destuniqueid, agentId });
          const open = this.openByAgent.get(agentId) ?? new Set<string>();
          if ([...open].some((uid) => uid !== e.destuniqueid)) {
            this.dialWhileOpen++;
            this.dialWhileOpenAgents.add(agentId);
          }
          open.add(e.destuniqueid);
          this.openByAgent.set(agentId, open);
          this.agentOfUid.set(e.destuniqueid, agentId);
        }
        return;
      }
      case 'Newexten':
        if ((e.application === 'Queue' || e.application === 'Stasis') && e.uniqueid && !this.entered.has(e.uniqueid))
          this.entered.set(e.uniqueid, at);
        return;
      case 'Hangup': {
        this.hangups.set(e.uniqueid!, at);
        const agentId = this.agentOfUid.get(e.uniqueid!);
        if (agentId !== undefined) {
          this.openByAgent.get(agentId)?.delete(e.uniqueid!);
          this.agentOfUid.delete(e.uniqueid!);
        }
        return;
      }
      case 'QueueCallerJoin':
        this.joined.set(e.uniqueid!, at);
        return;
      case 'QueueCallerLeave':
      case 'QueueCallerAbandon':
        if (!this.left.has(e.uniqueid!)) this.left.set(e.uniqueid!, at);
        for (const [k, v] of this.busy) if (e.event === 'QueueCallerAbandon' && v === e.uniqueid) this.busy.delete(k);
        return;
      case 'AgentConnect':
        this.connected.add(e.uniqueid!);
        return;
      case 'AgentCalled': {
        const with_ = this.busy.get(e.interface!);
        if (with_ && with_ !== e.uniqueid) this.doubleBooked++;
        this.busy.set(e.interface!, e.uniqueid!);
        return;
      }
      case 'AgentComplete':
      case 'AgentRingNoAnswer':
      case 'AgentDump':
        if (this.busy.get(e.interface!) === e.uniqueid) this.busy.delete(e.interface!);
        return;
      case 'UserEvent':
        this.barriers.get(e.token ?? '')?.();
        this.barriers.delete(e.token ?? '');
        return;
      default:
    }
  }

  /** Forget everything seen so far (each rate is read on its own). */
  clear(): void {
    this.dials.length = 0;
    this.hangups.clear();
    this.joined.clear();
    this.left.clear();
    this.entered.clear();
    this.connected.clear();
    this.busy.clear();
    this.doubleBooked = 0;
    // Channels still open stay tracked: a dial in the next rate on an agent still busy from this
    // one is a double booking too. Only the counts start again.
    this.dialWhileOpen = 0;
    this.dialWhileOpenAgents.clear();
  }

  /**
   * Calls per second the systems were actually given: entries into the queue (Newexten of Queue()
   * or Stasis()) over the span from the first to the last, what SIPp managed to offer, not what it was asked.
   */
  achievedRate(): number {
    const at = [...this.entered.values()];
    if (at.length < 2) return NaN;
    const span = Math.max(...at) - Math.min(...at);
    return span > 0 ? ((at.length - 1) * 1000) / span : NaN;
  }

  /** The first time each caller (app_queue uniqueid) had an agent dialled for it. */
  firstDialByCaller(): Map<string, number> {
    const out = new Map<string, number>();
    for (const d of this.dials) if (d.callerUid && !out.has(d.callerUid)) out.set(d.callerUid, d.at);
    return out;
  }

  /** Each dial by the agent channel's uniqueid (an ARI originate's channelId). */
  dialsByAgentUid(): Map<string, Dial> {
    return new Map(this.dials.map((d) => [d.agentUid, d]));
  }

  /** Each agent's spans from being dialled to its channel ending, for the agents given. */
  busySpans(agentIds: ReadonlySet<string>, until: number): Span[] {
    return this.dials.filter((d) => agentIds.has(d.agentId)).map((d) => ({ start: d.at, end: this.hangups.get(d.agentUid) ?? until }));
  }

  /**
   * Resolves once AMI has delivered everything Asterisk queued for it before now. Under load its
   * events run seconds behind (the manager's queue held 2,944 at 160 calls/s), and a rate read a
   * fixed time after its last call missed most of its DialBegins. A UserEvent goes through the
   * same queue behind them.
   */
  caughtUp(timeoutMs = 120_000): Promise<void> {
    const token = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.barriers.delete(token);
        reject(new Error(`AMI did not catch up within ${timeoutMs} ms`));
      }, timeoutMs);
      this.barriers.set(token, () => {
        clearTimeout(timer);
        resolve();
      });
      this.action({ action: 'UserEvent', userevent: 'BenchCaughtUp', token }).catch(reject);
    });
  }

  /** An AMI action on the timeline's connection; resolves when Asterisk accepts it. */
  action(fields: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) =>
      this.ami.action(fields, (err: unknown) => (err ? reject(new Error(`AMI ${fields.action}: ${JSON.stringify(err)}`)) : resolve())),
    );
  }

  disconnect(): void {
    this.ami.disconnect();
  }
}
