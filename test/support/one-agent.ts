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
  o: {
    name: string;
    phoneCalls: number;
    timeoutS: number;
    /** More rules for "other" (e.g. recording). */ other?: Record<string, unknown>;
    /** The Asterisk the phone registers to (ip:port): the rig's main one by default. */
    target?: string;
  },
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
      ...o.other,
    },
  ]);
  const r = await adminCall(url, 'POST', '/api/routing/versions', rules);
  await adminCall(url, 'POST', `/api/routing/versions/${r.version}/activate`);

  const agentId = await freshAgentId({ pool });
  const password = randomPassword();
  await adminCall(url, 'PUT', `/api/agents/${agentId}`, { name: o.name, password, skills: {}, queues: ['other'] });
  const { phone, port } = answeringPhone(o.phoneCalls, o.timeoutS);
  await registerAgent(agentId, password, port, 600, undefined, o.target);
  await adminCall(url, 'POST', `/api/agents/${agentId}/login`);
  return { agentId, phone };
}

/**
 * `count` more agents on "other" (after oneAgentOnOther), sharing one SIPp phone that answers
 * every call after 200 ms and holds it until the caller hangs up; each registered and logged in.
 * The load tests' floor: many agents without a process each.
 */
export async function moreAgentsOnOther(
  url: string,
  pool: pg.Pool,
  o: {
    count: number;
    /** Each agent's name is this and its number. */
    name: string;
    phoneCalls: number;
    timeoutS: number;
    /** The Asterisk the phones register to (ip:port): the rig's main one by default. */
    target?: string;
  },
): Promise<{ phone: SippRun; agents: Array<{ agentId: string; password: string; port: number }> }> {
  const { phone, port } = answeringPhone(o.phoneCalls, o.timeoutS);
  const agents: Array<{ agentId: string; password: string; port: number }> = [];
  for (let n = 1; n <= o.count; n++) {
    const agentId = await freshAgentId({ pool });
    const password = randomPassword();
    await adminCall(url, 'PUT', `/api/agents/${agentId}`, { name: `${o.name}${n}`, password, skills: {}, queues: ['other'] });
    await registerAgent(agentId, password, port, 600, undefined, o.target);
    await adminCall(url, 'POST', `/api/agents/${agentId}/login`);
    agents.push({ agentId, password, port });
  }
  return { phone, agents };
}

/** A SIPp phone that answers every call after 200 ms and holds it until the caller hangs up; several agents may register to it. */
function answeringPhone(calls: number, timeoutS: number): { phone: SippRun; port: number } {
  const port = freePorts().sip;
  return { port, phone: sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 200 }, calls, timeoutS }) };
}
