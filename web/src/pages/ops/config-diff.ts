import { diffLines } from 'diff';
import YAML from 'yaml';

/**
 * Two versions of a configuration compared line by line, on a canonical YAML of each (keys sorted,
 * one style), so a difference shown is a difference in meaning, not in how someone typed it.
 */
export function canonicalYaml(doc: unknown): string {
  return YAML.stringify(sortKeys(doc), { lineWidth: 0, indent: 2 });
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

export interface DiffRow {
  kind: 'same' | 'add' | 'del' | 'skip';
  text: string;
  /** Line numbers in the old and new text (absent on the side a line is not in). */
  oldNo?: number;
  newNo?: number;
}

/**
 * A unified diff of two documents: changed lines with `context` unchanged lines around each
 * change; longer unchanged runs become one 'skip' row saying how many lines it hides.
 */
export function diffRows(before: unknown, after: unknown, context = 3): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldNo = 0;
  let newNo = 0;
  for (const part of diffLines(canonicalYaml(before), canonicalYaml(after))) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) {
      if (part.added) rows.push({ kind: 'add', text, newNo: ++newNo });
      else if (part.removed) rows.push({ kind: 'del', text, oldNo: ++oldNo });
      else rows.push({ kind: 'same', text, oldNo: ++oldNo, newNo: ++newNo });
    }
  }
  return collapse(rows, context);
}

function collapse(rows: DiffRow[], context: number): DiffRow[] {
  const near = rows.map(() => false);
  rows.forEach((r, i) => {
    if (r.kind === 'same') return;
    for (let j = Math.max(0, i - context); j <= Math.min(rows.length - 1, i + context); j++) near[j] = true;
  });
  const out: DiffRow[] = [];
  for (let i = 0; i < rows.length;) {
    if (near[i]) {
      out.push(rows[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < rows.length && !near[j]) j++;
    out.push({ kind: 'skip', text: String(j - i) });
    i = j;
  }
  return out;
}

/** How many lines were added and removed. */
export function diffStats(rows: DiffRow[]): { added: number; removed: number } {
  return { added: rows.filter((r) => r.kind === 'add').length, removed: rows.filter((r) => r.kind === 'del').length };
}
