import type { Logger } from 'pino';
import { stamp, type Ctx, type DomainEvent } from '../../core/events.js';
import {
  resumeCall,
  startCall,
  startCallbackCall,
  stepCall,
  type CallCommand,
  type CallEnv,
  type CallInput,
  type CallState,
  type Route,
  type CallStep,
  type CutCause,
} from '../../core/call/session.js';
import type { ExpiryAction } from '../../core/routing/model.js';
import type { IvrDefinition } from '../../core/ivr/definition.js';
import type { Lang } from '../../core/lang.js';
import type { CallbackDecision, DialDecision } from '../../core/outbound/dial-policy.js';
import type { AriClient } from '../../adapters/ari/client.js';
import { stasisArgsIn } from '../../adapters/ari/stasis-args.js';
import type { AriChannel, AriEvent, AriEventType } from '../../adapters/ari/types.js';
import type { QueueStore } from '../routing/queue-store.js';
import { PromptSynth } from '../../adapters/prompts/synth.js';
import type { AgentService } from '../agents/agent-service.js';
import type { IvrCatalog } from '../ivr/catalog.js';
import type { RoutingCatalog } from '../routing/catalog.js';
import type { OfferOutcomes } from '../agents/offer-outcomes.js';
import type { CallbackJob, CallbackService } from '../callbacks/callback-service.js';
import type { CallQueue } from './call-queue.js';
import { heldElsewhere } from './held-elsewhere.js';
import type { MoveArrivals } from './move-arrivals.js';
import { OrderedDispatch } from './ordered-dispatch.js';
import type { SessionStore } from './session-store.js';
import type { RecordingService } from '../recordings/recording-service.js';
import type { SupervisedCall } from '../../core/supervision/modes.js';
import { missReason } from './hangup-cause.js';
import { queueScore } from './queue-score.js';
import { expectedWaitS, positionAnnouncement } from '../../core/call/announcements.js';

/**
 * Commands on the caller's media only (answering, prompts, hold music): no later decision waits on
 * them, so a call put in the queue as it arrives is routed while Asterisk is still answering it.
 * What needs the caller answered (a bridge, a recording) waits for this lane first.
 */
const MEDIA: ReadonlySet<CallCommand['kind']> = new Set(['answer', 'play', 'announce_position', 'stop_playback', 'start_moh', 'stop_moh']);

/** How long a caller found in our app with no call is left to a survivor moving it before it is started here. */
const STRAY_GRACE_MS = 2000;

/** The ARI event types onAriEvent() reads; Asterisk is asked to send no others. */
export const CALL_EVENTS = [
  'StasisStart',
  'StasisEnd',
  'ChannelDtmfReceived',
  'PlaybackFinished',
  'RecordingFinished',
  'RecordingFailed',
  'ChannelHangupRequest',
  'ChannelDestroyed',
] as const satisfies readonly AriEventType[];

export interface CallServiceDeps {
  ari: AriClient;
  /** Snapshots of this instance's calls, so a restarted instance picks them up. */
  sessions: SessionStore;
  queues: QueueStore;
  agents: AgentService;
  ivr: IvrCatalog;
  routing: RoutingCatalog;
  outcomes: OfferOutcomes;
  callbacks: CallbackService;
  /** The agent who answered this caller's last call within the preferred-agent window. */
  lastAgentFor: (caller: string) => Promise<string | undefined>;
  /** An agent answered this caller: the agent to prefer when they call again. */
  rememberAgentFor: (caller: string, agentId: string) => Promise<void>;
  /** Whether this caller may be offered a callback (the dial policy and today's count: features/outbound). */
  mayCallBack: (caller: string) => Promise<CallbackDecision>;
  /** Whether an IVR transfer's number may be dialled, and the digits to dial. */
  mayDial: (number: string) => DialDecision;
  /** This instance, as the owner of the calls its sessions hold. */
  owner: string;
  shortAbandonMs: number;
  announceEveryS: number;
  firstAnnounceS: number;
  /** How many agents can take this queue now (for the expected wait). */
  servingAgents: (queue: string) => Promise<number>;
  /** Average handle time assumed for a waiting caller's expected wait. */
  avgHandleS: number;
  publish: (events: DomainEvent[]) => void;
  ctx: () => Ctx;
  log: Logger;
  /** Language of the prompts callers hear. */
  lang: Lang;
  /** The queues calls wait in (the dispatcher's: an enqueue may reserve an agent in the same step). */
  queue: CallQueue;
  /** Finishes a call's recording once its bridge is gone (features/recordings); not awaited by the call. */
  recordings?: Pick<RecordingService, 'finish' | 'failed'>;
  /** Calls that enter the app for something other than a taxpayer call (agents' feature codes, supervisors' phones and snoops). */
  onOtherStasisStart?: (channel: AriChannel, args: string[]) => void;
  /** Told of each moved channel's arrival in our app (a takeover waits for them). */
  moveArrivals?: Pick<MoveArrivals, 'arrived'>;
  /** A channel that is not a call's left the app or was destroyed (a supervisor's phone, a snoop). */
  onOtherChannelGone?: (channelId: string) => void;
}

