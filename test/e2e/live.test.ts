import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, alwaysOpen12366 } from '../support/ivr.js';
import { sipp } from '../support/sipp.js';
import { randomPassword, startTestService, freshAgentId, uniqueCaller, waitFor, type TestRig } from '../support/service.js';

let rig: TestRig;
beforeAll(async () => {
  // Today's figures as fresh as the test needs them: it waits for an abandon to be counted.
  rig = await startTestService({ LIVE_TODAY_EVERY_S: '1' });
  await activateIvr(rig, alwaysOpen12366());
});
afterAll(async () => {
  await rig?.stop();
});

const metrics = async (token = rig.svc.config.ADMIN_TOKEN) => {
  const r = await fetch(`${rig.svc.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: r.status, text: await r.text() };
};

describe('live figures', () => {
  it('Prometheus /metrics and the /api/live WebSocket show a waiting caller, a paused agent and today so far, and need the token', async () => {
    const agentId = await freshAgentId(rig);
    await rig.svc.agents.save({ agentId, name: '看板', password: randomPassword(), skills: { vat: 5 }, queues: ['ntax-vat'] });
    await rig.svc.liveAgents.setRegistered(agentId, true, Date.now());
    await rig.svc.agents.move(agentId, 'login', 'test');
    await rig.svc.agents.move(agentId, 'pause', 'training', undefined, { pauseReason: 'training' });

    const ws = new WebSocket(`${rig.svc.url.replace('http', 'ws')}/api/live?access_token=${rig.svc.config.ADMIN_TOKEN}`);
    const frames: Array<{
      queues: Array<{ queue: string; waiting: number; serving: number }>;
      paused: Record<string, number>;
      agentRows: Array<{ agentId: string; name: string; state: string; pauseReason: string | null; since: number; queues: string[] }>;
    }> = [];
    ws.on('message', (m) => frames.push(JSON.parse(m.toString())));

    const caller = uniqueCaller();
    const run = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 6000 },
      files: { pcap: dtmfPcap(presses('21', 500, 400), { audioMs: 6000 }) },
      timeoutS: 30,
    });
    const m = await waitFor('a caller waiting in /metrics', async () => {
      const r = await metrics();
      return /tax12366_calls_waiting\{queue="ntax-vat"\} 1/.test(r.text) ? r : undefined;
    });
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/tax12366_agents_paused\{reason="training"\} [1-9]/);
    expect(m.text).toMatch(/tax12366_longest_wait_seconds\{queue="ntax-vat"\} \d+/);
    // The process itself, for whoever runs it: memory, event-loop delay, GC pauses by kind.
    expect(m.text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(m.text).toMatch(/^nodejs_eventloop_lag_p99_seconds [\d.e-]+/m);
    expect(m.text).toMatch(/^nodejs_gc_duration_seconds_bucket\{le="0.001",kind="minor"\} \d+/m);
    await waitFor('a WebSocket frame with the caller waiting', async () =>
      frames.some((f) => f.queues.some((q) => q.queue === 'ntax-vat' && q.waiting === 1) && (f.paused.training ?? 0) >= 1),
    );
    // One row per agent (the wallboard's table), and per queue the agents serving it: this paused
    // agent is logged in with its phone registered, so it counts for its queue.
    const last = frames.at(-1)!;
    const row = last.agentRows.find((r) => r.agentId === agentId);
    expect(row).toMatchObject({ name: '看板', state: 'paused', pauseReason: 'training', queues: ['ntax-vat'] });
    expect(Date.now() - row!.since).toBeLessThan(60_000);
    expect(last.queues.find((q) => q.queue === 'ntax-vat')?.serving).toBeGreaterThanOrEqual(1);
    ws.close();
    await run.done;
    // The caller gave up in the queue: today's figures (the reports' definitions) count it.
    const after = await waitFor('today so far in /metrics', async () => {
      const r = await metrics();
      return /tax12366_today_abandoned\{queue="ntax-vat"\} [1-9]/.test(r.text) ? r.text : undefined;
    });
    expect(after).toMatch(/tax12366_today_offered\{queue="ntax-vat"\} [1-9]/);
    expect(after).toMatch(/tax12366_today_abandon_rate\{queue=""\} /);

    expect((await metrics('')).status).toBe(401);
    const noToken = new WebSocket(`${rig.svc.url.replace('http', 'ws')}/api/live`);
    const refused = await new Promise<number>((resolve) => {
      noToken.on('unexpected-response', (req, res) => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      noToken.on('open', () => resolve(101));
    });
    expect(refused).toBe(401);
    await rig.svc.agents.move(agentId, 'unpause', 'test');
    await rig.svc.agents.move(agentId, 'logout', 'test');
  }, 60_000);
});
