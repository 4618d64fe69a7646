import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AriHttpError } from '../../src/adapters/ari/http.js';
import type { AriClient } from '../../src/adapters/ari/client.js';
import type { AriChannel } from '../../src/adapters/ari/types.js';
import type { AgentService, StateChange } from '../../src/features/agents/agent-service.js';
import { FeatureCodes } from '../../src/features/agents/feature-codes.js';

const channel = (name = 'PJSIP/1001-0000002a'): AriChannel => ({
  id: 'ch-1',
  name,
  state: 'Ring',
  caller: { name: '', number: '1001' },
  connected: { name: '', number: '' },
  dialplan: { context: 'agent-feature', exten: 's', priority: 1 },
  creationtime: '',
});

/** A fake ARI that records what it is asked; a playback is "finished" after `playingPolls` looks. */
function fakeAri(o: { endpoint?: string; playingPolls?: number } = {}) {
  const calls: string[] = [];
  let polls = 0;
  const ari = {
    getVar: async (_id: string, v: string) => {
      calls.push(`getVar ${v}`);
      if (o.endpoint === undefined) throw new AriHttpError('GET', 'variable', 404, 'no');
      return { value: o.endpoint };
    },
    answer: async () => void calls.push('answer'),
    play: async (_id: string, _pb: string, media: string[]) => void calls.push(`play ${media.join(',')}`),
    stopPlayback: async () => void calls.push('stop'),
    hangup: async () => void calls.push('hangup'),
    http: {
      get: async () => {
        if (polls++ < (o.playingPolls ?? 1)) return { state: 'playing' };
        throw new AriHttpError('GET', 'playbacks/x', 404, 'gone');
      },
    },
  };
  return { ari: ari as unknown as AriClient, calls };
}

function fakeAgents(result: (action: string, agentId: string, reason?: string) => StateChange) {
  const done: string[] = [];
  const rec = (action: string) => async (agentId: string, a: string, b?: string) => {
    const via = b ?? a;
    const reason = b === undefined ? undefined : a;
    done.push(`${action} ${agentId}${reason ? ` ${reason}` : ''} via ${via}`);
    return result(action, agentId, reason);
  };
  const agents = { login: rec('login'), logout: rec('logout'), pause: rec('pause'), unpause: rec('unpause'), endWrapUp: rec('endWrapUp') };
  return { agents: agents as unknown as AgentService, done };
}

const ok = (action: string, agentId: string): StateChange => ({
  applied: true,
  agentId,
  from: 'logged_out',
  state: action === 'pause' ? 'paused' : 'available',
});
const log = pino({ level: 'silent' });

describe('FeatureCodes (phone feature codes into agent state changes)', () => {
  it('answers, pauses with the mapped reason via the phone, confirms, waits for the prompt, hangs up', async () => {
    const { ari, calls } = fakeAri({ endpoint: '1001', playingPolls: 2 });
    const { agents, done } = fakeAgents(ok);
    await new FeatureCodes({ ari, agents, lang: 'zh', log, pollMs: 1 }).handle(channel(), ['feature', '13', '2']);
    expect(done).toEqual(['pause 1001 meeting via phone']);
    expect(calls).toEqual(['getVar CHANNEL(endpoint)', 'answer', 'play sound:tax12366/zh/agent-paused', 'hangup']);
  });

  it('falls back to the channel name for the agent and plays the failure prompt when the move does not apply', async () => {
    const { ari, calls } = fakeAri({});
    const { agents, done } = fakeAgents((_a, agentId) => ({ applied: false, agentId, problem: 'not_applicable', state: 'on_call' }));
    await new FeatureCodes({ ari, agents, lang: 'en', log, pollMs: 1 }).handle(channel('PJSIP/2002-00000001'), ['feature', '15', '']);
    expect(done).toEqual(['endWrapUp 2002 via phone']);
    expect(calls.slice(1)).toEqual(['answer', 'play sound:tax12366/en/agent-action-failed', 'hangup']);
  });

  it('an unknown code changes nothing and still ends the call', async () => {
    const { ari, calls } = fakeAri({ endpoint: '1001' });
    const { agents, done } = fakeAgents(ok);
    await new FeatureCodes({ ari, agents, lang: 'zh', log, pollMs: 1 }).handle(channel(), ['feature', '13', '9']);
    expect(done).toEqual([]);
    expect(calls.slice(1)).toEqual(['answer', 'play sound:tax12366/zh/agent-action-failed', 'hangup']);
  });

  it('stops a prompt that plays too long, and leaves other StasisStarts alone', async () => {
    const { ari, calls } = fakeAri({ endpoint: '1001', playingPolls: 1e9 });
    const { agents } = fakeAgents(ok);
    await new FeatureCodes({ ari, agents, lang: 'zh', log, pollMs: 1, maxPromptMs: 20 }).handle(channel(), ['feature', '11', '']);
    expect(calls.slice(-3)).toEqual(['play sound:tax12366/zh/agent-logged-in', 'stop', 'hangup']);

    const other = fakeAri({ endpoint: '1001' });
    await new FeatureCodes({ ari: other.ari, agents, lang: 'zh', log }).handle(channel(), ['snoop']);
    expect(other.calls).toEqual([]);
  });
});