interface LiveCall {
  state: CallState;
  def: IvrDefinition;
  log: Logger;
  timers: Map<string, NodeJS.Timeout>;
  /** The snapshot last sent to Redis: a step that leaves the state as it was writes nothing. */
  saved?: string;
  /** An earlier snapshot was stored, so this instance's set of calls already lists the call. */
  listed?: boolean;
  /** Putting the call in its queue failed (Redis away): relist() tries again. */
  unqueued?: boolean;
}

type Ref = { callId: string; role: 'caller' | 'agent' };

/**
 * Stasis handlers for taxpayer calls: turns ARI events into inputs for the call state
 * machine (core/call/session.ts) and carries out the commands it returns.
 */
export class CallService {
  private readonly calls = new Map<string, LiveCall>();
  /** Recordings Asterisk refused to start: already closed as failed, so not finished again. */
  private readonly failedRecordings = new Set<string>();
  /** Caller channels and agent legs, to the call they belong to. */
  private readonly channels = new Map<string, Ref>();
  private readonly dispatch: OrderedDispatch;
  /** Per call, the media commands in the order the call's steps gave them. */
  private readonly media: OrderedDispatch;

  constructor(private readonly d: CallServiceDeps) {
    this.dispatch = new OrderedDispatch((key, err) => d.log.error({ callId: key, err }, 'call handler failed'));
    this.media = new OrderedDispatch((key, err) => d.log.error({ callId: key, err }, 'media command failed'));
  }

  holds(callId: string): boolean {
    return this.calls.has(callId);
  }

  /** What supervision needs of a call this instance holds (undefined: not held here). */
  supervisable(callId: string): SupervisedCall | undefined {
    const s = this.calls.get(callId)?.state;
    if (!s) return undefined;
    return { phase: s.phase, agentId: s.offer?.agentId, agentLegId: s.offer?.legId, pendingBridge: !!s.pendingBridgeLeg };
  }

  /** Entry point for every ARI event. Called synchronously in arrival order. */
  onAriEvent(ev: AriEvent): void {
    const channel = 'channel' in ev ? ev.channel : undefined;
    const ref = channel ? this.channels.get(channel.id) : undefined;
    switch (ev.type) {
      case 'StasisStart': {
        const [role, arg] = ev.args;
        if (role === 'inbound')
          return this.startInbound(ev.channel.id, ev.channel.caller.number, arg ?? ev.channel.dialplan.exten, ev.channel.state === 'Up');
        if (role === 'agent' && arg) return this.input(arg, { kind: 'agent_leg_answered', legId: ev.channel.id });
        if (role === 'callback' && arg) return this.startCallback(ev.channel.id);
        // A party's recording snoop (bridge command): already recording, nothing to run.
        if (role === 'legrec') return;
        // A channel of a call taken over from a dead instance (features/cluster/takeover.ts), already held.
        if (role === 'moved') return this.d.moveArrivals?.arrived(ev.channel.id);
        this.d.onOtherStasisStart?.(ev.channel, ev.args);
        return;
      }
      case 'ChannelDtmfReceived':
        if (ref?.role === 'caller') this.input(ref.callId, { kind: 'dtmf', digit: ev.digit });
        return;
      case 'PlaybackFinished': {
        const pb = ev.playback;
        const owner = this.channels.get(pb.target_uri.replace(/^channel:/, ''));
        if (owner) this.input(owner.callId, { kind: 'playback_finished', playbackId: pb.id });
        return;
      }
      case 'RecordingFinished':
      case 'RecordingFailed': {
        const rec = ev.recording;
        const owner = this.channels.get(rec.target_uri.replace(/^channel:/, ''));
        if (owner) this.input(owner.callId, { kind: 'recording_finished', recording: rec.name, durationS: rec.duration ?? 0 });
        return;
      }
      case 'ChannelHangupRequest':
        // A soft hang-up is Asterisk ending the channel itself (shutting down or restarting, or an
        // operator's CLI): not the party's hang-up. Ours come after the call has ended, or (a ring
        // timed out) for a leg the call no longer holds: the call flow ignores those.
        if (ref && ev.soft) this.input(ref.callId, { kind: 'media_lost', cause: 'asterisk_shutdown', legId: ev.channel.id });
        else if (ref?.role === 'caller') this.callerHungUp(ref.callId);
        return;
      case 'StasisEnd':
        if (!ref) return this.d.onOtherChannelGone?.(ev.channel.id);
        if (ref.role === 'caller') this.input(ref.callId, { kind: 'caller_left_app' });
        else this.input(ref.callId, { kind: 'agent_hung_up', legId: ev.channel.id });
        return;
      case 'ChannelDestroyed': {
        if (!ref && this.d.callbacks.failed(ev.channel.id, ev.cause)) return;
        if (!ref) this.d.onOtherChannelGone?.(ev.channel.id);
        if (ref?.role === 'agent') this.input(ref.callId, { kind: 'agent_leg_failed', legId: ev.channel.id, reason: missReason(ev.cause) });
        if (ref?.role === 'caller') this.callerHungUp(ref.callId);
        this.channels.delete(ev.channel.id);
        return;
      }
      case 'DeviceStateChanged':
      case 'ApplicationReplaced':
        // Registrations and the stream's own state: not a call's business.
        return;
    }
  }

