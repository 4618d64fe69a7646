import { describe, expect, it } from 'vitest';
import { resumeCall, startCall, stepCall, type CallStep } from '../../src/core/call/session.js';
import type { DomainEvent } from '../../src/core/events.js';
import { aCaller, callEnv, clock } from './call-fixtures.js';

// Issue 24: Asterisk restarted under the calls. When the service reconnects, a call whose channels
// are gone was cut by the restart: ended by the system with that reason, not taken for the caller's
// hang-up (an abandon in the reports).
const ENV = callEnv();
const ended = (st: CallStep) => st.events.find((e): e is Extract<DomainEvent, { type: 'call.ended' }> => e.type === 'call.ended');
const cut = { callerAlive: false, cut: 'asterisk_restarted' as const };

describe('a call cut by an Asterisk restart', () => {
  it('waiting in the queue: rejected by the system with the reason, taken out of the queue; not an abandon', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), ENV, aCaller);
    expect(s0.state.phase).toBe('queued');
    c.advance(7000);
    const r = resumeCall(c.ctx(), ENV, s0.state, cut);
    expect(ended(r)).toMatchObject({ outcome: 'rejected', hungUpBy: 'system', reason: 'asterisk_restarted', waitMs: 7000 });
    expect(r.commands.map((k) => k.kind)).toContain('dequeue');
    expect(r.state.phase).toBe('ended');
  });

  it('talking: answered, ended by the system with the reason, the agent released to wrap-up', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), ENV, aCaller);
    const s1 = stepCall(c.ctx(), ENV, s0.state, { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    const s2 = stepCall(c.ctx(), ENV, s1.state, { kind: 'agent_leg_answered', legId: s1.state.offer!.legId });
    c.advance(20_000);
    const r = resumeCall(c.ctx(), ENV, s2.state, { ...cut, agentLeg: undefined });
    expect(ended(r)).toMatchObject({
      outcome: 'answered',
      hungUpBy: 'system',
      reason: 'asterisk_restarted',
      agentId: '1001',
      talkMs: 20_000,
    });
    expect(r.commands).toContainEqual(expect.objectContaining({ kind: 'release_agent', agentId: '1001', after: 'talk' }));
  });

  it('ringing an agent: rejected with the reason, the offer withdrawn and the agent given back', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), ENV, aCaller);
    const s1 = stepCall(c.ctx(), ENV, s0.state, { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    const r = resumeCall(c.ctx(), ENV, s1.state, cut);
    expect(ended(r)).toMatchObject({ outcome: 'rejected', hungUpBy: 'system', reason: 'asterisk_restarted', agentId: '1001' });
    expect(r.commands).toContainEqual(expect.objectContaining({ kind: 'release_agent', agentId: '1001', after: 'cancelled' }));
  });

  it("Asterisk hanging up the agent's leg itself (shutting down) cuts the call; a leg the call no longer holds cuts nothing", () => {
    const c = clock();
    const s0 = startCall(c.ctx(), ENV, aCaller);
    const s1 = stepCall(c.ctx(), ENV, s0.state, { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    const s2 = stepCall(c.ctx(), ENV, s1.state, { kind: 'agent_leg_answered', legId: s1.state.offer!.legId });
    const stale = stepCall(c.ctx(), ENV, s2.state, { kind: 'media_lost', cause: 'asterisk_shutdown', legId: 'an-old-leg' });
    expect(stale.events).toEqual([]);
    expect(stale.state).toBe(s2.state);
    const r = stepCall(c.ctx(), ENV, s2.state, { kind: 'media_lost', cause: 'asterisk_shutdown', legId: s1.state.offer!.legId });
    expect(ended(r)).toMatchObject({ outcome: 'answered', hungUpBy: 'system', reason: 'asterisk_shutdown' });
  });

  it('without a restart, a caller gone while nobody listened hung up: an abandon, as before', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), ENV, aCaller);
    const r = resumeCall(c.ctx(), ENV, s0.state, { callerAlive: false });
    expect(ended(r)).toMatchObject({ outcome: 'abandoned', hungUpBy: 'caller' });
    expect(ended(r)?.reason).toBeUndefined();
  });
});
