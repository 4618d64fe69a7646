import { snippet, highlight } from '../../core/kb/highlight.js';
import { parseQuery } from '../../core/kb/query.js';
import { combine } from '../../core/kb/rank.js';
import { hotness, type ArticleStatus } from '../../core/kb/workflow.js';
import type { Segmenter } from '../../adapters/text/segment.js';
import type { CategoryCache } from './category-cache.js';
import type { PgKbRepo } from './kb-repo.js';
import type { ArticleSummary, KbService } from './kb-service.js';

export interface SearchResult extends ArticleSummary {
  snippet: string;
  questionHtml: string;
  score: number;
}

/** How many full-text matches are ranked at most (docs/knowledge-base.md, "Cost"), and how many candidates each search hands to the ranking. */
export const FULL_TEXT_SCAN = 2000;
export const CANDIDATES = 100;

/**
 * Search as agents type (docs/knowledge-base.md): jieba cuts the query as it cut the articles;
 * Postgres full-text finds articles holding every word (the last as a prefix); when those are
 * fewer than asked for, pg_trgm adds articles whose question or keywords are close (partial
 * words, one-character typos). core/kb/rank.ts orders the union; core/kb/highlight.ts marks it.
 */
export class KbSearch {
  constructor(
    private readonly repo: PgKbRepo,
    private readonly tree: CategoryCache,
    private readonly segmenter: Segmenter,
    private readonly articles: Pick<KbService, 'summaries'>,
  ) {}

  async search(
    q: string,
    o: { categoryId?: number; statuses: ArticleStatus[]; limit: number },
  ): Promise<{ results: SearchResult[]; tookMs: number }> {
    const t0 = performance.now();
    const parsed = parseQuery(q, this.segmenter.cut(q), this.segmenter.cutForSearch(q));
    if (!parsed.tsquery) return { results: [], tookMs: 0 };
    const categories = o.categoryId === undefined ? null : await this.tree.subtree(o.categoryId);
    const fullText = await this.repo.fullText(parsed.tsquery, o.statuses, categories, FULL_TEXT_SCAN, CANDIDATES);
    const trigram = fullText.length < o.limit ? await this.repo.trigram(parsed.trigram, o.statuses, categories, CANDIDATES) : [];
    const hits = new Map([...fullText, ...trigram].map((h) => [h.id, h.hits]));
    const ranked = combine(
      fullText.map((h) => ({ id: h.id, rank: h.score })),
      trigram.map((h) => ({ id: h.id, similarity: h.score })),
      (id) => hotness(hits.get(id) ?? 0),
      o.limit,
    );
    const rows = new Map((await this.repo.articles(ranked.map((r) => r.id))).map((r) => [r.id, r]));
    const found = ranked.filter((r) => rows.has(r.id));
    const summaries = await this.articles.summaries(found.map((r) => rows.get(r.id)!));
    const results = found.map((r, i) => {
      const row = rows.get(r.id)!;
      return {
        ...summaries[i]!,
        questionHtml: highlight(row.question, parsed.highlight),
        snippet: snippet(row.answer, parsed.highlight),
        score: r.score,
      };
    });
    return { results, tookMs: Math.round((performance.now() - t0) * 10) / 10 };
  }
}
