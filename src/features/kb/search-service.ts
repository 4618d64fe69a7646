import { snippet, highlight } from '../../core/kb/highlight.js';
import {
  coverageTsQuery,
  expandedTsQuery,
  groupFrequencies,
  MAX_PREFIX_WORDS,
  parseQuery,
  relaxedTsQuery,
  termGroups,
} from '../../core/kb/query.js';
import { combine } from '../../core/kb/rank.js';
import { hotness, type ArticleStatus } from '../../core/kb/workflow.js';
import type { Segmenter } from '../../adapters/text/segment.js';
import type { CategoryCache } from './category-cache.js';
import type { CandidateHit, PgKbRepo } from './kb-repo.js';
import type { ArticleSummary, KbService } from './kb-service.js';

/** The last step a search took: every word matched, mistyped words corrected, or some of the words (the coverage fallback). */
export type SearchStage = 'all' | 'corrected' | 'coverage';

export interface SearchResult extends ArticleSummary {
  snippet: string;
  questionHtml: string;
  score: number;
}

/** How many full-text matches are ranked at most (docs/knowledge-base.md, "Cost"), and how many candidates each search hands to the ranking. */
export const FULL_TEXT_SCAN = 500;
export const CANDIDATES = 100;
/** How many candidates of the coverage fallback are ranked at most: its words are rare, so usually all of them. */
export const COVERAGE_SCAN = 200;
/** Known words tried in place of one no article holds. */
export const SIMILAR_WORDS = 3;

/**
 * Search as agents type (docs/knowledge-base.md): jieba cuts the query as it cut the articles;
 * Postgres full-text finds articles holding every word (the last as a prefix: partial words);
 * when those are fewer than asked for, the query is relaxed (mistyped words corrected through
 * pg_trgm or left out) and what it finds is ranked by trigram closeness to what was typed; when
 * still too few, articles holding most of the (corrected) words are ranked by how many they hold
 * and where (the coverage fallback: a caller's words an answer never uses must not empty it).
 * core/kb/rank.ts orders the union; core/kb/highlight.ts marks it.
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
  ): Promise<{ results: SearchResult[]; tookMs: number; stage: SearchStage }> {
    const t0 = performance.now();
    const parsed = parseQuery(q, this.segmenter.cut(q), this.segmenter.cutForSearch(q));
    if (!parsed.tsquery) return { results: [], tookMs: 0, stage: 'all' };
    const categories = o.categoryId === undefined ? null : await this.tree.subtree(o.categoryId);
    // A word still being typed is spelled out as the words it starts (core/kb/query.ts prefixFragment: far cheaper than :*).
    const prefixWords = parsed.prefixLast ? await this.repo.prefixWords(parsed.terms.at(-1)!, MAX_PREFIX_WORDS) : undefined;
    const fullText = await this.repo.fullText(expandedTsQuery(parsed, prefixWords)!, o.statuses, categories, FULL_TEXT_SCAN, CANDIDATES);
    let near: CandidateHit[] = [];
    let partial: Array<CandidateHit & { covered: number; of: number }> = [];
    let stage: SearchStage = 'all';
    let marked = parsed.highlight;
    if (fullText.length < o.limit) {
      // Too few: a word may be mistyped. Words no article holds are replaced by known ones like
      // them (pg_trgm over kb_words) or left out; what that finds is ranked by how close its
      // question is to what was typed (word_similarity), below every match of the whole query.
      const last = parsed.prefixLast ? parsed.terms.at(-1) : undefined;
      const words = await this.repo.lookupWords(parsed.terms, last, SIMILAR_WORDS);
      const df = words.df;
      const known = new Set(df.keys());
      const similar = new Map<string, string[]>();
      for (const [t, alts] of words.similar) {
        similar.set(
          t,
          alts.map((a) => a.word),
        );
        for (const a of alts) df.set(a.word, a.ndoc);
      }
      const relaxed = relaxedTsQuery(parsed, known, similar, prefixWords);
      stage = 'corrected';
      if (relaxed) near = await this.repo.fullText(relaxed, o.statuses, categories, FULL_TEXT_SCAN, CANDIDATES, parsed.trigram);
      marked = [...new Set([...marked, ...[...similar.values()].flat()])].sort((a, b) => b.length - a.length);
      // Still too few: some word of the question is in no answer (怎么算's 算). Articles ranked by
      // how many of the words they hold (found through the rarest two), below both above.
      const groups = termGroups(parsed, known, similar, prefixWords);
      const coverage =
        new Set([...fullText, ...near].map((h) => h.id)).size < o.limit
          ? coverageTsQuery(groups, groupFrequencies(parsed, known, similar, df))
          : undefined;
      if (coverage) {
        stage = 'coverage';
        partial = (await this.repo.coverage(coverage, o.statuses, categories, COVERAGE_SCAN, CANDIDATES)).map((h) => ({
          ...h,
          of: groups.length,
        }));
      }
    }
    const hits = new Map([...fullText, ...near, ...partial].map((h) => [h.id, h.hits]));
    const ranked = combine(
      fullText.map((h) => ({ id: h.id, rank: h.score })),
      near.map((h) => ({ id: h.id, similarity: h.score })),
      (id) => hotness(hits.get(id) ?? 0),
      o.limit,
      partial.map((h) => ({ id: h.id, covered: h.covered, of: h.of, rank: h.score })),
    );
    const rows = new Map((await this.repo.articles(ranked.map((r) => r.id))).map((r) => [r.id, r]));
    const found = ranked.filter((r) => rows.has(r.id));
    const summaries = await this.articles.summaries(found.map((r) => rows.get(r.id)!));
    const results = found.map((r, i) => {
      const row = rows.get(r.id)!;
      return {
        ...summaries[i]!,
        questionHtml: highlight(row.question, marked),
        snippet: snippet(row.answer, marked),
        score: r.score,
      };
    });
    return { results, tookMs: Math.round((performance.now() - t0) * 10) / 10, stage };
  }
}