  /** The dispatcher reserved an agent for this call. */
  deliverAgent(callId: string, agentId: string): void {
    this.d.agents.noteReserved(agentId, callId);
    if (!this.calls.has(callId)) {
      // Not ours or already gone: give the agent back rather than leave it reserved.
      void this.d.agents.move(agentId, 'unreserve', 'call_gone', callId);
      return;
    }
    this.input(callId, { kind: 'agent_reserved', agentId, endpoint: `PJSIP/${agentId}` });
  }

  /** A queue rule fired for one of our waiting calls. */
  expire(callId: string, action: ExpiryAction): void {
    this.input(callId, { kind: 'queue_expired', action });
  }

  /** Where a queued caller stood is read before the session takes them out of the queue. */
  private callerHungUp(callId: string): void {
    this.dispatch.submit(callId, async () => {
      const live = this.calls.get(callId);
      if (!live) return;
      let position;
      const route = live.state.route;
      if (live.state.phase === 'queued' && route) {
        const [w, now] = await Promise.all([this.d.queues.waitingOne(callId), this.d.queues.position(route.queue, callId)]);
        position = { atEntry: w?.positionAtEntry, atAbandon: now };
      }
      await this.apply(callId, stepCall(this.d.ctx(), this.env(live), live.state, { kind: 'caller_hung_up', position }));
    });
  }

  private env(live: LiveCall): CallEnv {
    const rules = this.d.routing.cached?.rules;
    if (!rules) throw new Error('routing rules are not loaded');
    return {
      ivr: live.def,
      rules,
      shortAbandonMs: this.d.shortAbandonMs,
      announceEveryMs: this.d.announceEveryS * 1000,
      firstAnnounceMs: this.d.firstAnnounceS * 1000,
    };
  }

  /**
   * Before the event stream connects: take back this instance's calls from Redis, so events
   * for their channels are routed to them from the first one on.
   */
  async restore(): Promise<number> {
    const snaps = await this.d.sessions.owned<CallState>(this.d.owner);
    for (const state of snaps) {
      if (this.calls.has(state.callId)) continue;
      const def = await this.d.ivr.definition(state.ivrVersion);
      this.calls.set(state.callId, { state, def, log: this.d.log.child({ callId: state.callId }), timers: new Map(), listed: true });
      this.channels.set(state.channelId, { callId: state.callId, role: 'caller' });
      if (state.offer) this.channels.set(state.offer.legId, { callId: state.callId, role: 'agent' });
    }
    if (snaps.length) this.d.log.info({ calls: snaps.length }, 'calls restored from Redis');
    return snaps.length;
  }

