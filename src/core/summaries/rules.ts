/**
 * Call summaries (来电小结): what a summary may hold, who may write one and until when, which
 * knowledge-base articles it links, and how it reads in a caller's history. Decided here and
 * nowhere else; the API's schema and the desktop's form use the same limits.
 *
 * Self-contained (no imports): the web console bundles it as it is.
 */

/** How a call ended for the taxpayer: answered on the call, handed over as a work order, transferred, or a callback promised. */
export const RESOLUTIONS = ['answered', 'work_order', 'transferred', 'callback_promised'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** The question in one line: enough for "进口货物海关完税凭证能否抵扣" with context, short enough to read in a list. */
export const QUESTION_MAX = 200;
export const NOTES_MAX = 2000;
/** Articles linked to one summary (sent and opened during the call together). */
export const ARTICLES_MAX = 20;
/**
 * An agent may write or correct the summary of a call it answered until this long after the call
 * ended: long enough for a busy shift's wrap-ups left for the end of the day, short enough that the
 * day's reports settle by the next day. Supervisors and admins may correct any summary at any time.
 */
export const EDIT_WINDOW_MS = 24 * 3600_000;

export interface SummaryInput {
  categoryId: number;
  question: string;
  resolution: string;
  notes: string;
  articleIds: number[];
}

export interface SummaryProblem {
  /** The body field at fault ("question", "articleIds/3"). */
  field: string;
  message: string;
}

/** Everything wrong with a summary as sent, first problem first; [] when it may be stored. */
export function summaryProblems(s: SummaryInput): SummaryProblem[] {
  const out: SummaryProblem[] = [];
  if (!Number.isSafeInteger(s.categoryId) || s.categoryId < 1)
    out.push({ field: 'categoryId', message: 'must be a category id (a positive integer)' });
  const q = s.question.trim();
  if (!q) out.push({ field: 'question', message: 'is required: the question in one line' });
  else if (/[\r\n\u2028\u2029]/.test(q)) out.push({ field: 'question', message: 'must be one line (no line breaks)' });
  else if ([...q].length > QUESTION_MAX) out.push({ field: 'question', message: `must be at most ${QUESTION_MAX} characters` });
  if (!(RESOLUTIONS as readonly string[]).includes(s.resolution))
    out.push({ field: 'resolution', message: `must be one of ${RESOLUTIONS.join(', ')}` });
  if ([...s.notes].length > NOTES_MAX) out.push({ field: 'notes', message: `must be at most ${NOTES_MAX} characters` });
  if (s.articleIds.length > ARTICLES_MAX) out.push({ field: 'articleIds', message: `at most ${ARTICLES_MAX} articles` });
  const seen = new Set<number>();
  s.articleIds.forEach((id, i) => {
    if (!Number.isSafeInteger(id) || id < 1) out.push({ field: `articleIds/${i}`, message: 'must be an article id (a positive integer)' });
    else if (seen.has(id)) out.push({ field: `articleIds/${i}`, message: `article ${id} is listed twice` });
    seen.add(id);
  });
  return out;
}

/** Who asks to write (the signed-in account). */
export interface Writer {
  role: string;
  agentId?: string;
}

/** The call as history has it (the calls table): who answered it, and when it ended. */
export interface CallFacts {
  agentId: string | null;
  /** ms; null while the call is still going (or its end is not stored yet). */
  endedAt: number | null;
}

export type EditDecision =
  | { allow: true; /** ms after which the writer may no longer edit; null: no limit */ until: number | null }
  | { allow: false; status: 403 | 409; reason: string };

/** Roles that may correct any summary at any time. */
const ANY_TIME = new Set(['admin', 'supervisor']);

/**
 * May `who` write the summary of this call now? Supervisors and admins: any ended call, any time.
 * An agent: only a call it answered, from its end (wrap-up) until EDIT_WINDOW_MS after.
 */
export function mayEdit(who: Writer, call: CallFacts, now: number): EditDecision {
  if (call.endedAt === null || call.agentId === null) {
    // No answering agent yet: either the call is still going (its agent is stored at its end) or nobody answered it.
    return call.endedAt === null
      ? { allow: false, status: 409, reason: 'the call has not ended yet (or its end is not stored yet): summarize it at wrap-up' }
      : { allow: false, status: 409, reason: 'no agent answered this call: there is nothing to summarize' };
  }
  if (ANY_TIME.has(who.role)) return { allow: true, until: null };
  if (who.role !== 'agent' || who.agentId === undefined)
    return { allow: false, status: 403, reason: `role ${who.role} may not write call summaries` };
  if (who.agentId !== call.agentId) return { allow: false, status: 403, reason: 'an agent may summarize only the calls it answered' };
  const until = call.endedAt + EDIT_WINDOW_MS;
  if (now > until)
    return {
      allow: false,
      status: 403,
      reason: `the edit window closed ${EDIT_WINDOW_MS / 3600_000} h after the call ended; ask a supervisor to correct it`,
    };
  return { allow: true, until };
}

/**
 * The articles a summary links: those the agent ticked, then those opened during the call that
 * were not ticked (the two-way link: opening an article on a call counts as using it), each once,
 * at most ARTICLES_MAX (ticked ones first, so the agent's choice always fits).
 */
export function linkedArticles(sent: readonly number[], opened: readonly number[]): number[] {
  return [...new Set([...sent, ...opened])].slice(0, ARTICLES_MAX);
}

/** A summary as one line in a caller's history: the category's last name and the question ("海关完税凭证的抵扣：进口环节增值税能否抵扣"). */
export function summaryLine(categoryPath: readonly string[], question: string): string {
  const tail = categoryPath[categoryPath.length - 1];
  return tail ? `${tail}：${question}` : question;
}
