/**
 * The dependency rules of the source tree (README, Architecture), checked by scanning the import
 * statements of every TypeScript file under src/:
 *   (a) src/core is pure: it imports only src/core files and the packages in CORE_PACKAGES, none
 *       of them doing I/O (no fs, net, http, worker_threads, no pg, ioredis, bullmq, fastify, pino...);
 *   (b) route files (src/features/<f>/routes.ts and *-routes.ts, everything in src/http) call
 *       services: they import no adapter (src/adapters) and no feature store or repository
 *       (repo.ts, store.ts, *-repo.ts, *-store.ts);
 *   (c) src/adapters is generic I/O: it imports nothing from src/features;
 *   (e) features import from src/app (the composition: connections, the Feature contract) only
 *       types: app builds features, never the other way round;
 *   (d) src is what the production image runs: it imports nothing outside src (the build
 *       compiles src alone) and, at run time, only production dependencies and node: built-ins
 *       (the image installs `npm ci --omit=dev`).
 * Each violation reads `file -> import` (the import as written, then where it leads).
 * A regular-expression scan, not a TypeScript parse: enough for this code's import statements,
 * and the self-tests below show it finds each kind of violation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Packages src/core may import: validation of plain values, no I/O. Anything else is a violation. */
const CORE_PACKAGES = new Set(['@sinclair/typebox', '@sinclair/typebox/value', '@sinclair/typebox/compiler', 'node:util', 'node:assert']);

interface Import {
  /** As written: './x.js', 'pg', 'node:fs'. */
  spec: string;
  /** Repo-relative path of a relative import, `.js` read as the `.ts` it is compiled from. */
  target?: string;
  /** `import type` / `export type`: erased by tsc, so no run-time dependency. */
  typeOnly: boolean;
}

/** The imports of one file: static imports and re-exports, side-effect imports, dynamic import(). */
export function importsOf(file: string, source: string): Import[] {
  // Comments out first, so a doc comment quoting an import is not one. Line comments only when
  // they start the line: `//` inside a string ('http://...') is not a comment.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: Import[] = [];
  const patterns = [
    // Not after / . or - : "import" inside a URL or a name ('/api/kb/import', 'kb.import') is no statement.
    /(?<![/.-])\b(import|export)\s+(type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /(?<![/.-])\b(import)()\s*['"]([^'"]+)['"]/g,
    /(?<![/.-])\b(import)()\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) {
      const spec = m[3]!;
      const target = spec.startsWith('.') ? path.posix.join(path.posix.dirname(file), spec).replace(/\.js$/, '.ts') : undefined;
      found.push({ spec, typeOnly: Boolean(m[2]), ...(target !== undefined ? { target } : {}) });
    }
  }
  return found;
}

/** 'pg' of 'pg', '@sinclair/typebox' of '@sinclair/typebox/value'. */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const isBuiltin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec);
const isRoutes = (f: string) => /^src\/features\/[^/]+\/(routes|[^/]+-routes)\.ts$/.test(f) || f.startsWith('src/http/');
const isStoreOrRepo = (f: string) => /^src\/features\/.+\/([^/]+-)?(repo|store)\.ts$/.test(f);

/**
 * Every violation of rules (a)-(d) in the given files (repo-relative path -> source), as
 * `file -> import`. `dependencies` are package.json's production dependencies.
 */
export function violations(
  files: ReadonlyMap<string, string>,
  dependencies: ReadonlySet<string>,
): Record<'core' | 'routes' | 'adapters' | 'build' | 'app', string[]> {
  const out = { core: [] as string[], routes: [] as string[], adapters: [] as string[], build: [] as string[], app: [] as string[] };
  for (const [file, source] of files) {
    if (!file.startsWith('src/')) continue;
    for (const imp of importsOf(file, source)) {
      const shown = `${file} -> ${imp.spec}${imp.target !== undefined && !imp.spec.startsWith('./') ? ` (${imp.target})` : ''}`;
      const t = imp.target;
      if (file.startsWith('src/core/')) {
        if (t !== undefined ? !t.startsWith('src/core/') : !CORE_PACKAGES.has(imp.spec)) out.core.push(shown);
      }
      if (isRoutes(file) && t !== undefined && (t.startsWith('src/adapters/') || isStoreOrRepo(t))) out.routes.push(shown);
      if (file.startsWith('src/adapters/') && t?.startsWith('src/features/')) out.adapters.push(shown);
      if (file.startsWith('src/features/') && t?.startsWith('src/app/') && !imp.typeOnly) out.app.push(shown);
      if (t !== undefined ? !t.startsWith('src/') : !imp.typeOnly && !isBuiltin(imp.spec) && !dependencies.has(packageOf(imp.spec)))
        out.build.push(shown);
    }
  }
  return out;
}

function sourceFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(path.join(REPO, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const abs = path.join(entry.parentPath, entry.name);
    files.set(path.relative(REPO, abs).split(path.sep).join('/'), readFileSync(abs, 'utf8'));
  }
  return files;
}

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const DEPENDENCIES = new Set(Object.keys(pkg.dependencies));

describe('dependency rules of src/', () => {
  const files = sourceFiles('src');
  const found = violations(files, DEPENDENCIES);

  it('scans the whole tree', () => {
    // A scan that finds no file or no import would pass every rule below.
    expect(files.size).toBeGreaterThan(50);
    expect([...files.keys()].filter((f) => f.startsWith('src/core/')).length).toBeGreaterThan(5);
    expect([...files.keys()].filter(isRoutes).length).toBeGreaterThan(5);
    expect(importsOf('src/main.ts', files.get('src/main.ts')!).length).toBeGreaterThan(20);
  });

  it('(a) src/core imports only src/core and I/O-free packages', () => {
    expect(found.core).toEqual([]);
  });

  it('(b) routes import no adapter and no feature store or repository', () => {
    expect(found.routes).toEqual([]);
  });

  it('(c) src/adapters imports nothing from src/features', () => {
    expect(found.adapters).toEqual([]);
  });

  it('(e) features import only types from src/app', () => {
    expect(found.app).toEqual([]);
  });

  it('(d) src imports nothing outside src, and only production dependencies at run time', () => {
    expect(found.build).toEqual([]);
  });
});

describe('the dependency scan itself', () => {
  const synthetic = new Map([
    [
      'src/core/bad.ts',
      [
        "import { readFile } from 'node:fs/promises';",
        "import type { Logger } from 'pino';",
        "import { redisKeys } from '../adapters/redis/keys.js';",
        "import { Type } from '@sinclair/typebox';",
        "import { thing } from './ok.js';",
        '/* import { x } from "ioredis"; -- a comment, not an import */',
        "// import net from 'node:net';",
        "const url = 'http://example'; // import('node:http') in a trailing comment is still read: acceptable",
      ].join('\n'),
    ],
    ['src/core/ok.ts', "export const thing = 1;\nimport { Value } from '@sinclair/typebox/value';"],
    [
      'src/features/calls/routes.ts',
      "import { LiveState } from '../../adapters/redis/live-state.js';\nimport { PgCallRepo } from './call-repo.js';\nimport { CallService } from './call-service.js';",
    ],
    ['src/features/reports/stats-routes.ts', "import { ReportStore } from './store.js';"],
    [
      'src/http/app.ts',
      "import {\n  AriClient,\n} from '../adapters/ari/client.js';\nexport { thing } from '../features/events/event-store.js';",
    ],
    ['src/adapters/redis/x.ts', "const m = await import('../../features/agents/agent-service.js');"],
    [
      'src/features/work/index.ts',
      "import type { Feature } from '../../app/feature.js';\nimport { startInOrder } from '../../app/feature.js';",
    ],
    [
      'src/main.ts',
      "import { helper } from '../test/support/rig.js';\nimport fc from 'fast-check';\nimport type { Foo } from 'some-types';\nimport pg from 'pg';",
    ],
    ['test/unit/ignored.ts', "import { LiveState } from '../../src/adapters/redis/live-state.js';"],
  ]);
  const found = violations(synthetic, new Set(['pg', '@sinclair/typebox']));

  it('names each violation as file -> import, and nothing that follows the rules', () => {
    expect(found.core).toEqual([
      'src/core/bad.ts -> node:fs/promises',
      'src/core/bad.ts -> pino',
      'src/core/bad.ts -> ../adapters/redis/keys.js (src/adapters/redis/keys.ts)',
      'src/core/bad.ts -> node:http',
    ]);
    expect(found.routes).toEqual([
      'src/features/calls/routes.ts -> ../../adapters/redis/live-state.js (src/adapters/redis/live-state.ts)',
      'src/features/calls/routes.ts -> ./call-repo.js',
      'src/features/reports/stats-routes.ts -> ./store.js',
      'src/http/app.ts -> ../adapters/ari/client.js (src/adapters/ari/client.ts)',
      'src/http/app.ts -> ../features/events/event-store.js (src/features/events/event-store.ts)',
    ]);
    expect(found.adapters).toEqual([
      'src/adapters/redis/x.ts -> ../../features/agents/agent-service.js (src/features/agents/agent-service.ts)',
    ]);
    expect(found.build).toEqual(['src/main.ts -> ../test/support/rig.js (test/support/rig.ts)', 'src/main.ts -> fast-check']);
    expect(found.app).toEqual(['src/features/work/index.ts -> ../../app/feature.js (src/app/feature.ts)']);
  });
});