  /**
   * After every (re)connection: compare our calls with what Asterisk still has. Calls whose
   * caller is gone are ended and recorded; the rest carry on (a menu is asked again, a ringing
   * leg that was answered meanwhile is bridged); channels in our app that no call owns are hung up.
   * `only`: just these calls (taken over from a dead instance), the others and stray channels left alone.
   * `cut`: Asterisk restarted since the last connection, so a call whose channels are gone was cut by
   * it (recorded with that reason), not hung up while nobody listened.
   */
  reconcile(channels: AriChannel[], only?: ReadonlySet<string>, cut?: CutCause): void {
    const byId = new Map(channels.map((c) => [c.id, c]));
    const ours = new Set<string>();
    for (const [callId, live] of this.calls) {
      if (only && !only.has(callId)) continue;
      const s = live.state;
      ours.add(s.channelId);
      if (s.offer) ours.add(s.offer.legId);
      // A party's recording snoop keeps recording through our restart: not a stray channel.
      for (const leg of s.recording?.legs ?? []) ours.add(leg.id);
      this.dispatch.submit(callId, async () => {
        const cur = this.calls.get(callId);
        if (!cur) return;
        const st = cur.state;
        if (st.phase === 'queued') await this.d.queues.setOwner(callId, this.d.owner);
        const leg = st.offer ? byId.get(st.offer.legId) : undefined;
        const alive = {
          callerAlive: byId.has(st.channelId),
          cut,
          agentLeg: leg ? (leg.state === 'Up' ? ('up' as const) : ('ringing' as const)) : undefined,
        };
        await this.apply(callId, resumeCall(this.d.ctx(), this.env(cur), st, alive));
      });
    }
    const app = this.d.ari.app;
    for (const ch of only ? [] : channels) {
      const args = stasisArgsIn(ch, app);
      if (args !== undefined && !ours.has(ch.id) && !this.channels.has(ch.id)) void this.stray(ch, app, args);
    }
    this.d.queue.kick();
  }

  /**
   * A channel in our app that no call owns, unless another instance took its call over while this
   * one was down (features/cluster/takeover.ts). A taxpayer's channel is started as the new call it
   * is: it entered while this instance was stopping or starting (its StasisStart went to a
   * connection that was closing, or to the survivor holding our app meanwhile), and the caller has
   * heard nothing yet. Anything else (an agent's leg, a callback, a snoop) belongs to a call that
   * is gone, and is hung up.
   */
  private async stray(ch: AriChannel, app: string, args: string): Promise<void> {
    const movedAway = () => heldElsewhere(this.d.ari, ch.id, app);
    if (await movedAway()) return;
    // Its StasisStart may have arrived meanwhile: then it is a call already.
    if (this.channels.has(ch.id)) return;
    const [role, arg] = args.split(',');
    if (role === 'inbound') {
      // The survivor may have had its StasisStart and be moving it to its own app this moment:
      // only a caller still here, unowned, after a grace is ours to start.
      await new Promise((r) => setTimeout(r, STRAY_GRACE_MS));
      // A listing's Stasis app is where the channel entered, not where a move took it: another app's claim says that.
      const now = await this.d.ari.channel(ch.id).catch(() => undefined);
      if (!now || stasisArgsIn(now, app) !== args || (await movedAway()) || this.channels.has(ch.id)) return;
      this.d.log.warn({ channel: ch.name, caller: ch.caller.number }, 'caller in our app that no call owns: started as a new call');
      return this.startInbound(ch.id, ch.caller.number, arg || ch.dialplan.exten, ch.state === 'Up');
    }
    this.d.log.warn({ channel: ch.name }, 'channel in our app that no call owns: hanging up');
    await this.d.ari.hangup(ch.id).catch(() => undefined);
  }

  async idle(): Promise<void> {
    await this.dispatch.idle();
    await this.media.idle();
  }

  private startInbound(channelId: string, caller: string, dialed: string, answered: boolean): void {
    const ctx = this.d.ctx();
    const callId = ctx.newId();
    this.channels.set(channelId, { callId, role: 'caller' });
    this.dispatch.submit(callId, async () => {
      // Decided before the caller can press 1: a number the center may not dial is never promised a callback.
      const [ivrVersion, preferredAgentId, callback] = await Promise.all([
        this.d.ivr.activeVersion(),
        caller ? this.d.lastAgentFor(caller) : undefined,
        this.d.mayCallBack(caller || 'anonymous'),
      ]);
      const def = await this.d.ivr.definition(ivrVersion);
      const log = this.d.log.child({ callId });
      const live: LiveCall = { state: undefined as unknown as CallState, def, log, timers: new Map() };
      const step = startCall(ctx, this.env(live), {
        callId,
        channelId,
        caller: caller || 'anonymous',
        dialed,
        lang: this.d.lang,
        ivrVersion,
        preferredAgentId,
        callbackRefusal: callback.ok ? undefined : callback.reason,
        answered,
      });
      live.state = step.state;
      this.calls.set(callId, live);
      log.info({ caller, dialed, channelId, ivrVersion }, 'call started');
      await this.apply(callId, step);
    });
  }

