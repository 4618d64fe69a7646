import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './rig.js';

/**
 * The search test set against the sample knowledge base: loading both, importing the base once
 * under a root of its own, and scoring what the search answers. Shared by
 * test/adapters/kb-search-quality.test.ts (which asserts) and bench/kb-quality.ts (which reports).
 */

export interface SampleArticle {
  path: string[];
  question: string;
  answer: string;
  basis?: string;
  keywords?: string[];
  region?: string;
  department?: string;
  status?: 'draft' | 'reviewed' | 'published' | 'retired';
  related?: string[];
}
export interface SampleBase {
  version: 1;
  categories?: Array<{ path: string[] }>;
  articles: SampleArticle[];
}
export interface KbQuestion {
  q: string;
  kind: 'colloquial' | 'partial' | 'typo';
  /** 'all' (default): every expected article in the top 3; 'any': at least one of them. */
  mode?: 'all' | 'any';
  expect: string[];
  alsoRelevant?: string[];
}

export const SAMPLE_BASE_FILE = path.join(REPO, 'kb', 'sample-base.json');
export const QUESTIONS_FILE = path.join(REPO, 'test', 'fixtures', 'kb-questions.json');

export function loadSampleBase(): { doc: SampleBase; hash: string } {
  const text = readFileSync(SAMPLE_BASE_FILE, 'utf8');
  return { doc: JSON.parse(text) as SampleBase, hash: createHash('sha256').update(text).digest('hex').slice(0, 8) };
}

export function loadQuestions(): KbQuestion[] {
  return (JSON.parse(readFileSync(QUESTIONS_FILE, 'utf8')) as { questions: KbQuestion[] }).questions;
}

/**
 * The root the sample base is imported under: named by the file's content, so a run finds the copy
 * an earlier run made of the same file (nothing imported twice), and an edited file gets a fresh
 * copy rather than being scored against stale articles. Searching with categoryId = this root keeps
 * the articles other tests write (and the 100,000-article benchmark's) out of the ranking.
 */
export function sampleRootName(hash: string): string {
  return `样例知识库-${hash}`;
}

/** The import document with every path (categories and articles) moved under `root`. */
export function underRoot(doc: SampleBase, root: string): SampleBase {
  return {
    version: 1,
    categories: [{ path: [root] }, ...(doc.categories ?? []).map((c) => ({ path: [root, ...c.path] }))],
    articles: doc.articles.map((a) => ({ ...a, path: [root, ...a.path] })),
  };
}

export type Call = (method: string, url: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

interface Category {
  id: number;
  parentId: number | null;
  name: string;
}

/** The root category's id, importing the sample base under it first if no earlier run did. */
export async function ensureSampleBase(call: Call): Promise<{ rootId: number; imported: boolean }> {
  const { doc, hash } = loadSampleBase();
  const root = sampleRootName(hash);
  const find = async () => {
    const r = await call('GET', '/api/kb/categories');
    if (r.status !== 200) throw new Error(`GET /api/kb/categories: ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body as { categories: Category[] }).categories.find((c) => c.parentId === null && c.name === root);
  };
  const found = await find();
  if (found) return { rootId: found.id, imported: false };
  const r = await call('POST', '/api/kb/import', underRoot(doc, root));
  if (r.status !== 200 && r.status !== 201) throw new Error(`POST /api/kb/import: ${r.status} ${JSON.stringify(r.body)}`);
  const made = await find();
  if (!made) throw new Error(`import answered ${r.status} but no root category ${root}`);
  return { rootId: made.id, imported: true };
}

export interface SearchHit {
  id: number;
  question: string;
  questionHtml: string;
  snippet: string;
  score: number;
}

export async function search(call: Call, q: string, rootId: number, limit = 3): Promise<{ hits: SearchHit[]; tookMs: number }> {
  const r = await call('GET', `/api/kb/search?${new URLSearchParams({ q, categoryId: String(rootId), limit: String(limit) })}`);
  if (r.status !== 200) throw new Error(`search ${q}: ${r.status} ${JSON.stringify(r.body)}`);
  const body = r.body as { results: SearchHit[]; tookMs: number };
  return { hits: body.results, tookMs: body.tookMs };
}

export interface QuestionScore {
  q: string;
  kind: KbQuestion['kind'];
  /** The expectation holds: every expected article in the top 3 (mode 'any': one of them). */
  passed: boolean;
  /** The share of expected articles in the top k (mode 'any': 1 when one of them is). */
  recall1: number;
  recall3: number;
  /** Relevant (expected or also relevant) results among the top 3, over 3. */
  precision3: number;
  /** The best precision@3 this question allows (fewer than 3 relevant articles caps it). */
  precisionCeiling: number;
  top: string[];
  missing: string[];
}

/** Scores one question against the questions of the results, best first. */
export function scoreQuestion(item: KbQuestion, results: string[]): QuestionScore {
  const top1 = results.slice(0, 1);
  const top3 = results.slice(0, 3);
  const relevant = new Set([...item.expect, ...(item.alsoRelevant ?? [])]);
  const recall = (top: string[]) => {
    const found = item.expect.filter((e) => top.includes(e)).length;
    return item.mode === 'any' ? (found > 0 ? 1 : 0) : found / item.expect.length;
  };
  const missing = item.expect.filter((e) => !top3.includes(e));
  return {
    q: item.q,
    kind: item.kind,
    passed: item.mode === 'any' ? missing.length < item.expect.length : missing.length === 0,
    recall1: recall(top1),
    recall3: recall(top3),
    precision3: top3.filter((t) => relevant.has(t)).length / 3,
    precisionCeiling: Math.min(3, relevant.size) / 3,
    top: top3,
    missing,
  };
}

export interface QualityRow {
  kind: 'all' | KbQuestion['kind'];
  questions: number;
  passed: number;
  recall1: number;
  recall3: number;
  precision3: number;
  precisionCeiling: number;
}

/** Means per kind of question and over all of them. */
export function summarize(scores: QuestionScore[]): QualityRow[] {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const row = (kind: QualityRow['kind'], s: QuestionScore[]): QualityRow => ({
    kind,
    questions: s.length,
    passed: s.filter((x) => x.passed).length,
    recall1: mean(s.map((x) => x.recall1)),
    recall3: mean(s.map((x) => x.recall3)),
    precision3: mean(s.map((x) => x.precision3)),
    precisionCeiling: mean(s.map((x) => x.precisionCeiling)),
  });
  const kinds = ['colloquial', 'partial', 'typo'] as const;
  return [
    ...kinds.map((k) =>
      row(
        k,
        scores.filter((s) => s.kind === k),
      ),
    ),
    row('all', scores),
  ];
}
