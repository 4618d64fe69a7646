import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './rig.js';

/** Ids of the agents this test run created, one per line; test/global-setup.ts deactivates them. */
export const TEST_AGENTS_FILE = path.join(REPO, 'var', 'test-agents');

export function noteTestAgent(agentId: string): void {
  mkdirSync(path.dirname(TEST_AGENTS_FILE), { recursive: true });
  appendFileSync(TEST_AGENTS_FILE, `${agentId}\n`);
}
