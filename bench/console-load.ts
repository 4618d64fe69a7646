/**
 * How fast each page of the web console is usable on a cold cache, and how much JavaScript it needs.
 *
 *   npm run bench:console [-- --samples 20] [--warmup 3] [--no-doc]
 *
 * Starts a service on the shared rig (as the browser tests do: run it under the rig's lock), or
 * measures a running one: CONSOLE_URL=http://127.0.0.1:3000 ADMIN_TOKEN=… (accounts and an agent
 * are made through the API and removed at the end). Build the console first (`npx vite build web`).
 *
 * For every page of web/src/pages/registry.tsx, plus the login and home pages: a fresh Chromium
 * context per sample (no cache, no service worker), signed in by cookie as a role the page allows;
 * "usable" = navigation start (performance.timeOrigin) to the first animation frame where the page's
 * own content is on screen: the shell's content area holds the page and no spinner is spinning in it
 * (the lazy chunk loaded, its first data shown), or for the login page its form. Warm-up loads are
 * not counted. JavaScript per page = the scripts the browser fetched for it (same origin), each
 * gzipped from web/dist with zlib (the service sends them uncompressed on loopback: raw bytes too).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { grants, type Permission, type Role } from '../src/core/auth/access.js';

/** Debian's Chromium, as the browser tests use it (test/support/browser.ts, which needs vitest's runner). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const launchBrowser = () =>
  chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'], headless: true });
/** The console's smallest supported size, in Chinese and Beijing time; a new context has an empty cache. */
const newContext = (b: Browser) => b.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'web', 'dist');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const JSON_OUT = path.join(ROOT, 'docs', 'benchmarks', 'console-load.json');
const START = '<!-- console-load:start -->';
const END = '<!-- console-load:end -->';
const GOAL_MS = 1000;
const AGENT_JS_GOAL = 500 * 1024;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? 'true' : v;
}
const SAMPLES = Number(arg('samples', '20'));
const WARMUP = Number(arg('warmup', '3'));
const WRITE_DOC = arg('no-doc', 'false') !== 'true';
if (!existsSync(path.join(DIST, 'index.html'))) throw new Error('web/dist is missing: run `npx vite build web` first');

interface Target {
  url: string;
  token: string;
  stop: () => Promise<void>;
  freshAgentId: () => Promise<string>;
}

async function target(): Promise<Target> {
  if (process.env.CONSOLE_URL) {
    const token = process.env.ADMIN_TOKEN;
    if (!token) throw new Error('CONSOLE_URL needs ADMIN_TOKEN (accounts for the bench are made through the API)');
    return {
      url: process.env.CONSOLE_URL.replace(/\/$/, ''),
      token,
      stop: async () => undefined,
      freshAgentId: async () => String(900000 + Math.floor(Math.random() * 99999)),
    };
  }
  const { startTestService, freshAgentId } = await import('../test/support/service.js');
  const rig = await startTestService();
  return { url: rig.svc.url, token: rig.svc.config.ADMIN_TOKEN, stop: rig.stop, freshAgentId: () => freshAgentId(rig) };
}

