/** `npm run migrate`: applies pending SQL migrations (the service also does this at start). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../adapters/postgres/migrate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('DATABASE_URL is not set (run through scripts/with-env.sh)\n');
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url });
const applied = await migrate(pool, path.join(root, 'migrations'), pino({ level: 'info' }));
process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
await pool.end();
