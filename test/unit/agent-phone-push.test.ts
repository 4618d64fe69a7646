import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AgentService } from '../../src/features/agents/agent-service.js';
import type { AgentRecord } from '../../src/features/agents/agent-repo.js';
import { KeyedSerial } from '../../src/shared/keyed-serial.js';

const rec = (md5: string): AgentRecord => ({ agentId: '1001', name: '张伟', sipMd5: md5, skills: {}, queues: [], active: true });

/** An agent service whose Postgres says `stored`, but whose list was read before a save changed it. */
function service(staleList: AgentRecord[], stored: () => AgentRecord) {
  const pushed: string[] = [];
  const told = { routing: 0 };
  /** Phones Asterisk has (endpoints), and what the service recorded pushing (Redis). */
  const asterisk = new Set<string>();
  const fingerprints = new Map<string, string>();
  const ari = {
    dropSubscriptions: async () => undefined,
    putDynamic: async (_m: string, kind: string, id: string, fields: Record<string, string>) => {
      if (kind === 'auth') pushed.push(fields.md5_cred!);
      if (kind === 'endpoint') asterisk.add(id);
    },
    deleteDynamic: async (_m: string, kind: string, id: string) => void (kind === 'endpoint' && asterisk.delete(id)),
    subscribe: async () => undefined,
    endpoint: async () => ({ state: 'offline' }),
    endpoints: async () => [...asterisk].map((resource) => ({ technology: 'PJSIP', resource, channel_ids: [] })),
  };
  const repo = { list: async () => staleList, get: async () => stored() };
  const written: boolean[] = [];
  let failNext = false;
  const liveAgents = {
    pushedPhones: async () => new Map(fingerprints),
    notePhonePushed: async (id: string, fp: string | undefined) =>
      void (fp === undefined ? fingerprints.delete(id) : fingerprints.set(id, fp)),
    setProfile: async () => undefined,
    setRegistered: async (_id: string, registered: boolean) => {
      if (failNext) {
        failNext = false;
        throw new Error('redis away');
      }
      written.push(registered);
      return true;
    },
  };
  const svc = new AgentService({
    ari,
    agentNetworks: ['127.0.0.0/8'],
    repo,
    liveAgents,
    publish: () => undefined,
    ctx: () => ({ now: 0, newId: () => 'x' }),
    log: pino({ level: 'silent' }),
    onOfferable: () => undefined,
    activeRouting: async () => ({ version: 1, config: { skills: [], queues: [] } }),
    onProfilesChanged: () => void told.routing++,
  } as never);
  return { svc, pushed, told, written, asterisk, fingerprints, failOnce: () => void (failNext = true) };
}

describe('agent phones in Asterisk', () => {
  it('a resync pushes what Postgres holds when it pushes, not the list it read before a save', async () => {
    let current = rec('new-password-digest');
    const { svc, pushed } = service([rec('old-password-digest')], () => current);
    await svc.syncWithAsterisk();
    expect(pushed).toEqual(['new-password-digest']);
    current = rec('newer-digest');
    await svc.syncWithAsterisk();
    expect(pushed.at(-1)).toBe('newer-digest');
  });

  it('a resync leaves alone a phone Asterisk has as last pushed, and pushes one that changed or that Asterisk lost', async () => {
    let current = rec('digest-1');
    const { svc, pushed, asterisk, fingerprints } = service([rec('digest-1')], () => current);
    await svc.syncWithAsterisk();
    expect(pushed).toEqual(['digest-1']);
    // Reconnected to the same Asterisk: nothing to push (each push of an existing endpoint costs a warning in its log).
    await svc.syncWithAsterisk();
    expect(pushed).toEqual(['digest-1']);
    current = { ...rec('digest-1'), name: '张伟伟' };
    await svc.syncWithAsterisk();
    expect(pushed).toEqual(['digest-1', 'digest-1']);
    // Asterisk restarted: its memory is empty whatever Redis remembers.
    asterisk.clear();
    await svc.syncWithAsterisk();
    expect(pushed).toHaveLength(3);
    // Redis lost what was pushed: push again rather than trust Asterisk's copy.
    fingerprints.clear();
    await svc.syncWithAsterisk();
    expect(pushed).toHaveLength(4);
    await svc.syncWithAsterisk();
    expect(pushed).toHaveLength(4);
  });

  it('a resync of many agents tells routing once, after the last, not once per agent', async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ ...rec('d'), agentId: String(1000 + i) }));
    const { svc, pushed, told } = service(many, () => rec('d'));
    await svc.syncWithAsterisk();
    expect(pushed).toHaveLength(50);
    expect(told.routing).toBe(1);
  });

  it('device states that leave registration as it was write nothing; a change, a failed write or a resync writes again', async () => {
    const { svc, written, failOnce } = service([], () => rec('d'));
    // A call: ringing, in use, not in use; all mean a registered phone.
    for (const reachable of [true, true, true, true]) await svc.deviceState('1001', reachable);
    expect(written).toEqual([true]);
    await svc.deviceState('1001', false);
    expect(written).toEqual([true, false]);
    failOnce();
    await expect(svc.deviceState('1001', true)).rejects.toThrow('redis away');
    await svc.deviceState('1001', true);
    expect(written).toEqual([true, false, true]);
    // After a reconnection the sync re-reads every phone; the next device state is written again.
    await svc.syncWithAsterisk();
    await svc.deviceState('1001', true);
    expect(written).toEqual([true, false, true, true]);
  });
});

describe('KeyedSerial', () => {
  it("runs one key's tasks in order, other keys alongside, and gives each caller its own error", async () => {
    const s = new KeyedSerial();
    const log: string[] = [];
    const step = (name: string, ms: number) => () => new Promise<string>((r) => setTimeout(() => (log.push(name), r(name)), ms));
    const a1 = s.run('a', step('a1', 30));
    const a2 = s.run('a', async () => {
      throw new Error('a2 failed');
    });
    const a3 = s.run('a', step('a3', 1));
    const b1 = s.run('b', step('b1', 5));
    await expect(a2).rejects.toThrow('a2 failed');
    expect(await Promise.all([a1, a3, b1])).toEqual(['a1', 'a3', 'b1']);
    expect(log).toEqual(['b1', 'a1', 'a3']);
  });
});

describe("an agent's phone as pushed", () => {
  it("is identified by user name only, challenged, and limited to the agents' networks for its source and its Contact", async () => {
    const { phoneObjects } = await import('../../src/adapters/ari/pjsip-push.js');
    const objects = phoneObjects({ agentId: '1001', name: '张伟', sipMd5: 'x' }, ['10.20.0.0/16', '127.0.0.0/8']);
    const endpoint = objects.find(([k]) => k === 'endpoint')![1];
    expect(endpoint).toMatchObject({
      identify_by: 'username',
      auth: '1001',
      context: 'from-agents',
      deny: '0.0.0.0/0.0.0.0,::/0',
      permit: '10.20.0.0/16,127.0.0.0/8',
      contact_deny: '0.0.0.0/0.0.0.0,::/0',
      contact_permit: '10.20.0.0/16,127.0.0.0/8',
    });
  });
});
