import { stamp, type DomainEvent } from '../../core/events.js';
import { linkedArticles, mayEdit, summaryProblems, type Resolution, type SummaryInput, type Writer } from '../../core/summaries/rules.js';
import type { PgSummaryRepo, StoredSummary, SummaryCall } from './summary-repo.js';

/**
 * What summaries need of the knowledge base (features/kb's registration gives it; wired in
 * main.ts): a category's path from the root, articles' questions, the articles opened on a call.
 */
export interface KbLookup {
  /** The category's names from the root; undefined for no such category. */
  categoryPath(id: number): Promise<string[] | undefined>;
  /** The known ones among `ids` (any order); unknown ids are left out. */
  articles(ids: number[]): Promise<Array<{ id: number; question: string }>>;
  /** Articles opened with this call's id (GET /api/kb/articles/:id?callId=), in the order first opened. */
  openedOnCall(callId: string): Promise<number[]>;
}

/** A refusal the route turns into its status; `field` names the body field at fault (400s). */
export class SummaryError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
    readonly field?: string,
  ) {
    super(field ? `body/${field}: ${message}` : message);
  }
}

export interface SummaryView {
  callId: string;
  /** Null until the call is summarized. */
  summary: StoredSummary | null;
  /** Whether the asker may write it now, until when (ISO; null: no limit), or why not. */
  edit: { allowed: boolean; until: string | null; reason: string | null };
}

export interface SummaryServiceDeps {
  repo: Pick<PgSummaryRepo, 'call' | 'get' | 'save'>;
  kb: KbLookup;
  publish: (events: DomainEvent[]) => void;
  now: () => number;
  newId: () => string;
}

/** Call summaries: read, and written by whom core/summaries/rules.ts allows, with the KB's path and articles as they are now. */
export class SummaryService {
  constructor(private readonly d: SummaryServiceDeps) {}

  /**
   * The call's summary as a work order's opening text (features/workorders): the category path,
   * the question and the notes; undefined when the call has none. No permission check: the order's
   * creator may already see the call.
   */
  async summaryOf(callId: string): Promise<string | undefined> {
    const s = await this.d.repo.get(callId);
    if (!s) return undefined;
    return [`${s.categoryPath.join(' > ')}：${s.question}`, s.notes.trim()].filter(Boolean).join('\n');
  }

  async get(callId: string, who: Writer): Promise<SummaryView> {
    const call = await this.call(callId);
    const summary = (await this.d.repo.get(callId)) ?? null;
    const e = mayEdit(who, call, this.d.now());
    return {
      callId,
      summary,
      edit: e.allow
        ? { allowed: true, until: e.until === null ? null : new Date(e.until).toISOString(), reason: null }
        : { allowed: false, until: null, reason: e.reason },
    };
  }

  /**
   * Stores a new version of the call's summary, or throws SummaryError and stores nothing.
   * The articles opened during the call are linked too (core: linkedArticles). Returns the
   * summary before (null for the first) and after, for the audit log.
   */
  async put(
    callId: string,
    input: SummaryInput,
    who: Writer & { id: string },
  ): Promise<{ before: StoredSummary | null; after: StoredSummary }> {
    const problem = summaryProblems(input)[0];
    if (problem) throw new SummaryError(400, problem.message, problem.field);
    const call = await this.call(callId);
    const e = mayEdit(who, call, this.d.now());
    if (!e.allow) throw new SummaryError(e.status, e.reason);
    const categoryPath = await this.d.kb.categoryPath(input.categoryId);
    if (!categoryPath) throw new SummaryError(400, `no category ${input.categoryId} in the knowledge base`, 'categoryId');
    const sent = await this.d.kb.articles(input.articleIds);
    const known = new Set(sent.map((a) => a.id));
    const missing = input.articleIds.findIndex((id) => !known.has(id));
    if (missing >= 0) throw new SummaryError(400, `no article ${input.articleIds[missing]} in the knowledge base`, `articleIds/${missing}`);
    const ids = linkedArticles(input.articleIds, await this.d.kb.openedOnCall(callId));
    const extra = ids.filter((id) => !known.has(id));
    // Opened articles deleted since are dropped; the rest keep their question as it is now.
    const byId = new Map([...sent, ...(extra.length ? await this.d.kb.articles(extra) : [])].map((a) => [a.id, a]));
    const articles = ids.flatMap((id) => {
      const a = byId.get(id);
      return a ? [{ id, question: a.question }] : [];
    });
    const before = (await this.d.repo.get(callId)) ?? null;
    const agentId = call.agentId!;
    const record = {
      categoryId: input.categoryId,
      categoryPath,
      question: input.question.trim(),
      resolution: input.resolution,
      notes: input.notes,
      articles,
    };
    await this.d.repo.save({ ...call, agentId }, record, who.id);
    const after = (await this.d.repo.get(callId))!;
    this.d.publish([
      stamp(
        { now: this.d.now(), newId: this.d.newId },
        {
          type: 'call.summarized',
          callId,
          agentId,
          queue: call.queue,
          categoryId: input.categoryId,
          categoryPath,
          resolution: input.resolution as Resolution,
          articleIds: articles.map((a) => a.id),
          version: after.version,
          by: who.id,
        },
      ),
    ]);
    return { before, after };
  }

  private async call(callId: string): Promise<SummaryCall> {
    const call = await this.d.repo.call(callId);
    if (!call) throw new SummaryError(404, `no call ${callId}`);
    return call;
  }
}
