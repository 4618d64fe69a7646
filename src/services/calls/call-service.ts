import type { Logger } from 'pino';
import type { Ctx, DomainEvent } from '../../core/events.js';
import { startCall, stepCall, type CallCommand, type CallInput, type CallState, type Step } from '../../core/call/session.js';
import type { AriClient } from '../../adapters/ari/client.js';
import type { AriEvent } from '../../adapters/ari/types.js';
import type { LiveState } from '../../adapters/redis/live-state.js';
import type { AgentService } from '../agents/agent-service.js';
import { OrderedDispatch } from './ordered-dispatch.js';
import { missReason } from './hangup-cause.js';
import { PromptSynth, type Lang } from '../../adapters/prompts/synth.js';

export interface CallServiceDeps {
  ari: AriClient;
  live: LiveState;
  agents: AgentService;
  publish: (events: DomainEvent[]) => void;
  ctx: () => Ctx;
  log: Logger;
  ringTimeoutS: number;
  /** Language of the prompts callers hear. */
  lang: Lang;
  kickDispatcher: () => void;
}

interface Live {
  state: CallState;
  log: Logger;
}

/**
 * Stasis handlers for taxpayer calls: turns ARI events into inputs for the call state
 * machine (core/call/session.ts) and carries out the commands it returns.
 */
export class CallService {
  private readonly calls = new Map<string, Live>();
  /** Caller channels and agent legs, to the call they belong to. */
  private readonly channelToCall = new Map<string, { callId: string; role: 'caller' | 'agent' }>();
  private readonly dispatch: OrderedDispatch;

  constructor(private readonly d: CallServiceDeps) {
    this.dispatch = new OrderedDispatch((key, err) => d.log.error({ callId: key, err }, 'call handler failed'));
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  /** Entry point for every ARI event. Called synchronously in arrival order. */
  onAriEvent(ev: AriEvent): void {
    switch (ev.type) {
      case 'StasisStart': {
        const e = ev as Extract<AriEvent, { type: 'StasisStart' }>;
        const [role, arg] = e.args;
        if (role === 'inbound') return this.startInbound(e.channel.id, e.channel.caller.number, arg ?? e.channel.dialplan.exten);
        if (role === 'agent' && arg) return this.input(arg, { kind: 'agent_leg_answered', legId: e.channel.id });
        return;
      }
      case 'PlaybackFinished': {
        const pb = (ev as Extract<AriEvent, { type: 'PlaybackFinished' }>).playback;
        const channelId = pb.target_uri.replace(/^channel:/, '');
        const ref = this.channelToCall.get(channelId);
        if (ref) this.input(ref.callId, { kind: 'playback_finished', playbackId: pb.id });
        return;
      }
      case 'StasisEnd': {
        const ref = ev.channel && this.channelToCall.get(ev.channel.id);
        if (!ref) return;
        if (ref.role === 'caller') this.input(ref.callId, { kind: 'caller_hung_up' });
        else this.input(ref.callId, { kind: 'agent_hung_up', legId: ev.channel!.id });
        return;
      }
      case 'ChannelDestroyed': {
        const e = ev as Extract<AriEvent, { type: 'ChannelDestroyed' }>;
        const ref = this.channelToCall.get(e.channel.id);
        if (ref?.role === 'agent') this.input(ref.callId, { kind: 'agent_leg_failed', legId: e.channel.id, reason: missReason(e.cause) });
        if (ref?.role === 'caller') this.input(ref.callId, { kind: 'caller_hung_up' });
        this.channelToCall.delete(e.channel.id);
        return;
      }
      default:
        return;
    }
  }

  /** The dispatcher reserved an agent for this call. */
  deliverAgent(callId: string, agentId: string): void {
    if (!this.calls.has(callId)) {
      // Not ours or already gone: give the agent back rather than leave it reserved.
      void this.d.agents.move(agentId, 'unreserve', 'call_gone', callId);
      return;
    }
    this.input(callId, { kind: 'agent_reserved', agentId, endpoint: `PJSIP/${agentId}` });
  }

  async idle(): Promise<void> {
    await this.dispatch.idle();
  }

  private startInbound(channelId: string, caller: string, dialed: string): void {
    const ctx = this.d.ctx();
    const callId = ctx.newId();
    this.channelToCall.set(channelId, { callId, role: 'caller' });
    this.dispatch.submit(callId, async () => {
      const step = startCall(ctx, { callId, channelId, caller: caller || 'anonymous', dialed });
      const log = this.d.log.child({ callId });
      this.calls.set(callId, { state: step.state, log });
      log.info({ caller, dialed, channelId }, 'call started');
      await this.apply(callId, step);
    });
  }

  private input(callId: string, input: CallInput): void {
    this.dispatch.submit(callId, async () => {
      const live = this.calls.get(callId);
      if (!live) return;
      await this.apply(callId, stepCall(this.d.ctx(), live.state, input));
    });
  }

  private async apply(callId: string, step: Step): Promise<void> {
    const live = this.calls.get(callId);
    if (!live) return;
    live.state = step.state;
    this.d.publish(step.events);
    for (const e of step.events) live.log.info({ event: e.type }, 'event');
    for (const cmd of step.commands) {
      try {
        await this.run(callId, cmd);
      } catch (err) {
        live.log.warn({ cmd: cmd.kind, err: (err as Error).message }, 'command failed');
        if (cmd.kind === 'ring_agent') this.input(callId, { kind: 'agent_leg_failed', legId: cmd.legId, reason: 'unreachable' });
      }
    }
    if (step.state.phase === 'ended') {
      this.calls.delete(callId);
      for (const [ch, ref] of this.channelToCall) if (ref.callId === callId) this.channelToCall.delete(ch);
      live.log.info('call finished');
    }
  }

  private async run(callId: string, c: CallCommand): Promise<void> {
    const { ari, live, agents } = this.d;
    switch (c.kind) {
      case 'answer':
        return ari.answer(c.channelId);
      case 'play':
        return ari.play(c.channelId, c.playbackId, [PromptSynth.media(this.d.lang, c.prompt)]);
      case 'start_moh':
        return ari.startMoh(c.channelId);
      case 'stop_moh':
        return ari.stopMoh(c.channelId);
      case 'enqueue':
        await live.enqueue(c.queue, c.callId, this.d.ctx().now);
        this.d.kickDispatcher();
        return;
      case 'dequeue':
        return live.dequeue(c.queue, c.callId);
      case 'ring_agent':
        this.channelToCall.set(c.legId, { callId, role: 'agent' });
        await ari.originate({
          channelId: c.legId,
          endpoint: c.endpoint,
          appArgs: `agent,${c.callId}`,
          callerId: c.callerNumber,
          timeoutS: this.d.ringTimeoutS,
          // Carried to the agent's phone for screen pop.
          variables: { 'PJSIP_HEADER(add,X-Tax12366-Call-Id)': c.callId },
        });
        return;
      case 'bridge':
        await ari.createBridge(c.bridgeId, `call-${callId}`);
        await ari.addToBridge(c.bridgeId, c.channelIds);
        return;
      case 'destroy_bridge':
        return ari.destroyBridge(c.bridgeId);
      case 'hangup':
        return ari.hangup(c.channelId);
      case 'agent_on_call':
        await agents.move(c.agentId, 'answer', undefined, c.callId);
        return;
      case 'release_agent':
        if (c.after === 'talk') await agents.move(c.agentId, 'hangup', 'call_ended', c.callId);
        else await agents.move(c.agentId, 'unreserve', c.after, c.callId);
        return;
    }
  }
}
