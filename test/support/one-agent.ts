import type pg from 'pg';
import { expect } from 'vitest';
import { alwaysOpen12366, shippedRoutingWith } from './ivr.js';
import { freePorts, requireEnv } from './rig.js';
import { registerAgent, sipp, type SippRun } from './sipp.js';
import { freshAgentId, randomPassword } from './service.js';

/** An admin call to a service started apart (spawnService) that must succeed; its JSON. */
export async function adminCall(url: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${requireEnv('ADMIN_TOKEN')}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  expect(r.status, `${method} ${path}: ${await r.clone().text()}`).toBeLessThan(300);
  return r.json();
}

/**
 * One queue and one agent: the always-open menu (pressing 0 asks for a person, queue "other"),
 * "other" served by any agent with a 1 s wrap-up, and a new agent whose SIPp phone answers
 * after 200 ms, registered and logged in.
 */
export async function oneAgentOnOther(
  url: string,
  pool: pg.Pool,
  o: { name: string; phoneCalls: number; timeoutS: number },
): Promise<{ agentId: string; phone: SippRun }> {
  const v = await adminCall(url, 'POST', '/api/ivr/versions', alwaysOpen12366());
  await adminCall(url, 'POST', `/api/ivr/versions/${v.version}/activate`);
  // Only 'other' matters here; the tree's other queues must exist all the same.
  const rules = shippedRoutingWith([
    {
      queue: 'other',
      strategy: 'longest_idle',
      steps: [{ afterS: 0, skills: 'any' }],
      wrapUpS: 1,
      ringTimeoutS: 10,
      noAnswerPauseAfter: 0,
    },
  ]);
  const r = await adminCall(url, 'POST', '/api/routing/versions', rules);
  await adminCall(url, 'POST', `/api/routing/versions/${r.version}/activate`);

  const agentId = await freshAgentId({ pool });
  const password = randomPassword();
  await adminCall(url, 'PUT', `/api/agents/${agentId}`, { name: o.name, password, skills: {}, queues: ['other'] });
  const port = freePorts().sip;
  const phone = sipp({
    scenario: 'agent-answer.xml',
    server: true,
    sipPort: port,
    vars: { ring_ms: 200 },
    calls: o.phoneCalls,
    timeoutS: o.timeoutS,
  });
  await registerAgent(agentId, password, port);
  await adminCall(url, 'POST', `/api/agents/${agentId}/login`);
  return { agentId, phone };
}
