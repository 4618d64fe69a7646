/**
 * The skills × agents matrix: rows are agents, columns are skills, a cell is the agent's level
 * (1..5) or empty. Columns are the active routing configuration's skills, in its order, then
 * any skill an agent still has that the configuration no longer declares (shown, so it can be cleared).
 */

export interface SkillDef {
  code: string;
  zh: string;
  en?: string;
}

export interface AgentLike {
  agentId: string;
  name: string;
  skills: Record<string, number>;
  queues: string[];
}

export interface MatrixColumn extends SkillDef {
  /** Not in the active configuration: an agent still has it. */
  unknown: boolean;
}

export interface Matrix {
  columns: MatrixColumn[];
  rows: Array<{ agentId: string; name: string; cells: Record<string, number | null> }>;
}

export function buildMatrix(agents: readonly AgentLike[], skills: readonly SkillDef[]): Matrix {
  const known = new Set(skills.map((s) => s.code));
  const extra = [...new Set(agents.flatMap((a) => Object.keys(a.skills)))].filter((c) => !known.has(c)).sort();
  const columns: MatrixColumn[] = [
    ...skills.map((s) => ({ ...s, unknown: false })),
    ...extra.map((code) => ({ code, zh: code, en: code, unknown: true })),
  ];
  const rows = [...agents]
    .sort((a, b) => a.agentId.localeCompare(b.agentId, 'en', { numeric: true }))
    .map((a) => ({
      agentId: a.agentId,
      name: a.name,
      cells: Object.fromEntries(columns.map((c) => [c.code, a.skills[c.code] ?? null])),
    }));
  return { columns, rows };
}

/**
 * The skills an agent is saved with: the cells with a level. Empty or 0 means "not this skill".
 * Levels are sent as typed, even out of range: the API is the one that says what is allowed, at the cell.
 */
export function skillsFromCells(cells: Readonly<Record<string, number | null | undefined>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [code, level] of Object.entries(cells)) if (level != null && level !== 0 && Number.isFinite(level)) out[code] = level;
  return out;
}

/** Whether a row's cells differ from the agent's saved skills. */
export function cellsChanged(saved: Readonly<Record<string, number>>, cells: Readonly<Record<string, number | null | undefined>>): boolean {
  const next = skillsFromCells(cells);
  const a = Object.keys(saved);
  const b = Object.keys(next);
  return a.length !== b.length || a.some((k) => saved[k] !== next[k]);
}

/** Agents whose id or name contains the text (the matrix's search box). */
export function matchesAgent(a: { agentId: string; name: string }, text: string): boolean {
  const q = text.trim().toLowerCase();
  return !q || a.agentId.includes(q) || a.name.toLowerCase().includes(q);
}
