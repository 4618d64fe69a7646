import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/rig.js';
import { startTestService, waitFor, type TestRig } from '../support/service.js';

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', 'src/main.ts'], { cwd: REPO, env: { ...process.env, HTTP_PORT: '0', LOG_LEVEL: 'silent', ...env } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function redisAnswers(port: number): boolean {
  try {
    return execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).trim() === 'PONG';
  } catch {
    return false;
  }
}

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

describe('startup and health', () => {
  it('refuses to start and names each dependency it cannot reach', async () => {
    const dead = await freePort();
    const all = await runMain({
      ARI_URL: `http://127.0.0.1:${dead}`,
      DATABASE_URL: `postgres://x:y@127.0.0.1:${dead}/nothing`,
      REDIS_URL: `redis://127.0.0.1:${dead}`,
    });
    expect(all.code).toBe(1);
    expect(all.stderr).toMatch(/asterisk unreachable/);
    expect(all.stderr).toMatch(/postgres unreachable/);
    expect(all.stderr).toMatch(/redis unreachable/);
    expect(all.stderr).not.toContain(':y@');

    const onlyRedis = await runMain({ REDIS_URL: `redis://127.0.0.1:${dead}` });
    expect(onlyRedis.code).toBe(1);
    expect(onlyRedis.stderr).toMatch(/redis unreachable/);
    expect(onlyRedis.stderr).not.toMatch(/asterisk unreachable|postgres unreachable/);
  }, 90_000);

  it('rejects a bad configuration naming the variable', async () => {
    const r = await runMain({ HTTP_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/HTTP_PORT/);
  }, 30_000);

  describe('/healthz', () => {
    let rig: TestRig | undefined;
    let redis: ChildProcess | undefined;
    afterAll(async () => {
      await rig?.stop().catch(() => undefined);
      redis?.kill('SIGKILL');
    });

    it('turns red when Redis stops and green again when it returns', async () => {
      const port = await freePort();
      redis = startRedis(port);
      await waitFor('private redis up', async () => redisAnswers(port));
      rig = await startTestService({ REDIS_URL: `redis://127.0.0.1:${port}` });
      const health = async () => {
        const r = await fetch(`${rig!.svc.url}/healthz`);
        return { status: r.status, body: (await r.json()) as Record<string, { ok: boolean }> };
      };
      expect((await health()).status).toBe(200);

      redis.kill('SIGTERM');
      const red = await waitFor('healthz red', async () => {
        const h = await health();
        return h.status === 503 ? h : undefined;
      });
      expect(red.body.redis!.ok).toBe(false);
      expect(red.body.postgres!.ok).toBe(true);
      expect(red.body.asterisk!.ok).toBe(true);

      redis = startRedis(port);
      const green = await waitFor(
        'healthz green again',
        async () => {
          const h = await health();
          return h.status === 200 ? h : undefined;
        },
        20_000,
      );
      expect(green.body.redis!.ok).toBe(true);
    }, 60_000);
  });
});
