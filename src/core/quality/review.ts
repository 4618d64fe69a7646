/**
 * What a quality review may hold: a score for every item of its form version, comments pinned to
 * moments of the recording, a summary. Self-contained apart from the form (the console may bundle it).
 */
import type { FormItem, Problem } from './form.js';

export const COMMENTS_MAX = 50;
export const COMMENT_TEXT_MAX = 500;
export const SUMMARY_MAX = 2000;

export interface ReviewComment {
  /** Where in the recording, in milliseconds from its start. */
  atMs: number;
  text: string;
}

export interface ReviewInput {
  scores: Readonly<Record<string, number>>;
  comments: readonly ReviewComment[];
  summary?: string;
}

const chars = (s: string) => [...s].length;

/**
 * Everything wrong with a review of a recording `durationMs` long against `items`, first problem
 * first; [] when it may be stored.
 */
export function reviewProblems(items: readonly FormItem[], r: ReviewInput, durationMs: number): Problem[] {
  const out: Problem[] = [];
  const keys = new Set(items.map((i) => i.key));
  for (const key of Object.keys(r.scores))
    if (!keys.has(key)) out.push({ field: `scores/${key}`, message: 'is not an item of the review form' });
  for (const it of items) {
    const s = r.scores[it.key];
    if (s === undefined) out.push({ field: `scores/${it.key}`, message: `is required (${it.label})` });
    else if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > it.maxScore)
      out.push({ field: `scores/${it.key}`, message: `must be a whole number 0 to ${it.maxScore}` });
  }
  if (r.comments.length > COMMENTS_MAX) out.push({ field: 'comments', message: `must hold at most ${COMMENTS_MAX} comments` });
  r.comments.slice(0, COMMENTS_MAX).forEach((c, i) => {
    if (typeof c.atMs !== 'number' || !Number.isInteger(c.atMs) || c.atMs < 0 || c.atMs > durationMs)
      out.push({
        field: `comments/${i}/atMs`,
        message: `must be a whole number of milliseconds within the recording (0 to ${durationMs})`,
      });
    if (typeof c.text !== 'string' || !c.text.trim()) out.push({ field: `comments/${i}/text`, message: 'must not be empty' });
    else if (chars(c.text) > COMMENT_TEXT_MAX)
      out.push({ field: `comments/${i}/text`, message: `must be at most ${COMMENT_TEXT_MAX} characters` });
  });
  if (r.summary !== undefined && chars(r.summary) > SUMMARY_MAX)
    out.push({ field: 'summary', message: `must be at most ${SUMMARY_MAX} characters` });
  return out;
}
