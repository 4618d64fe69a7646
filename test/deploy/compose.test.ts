/**
 * The Docker deployment files, checked without a Docker engine: `docker-compose config` validates and
 * interpolates docker-compose.yml (secrets from a throw-away env file of dummy values, never the real
 * .env), and the images' inputs are compared with the local rig (scripts/rig.sh) and src/config.ts.
 * Images are not built or run here: the service image's Dockerfile is read for what it installs and
 * runs. docker-compose missing is a failure, never a skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigSchema, loadConfig } from '../../src/config.js';
import { PromptSynth } from '../../src/adapters/prompts/synth.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COMPOSE_FILE = path.join(REPO, 'docker-compose.yml');
const composeText = readFileSync(COMPOSE_FILE, 'utf8');

/** Dummy secrets, distinctive enough that finding one anywhere means it leaked from here. */
const DUMMY: Record<string, string> = {
  ARI_USER: 'dummy-ari-user-5d1c',
  ARI_PASSWORD: 'dummy-ari-pass-8f2e41c7',
  AMI_USER: 'dummy-ami-user-3b9a',
  AMI_PASSWORD: 'dummy-ami-pass-0c6d92e5',
  PGPASSWORD: 'dummypgpass7a13f0',
  REDIS_PASSWORD: 'dummyredispass2c94e8',
  ADMIN_TOKEN: 'dummy-admin-token-4e8b27d91f',
  TEST_AGENT_PASSWORD: 'dummy-agent-pass-61f0',
};
const REQUIRED_SECRETS = ['ARI_USER', 'ARI_PASSWORD', 'AMI_USER', 'AMI_PASSWORD', 'PGPASSWORD', 'REDIS_PASSWORD', 'ADMIN_TOKEN'];

