import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DesktopChannel, type Frame } from '../../src/features/desktop/desktop-channel.js';
import type { DesktopView } from '../../src/features/desktop/desktop-service.js';
import type { AgentLive } from '../../src/features/agents/agent-live-store.js';

const log = pino({ level: 'silent' });

/** A fake of the live store's change numbers and of the view: tests move agents and count reads. */
function rig() {
  let seq = 100;
  const changes = new Map<string, number>();
  const states = new Map<string, { state: DesktopView['state']; settled: boolean }>();
  const reads: string[] = [];
  const change = (agentId: string, state: DesktopView['state'], settled = true) => {
    states.set(agentId, { state, settled });
    changes.set(agentId, ++seq);
  };
  const channel = new DesktopChannel({
    liveAgents: {
      agentsChangedSince: async (since) => ({
        seq,
        agents: [...changes].filter(([, s]) => since === undefined || s > since).map(([agentId]) => ({ agentId }) as AgentLive),
        gone: [],
      }),
    },
    desktop: {
      view: async (agentId) => {
        reads.push(agentId);
        const s = states.get(agentId) ?? { state: 'logged_out' as const, settled: true };
        const view: DesktopView = {
          agentId,
          name: agentId,
          state: s.state,
          registered: true,
          since: null,
          pauseReason: null,
          wrapUntil: null,
          answeredToday: 0,
          pop: null,
        };
        return { view, settled: s.settled };
      },
    },
    log,
    now: () => Date.now(),
    tickMs: 1_000_000,
    fullMs: 1_000_000,
  });
  return { channel, change, reads };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('desktop channel', () => {
  it('sends the view at once, then only when the agent changed; other agents changing costs no read of it', async () => {
    const { channel, change, reads } = rig();
    const got: Frame[] = [];
    const stop = channel.watch('1001', (f) => got.push(f));
    await flush();
    expect(got.map((f) => f.state)).toEqual(['logged_out']);
    await channel.tick(); // the first round reads every watched agent once and learns the change number
    change('2002', 'available');
    reads.length = 0;
    await channel.tick();
    expect(reads).toEqual([]);
    change('1001', 'reserved');
    await channel.tick();
    expect(got.map((f) => f.state)).toEqual(['logged_out', 'reserved']);
    await channel.tick(); // nothing changed: nothing read, nothing sent
    expect(got).toHaveLength(2);
    stop();
    change('1001', 'on_call');
    await channel.tick();
    expect(got).toHaveLength(2);
    channel.stop();
  });

  it('an agent whose call facts were not all readable is read again every round until they are, without waiting for a change', async () => {
    const { channel, change, reads } = rig();
    channel.watch('1001', () => undefined);
    await flush();
    await channel.tick();
    change('1001', 'reserved', false);
    await channel.tick();
    reads.length = 0;
    await channel.tick();
    await channel.tick();
    expect(reads).toEqual(['1001', '1001']);
    change('1001', 'reserved', true);
    await channel.tick();
    reads.length = 0;
    await channel.tick();
    expect(reads).toEqual([]);
    channel.stop();
  });
});
