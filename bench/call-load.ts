/**
 * Call load against the rig for benchmarks that measure something else while calls are routed
 * (bench/kb-search.ts). The same steps as bench/acd-vs-app-queue.ts's ACD run, kept here so that
 * bench stays as it is: a bench queue the IVR sends every call to straight away, N SIPp agents
 * (one SIPp answers for all, talks, hangs up), SIPp callers on the trunk at a fixed rate.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sipp, type SippRun } from '../test/support/sipp.js';
import { freePorts, REPO, ROOTFS, requireEnv } from '../test/support/rig.js';
import { resetToShipped, shippedRoutingWith, type ApiCall } from '../test/support/ivr.js';
import { AriHttp } from '../src/adapters/ari/http.js';
import { AriClient } from '../src/adapters/ari/client.js';

const PASSWORD = 'bench-agent-pass';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CallFloor {
  agents: string[];
  phones: SippRun;
  call: ApiCall;
}

function apiOf(url: string): ApiCall {
  return async (method, p, body) => {
    const r = await fetch(`${url}${p}`, {
      method,
      headers: { authorization: `Bearer ${requireEnv('ADMIN_TOKEN')}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const out = { status: r.status, body: await r.json().catch(() => undefined) };
    if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(out.body)}`);
    return out;
  };
}

/**
 * The bench queue and menu, `n` agents registered and logged in (ids from 610000). `extraQueues`:
 * more queues' rules, every agent serving them too (the soak's callback queue).
 */
export async function openFloor(
  url: string,
  n: number,
  talkMs: number,
  extraQueues: Array<{ queue: string } & Record<string, unknown>> = [],
): Promise<CallFloor> {
  const call = apiOf(url);
  await resetToShipped(call);
  const rules = await call(
    'POST',
    '/api/routing/versions',
    shippedRoutingWith([
      {
        queue: 'bench',
        strategy: 'longest_idle',
        steps: [{ afterS: 0, skills: 'any' }],
        wrapUpS: 0,
        ringTimeoutS: 15,
        noAnswerPauseAfter: 0,
      },
      ...extraQueues,
    ]),
  );
  await call('POST', `/api/routing/versions/${rules.body.version}/activate`);
  const ivr = await call('POST', '/api/ivr/versions', {
    name: 'bench',
    start: 'q',
    prompts: {},
    nodes: { q: { kind: 'queue', queue: 'bench', skills: {}, line: '其它' } },
  });
  await call('POST', `/api/ivr/versions/${ivr.body.version}/activate`);
  const agents = Array.from({ length: n }, (_, i) => String(610000 + i));
  const queues = ['bench', ...extraQueues.map((q) => q.queue)];
  for (const id of agents) await call('PUT', `/api/agents/${id}`, { name: `压测${id}`, password: PASSWORD, skills: {}, queues });
  const phonePort = freePorts().sip;
  const phones = sipp({
    scenario: 'agent-talks-then-hangs-up.xml',
    server: true,
    sipPort: phonePort,
    vars: { talk_ms: talkMs },
    calls: 1_000_000,
    timeoutS: 3600,
  });
  registerAll(agents, phonePort);
  await sleep(2000);
  for (const id of agents) await loginWhenFree(call, id);
  return { agents, phones, call };
}

/**
 * An agent a crashed run left reserved or on a call is refused a login (409) until the service's
 * stuck-agent check frees it (no channel in Asterisk; available again): tried again for up to a minute.
 */
async function loginWhenFree(call: ApiCall, id: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await call('POST', `/api/agents/${id}/login`);
      return;
    } catch (err) {
      const msg = (err as Error).message;
      // Freed by the check, it is available again: logged in already.
      if (/: 409 .*"state":"available"/.test(msg)) return;
      if (i >= 60 || !/: 409 /.test(msg)) throw err;
      await sleep(1000);
    }
  }
}

/** Agents out and deleted (their phones leave Asterisk), the phones' SIPp stopped, the shipped menu and rules active again, the Stasis app's subscriptions dropped. */
export async function closeFloor(f: CallFloor): Promise<void> {
  f.phones.kill();
  for (const id of f.agents) {
    await f.call('POST', `/api/agents/${id}/logout`).catch(() => undefined);
    await f.call('DELETE', `/api/agents/${id}`).catch(() => undefined);
  }
  await resetToShipped(f.call).catch(() => undefined);
}

/** Callers at `rate` a second for `seconds` on the production trunk, each a new number; resolves when SIPp is done. */
export async function placeCalls(run: string, rate: number, seconds: number): Promise<{ placed: number; failed: number }> {
  const calls = Math.round(rate * seconds);
  const r = await sipp({
    scenario: 'load-caller.xml',
    ip: '127.0.0.2',
    keys: { caller: `0572${run}${rate}`, dialed: '12366' },
    calls,
    rate,
    ratePeriodMs: 1000,
    timeoutS: seconds + 120,
  }).done;
  const failed = Number(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(r.output)?.[1] ?? NaN);
  return { placed: calls, failed: Number.isNaN(failed) ? (r.code === 0 ? 0 : calls) : failed };
}

/** A killed service leaves its Stasis application's subscriptions in Asterisk: dropped before it goes. */
export async function releaseStasisApp(app = process.env.ARI_APP ?? 'tax12366'): Promise<void> {
  const http = new AriHttp({
    url: requireEnv('ARI_URL'),
    user: requireEnv('ARI_USER'),
    password: requireEnv('ARI_PASSWORD'),
    maxSockets: 2,
  });
  try {
    await new AriClient(http, app).dropSubscriptions(['deviceState', 'endpoint', 'channel', 'bridge']);
  } finally {
    http.close();
  }
}

/** One SIPp registers every agent, all with the same contact: one SIPp phone answers for all. */
function registerAll(agents: string[], contactPort: number): void {
  const dir = path.join(ROOTFS, 'tmp', 'tax12366-sipp');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'kbbench-agents.csv'), `SEQUENTIAL\n${agents.map((id) => `${id};${PASSWORD}`).join('\n')}\n`);
  const scenario = readFileSync(path.join(REPO, 'test/sipp/register.xml'), 'utf8')
    .replaceAll('[user]', '[field0]')
    .replaceAll('password=[password]', 'password=[field1]');
  writeFileSync(path.join(dir, 'kbbench-register.xml'), scenario);
  execFileSync(
    'chroot',
    [
      ROOTFS,
      'sipp',
      '127.0.0.1:5060',
      '-sf',
      '/tmp/tax12366-sipp/kbbench-register.xml',
      '-inf',
      '/tmp/tax12366-sipp/kbbench-agents.csv',
      '-i',
      '127.0.0.1',
      '-p',
      String(freePorts().sip),
      '-m',
      String(agents.length),
      '-r',
      '200',
      '-key',
      'contact_port',
      String(contactPort),
      '-key',
      'expires',
      '3600',
      '-timeout',
      '60s',
      '-nostdin',
    ],
    { stdio: 'ignore' },
  );
}