  /** The taxpayer answered our callback: back into the queue at the place they kept. */
  private startCallback(channelId: string): void {
    const job = this.d.callbacks.answered(channelId);
    if (job) return this.startCallbackCall(channelId, job);
    // Dialled by an instance that died ringing (its leg moved here at the takeover).
    void this.d.callbacks.answeredElsewhere(channelId).then(
      (j) => (j ? this.startCallbackCall(channelId, j) : void this.d.ari.hangup(channelId).catch(() => undefined)),
      () => void this.d.ari.hangup(channelId).catch(() => undefined),
    );
  }

  private startCallbackCall(channelId: string, job: CallbackJob): void {
    const ctx = this.d.ctx();
    const callId = ctx.newId();
    this.channels.set(channelId, { callId, role: 'caller' });
    this.dispatch.submit(callId, async () => {
      const ivrVersion = await this.d.ivr.activeVersion();
      const def = await this.d.ivr.definition(ivrVersion);
      const log = this.d.log.child({ callId, callbackFor: job.callId });
      const live: LiveCall = { state: undefined as unknown as CallState, def, log, timers: new Map() };
      const route = {
        queue: job.queue,
        skills: job.skills,
        priority: job.priority,
        line: job.route?.line ?? '其它',
        subLine: job.route?.subLine,
        preferredAgentId: job.preferredAgentId,
        excludedAgents: [],
        enqueuedAt: job.enqueuedAt,
      };
      const step = startCallbackCall(ctx, this.env(live), {
        callId,
        channelId,
        caller: job.caller,
        route,
        requestCallId: job.callId,
        ivrVersion,
        lang: this.d.lang,
      });
      live.state = step.state;
      this.calls.set(callId, live);
      log.info({ caller: job.caller }, 'callback answered');
      await this.apply(callId, step);
    });
  }

  private input(callId: string, input: CallInput): void {
    this.dispatch.submit(callId, async () => {
      const live = this.calls.get(callId);
      if (!live) {
        if (input.kind === 'agent_reserved') await this.d.agents.move(input.agentId, 'unreserve', 'call_gone', callId);
        return;
      }
      await this.apply(callId, stepCall(this.d.ctx(), this.env(live), live.state, input));
    });
  }

  private async apply(callId: string, step: CallStep): Promise<void> {
    const live = this.calls.get(callId);
    if (!live) return;
    live.state = step.state;
    this.d.publish(step.events);
    for (const e of step.events) live.log.debug({ event: e.type }, 'event');
    for (const cmd of step.commands) {
      // What the caller hears goes out in order on a lane of its own: the call's next input (an
      // agent reserved for it) need not wait for Asterisk to start hold music or a prompt.
      if (MEDIA.has(cmd.kind)) void this.media.submit(callId, () => this.runLogged(live, cmd));
      else await this.runLogged(live, cmd);
    }
    // Not awaited: the call's next step need not wait a round trip for it, and one connection
    // keeps the snapshots in order. One that cannot be written (Redis down) costs only the
    // ability to resume this call after a restart; the call itself carries on.
    this.saveSnapshot(live, step.state);
    if (step.state.phase === 'ended') {
      for (const t of live.timers.values()) clearTimeout(t);
      this.calls.delete(callId);
      for (const [ch, ref] of this.channels) if (ref.callId === callId && ref.role === 'caller') this.channels.delete(ch);
      live.log.info('call finished');
    }
  }

  private saveSnapshot(live: LiveCall, state: CallState): void {
    const { callId } = state;
    if (state.phase === 'ended') {
      this.d.sessions.drop(this.d.owner, callId).catch((err: Error) => live.log.warn({ err: err.message }, 'session snapshot not dropped'));
      return;
    }
    const json = JSON.stringify(state);
    if (json === live.saved) return;
    live.saved = json;
    this.d.sessions.save(this.d.owner, callId, json, live.listed === true).then(
      () => (live.listed = true),
      (err: Error) => {
        // Written again at the next step, whatever it changes.
        live.saved = undefined;
        live.log.warn({ err: err.message }, 'session snapshot not saved');
      },
    );
  }

