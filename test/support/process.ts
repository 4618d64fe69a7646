import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { REPO } from './rig.js';
import { waitFor } from './service.js';

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * One service instance of a test's cluster: the cluster's Redis keys under `prefix`, and the
 * instance's own id, Stasis app and outbox (docs/scale.md).
 */
export function instanceEnv(prefix: string, id: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_PREFIX: prefix,
    INSTANCE_ID: id,
    ARI_APP: `tax12366-t${id}`,
    OUTBOX_DIR: mkdtempSync(path.join(os.tmpdir(), `tax12366-outbox-${id}-`)),
    ...extra,
  };
}

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** The real service as its own process (so a test can kill -9 it), waiting until /healthz is green. */
export async function spawnService(env: Record<string, string>, nodeFlags: string[] = []): Promise<ServiceProcess> {
  const port = env.HTTP_PORT ?? String(await freeTcpPort());
  // Node itself, started as the Dockerfile starts it: signals reach the service and no wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeFlags, 'src/main.ts'], {
    cwd: REPO,
    // The shared rig's database holds admin accounts from earlier runs; the tests still drive it
    // with ADMIN_TOKEN (test/e2e/hostile-api.test.ts checks the default, where it is refused).
    env: { ...process.env, LOG_LEVEL: 'info', TEST_AGENT_PASSWORD: '', ADMIN_TOKEN_ALWAYS: 'true', ...env, HTTP_PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a signal also reaches anything it started.
    detached: true,
  });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-40_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `service on ${url}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode}:\n${out.slice(-3000)}`);
      return (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200;
    },
    30_000,
    200,
  );
  return { child, url, output: () => out };
}

/** SIGTERM, as an orchestrator stops it: the service drains and exits (and writes a --cpu-prof). */
export function stopGracefully(p: ServiceProcess): Promise<void> {
  return signalGroup(p, 'SIGTERM');
}

/** SIGKILL, the way a crash or OOM-kill ends it. */
export function killHard(p: ServiceProcess): Promise<void> {
  return signalGroup(p, 'SIGKILL');
}

/** To the whole group, and resolved once node has exited. */
function signalGroup(p: ServiceProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    try {
      process.kill(-p.child.pid!, signal);
    } catch {
      p.child.kill(signal);
    }
  });
}
