/**
 * `npm run kb:import -- <file>`: loads a knowledge base (the import document as JSON, or CSV by
 * its .csv name) through the same service as POST /api/kb/import: checked whole, stored in one
 * transaction, found articles updated. kb/sample-base.json is the project's sample base.
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
const file = process.argv[2];
const url = process.env.DATABASE_URL;
if (!file) {
  process.stderr.write('usage: npm run kb:import -- <file.json | file.csv>\n');
  process.exit(2);
}
if (!url) {
  process.stderr.write('DATABASE_URL is not set (run through scripts/with-env.sh)\n');
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: 2 });
try {
  await migrate(pool, path.join(root, 'migrations'), pino({ level: 'warn' }));
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
} catch (err) {
  process.stderr.write(`${err instanceof KbError ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