  /** Resolves once the caller's media commands given so far (the answer among them) have run. */
  private mediaDone(callId: string): Promise<void> {
    return this.media.submit(callId, async () => undefined);
  }

  private async enqueue(live: LiveCall, r: Route): Promise<void> {
    await this.d.queue.enqueue(
      {
        callId: live.state.callId,
        queue: r.queue,
        skills: r.skills,
        priority: r.priority,
        enqueuedAt: r.enqueuedAt,
        caller: live.state.caller,
        preferredAgentId: r.preferredAgentId,
        excludedAgents: r.excludedAgents,
        owner: this.d.owner,
        route: { line: r.line, subLine: r.subLine },
      },
      // The score keeps the place: priority first, then the time the call first entered a queue.
      queueScore(r.priority, r.enqueuedAt),
    );
  }

  /**
   * Puts back in Redis what a failed write or a Redis that lost its data left out, so that no
   * caller waits in no queue. A call this instance's set of calls does not list (written once per
   * call; a later snapshot does not list it again) is saved again and, if waiting, goes back into
   * its queue at the place it had, as does a waiting call whose enqueue failed. A call still
   * listed lost nothing, and one being offered an agent this moment must not be queued again
   * (were it, the second reservation is released: session.ts).
   * `all`: after Redis lost its data; otherwise only calls whose first save or enqueue failed.
   */
  async relist(all: boolean): Promise<number> {
    let queued = 0;
    const doubtful = [...this.calls].filter(([, live]) => all || live.listed !== true || live.unqueued).map(([callId]) => callId);
    await Promise.all(
      doubtful.map((callId) =>
        this.dispatch.submit(callId, async () => {
          const live = this.calls.get(callId);
          if (!live) return;
          const listed = await this.d.sessions.isListed(this.d.owner, callId);
          if (!listed) {
            live.saved = undefined;
            live.listed = false;
            this.saveSnapshot(live, live.state);
          }
          const route = live.state.route;
          if (live.state.phase === 'queued' && route && (!listed || live.unqueued)) {
            await this.enqueue(live, route);
            queued++;
          }
          live.unqueued = false;
        }),
      ),
    );
    return queued;
  }

  private async runLogged(live: LiveCall, cmd: CallCommand): Promise<void> {
    const callId = live.state.callId;
    try {
      await this.run(live, cmd);
    } catch (err) {
      live.log.warn({ cmd: cmd.kind, err: (err as Error).message }, 'command failed');
      if (cmd.kind === 'ring_agent') this.input(callId, { kind: 'agent_leg_failed', legId: cmd.legId, reason: 'unreachable' });
      if (cmd.kind === 'enqueue') live.unqueued = true;
      // A prompt that cannot play must not leave the call waiting for its end.
      if (cmd.kind === 'play' || cmd.kind === 'announce_position')
        this.input(callId, { kind: 'playback_finished', playbackId: cmd.playbackId });
    }
  }

