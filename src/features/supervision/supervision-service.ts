import type { Logger } from 'pino';
import type { AriClient } from '../../adapters/ari/client.js';
import type { AriChannel } from '../../adapters/ari/types.js';
import type { InstanceCommands } from '../../adapters/redis/instance-commands.js';
import type { Principal } from '../../core/auth/access.js';
import { stamp, type Ctx, type DomainEvent } from '../../core/events.js';
import { mayJoin, snoopFor, type LeaveReason, type SupervisedCall, type SupervisionMode } from '../../core/supervision/modes.js';
import { KeyedSerial } from '../../shared/keyed-serial.js';
import type { SupervisionStore, SupervisionView } from './supervision-store.js';

/** A request the service refuses: the HTTP status and the field it names. */
export class SupervisionError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 503,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SupervisionError';
  }
}

export interface SupervisionDeps {
  ari: AriClient;
  /** The call as the instance holding it knows it; undefined when this instance does not hold it. */
  call: (callId: string) => SupervisedCall | undefined;
  /** Whether an agent id names an active agent (whose phone the supervisor uses). */
  phoneExists: (agentId: string) => Promise<boolean>;
  store: SupervisionStore;
  commands: InstanceCommands;
  publish: (events: DomainEvent[]) => void;
  ctx: () => Ctx;
  log: Logger;
  instance: string;
  /** How long the supervisor's phone rings before the supervision is given up. */
  ringTimeoutS?: number;
}

/** A supervision this instance runs. */
interface Live {
  view: SupervisionView;
  agentLegId: string;
  phoneChannelId: string;
  bridgeId: string;
  /** The snoop in the bridge now, and one being set up for a mode switch. */
  snoopId?: string;
  nextSnoop?: { id: string; mode: SupervisionMode };
  joinedAt?: number;
  ended?: boolean;
}

type Answer = { status: number; body: unknown };
const JOIN = 'supervision.join';
const MODE = 'supervision.mode';
const LEAVE = 'supervision.leave';

/**
 * Listen / whisper / barge (docs/recording.md#supervision). The HTTP request may reach any
 * instance; the supervision runs on the instance that holds the call (its Stasis app owns the
 * call's channels), reached through the instance command channel. There the supervisor's phone is
 * rung, and once answered bridged with a snoop on the agent's leg (core/supervision/modes.ts);
 * switching mode replaces the snoop, leaving hangs up the phone and the snoop. The call's bridge
 * is never touched.
 */
export class SupervisionService {
  private readonly live = new Map<string, Live>();
  /** Supervisor phones' and snoops' channel ids, to their supervision. */
  private readonly channels = new Map<string, string>();
  private readonly serial = new KeyedSerial();

  constructor(private readonly d: SupervisionDeps) {
    d.commands.handle(JOIN, (p) => this.joinHere(p as JoinRequest));
    d.commands.handle(MODE, (p) => this.modeHere(p as { id: string; mode: SupervisionMode; by: string }));
    d.commands.handle(LEAVE, (p) => this.leaveHere(p as { id: string; by: string }));
  }

  list(): Promise<SupervisionView[]> {
    return this.d.store.list();
  }

  async join(who: Principal, callId: string, mode: SupervisionMode, phone: string | undefined): Promise<SupervisionView> {
    const p = phone ?? who.agentId;
    if (!p) throw new SupervisionError(400, '/phone', 'name the phone (an agent id) to join from: this account has none linked');
    if (!(await this.d.phoneExists(p))) throw new SupervisionError(400, '/phone', `no active agent phone ${p}`);
    return (await this.ask(JOIN, { callId, mode, phone: p, supervisor: who.id } satisfies JoinRequest, '/callId')) as SupervisionView;
  }

  async switchMode(who: Principal, id: string, mode: SupervisionMode): Promise<SupervisionView> {
    return (await this.ask(MODE, { id, mode, by: who.id }, '/id')) as SupervisionView;
  }

  async leave(who: Principal, id: string): Promise<void> {
    await this.ask(LEAVE, { id, by: who.id }, '/id');
  }

