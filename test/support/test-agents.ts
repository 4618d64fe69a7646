import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { REPO } from './rig.js';

/** Ids of the agents this test run created, one per line; test/global-setup.ts deactivates them. */
export const TEST_AGENTS_FILE = path.join(REPO, 'var', 'test-agents');

export function noteTestAgent(agentId: string): void {
  mkdirSync(path.dirname(TEST_AGENTS_FILE), { recursive: true });
  appendFileSync(TEST_AGENTS_FILE, `${agentId}\n`);
}

/**
 * Agents persist in Postgres (deactivated, never deleted), and every service start pushes each
 * active one's phone into Asterisk: the agents tests created are deactivated when the run ends
 * (and at the next start, if a run was killed), so the rig does not grow by a few dozen per run.
 */
export async function deactivateTestAgents(): Promise<void> {
  if (!existsSync(TEST_AGENTS_FILE)) return;
  const ids = [...new Set(readFileSync(TEST_AGENTS_FILE, 'utf8').split('\n').filter(Boolean))];
  if (ids.length) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error(`DATABASE_URL is not set: cannot deactivate the ${ids.length} agents tests created (${TEST_AGENTS_FILE})`);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await pool.query('UPDATE agents SET active = false, updated_at = now() WHERE agent_id = ANY($1) AND active', [ids]);
    } finally {
      await pool.end();
    }
  }
  rmSync(TEST_AGENTS_FILE, { force: true });
}

/**
 * Accounts tests create are named `t-…` (test/e2e/*): disabled when the run ends, because an
 * enabled admin retires the bootstrap ADMIN_TOKEN (docs/security.md), and the Quick start on the
 * same machine prints that token. Without a database (a unit-only run) there is nothing to do.
 */
export async function disableTestAccounts(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await pool.query("UPDATE accounts SET disabled = true, updated_at = now() WHERE username LIKE 't-%' AND NOT disabled");
  } finally {
    await pool.end();
  }
}
