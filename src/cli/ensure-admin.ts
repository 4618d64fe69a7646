/**
 * `tsx src/cli/ensure-admin.ts`: the Quick start's console admin. Unless an enabled admin account
 * exists, creates `admin` (管理员) with the password in CONSOLE_ADMIN_PASSWORD, so the person who
 * ran scripts/up.sh can sign in to /console/ as the admin it printed. Never prints the password.
 * Applies pending migrations first: on a first run the service has not made the tables yet.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../adapters/postgres/migrate.js';
import { PgAccountRepo } from '../features/auth/account-repo.js';
import { ensureAdmin, MIN_PASSWORD } from '../features/auth/ensure-admin.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const USERNAME = 'admin';
const url = process.env.DATABASE_URL;
const password = process.env.CONSOLE_ADMIN_PASSWORD ?? '';
if (!url) {
  process.stderr.write('ensure-admin: DATABASE_URL is not set (run through scripts/with-env.sh)\n');
  process.exit(2);
}
if (password.length < MIN_PASSWORD) {
  process.stderr.write(
    `ensure-admin: CONSOLE_ADMIN_PASSWORD is ${password ? `shorter than ${MIN_PASSWORD} characters` : 'not set'}: no admin account created\n`,
  );
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: url, max: 1 });
try {
  await migrate(pool, path.join(root, 'migrations'), pino({ level: 'warn' }));
  const r = await ensureAdmin(new PgAccountRepo(pool), { username: USERNAME, displayName: '管理员', password });
  if (r.outcome === 'created') process.stdout.write(`console admin: created account "${r.username}" (password: CONSOLE_ADMIN_PASSWORD)\n`);
  else if (r.outcome === 'exists') process.stdout.write('console admin: an enabled admin account already exists; nothing changed\n');
  else {
    process.stderr.write(
      `ensure-admin: no enabled admin, but account "${r.username}" exists (disabled or not an admin); left as it is: ` +
        'enable it, or create an admin with ADMIN_TOKEN (POST /api/accounts)\n',
    );
    process.exitCode = 3;
  }
} finally {
  await pool.end();
}