async function call(t: Target, method: string, url: string, body?: unknown): Promise<Response> {
  return fetch(`${t.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${t.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A session cookie for a new account of the role (deleted in cleanup). */
async function sessionFor(t: Target, role: Role, agentId: string | undefined, cleanup: Array<() => Promise<unknown>>) {
  const username = `bench-${role}-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const made = await call(t, 'POST', '/api/accounts', {
    username,
    displayName: `基准${role}`,
    role,
    password,
    ...(agentId ? { agentId } : {}),
  });
  if (made.status !== 201) throw new Error(`account ${role}: ${made.status} ${await made.text()}`);
  cleanup.push(() => call(t, 'DELETE', `/api/accounts/${username}`));
  const r = await fetch(`${t.url}/api/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const cookie = /^([^=]+)=([^;]+)/.exec(r.headers.get('set-cookie') ?? '');
  if (r.status >= 300 || !cookie) throw new Error(`sign-in ${role}: ${r.status}`);
  return { name: cookie[1]!, value: cookie[2]! };
}

/**
 * In the page: the first frame where its content is shown. Returns ms since navigation start.
 * A function, not a string: the console's Content-Security-Policy forbids eval.
 */
function usable(login: boolean): number | false {
  if (login) {
    const b = document.querySelector('form button[type=submit]');
    return b && b.getBoundingClientRect().height > 0 ? performance.now() : false;
  }
  const c = document.querySelector<HTMLElement>('.ant-layout-content');
  if (!c || !document.querySelector('[data-testid=whoami]')) return false;
  if (c.querySelector('.ant-spin-spinning') || !c.firstElementChild || !c.innerText.trim()) return false;
  return performance.now();
}

async function loadOnce(browser: Browser, url: string, cookie: { name: string; value: string } | undefined, login: boolean) {
  const ctx = await newContext(browser);
  // The whole site's path, as the service sets it (with only a url, the cookie would be /console/'s alone).
  if (cookie) await ctx.addCookies([{ ...cookie, domain: new URL(url).hostname, path: '/', httpOnly: true, sameSite: 'Strict' }]);
  const page: Page = await ctx.newPage();
  const scripts = new Set<string>();
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script' && r.url().startsWith(new URL(url).origin)) scripts.add(new URL(r.url()).pathname);
  });
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(usable, login, { polling: 'raf', timeout: 15_000 }).catch(async (e: Error) => {
    throw new Error(`${url}: not usable (at ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 200)}): ${e.message}`);
  });
  const ms = (await handle.jsonValue()) as number;
  const onPage = new URL(page.url()).pathname;
  await ctx.close();
  return { ms, scripts: [...scripts], onPage };
}

function jsSize(scripts: string[]): { raw: number; gzip: number; files: string[] } {
  let raw = 0;
  let gzip = 0;
  const files: string[] = [];
  for (const s of scripts.sort()) {
    const file = path.join(DIST, s.replace(/^\/console\//, ''));
    if (!existsSync(file)) continue;
    const body = readFileSync(file);
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
    files.push(path.basename(file));
  }
  return { raw, gzip, files };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** The role a page is measured as: the first of these the registry allows (the people it is for). */
const ROLE_ORDER: Role[] = ['supervisor', 'readonly', 'admin', 'agent'];

/**
 * The console's pages, as the shell lists them. Loaded at run time (tsx): the registry is a .tsx
 * module of the web build, outside the server's compiler settings; its lazy imports are not run.
 */
interface RegistryPage {
  path: string;
  title: [string, string];
  allowed: (
    me: { id: string; role: Role; via: string; agentId: string | null; displayName: string | null },
    can: (p: Permission) => boolean,
  ) => boolean;
}
async function registry(): Promise<RegistryPage[]> {
  const file = path.join(ROOT, 'web', 'src', 'pages', 'registry.tsx');
  return ((await import(file)) as { PAGES: RegistryPage[] }).PAGES;
}

async function main() {
  const t = await target();
  const cleanup: Array<() => Promise<unknown>> = [];
  const browser = await launchBrowser();
  try {
    const agentId = await t.freshAgentId();
    const made = await call(t, 'PUT', `/api/agents/${agentId}`, {
      name: '基准坐席',
      password: randomBytes(12).toString('hex'),
      skills: { vat: 3 },
      queues: ['ntax-vat'],
    });
    if (made.status >= 300) throw new Error(`agent ${agentId}: ${made.status} ${await made.text()}`);
    cleanup.push(() => call(t, 'DELETE', `/api/agents/${agentId}`));
    const cookies = new Map<Role, { name: string; value: string }>();
    const cookieOf = async (role: Role) => {
      if (!cookies.has(role)) cookies.set(role, await sessionFor(t, role, role === 'agent' ? agentId : undefined, cleanup));
      return cookies.get(role)!;
    };

    const pages: Array<{ path: string; title: string; role?: Role }> = [
      { path: '/login', title: '登录 Login' },
      { path: '/', title: '首页 Home', role: 'supervisor' },
    ];
    for (const p of await registry()) {
      const role = ROLE_ORDER.find((r) => p.allowed({ id: 'x', role: r, via: 'session', agentId, displayName: null }, (g) => grants(r, g)));
      if (role) pages.push({ path: p.path, title: `${p.title[0]} ${p.title[1]}`, role });
    }

    const results = [];
    for (const p of pages) {
      const url = `${t.url}/console${p.path === '/' ? '/' : p.path}`;
      const cookie = p.role ? await cookieOf(p.role) : undefined;
      const login = !p.role;
      for (let i = 0; i < WARMUP; i++) await loadOnce(browser, url, cookie, login);
      const times: number[] = [];
      let scripts: string[] = [];
      let onPage = '';
      for (let i = 0; i < SAMPLES; i++) {
        const r = await loadOnce(browser, url, cookie, login);
        times.push(r.ms);
        scripts = r.scripts;
        onPage = r.onPage;
      }
      if (onPage !== new URL(url).pathname) throw new Error(`${p.path} ended on ${onPage}: the page was not shown`);
      const js = jsSize(scripts);
      const row = {
        page: p.path,
        title: p.title,
        role: p.role ?? null,
        samples: times.length,
        p50Ms: Math.round(quantile(times, 0.5)),
        p95Ms: Math.round(quantile(times, 0.95)),
        maxMs: Math.round(Math.max(...times)),
        jsGzipBytes: js.gzip,
        jsRawBytes: js.raw,
        scripts: js.files,
      };
      results.push(row);
      console.log(
        `${p.path.padEnd(20)} ${p.role ?? '-'} p50 ${row.p50Ms} ms  p95 ${row.p95Ms} ms  max ${row.maxMs} ms  JS ${kb(js.gzip)} gz (${kb(js.raw)} raw, ${js.files.length} files)`,
      );
    }

    const agent = results.find((r) => r.page === '/agent');
    const goals = {
      coldUnder1s: results.every((r) => r.p95Ms < GOAL_MS),
      agentDesktopJsUnder500KB: agent ? agent.jsGzipBytes < AGENT_JS_GOAL : null,
    };
    const out = {
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? '',
        memGiB: Math.round(os.totalmem() / 2 ** 30),
        loadavg: os.loadavg(),
      },
      node: process.version,
      browser: browser.version(),
      target: process.env.CONSOLE_URL ? 'running service' : 'test service in the bench process (shared rig)',
      samplesPerPage: SAMPLES,
      warmupPerPage: WARMUP,
      usable: 'navigation start → first frame with the page content shown and no spinner in it (login: its form)',
      goals: { coldMs: GOAL_MS, agentDesktopJsGzipBytes: AGENT_JS_GOAL, met: goals },
      pages: results,
    };
    console.log(JSON.stringify(out.goals));
    if (WRITE_DOC) {
      mkdirSync(path.dirname(JSON_OUT), { recursive: true });
      writeFileSync(JSON_OUT, `${JSON.stringify(out, null, 2)}\n`);
      writeDoc(out);
    }
  } finally {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
    await browser.close();
    await t.stop();
  }
}

function writeDoc(out: {
  date: string;
  machine: { cpus: number; cpu: string; memGiB: number; loadavg: number[] };
  node: string;
  browser: string;
  samplesPerPage: number;
  warmupPerPage: number;
  pages: Array<{
    page: string;
    title: string;
    role: string | null;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
    jsGzipBytes: number;
    jsRawBytes: number;
  }>;
  goals: { met: { coldUnder1s: boolean; agentDesktopJsUnder500KB: boolean | null } };
}) {
  const lines = [
    START,
    `## Web console: page load and JavaScript per page (${out.date.slice(0, 10)})`,
    '',
    `\`npm run bench:console\` (\`bench/console-load.ts\`, under the rig's lock; or \`CONSOLE_URL=… ADMIN_TOKEN=…\` for a running service).`,
    `Machine: ${out.machine.cpus} × ${out.machine.cpu}, ${out.machine.memGiB} GiB, load average at start ${out.machine.loadavg.map((l) => l.toFixed(2)).join(' ')};`,
    `Node ${out.node}, Chromium ${out.browser} (Debian's, headless), the service on loopback in the bench's own process, uncompressed.`,
    '',
    `Each sample is a fresh browser context (cold cache), signed in by cookie as the role shown; ${out.warmupPerPage} warm-up loads per page, then ${out.samplesPerPage} samples.`,
    '"Usable" = navigation start to the first frame where the page\'s content is shown with no spinner in it (its chunk loaded, its first data drawn); the login page: its form.',
    'JS = the scripts the page fetched, gzipped (zlib level 9) from web/dist; raw = as sent on loopback.',
    '',
    '| page | as | p50 (ms) | p95 (ms) | max (ms) | JS gzip | JS raw |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...out.pages.map(
      (p) =>
        `| ${p.title} \`${p.page}\` | ${p.role ?? '—'} | ${p.p50Ms} | ${p.p95Ms} | ${p.maxMs} | ${kb(p.jsGzipBytes)} | ${kb(p.jsRawBytes)} |`,
    ),
    '',
    `Goals: every page usable in < 1 s cold (p95): **${out.goals.met.coldUnder1s ? 'met' : 'not met'}**; the agent desktop's JavaScript < 500 KB gzipped: **${
      out.goals.met.agentDesktopJsUnder500KB === null ? 'no agent desktop page' : out.goals.met.agentDesktopJsUnder500KB ? 'met' : 'not met'
    }**. Raw numbers: [benchmarks/console-load.json](benchmarks/console-load.json).`,
    END,
  ];
  const doc = readFileSync(DOC, 'utf8');
  const section = lines.join('\n');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  writeFileSync(DOC, a >= 0 && b > a ? doc.slice(0, a) + section + doc.slice(b + END.length) : `${doc.trimEnd()}\n\n${section}\n`);
}

await main();
// The in-process service's collectors (a GC observer, an event-loop monitor: features/live) cannot be
// stopped and keep Node alive after everything else closed: the measurements are written, so leave.
process.exit(0);