const tmp = mkdtempSync(path.join(tmpdir(), 'tax12366-compose-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let runs = 0;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `docker-compose --env-file <tmp> -f docker-compose.yml <args>` with only the given variables: every
 * variable the compose file interpolates is removed from the inherited environment (scripts/test.sh
 * exports the real .env), and --env-file keeps docker-compose from reading the repo's .env.
 */
function compose(vars: Record<string, string>, ...args: string[]): Run {
  const envFile = path.join(tmp, `env-${++runs}`);
  writeFileSync(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
    { mode: 0o600 },
  );
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const m of composeText.matchAll(/\$\{(\w+)/g)) delete env[m[1]!];
  for (const k of Object.keys(env)) if (k.startsWith('COMPOSE_')) delete env[k];
  const r = spawnSync('docker-compose', ['--env-file', envFile, '-f', COMPOSE_FILE, ...args], { cwd: REPO, env, encoding: 'utf8' });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? 'docker-compose is not installed: install it (`apt-get install docker-compose`; scripts/rig.sh up installs it on the host) to validate docker-compose.yml'
        : `docker-compose could not be run: ${r.error.message}`,
    );
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Service {
  network_mode?: string;
  command?: string[];
  environment?: Record<string, string | number | null>;
  volumes?: Array<string | { type?: string; source?: string; target?: string; read_only?: boolean }>;
  ports?: Array<string | { host_ip?: string; published?: number | string; target?: number }>;
  depends_on?: Record<string, { condition?: string }> | string[];
}

/** Volume entries as {source, target, ro}; bind sources come out of `config` as absolute paths. */
function mounts(svc: Service): Array<{ source: string; target: string; ro: boolean }> {
  return (svc.volumes ?? []).map((v) => {
    if (typeof v === 'string') {
      const [source = '', target = '', mode = ''] = v.split(':');
      return { source, target, ro: mode.split(',').includes('ro') };
    }
    return { source: v.source ?? '', target: v.target ?? '', ro: v.read_only === true };
  });
}

/** Words of every `apt-get install` in a Dockerfile that are package names (not options). */
function aptInstalled(dockerfile: string): string[] {
  const joined = dockerfile.replace(/\\\r?\n/g, ' ');
  const pkgs: string[] = [];
  for (const line of joined.split('\n')) {
    if (!/^\s*RUN\b/.test(line)) continue;
    for (const cmd of line.replace(/^\s*RUN\s+/, '').split(/&&|;|\|\|/)) {
      const words = cmd.trim().split(/\s+/);
      const at = words.findIndex((w, i) => w === 'install' && words.slice(0, i).includes('apt-get'));
      if (at >= 0) pkgs.push(...words.slice(at + 1).filter((w) => w && !w.startsWith('-')));
    }
  }
  return pkgs;
}

describe('docker-compose.yml', () => {
  it('runs two instances, each driving its own Asterisk node, the nodes linked to each other (docs/scale.md)', () => {
    const r = compose(DUMMY, 'config');
    expect(r.status, `docker-compose config failed:\n${r.stderr}`).toBe(0);
    const { services } = YAML.parse(r.stdout) as { services: Record<string, Service> };
    const env = (s: string) => Object.fromEntries(Object.entries(services[s]?.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));
    const [a, b, na, nb] = [env('app'), env('app-b'), env('asterisk'), env('asterisk-b')];
    // Two instances: their own names and Stasis apps, one Redis and Postgres (one agent pool).
    expect(a.INSTANCE_ID).not.toBe(b.INSTANCE_ID);
    expect(a.ARI_APP).not.toBe(b.ARI_APP);
    expect(a.REDIS_URL).toBe(b.REDIS_URL);
    expect(a.DATABASE_URL).toBe(b.DATABASE_URL);
    expect(a.HTTP_PORT).not.toBe(b.HTTP_PORT);
    // Each drives its own node, by the name the links use.
    expect([a.ASTERISK_NODE, b.ASTERISK_NODE]).toEqual([na.NODE_NAME, nb.NODE_NAME]);
    expect(new URL(a.ARI_URL!).port).toBe('8088');
    expect(new URL(b.ARI_URL!).port).toBe(nb.NODE_ARI_PORT);
    expect(services['app-b']?.depends_on).toMatchObject({ 'asterisk-b': { condition: 'service_healthy' } });
    // Both nodes list both, each at the SIP port it binds; the second node's ports differ from the first's.
    expect(na.NODE_LINKS).toBe(nb.NODE_LINKS);
    expect(na.NODE_LINKS).toBe(`${na.NODE_NAME}=127.0.0.1:5060,${nb.NODE_NAME}=127.0.0.1:${nb.NODE_SIP_PORT}`);
    expect(nb.NODE_SIP_PORT).not.toBe('5060');
    expect(nb.NODE_RTP).toMatch(/^2\d{4}-\d{5}$/);
    for (const s of ['app', 'app-b']) expect(() => loadConfig({ ...env(s), ARI_PASSWORD: DUMMY.ARI_PASSWORD! })).not.toThrow();
  });

  it('validates with dummy secrets, has every service the deployment needs, and commits no secret', () => {
    const r = compose(DUMMY, 'config');
    expect(r.status, `docker-compose config failed:\n${r.stderr}`).toBe(0);
    const cfg = YAML.parse(r.stdout) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
    expect(Object.keys(cfg.services)).toEqual(expect.arrayContaining(['asterisk', 'postgres', 'redis', 'app']));
    const { asterisk, postgres, redis, app } = cfg.services as Record<'asterisk' | 'postgres' | 'redis' | 'app', Service>;

    // Asterisk runs the repo's configuration, mounted read-only.
    const am = mounts(asterisk);
    expect(am).toContainEqual({ source: path.join(REPO, 'asterisk-config'), target: '/config/asterisk-config', ro: true });
    expect(am).toContainEqual({ source: path.join(REPO, 'dialplans'), target: '/config/dialplans', ro: true });

    // The service's required settings are all provided, and together they pass its own validation.
    const appEnv = Object.fromEntries(Object.entries(app.environment ?? {}).map(([k, v]) => [k, v == null ? '' : String(v)]));
    // TypeBox lists defaulted properties as required too; those the service fills in itself need not be set.
    const properties = ConfigSchema.properties as Record<string, { default?: unknown }>;
    const required = (ConfigSchema.required ?? []).filter((k) => properties[k]?.default === undefined);
    expect(required).toEqual(expect.arrayContaining(['ARI_USER', 'ARI_PASSWORD', 'DATABASE_URL', 'REDIS_URL', 'ADMIN_TOKEN']));
    for (const key of required) expect(appEnv, `app environment lacks ${key}`).toHaveProperty(key);
    // Defaults that point into the local rig's sid root filesystem are wrong in a container.
    for (const [key, p] of Object.entries(properties)) {
      if (String(p.default ?? '').startsWith('/var/cache/tax12366'))
        expect(appEnv, `app environment must override ${key}`).toHaveProperty(key);
    }
    expect(appEnv.SOUNDS_DIR).toBe('/sounds');
    expect(appEnv.TTS_ROOT).toBe('');
    // Empty means "the image's own espeak-ng and sox", not "unset, use the rig's chroot".
    expect(loadConfig(appEnv).TTS_ROOT).toBe('');
    const config = loadConfig(appEnv);
    expect(config.ARI_PASSWORD).toBe(DUMMY.ARI_PASSWORD);
    expect(config.ADMIN_TOKEN).toBe(DUMMY.ADMIN_TOKEN);
    expect(config.DATABASE_URL).toContain(`:${DUMMY.PGPASSWORD}@127.0.0.1:`);
    // render-secrets.sh in the Asterisk container gets the same ARI credentials the service uses.
    for (const key of ['ARI_USER', 'ARI_PASSWORD', 'AMI_USER', 'AMI_PASSWORD']) expect(asterisk.environment?.[key]).toBe(DUMMY[key]);

    // ARI listens where http.conf says (loopback), which the service reaches only on the host network.
    const http = readFileSync(path.join(REPO, 'asterisk-config/http.conf'), 'utf8');
    const bindaddr = /^\s*bindaddr\s*=\s*(\S+)/m.exec(http)?.[1];
    const bindport = /^\s*bindport\s*=\s*(\d+)/m.exec(http)?.[1];
    expect(config.ARI_URL).toBe(`http://${bindaddr}:${bindport}`);
    if (bindaddr === '127.0.0.1') {
      expect(asterisk.network_mode).toBe('host');
      expect(app.network_mode).toBe('host');
    }
    // Postgres and Redis are published on loopback only, where DATABASE_URL and REDIS_URL point.
    for (const [name, svc] of [
      ['postgres', postgres],
      ['redis', redis],
    ] as const) {
      expect(svc.ports?.length, `${name} publishes no port`).toBeGreaterThan(0);
      for (const p of svc.ports ?? [])
        expect(typeof p === 'string' ? p : p.host_ip, `${name} port ${JSON.stringify(p)}`).toMatch(/^127\.0\.0\.1/);
    }
    // Redis wants a password (REDIS_PASSWORD), which the service's REDIS_URL carries; it is set
    // from the environment through a config file, never as an argument (visible in `ps`).
    expect(config.REDIS_URL).toBe(`redis://:${DUMMY.REDIS_PASSWORD}@127.0.0.1:6379`);
    expect(redis.environment?.REDIS_PASSWORD).toBe(DUMMY.REDIS_PASSWORD);
    const redisCommand = (redis.command ?? []).join(' ');
    expect(redisCommand).toMatch(/requirepass "%s"\\n' "\$\$REDIS_PASSWORD" > (\S+) && exec redis-server \1 /);
    expect(redisCommand).not.toContain(DUMMY.REDIS_PASSWORD);
    const healthcheck = JSON.stringify((redis as { healthcheck?: { test?: unknown } }).healthcheck?.test);
    expect(healthcheck).toContain('REDISCLI_AUTH');
    expect(healthcheck).not.toContain(DUMMY.REDIS_PASSWORD);
    // Live state (waiting callers, agents' states) survives a restart of Redis, on a volume of its own, and is never evicted.
    const words = redisCommand.split(/\s+/);
    const flag = (name: string) => words[words.indexOf(name) + 1];
    expect([flag('--appendonly'), flag('--maxmemory-policy'), flag('--protected-mode')]).toEqual(['yes', 'noeviction', 'yes']);
    expect(mounts(redis).find((m) => m.target === '/data')?.source).toMatch(/redisdata/);

    // A prompt the service writes is the file Asterisk plays: same named volume on both sides, and
    // <astdatadir>/sounds/<media path>.wav in Asterisk is <SOUNDS_DIR>/tax12366/... in the service.
    const synth = new PromptSynth({ soundsDir: config.SOUNDS_DIR, recordedDir: '/nonexistent', ttsRoot: '' });
    const written = synth.fileFor('zh', 'welcome');
    const appPrompts = mounts(app).find((m) => written.startsWith(`${m.target}/`));
    expect(appPrompts, `no volume in app holds ${written}`).toBeDefined();
    expect(appPrompts!.ro).toBe(false);
    const astdatadir = /^\s*astdatadir\s*=>\s*(\S+)/m.exec(readFileSync(path.join(REPO, 'asterisk-config/asterisk.conf'), 'utf8'))?.[1];
    const played = `${astdatadir}/sounds/${PromptSynth.media('zh', 'welcome').replace(/^sound:/, '')}.wav`;
    const astPrompts = am.find((m) => m.source === appPrompts!.source);
    expect(astPrompts, `asterisk does not mount volume ${appPrompts!.source}`).toBeDefined();
    expect(path.posix.join(astPrompts!.target, path.posix.relative(appPrompts!.target, written))).toBe(played);
    expect(cfg.volumes).toHaveProperty(appPrompts!.source);

    // The service starts after what it needs is healthy.
    expect(app.depends_on).toMatchObject({
      asterisk: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });

    // Secrets flow in by reference only: the interpolated config has the dummies, the file has none.
    expect(r.stdout).toContain(DUMMY.ARI_PASSWORD);
    for (const value of Object.values(DUMMY)) expect(composeText).not.toContain(value);
    for (const key of REQUIRED_SECRETS)
      expect(composeText, `docker-compose.yml must take ${key} as \${${key}:?...}`).toContain(`\${${key}:?`);
    expect(composeText).toContain('${TEST_AGENT_PASSWORD');
    const lines = composeText.split('\n').map((l) => l.replace(/(^|\s)#.*/, ''));
    const literalKey = lines.filter((l) => /^\s*(-\s*)?\w*(PASSWORD|TOKEN|SECRET)\w*\s*[:=]\s*(?![\s"']*\$\{)\S/.test(l));
    expect(literalKey, 'a password or token is set to a literal value').toEqual([]);
    const literalUrl = lines.filter((l) => /:\/\/[^:/\s@]*:(?!\$VAR@)[^@\s]+@/.test(l.replace(/\$\{[^}]*\}/g, '$VAR')));
    expect(literalUrl, 'a URL carries a literal password').toEqual([]);
  });

  it('fails loudly, naming the variable, when a secret is missing', () => {
    const { ARI_PASSWORD: _omitted, ...rest } = DUMMY;
    const r = compose(rest, 'config');
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain(DUMMY.ADMIN_TOKEN);
    // docker-compose 1.29 dumps the whole environment template first, then the failing variable's message.
    const lastLine = r.stderr.trim().split('\n').at(-1) ?? '';
    expect(lastLine, r.stderr).toMatch(/ARI_PASSWORD is not set/);
  });
});

describe('Docker images agree with the local rig', () => {
  it('the Asterisk image installs every Asterisk package of scripts/rig.sh except the test tools', () => {
    const rig = readFileSync(path.join(REPO, 'scripts/rig.sh'), 'utf8');
    const rootPackages = /^ROOT_PACKAGES="([^"]*)"/m.exec(rig)?.[1]?.split(/\s+/).filter(Boolean);
    expect(rootPackages, 'ROOT_PACKAGES not found in scripts/rig.sh').toBeDefined();
    const testTools = ['sip-tester', 'espeak-ng', 'sox', 'baresip-core', 'procps'];
    const wanted = rootPackages!.filter((p) => !testTools.includes(p));
    expect(wanted).toContain('asterisk');

    const dockerfile = readFileSync(path.join(REPO, 'docker/asterisk/Dockerfile'), 'utf8');
    const installed = aptInstalled(dockerfile);
    for (const p of wanted) expect(installed, `docker/asterisk/Dockerfile does not install ${p}`).toContain(p);
    expect(dockerfile).toMatch(/^FROM debian:sid/m);
    expect(dockerfile).toContain('--no-install-recommends');
    expect(dockerfile).toContain('Acquire::Check-Valid-Until=false');
  });

  it('the service image runs unprivileged with the prompt tools and a /healthz check', () => {
    const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
    expect(aptInstalled(dockerfile)).toEqual(expect.arrayContaining(['espeak-ng', 'sox']));
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1), 'the final stage must switch to a non-root USER').toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)(:.*)?$/);
    expect(dockerfile).toMatch(/^HEALTHCHECK\b[\s\S]*\/healthz/m);
    expect(dockerfile).toMatch(/^EXPOSE\s+3000\b/m);
    const ignore = readFileSync(path.join(REPO, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['.env', 'node_modules', '.git']) expect(ignore, `.dockerignore must exclude ${p}`).toContain(p);
    expect(
      ignore.some((l) => /^var\/?$/.test(l)),
      '.dockerignore must exclude var/',
    ).toBe(true);
    expect(
      ignore.some((l) => /^dist\/?$/.test(l)),
      '.dockerignore must exclude dist/ (the image builds its own)',
    ).toBe(true);
  });

  it('the service image runs the compiled build with production dependencies only', () => {
    const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^(?=FROM\s)/m).filter((s) => s.startsWith('FROM'));
    const final = stages.at(-1)!;
    const runs = (stage: string) =>
      stage
        .replace(/\\\r?\n/g, ' ')
        .split('\n')
        .filter((l) => /^\s*RUN\b/.test(l));
    // Built in an earlier stage, copied in: the final image has no TypeScript source or compiler.
    expect(
      stages.some((s) => runs(s).some((r) => /\bnpm run build\b/.test(r))),
      'no stage runs npm run build',
    ).toBe(true);
    expect(final).toMatch(/^COPY\s+--from=\S+\s+\/app\/dist\s/m);
    expect(final).not.toMatch(/^COPY\s+(\.|src)\s/m);
    // Its node_modules come from a stage that installed production dependencies only.
    const from = /^COPY\s+--from=(\S+)\s+\/app\/node_modules\b/m.exec(final)?.[1];
    expect(from, 'the final stage copies no node_modules').toBeDefined();
    const depsStage = stages.find((s) => new RegExp(`^FROM\\s+\\S+\\s+AS\\s+${from}\\s*$`, 'mi').test(s));
    expect(depsStage, `no stage named ${from}`).toBeDefined();
    const installs = runs(depsStage!).filter((r) => /\bnpm (ci|install)\b/.test(r));
    expect(installs.length).toBeGreaterThan(0);
    for (const r of installs) expect(r).toMatch(/--omit=dev\b/);
    // Node runs dist/main.js itself (no tsx, no npm in between), as the unprivileged user.
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(final)?.[1];
    expect(cmd, 'CMD must be in exec (JSON) form').toBeDefined();
    const argv = JSON.parse(cmd!) as string[];
    expect(argv[0]).toBe('node');
    expect(argv.at(-1)).toBe('dist/main.js');
    expect(argv).not.toContain('tsx');
    expect([...final.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]).at(-1)).toBe('node');
    // Everything the service reads from the repo root at run time is in the image.
    for (const dir of ['migrations', 'prompts', 'ivr', 'routing', 'data'])
      expect(final, `the image lacks ${dir}/`).toMatch(new RegExp(`^COPY\\s+${dir}\\s`, 'm'));
    // The production dependencies include nothing only a benchmark or a developer uses
    // (asterisk-manager is the SIP guard's, features/sip-edge, so it stays).
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    for (const dev of ['tsx', 'typescript', 'pino-pretty', 'vitest', 'fast-check', 'eslint'])
      expect(pkg.dependencies).not.toHaveProperty(dev);
    expect(pkg.scripts.start).toMatch(/^node\b.*\bdist\/main\.js$/);
  });
});
