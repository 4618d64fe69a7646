/**
 * One ranked list from the two searches (docs/knowledge-base.md): full-text matches (every word of
 * the query, weighted by where it stands) and trigram matches (partial words, typos).
 * and, when those are too few, articles holding only some of the words (the coverage fallback).
 * Relevance first, then hotness: relevance is put in steps of RELEVANCE_STEP, and within a step
 * the hotter article comes first, so "about as relevant" is decided by what agents open.
 */

export interface FullTextHit {
  id: number;
  /** ts_rank over the weighted document (question A > keywords B > answer/basis C), ≥ 0. */
  rank: number;
}
export interface TrigramHit {
  id: number;
  /** word_similarity of the query with the question and keywords, 0–1. */
  similarity: number;
}
/** A match of some of the query's words (the fallback, core/kb/query.ts coverageTsQuery). */
export interface PartialHit {
  id: number;
  /** How many of the query's `of` words the article holds. */
  covered: number;
  of: number;
  /** ts_rank of the OR of the words: more for a word in the question than in the answer, ≥ 0. */
  rank: number;
}
export interface Ranked {
  id: number;
  /** 0–2: 1 and above for a full-text match (every word found), the trigram similarity below 1, a partial match below PARTIAL_CEILING. */
  score: number;
}

export const RELEVANCE_STEP = 0.05;

/** A full-text rank squashed into 0–1 (ts_rank is unbounded above; its usual values are 0–1). */
const squash = (rank: number) => Math.max(0, rank) / (Math.max(0, rank) + 0.1);

/**
 * A partial match's relevance stays below this: under every match of the whole query, and under
 * a close match of the corrected one (word_similarity ≥ 0.5 of what was typed).
 */
export const PARTIAL_CEILING = 0.5;

/** Relevance of one article: a whole-word match of the whole query beats any fuzzy one, which beats (mostly) a match of some words. */
export function relevance(fullText: FullTextHit | undefined, trigram: TrigramHit | undefined, partial?: PartialHit): number {
  const fuzzy = trigram ? Math.min(1, Math.max(0, trigram.similarity)) : 0;
  // Coverage first (each word held is a step up), ts_rank within: below PARTIAL_CEILING.
  const some = partial
    ? (PARTIAL_CEILING * Math.max(0, Math.min(partial.covered, partial.of) - 1 + squash(partial.rank))) / Math.max(1, partial.of)
    : 0;
  // A trigram-only match stays below 1, under every full-text match.
  return fullText ? 1 + Math.max(squash(fullText.rank), fuzzy) : Math.max(fuzzy * 0.99, some);
}

export function combine(
  fullText: readonly FullTextHit[],
  trigram: readonly TrigramHit[],
  hotnessOf: (id: number) => number,
  limit: number,
  partial: readonly PartialHit[] = [],
): Ranked[] {
  const ft = new Map(fullText.map((h) => [h.id, h]));
  const tg = new Map(trigram.map((h) => [h.id, h]));
  const pt = new Map(partial.map((h) => [h.id, h]));
  const ids = [...new Set([...ft.keys(), ...tg.keys(), ...pt.keys()])];
  const scored = ids.map((id) => {
    const score = relevance(ft.get(id), tg.get(id), pt.get(id));
    return { id, score, step: Math.floor(score / RELEVANCE_STEP + 1e-9), hot: hotnessOf(id) };
  });
  scored.sort((a, b) => b.step - a.step || b.hot - a.hot || b.score - a.score || a.id - b.id);
  return scored.slice(0, Math.max(0, limit)).map(({ id, score }) => ({ id, score: Math.round(score * 1000) / 1000 }));
}