  private async ask(kind: string, payload: unknown, field: string): Promise<unknown> {
    const r = await this.d.commands.request(kind, payload);
    if (!r) throw new SupervisionError(404, field, 'no instance holds this call or supervision now');
    if (r.status >= 400) {
      const b = r.body as { field: string; error: string };
      throw new SupervisionError(r.status as 400, b.field, b.error);
    }
    return r.body;
  }

  // ---- on the instance that holds the call ----

  private async joinHere(q: JoinRequest): Promise<{ handled: false } | ({ handled: true } & Answer)> {
    const call = this.d.call(q.callId);
    if (!call) return { handled: false };
    const onCall = [...this.live.values()].filter((l) => l.view.callId === q.callId && !l.ended).map((l) => l.view.phone);
    const ok = mayJoin(call, q.phone, onCall);
    if (!ok.ok) return { handled: true, status: ok.status, body: { field: ok.field, error: ok.reason } };
    const ctx = this.d.ctx();
    const l: Live = {
      view: {
        id: ctx.newId(),
        callId: q.callId,
        agentId: call.agentId ?? '',
        mode: q.mode,
        phone: q.phone,
        supervisor: q.supervisor,
        state: 'ringing',
        startedAt: new Date(ctx.now).toISOString(),
        instance: this.d.instance,
      },
      agentLegId: ok.agentLegId,
      phoneChannelId: ctx.newId(),
      bridgeId: ctx.newId(),
    };
    this.live.set(l.view.id, l);
    this.channels.set(l.phoneChannelId, l.view.id);
    await this.d.store.put(l.view);
    try {
      await this.d.ari.originate({
        channelId: l.phoneChannelId,
        // An agent id from our own table (checked above), never text from the request.
        endpoint: `PJSIP/${q.phone}`,
        appArgs: `supervisor,${l.view.id}`,
        callerId: `"${call.agentId ?? ''}" <${call.agentId ?? ''}>`,
        timeoutS: this.d.ringTimeoutS ?? 30,
        // As on an agent's ring: the phone (or the desk beside it) can show which call it joins.
        variables: { 'PJSIP_HEADER(add,X-Tax12366-Call-Id)': q.callId, 'PJSIP_HEADER(add,X-Tax12366-Supervision)': q.mode },
      });
    } catch (err) {
      await this.end(l, 'failed');
      return { handled: true, status: 409, body: { field: '/phone', error: `the phone could not be rung: ${(err as Error).message}` } };
    }
    return { handled: true, status: 202, body: l.view };
  }

  private async modeHere(q: { id: string; mode: SupervisionMode; by: string }): Promise<{ handled: false } | ({ handled: true } & Answer)> {
    const l = this.live.get(q.id);
    if (!l || l.ended) return { handled: false };
    return this.serial.run(l.view.id, async () => {
      if (l.ended) return { handled: true as const, status: 404, body: { field: '/id', error: 'the supervision has ended' } };
      if (l.view.mode === q.mode && !l.nextSnoop) return { handled: true as const, status: 200, body: l.view };
      if (l.view.state !== 'joined') {
        // Not answered yet: it joins in the new mode.
        l.view = { ...l.view, mode: q.mode };
        await this.d.store.put(l.view);
        return { handled: true as const, status: 200, body: l.view };
      }
      await this.startSnoop(l, q.mode);
      return { handled: true as const, status: 200, body: { ...l.view, mode: q.mode } };
    });
  }

  private async leaveHere(q: { id: string; by: string }): Promise<{ handled: false } | ({ handled: true } & Answer)> {
    const l = this.live.get(q.id);
    if (!l || l.ended) return { handled: false };
    await this.serial.run(l.view.id, () => this.end(l, 'left'));
    return { handled: true, status: 204, body: null };
  }

  /** StasisStart of a supervisor's phone (answered) or of a snoop channel. */
  onStasisStart(channel: AriChannel, args: string[]): boolean {
    const [role, id] = args;
    if ((role !== 'supervisor' && role !== 'snoop') || !id) return false;
    const l = this.live.get(id);
    if (!l || l.ended) {
      void this.d.ari.hangup(channel.id).catch(() => undefined);
      return true;
    }
    void this.serial
      .run(id, () => (role === 'supervisor' ? this.phoneAnswered(l) : this.snoopReady(l, channel.id)))
      .catch((err: Error) => {
        this.d.log.warn({ supervisionId: id, err: err.message }, 'supervision step failed');
        return this.end(l, 'failed');
      });
    return true;
  }

