import type { PathEntry } from '../ivr/interpreter.js';
import { classifyCaller, type AreaCodeTable, type CallerClass, type HomeArea } from '../metrics/regions.js';

/**
 * The agent desktop's screen pop: what an agent sees of a caller the moment the phone rings.
 * Assembled here from facts the feature read (the call's live session, or its row once the call
 * ended, and the caller's earlier calls); pure, so the rules are tested without Redis or Postgres.
 */

/** The call facts a pop is made from, whichever store they came from. */
export interface PopFacts {
  callId: string;
  caller: string;
  /** The IVR's walk, in order (the session's entries, or the stored "digit:node" strings parsed). */
  path: readonly PathEntry[];
  queue: string | null;
  line: string | null;
  subLine: string | null;
  /** When the caller entered a queue (ms), if they did. */
  queuedAt: number | null;
  /** When an agent answered (ms), if one did. */
  answeredAt: number | null;
}

export interface PopHistoryEntry {
  callId: string;
  /** When the earlier call began (ms). */
  at: number;
  agentId: string | null;
  agentName: string | null;
  outcome: string | null;
  line: string | null;
  subLine: string | null;
  /** The call's summary in one line (core/summaries/rules.ts summaryLine), null if it has none (the page shows "—"). */
  summary: string | null;
}

export interface ScreenPop {
  callId: string;
  caller: string;
  region: { kind: CallerClass['region']; zh: string; en: string };
  /** Keys pressed, in order ("2", "1"). */
  keys: string[];
  /** Menus and the node the caller ended at ("main", "ntax", "ntax.vat"). */
  nodes: string[];
  queue: string | null;
  /** The business line and its sub-line as one label ("国税 → 增值税"), or null. */
  lineLabel: string | null;
  queuedAt: number | null;
  answeredAt: number | null;
  history: PopHistoryEntry[];
}

/** At most this many earlier calls are shown: enough to see a pattern, small enough to read at a glance. */
export const POP_HISTORY_LIMIT = 10;

/** The calls table's "digit:node" / "node" strings (core/call/session.ts ivrPath) back into entries. */
export function parseIvrPath(stored: readonly string[] | null | undefined): PathEntry[] {
  return (stored ?? []).map((s) => {
    const m = /^([0-9*#]):(.+)$/.exec(s);
    return m ? { nodeId: m[2]!, digit: m[1]! } : { nodeId: s };
  });
}

/**
 * What the caller chose: the keys pressed, and the nodes from the first menu they answered on.
 * The greeting and the hours check before it say nothing about the caller, so they are left out.
 */
export function describePath(path: readonly PathEntry[]): { keys: string[]; nodes: string[] } {
  const keys = path.flatMap((p) => (p.digit === undefined ? [] : [p.digit]));
  const firstPressed = path.findIndex((p) => p.digit !== undefined);
  if (firstPressed < 0) return { keys, nodes: path.length ? [path[path.length - 1]!.nodeId] : [] };
  // The menu the first key was pressed on is the entry just before it.
  const from = Math.max(0, firstPressed - 1);
  return { keys, nodes: path.slice(from).map((p) => p.nodeId) };
}

/** "国税 → 增值税", "财政", or null when the caller reached no business line. */
export function lineLabel(line: string | null, subLine: string | null): string | null {
  if (!line) return null;
  return subLine ? `${line} → ${subLine}` : line;
}

const REGION_NAMES: Record<CallerClass['region'], [zh: string, en: string]> = {
  home_city: ['本地', 'local'],
  home_province: ['省内', 'in province'],
  other_province: ['省外', 'other province'],
  international: ['国际', 'international'],
  mobile: ['手机（未知归属地）', 'mobile (place unknown)'],
  unknown: ['未知', 'unknown'],
};

/**
 * Where the number is from, as the agent reads it: "浙江 杭州（0571）" for a fixed line of a
 * known city, the province alone when the table names no city, otherwise the kind of number.
 */
export function regionOf(caller: string, table: AreaCodeTable, home: HomeArea): ScreenPop['region'] {
  const c = classifyCaller(caller, table, home);
  const [zh, en] = REGION_NAMES[c.region];
  if (c.province === undefined) return { kind: c.region, zh, en };
  const place = c.city ? `${c.province} ${c.city}` : c.province;
  const code = c.areaCode ? `（${c.areaCode}）` : '';
  return { kind: c.region, zh: `${place}${code}`, en: `${place}${c.areaCode ? ` (${c.areaCode})` : ''}, ${en}` };
}

/** The pop for one call: its facts, where the number is from, and the caller's earlier calls (newest first, this one left out). */
export function assemblePop(facts: PopFacts, earlier: readonly PopHistoryEntry[], table: AreaCodeTable, home: HomeArea): ScreenPop {
  const { keys, nodes } = describePath(facts.path);
  const history = earlier
    .filter((h) => h.callId !== facts.callId)
    .sort((a, b) => b.at - a.at)
    .slice(0, POP_HISTORY_LIMIT);
  return {
    callId: facts.callId,
    caller: facts.caller,
    region: regionOf(facts.caller, table, home),
    keys,
    nodes,
    queue: facts.queue,
    lineLabel: lineLabel(facts.line, facts.subLine),
    queuedAt: facts.queuedAt,
    answeredAt: facts.answeredAt,
    history,
  };
}

/** Agent states in which the desktop shows a call: offered, talking, or wrapping it up. */
export const STATES_WITH_CALL = ['reserved', 'on_call', 'wrap_up'] as const;
export function showsCall(state: string): boolean {
  return (STATES_WITH_CALL as readonly string[]).includes(state);
}