  private async run(live: LiveCall, c: CallCommand): Promise<void> {
    const { ari, queues, agents } = this.d;
    const callId = live.state.callId;
    switch (c.kind) {
      case 'answer':
        return ari.answer(c.channelId);
      case 'play': {
        const media = c.prompts.map((p) =>
          p.source === 'ivr' ? this.d.ivr.media(live.def, p.name, this.d.lang) : PromptSynth.media(this.d.lang, p.name),
        );
        return ari.play(c.channelId, c.playbackId, media);
      }
      case 'stop_playback':
        return ari.stopPlayback(c.playbackId);
      case 'start_timer':
        live.timers.set(
          c.timerId,
          setTimeout(() => {
            live.timers.delete(c.timerId);
            this.input(callId, { kind: 'timer_fired', timerId: c.timerId });
          }, c.ms),
        );
        return;
      case 'cancel_timer':
        clearTimeout(live.timers.get(c.timerId));
        live.timers.delete(c.timerId);
        return;
      case 'start_moh':
        return ari.startMoh(c.channelId);
      case 'stop_moh':
        return ari.stopMoh(c.channelId);
      case 'enqueue':
        await this.enqueue(live, c.route);
        return;
      case 'dequeue':
        return queues.dequeue(c.queue, c.callId);
      case 'announce_position': {
        const [pos, serving] = await Promise.all([queues.position(c.queue, c.callId), this.d.servingAgents(c.queue)]);
        const position = pos ?? 1;
        const names = positionAnnouncement(position, expectedWaitS(position, serving, this.d.avgHandleS), c.offerCallback);
        return ari.play(
          c.channelId,
          c.playbackId,
          names.map((n) => PromptSynth.media(this.d.lang, n)),
        );
      }
      case 'keep_place_for_callback':
        // A call claimed meanwhile is not put back: its agent rings instead (QueueStore.keepForCallback).
        await queues.keepForCallback(c.callId);
        return;
      case 'ring_agent':
        this.channels.set(c.legId, { callId, role: 'agent' });
        await ari.originate({
          channelId: c.legId,
          // The agent's phone may be registered on another Asterisk node: rung through the link to it.
          endpoint: c.endpoint === `PJSIP/${c.agentId}` ? await agents.dialString(c.agentId) : c.endpoint,
          appArgs: `agent,${c.callId}`,
          callerId: c.callerNumber,
          timeoutS: c.timeoutS,
          // Carried to the agent's phone for screen pop.
          variables: { 'PJSIP_HEADER(add,X-Tax12366-Call-Id)': c.callId },
        });
        return;
      case 'bridge':
        await this.mediaDone(callId);
        await ari.createBridge(c.bridgeId, `call-${callId}`);
        await ari.addToBridge(c.bridgeId, c.channelIds);
        if (c.record) {
          const rec = { callId, recordingId: c.record.recordingId, name: c.record.name };
          // A recording that cannot start must not end the conversation: it is recorded as failed.
          await ari.recordBridge(c.bridgeId, c.record.name).catch((err: Error) => {
            this.failedRecordings.add(rec.recordingId);
            this.d.recordings?.failed(rec, err);
          });
          // Each party on its own: a snoop hearing what that party says (spy 'in'), recorded
          // until the party's channel goes (the snoop goes with it). Its id is the recording's.
          for (const leg of c.record.legs ?? []) {
            const r = { callId, recordingId: leg.id, name: leg.name };
            await ari
              .snoop(leg.channelId, { snoopId: leg.id, appArgs: 'legrec', spy: 'in', whisper: 'none' })
              .then(() => ari.recordSnoop(leg.id, leg.name))
              .catch((err: Error) => {
                this.failedRecordings.add(leg.id);
                this.d.recordings?.failed(r, err);
              });
          }
        }
        return;
      case 'finish_recording':
        // Not awaited: the call is over; its file's facts follow when Asterisk closed it.
        if (!this.failedRecordings.delete(c.recordingId))
          void this.d.recordings?.finish({ callId: c.callId, recordingId: c.recordingId, name: c.name, reason: 'call_ended' });
        return;
      case 'destroy_bridge':
        return ari.destroyBridge(c.bridgeId);
      case 'record':
        await this.mediaDone(callId);
        return ari.record(c.channelId, c.recording, c.maxSeconds);
      case 'transfer_out': {
        // Checked at upload and activation; again here since the policy may have changed since,
        // and only the policy's digits reach the dialplan's Dial().
        const d = this.d.mayDial(c.number);
        if (!d.ok) {
          live.log.error({ number: c.number, reason: d.reason }, 'IVR transfer refused by the dial policy: ending the call');
          this.d.publish([stamp(this.d.ctx(), { type: 'call.transfer_refused', callId, number: c.number, reason: d.reason })]);
          return ari.hangup(c.channelId);
        }
        return ari.continueInDialplan(c.channelId, 'transfer-out', d.digits);
      }
      case 'hangup':
        return ari.hangup(c.channelId);
      case 'agent_on_call':
        await this.d.outcomes.answered(c.agentId, c.callId);
        if (live.state.caller !== 'anonymous') await this.d.rememberAgentFor(live.state.caller, c.agentId);
        return;
      case 'release_agent':
        if (c.after === 'talk') return this.d.outcomes.afterTalk(c.agentId, c.callId, c.wrapUpS);
        if (c.after === 'no_answer') return this.d.outcomes.afterNoAnswer(c.agentId, c.callId, c.pauseAfter);
        await agents.move(c.agentId, 'unreserve', c.after, c.callId);
        return;
    }
  }
}