  /** A channel of ours is gone (StasisEnd or ChannelDestroyed). */
  onChannelGone(channelId: string): boolean {
    const id = this.channels.get(channelId);
    if (!id) return false;
    this.channels.delete(channelId);
    const l = this.live.get(id);
    if (!l || l.ended) return true;
    void this.serial.run(id, async () => {
      if (l.ended) return;
      if (channelId === l.phoneChannelId) return this.end(l, l.joinedAt ? 'supervisor_hung_up' : 'no_answer');
      // The snoop in use went with the agent's leg: the call is over. A replaced one going is expected.
      if (channelId === l.snoopId) return this.end(l, 'call_ended');
    });
    return true;
  }

  private async phoneAnswered(l: Live): Promise<void> {
    await this.d.ari.createBridge(l.bridgeId, `supervision-${l.view.id}`);
    await this.d.ari.addToBridge(l.bridgeId, [l.phoneChannelId]);
    await this.startSnoop(l, l.view.mode);
  }

  private async startSnoop(l: Live, mode: SupervisionMode): Promise<void> {
    const snoopId = this.d.ctx().newId();
    l.nextSnoop = { id: snoopId, mode };
    this.channels.set(snoopId, l.view.id);
    await this.d.ari.snoop(l.agentLegId, { snoopId, appArgs: `snoop,${l.view.id}`, ...snoopFor(mode) });
  }

  private async snoopReady(l: Live, channelId: string): Promise<void> {
    if (l.nextSnoop?.id !== channelId) {
      await this.d.ari.hangup(channelId);
      return;
    }
    const { mode } = l.nextSnoop;
    l.nextSnoop = undefined;
    await this.d.ari.addToBridge(l.bridgeId, [channelId]);
    const old = l.snoopId;
    l.snoopId = channelId;
    // The new snoop is in before the old one goes: the supervisor hears no gap in the call.
    if (old) {
      this.channels.delete(old);
      await this.d.ari.hangup(old);
    }
    const from = l.view.mode;
    const ctx = this.d.ctx();
    if (!l.joinedAt) {
      l.joinedAt = ctx.now;
      l.view = { ...l.view, state: 'joined', mode };
      this.d.publish([
        stamp(ctx, {
          type: 'supervision.joined',
          supervisionId: l.view.id,
          callId: l.view.callId,
          agentId: l.view.agentId,
          supervisor: l.view.supervisor,
          phone: l.view.phone,
          mode,
        }),
      ]);
    } else {
      l.view = { ...l.view, mode };
      this.d.publish([stamp(ctx, { type: 'supervision.mode_changed', supervisionId: l.view.id, callId: l.view.callId, from, to: mode })]);
    }
    await this.d.store.put(l.view);
  }

  private async end(l: Live, reason: LeaveReason): Promise<void> {
    if (l.ended) return;
    l.ended = true;
    this.live.delete(l.view.id);
    const chans = [l.phoneChannelId, l.snoopId, l.nextSnoop?.id].filter((x): x is string => !!x);
    for (const c of chans) this.channels.delete(c);
    await Promise.all(chans.map((c) => this.d.ari.hangup(c).catch(() => undefined)));
    await this.d.ari.destroyBridge(l.bridgeId).catch(() => undefined);
    await this.d.store.remove(l.view.id).catch(() => undefined);
    const ctx = this.d.ctx();
    this.d.publish([
      stamp(ctx, {
        type: 'supervision.left',
        supervisionId: l.view.id,
        callId: l.view.callId,
        reason,
        joinedMs: l.joinedAt ? ctx.now - l.joinedAt : 0,
      }),
    ]);
  }

  /** Shutdown: every supervision this instance runs is ended (the calls themselves carry on). */
  async stop(): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => this.end(l, 'left')));
  }
}

interface JoinRequest {
  callId: string;
  mode: SupervisionMode;
  phone: string;
  supervisor: string;
}
