/**
 * The floor under the console's "< 1 s cold" goal (not a test): what a fresh Chromium context on
 * this machine costs before any of our code runs, and where the login page's time goes.
 *
 *   npm run build:web && npx tsx bench/console-floor.ts [--samples 15]
 *
 * A small HTTP server here serves web/dist and answers /api/me with 401 (no service needed). For
 * each sample a fresh context (cold cache), measured as bench/console-load.ts measures: navigation
 * start to the first animation frame where the page's content is on screen.
 *   static   a plain HTML page with a Chinese heading and a button: no script at all (the floor);
 *   script   the same page loading the console's main chunk without running the app (its parse and
 *            module evaluation: the cost of the bytes);
 *   login    the console's login page (React + Ant Design rendering a form).
 * For login, Chromium's own counters (CDP Performance.getMetrics) split the time into script,
 * style recalculation and layout.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'web', 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const i = process.argv.indexOf('--samples');
const SAMPLES = i > 0 ? Number(process.argv[i + 1]) : 15;
if (!existsSync(path.join(DIST, 'index.html'))) throw new Error('web/dist is missing: run `npm run build:web` first');
// The entry chunk, as index.html loads it (other chunks are named index-… too).
const main = /src="\/console\/assets\/([^"]+\.js)"/.exec(readFileSync(path.join(DIST, 'index.html'), 'utf8'))?.[1];
if (!main) throw new Error('no entry script in web/dist/index.html');

const STATIC =
  '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>floor</title><h1>12366 热线 · 登录</h1><button>登录</button></html>';
// The entry chunk fetched and compiled (modulepreload) but never run: the cost of its bytes alone.
const SCRIPT = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>floor</title><h1>12366 热线 · 登录</h1><button>登录</button>
<link rel="modulepreload" href="/console/assets/${main}"></html>`;

function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/floor/static') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(STATIC);
    if (url.pathname === '/floor/script') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(SCRIPT);
    if (url.pathname.startsWith('/api/')) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"no"}');
    const rel = url.pathname.replace(/^\/console\/?/, '');
    const file = path.join(DIST, rel);
    const ok = rel && file.startsWith(DIST) && existsSync(file) && !file.endsWith('/');
    const body = readFileSync(ok ? file : path.join(DIST, 'index.html'));
    const type = (ok ? file : 'x.html').endsWith('.js')
      ? 'text/javascript'
      : (ok ? file : 'x.html').endsWith('.css')
        ? 'text/css'
        : 'text/html; charset=utf-8';
    res.writeHead(200, { 'content-type': type }).end(body);
  });
  return new Promise<{ url: string; close: () => void }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }),
    ),
  );
}

/** In the page: the first frame with a visible button (the login form's, or the static page's). */
function shown(): number | false {
  const b = document.querySelector('button');
  return b && b.getBoundingClientRect().height > 0 ? performance.now() : false;
}

async function once(browser: Browser, url: string, waitScript: boolean) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url, { waitUntil: 'commit' });
  const ms = (await (await page.waitForFunction(shown, undefined, { polling: 'raf', timeout: 15_000 })).jsonValue()) as number;
  // For the preloaded chunk: until it is fetched and compiled (its resource entry ends).
  const scriptMs = waitScript
    ? ((await (
        await page.waitForFunction(() => {
          const e = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find(
            (r) => r.name.includes('/assets/') && r.name.endsWith('.js'),
          );
          return e ? e.responseEnd : false;
        })
      ).jsonValue()) as number)
    : 0;
  const m: Record<string, number> = Object.fromEntries(
    ((await cdp.send('Performance.getMetrics')).metrics as Array<{ name: string; value: number }>).map((x) => [x.name, x.value]),
  );
  await ctx.close();
  return {
    ms: Math.max(ms, scriptMs),
    script: (m.ScriptDuration ?? 0) * 1000,
    style: (m.RecalcStyleDuration ?? 0) * 1000,
    layout: (m.LayoutDuration ?? 0) * 1000,
    task: (m.TaskDuration ?? 0) * 1000,
  };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const srv = await serve();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'], headless: true });
try {
  const kinds = [
    ['static', `${srv.url}/floor/static`, false],
    ['script', `${srv.url}/floor/script`, true],
    ['login', `${srv.url}/console/login`, false],
  ] as const;
  for (const [, url, w] of kinds) await once(browser, url, w); // warm-up: the browser process, fonts, disk cache of the OS
  const results: Record<string, Array<Awaited<ReturnType<typeof once>>>> = { static: [], script: [], login: [] };
  // Interleaved, so a slow moment of the machine falls on every kind alike.
  for (let s = 0; s < SAMPLES; s++) for (const [name, url, w] of kinds) results[name]!.push(await once(browser, url, w));
  for (const [name, rs] of Object.entries(results)) {
    const f = (k: keyof (typeof rs)[number]) =>
      `${pct(
        rs.map((r) => r[k]),
        50,
      ).toFixed(0)}`;
    console.log(
      `${name.padEnd(8)} usable p50 ${f('ms')} ms (p95 ${pct(
        rs.map((r) => r.ms),
        95,
      ).toFixed(0)})  script ${f('script')} ms  style ${f('style')} ms  layout ${f('layout')} ms  all tasks ${f('task')} ms`,
    );
  }
} finally {
  await browser.close();
  srv.close();
}
