import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  agentIdFromChannelName,
  confirmationPrompt,
  dialledFromArgs,
  parseFeatureCode,
  type FeatureAction,
  type FeaturePrompt,
} from '../../core/agents/feature-codes.js';
import type { AriClient } from '../../adapters/ari/client.js';
import { isGone } from '../../adapters/ari/http.js';
import type { AriChannel } from '../../adapters/ari/types.js';
import { PromptSynth } from '../../adapters/prompts/synth.js';
import type { Lang } from '../../core/lang.js';
import type { AgentService, StateChange } from './agent-service.js';

export interface FeatureCodesDeps {
  ari: AriClient;
  agents: AgentService;
  /** Language of the confirmation prompts. */
  lang: Lang;
  log: Logger;
  /** How often to look whether the confirmation has finished playing. */
  pollMs?: number;
  /** Longest a confirmation may play before the call is hung up anyway. */
  maxPromptMs?: number;
}

/**
 * Agents' phone feature codes (*11 log in, *12 log out, *13X pause, *14 unpause, *15 end wrap-up):
 * the dialplan sends them into the app as `feature,<code>,<digits>`. Each call is answered, the
 * change is made with via='phone', a short confirmation (or "操作失败") is played, and the call ends.
 */
export class FeatureCodes {
  constructor(private readonly d: FeatureCodesDeps) {}

  /** For CallService's onOtherStasisStart. Never rejects; channels that are not feature codes are left alone. */
  async handle(channel: AriChannel, args: string[]): Promise<void> {
    if (args[0] !== 'feature') {
      this.d.log.debug({ channel: channel.name, args }, 'StasisStart not for feature codes');
      return;
    }
    const log = this.d.log.child({ channel: channel.name, feature: args.slice(1).join('') });
    try {
      await this.run(channel, args, log);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'feature code failed');
      await this.d.ari.hangup(channel.id).catch(() => undefined);
    }
  }

  private async run(channel: AriChannel, args: string[], log: Logger): Promise<void> {
    const { ari } = this.d;
    const agentId = await this.agentOf(channel);
    await ari.answer(channel.id);
    const dialled = dialledFromArgs(args);
    const action = dialled === undefined ? undefined : parseFeatureCode(dialled);
    let prompt: FeaturePrompt = 'agent-action-failed';
    if (!agentId) log.warn('feature code from a channel that is not an agent phone');
    else if (!action) log.info({ agentId, dialled }, 'unknown feature code');
    else {
      const r = await this.perform(agentId, action);
      if (r.applied) prompt = confirmationPrompt(action);
      log.info(
        {
          agentId,
          action: action.action,
          applied: r.applied,
          state: r.applied ? r.state : 'state' in r ? r.state : undefined,
          problem: r.applied ? undefined : r.problem,
        },
        'feature code',
      );
    }
    await this.playToEnd(channel.id, prompt);
    await ari.hangup(channel.id);
  }

  private perform(agentId: string, a: FeatureAction): Promise<StateChange> {
    const agents = this.d.agents;
    switch (a.action) {
      case 'login':
        return agents.login(agentId, 'phone');
      case 'logout':
        return agents.logout(agentId, 'phone');
      case 'pause':
        return agents.pause(agentId, a.reason, 'phone');
      case 'unpause':
        return agents.unpause(agentId, 'phone');
      case 'end_wrap_up':
        return agents.endWrapUp(agentId, 'phone');
    }
  }

  /** The agent whose phone placed the call: the PJSIP endpoint, else the channel name. */
  private async agentOf(channel: AriChannel): Promise<string | undefined> {
    const v = await this.d.ari.getVar(channel.id, 'CHANNEL(endpoint)').catch(() => undefined);
    return v?.value || agentIdFromChannelName(channel.name);
  }

  /** Plays one prompt and returns once Asterisk has finished it (the playback is gone) or the channel has. */
  private async playToEnd(channelId: string, name: FeaturePrompt): Promise<void> {
    const id = `feature-${randomUUID()}`;
    try {
      await this.d.ari.play(channelId, id, [PromptSynth.media(this.d.lang, name)]);
    } catch (err) {
      if (isGone(err)) return;
      throw err;
    }
    const deadline = Date.now() + (this.d.maxPromptMs ?? 10_000);
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, this.d.pollMs ?? 200));
      try {
        await this.d.ari.http.get(`playbacks/${encodeURIComponent(id)}`);
      } catch (err) {
        if (isGone(err)) return;
        throw err;
      }
    }
    await this.d.ari.stopPlayback(id);
  }
}
