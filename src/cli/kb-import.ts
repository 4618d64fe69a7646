/**
 * `npm run kb:import -- <file>`: loads a knowledge base (the import document as JSON, or CSV by
 * its .csv name) through the same service as POST /api/kb/import: checked whole, stored in one
 * transaction, found articles updated. kb/sample-base.json is the project's sample base.
 * `--if-empty` (the Quick start's): loads nothing when the base already has articles, so a
 * center's own edits of sample articles are never overwritten by a restart.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../adapters/postgres/migrate.js';
import { buildKb } from '../features/kb/index.js';
import { KbError } from '../features/kb/kb-errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const ifEmpty = args.includes('--if-empty');
const file = args.find((a) => a !== '--if-empty');
const url = process.env.DATABASE_URL;
if (!file) {
  process.stderr.write('usage: npm run kb:import -- [--if-empty] <file.json | file.csv>\n');
  process.exit(2);
}
if (!url) {
  process.stderr.write('DATABASE_URL is not set (run through scripts/with-env.sh)\n');
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: 2 });
try {
  await migrate(pool, path.join(root, 'migrations'), pino({ level: 'warn' }));
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM kb_articles');
  if (ifEmpty && rows[0]!.n > 0) process.stdout.write(`knowledge base kept: ${rows[0]!.n} articles already (--if-empty)\n`);
  else await load(file);
} catch (err) {
  process.stderr.write(`${err instanceof KbError ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await pool.end();
}

async function load(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const csv = file.toLowerCase().endsWith('.csv');
  let input: unknown = text;
  if (!csv) {
    try {
      input = JSON.parse(text);
    } catch (err) {
      throw new KbError(400, `${file} is not JSON: ${(err as Error).message}`);
    }
  }
  const r = await buildKb(pool).transfer.import(input, 'kb-import', csv ? 'csv' : 'json');
  process.stdout.write(`imported ${r.articles} articles (${r.categories} new categories) from ${file}\n`);
}
