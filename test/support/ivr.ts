import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { REPO } from './rig.js';
import type { TestRig } from './service.js';

/** The shipped 12366 tree, open around the clock, so a test does not depend on the hour it runs. */
export function alwaysOpen12366(): Record<string, any> {
  const def = YAML.parse(readFileSync(path.join(REPO, 'ivr', '12366.yaml'), 'utf8'));
  const allDay = [['00:00', '24:00']];
  def.nodes['office-hours'].weekly = { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay };
  def.nodes['office-hours'].holidays = [];
  def.nodes['office-hours'].workdays = [];
  return def;
}

export async function api(rig: TestRig, method: string, url: string, body?: unknown, type = 'application/json') {
  const r = await fetch(`${rig.svc.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${rig.svc.config.ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': type } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

/** Uploads a definition through the ops API and activates it; returns its version. */
export async function activateIvr(rig: TestRig, def: unknown): Promise<number> {
  const up = await api(rig, 'POST', '/api/ivr/versions', def);
  if (up.status !== 201) throw new Error(`IVR upload failed: ${up.status} ${JSON.stringify(up.body)}`);
  const act = await api(rig, 'POST', `/api/ivr/versions/${up.body.version}/activate`);
  if (act.status !== 200) throw new Error(`IVR activate failed: ${act.status} ${JSON.stringify(act.body)}`);
  return up.body.version;
}

/** The shipped routing configuration (routing/12366.yaml). */
export function shippedRouting(): Record<string, any> {
  return YAML.parse(readFileSync(path.join(REPO, 'routing', '12366.yaml'), 'utf8'));
}

/**
 * The shipped routing with some queues' rules replaced (by name) or added. The shipped IVR tree
 * sends calls to every shipped queue, and a routing version lacking one cannot be activated
 * while that tree is: a test tunes the queues it uses and keeps the rest.
 */
export function shippedRoutingWith(queues: Array<{ queue: string } & Record<string, unknown>>): Record<string, any> {
  const config = shippedRouting();
  const mine = new Map(queues.map((q) => [q.queue, q]));
  config.queues = [
    ...config.queues.map((q: { queue: string }) => mine.get(q.queue) ?? q),
    ...queues.filter((q) => !config.queues.some((s: { queue: string }) => s.queue === q.queue)),
  ];
  return config;
}

/** Uploads routing rules through the ops API and activates them; returns the version. */
export async function activateRouting(rig: TestRig, config: unknown): Promise<number> {
  const up = await api(rig, 'POST', '/api/routing/versions', config);
  if (up.status !== 201) throw new Error(`routing upload failed: ${up.status} ${JSON.stringify(up.body)}`);
  const act = await api(rig, 'POST', `/api/routing/versions/${up.body.version}/activate`);
  if (act.status !== 200) throw new Error(`routing activate failed: ${act.status} ${JSON.stringify(act.body)}`);
  return up.body.version;
}

/** One ops API call: status and parsed body. */
export type ApiCall = (method: string, url: string, body?: unknown) => Promise<{ status: number; body: any }>;

/**
 * Makes the shipped IVR tree and routing the active ones, whatever an earlier run left active
 * (Postgres is shared by every test and keeps the last activation; a crashed test must not
 * poison the next). Since an IVR may only use queues the routing has, and routing may not drop
 * what the active IVR uses, a bridging routing version keeps the old tree's queues meanwhile.
 */
export async function resetToShipped(call: ApiCall): Promise<void> {
  const must = async (method: string, url: string, body?: unknown) => {
    const r = await call(method, url, body);
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const activate = async (base: string, body: unknown) => {
    const { version } = await must('POST', `${base}/versions`, body);
    await must('POST', `${base}/versions/${version}/activate`);
  };
  const routing = shippedRouting();
  const { version } = await must('GET', '/api/ivr/active');
  const current = (await must('GET', `/api/ivr/versions/${version}`)) as {
    nodes?: Record<string, { queue?: unknown; skills?: Record<string, unknown> }>;
  };
  const queues = new Set(routing.queues.map((q: { queue: string }) => q.queue));
  const skills = new Set(routing.skills.map((s: { code: string }) => s.code));
  const extraQueues = new Set<string>();
  const extraSkills = new Set<string>();
  for (const n of Object.values(current.nodes ?? {})) {
    if (typeof n.queue === 'string' && !queues.has(n.queue)) extraQueues.add(n.queue);
    for (const k of Object.keys(n.skills ?? {})) if (!skills.has(k)) extraSkills.add(k);
  }
  if (extraQueues.size || extraSkills.size) {
    const other = routing.queues.find((q: { queue: string }) => q.queue === 'other');
    const bridge = shippedRoutingWith([...extraQueues].map((queue) => ({ ...other, queue })));
    bridge.skills.push(...[...extraSkills].map((code) => ({ code, zh: code })));
    await activate('/api/routing', bridge);
  }
  await activate('/api/ivr', YAML.parse(readFileSync(path.join(REPO, 'ivr', '12366.yaml'), 'utf8')));
  await activate('/api/routing', routing);
}
