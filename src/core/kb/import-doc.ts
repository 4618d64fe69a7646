/**
 * The import document (kb/sample-base.json, POST /api/kb/import, `npm run kb:import`) checked as
 * a whole before anything is stored: the first problems named at their fields.
 */
import { LIMITS, articleProblems, type Problem } from './article-input.js';
import { STATUSES, type ArticleStatus } from './workflow.js';

export interface ImportArticle {
  path: string[];
  question: string;
  answer: string;
  basis?: string;
  keywords?: string[];
  region?: string;
  department?: string;
  status?: ArticleStatus;
  /** Questions of other articles (in this document or already stored). */
  related?: string[];
}
export interface ImportDocument {
  version: 1;
  articles: ImportArticle[];
  categories?: Array<{ path: string[] }>;
}

export type Checked = { ok: true; doc: ImportDocument } | { ok: false; problems: Problem[] };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function pathProblems(path: unknown, at: string): Problem[] {
  if (!Array.isArray(path) || path.length === 0 || path.length > LIMITS.pathDepth)
    return [{ path: at, message: `must be a list of 1–${LIMITS.pathDepth} category names from the root` }];
  const out: Problem[] = [];
  path.forEach((n, i) => {
    if (typeof n !== 'string' || n.trim() === '' || n.length > LIMITS.categoryName)
      out.push({ path: `${at}/${i}`, message: `must be a category name of 1–${LIMITS.categoryName} characters` });
  });
  return out;
}

const ARTICLE_FIELDS = new Set(['path', 'question', 'answer', 'basis', 'keywords', 'region', 'department', 'status', 'related']);

/** At most this many problems are reported: a wrong file of 20,000 rows must not make a 20,000-line answer. */
const MAX_PROBLEMS = 20;

export function checkImport(input: unknown): Checked {
  const problems: Problem[] = [];
  if (!isObject(input)) return { ok: false, problems: [{ path: '', message: 'must be an object { version: 1, articles: [...] }' }] };
  for (const k of Object.keys(input))
    if (!['version', 'articles', 'categories'].includes(k)) problems.push({ path: k, message: 'is not an allowed field' });
  if (input.version !== 1) problems.push({ path: 'version', message: 'must be 1' });
  const articles = input.articles;
  if (!Array.isArray(articles) || articles.length > LIMITS.importArticles)
    problems.push({ path: 'articles', message: `must be a list of at most ${LIMITS.importArticles} articles` });
  else {
    const seen = new Map<string, number>();
    articles.forEach((a, i) => {
      const at = `articles/${i}`;
      if (!isObject(a)) return void problems.push({ path: at, message: 'must be an object' });
      for (const k of Object.keys(a)) if (!ARTICLE_FIELDS.has(k)) problems.push({ path: `${at}/${k}`, message: 'is not an allowed field' });
      problems.push(...pathProblems(a.path, `${at}/path`));
      problems.push(...articleProblems(a as never, at));
      for (const k of ['region', 'department'] as const)
        if (a[k] !== undefined && typeof a[k] !== 'string') problems.push({ path: `${at}/${k}`, message: 'must be text' });
      if (a.status !== undefined && !STATUSES.includes(a.status as ArticleStatus))
        problems.push({ path: `${at}/status`, message: `must be one of ${STATUSES.join(', ')}` });
      if (a.related !== undefined) {
        if (!Array.isArray(a.related) || a.related.length > LIMITS.related)
          problems.push({ path: `${at}/related`, message: `must be a list of at most ${LIMITS.related} questions` });
        else
          a.related.forEach((q, j) => {
            if (typeof q !== 'string' || q.trim() === '')
              problems.push({ path: `${at}/related/${j}`, message: 'must be the question of an article' });
          });
      }
      if (Array.isArray(a.path) && typeof a.question === 'string') {
        const key = JSON.stringify([a.path, a.question.trim()]);
        const first = seen.get(key);
        if (first !== undefined)
          problems.push({ path: `${at}/question`, message: `repeats articles/${first} (same category and question)` });
        else seen.set(key, i);
      }
    });
  }
  if (input.categories !== undefined) {
    if (!Array.isArray(input.categories)) problems.push({ path: 'categories', message: 'must be a list of { path }' });
    else
      input.categories.forEach((c, i) => {
        if (!isObject(c)) problems.push({ path: `categories/${i}`, message: 'must be an object { path }' });
        else problems.push(...pathProblems(c.path, `categories/${i}/path`));
      });
  }
  if (problems.length) return { ok: false, problems: problems.slice(0, MAX_PROBLEMS) };
  const doc = input as unknown as ImportDocument;
  return {
    ok: true,
    doc: {
      version: 1,
      articles: doc.articles.map((a) => ({ ...a, path: a.path.map((n) => n.trim()), question: a.question.trim() })),
      ...(doc.categories ? { categories: doc.categories.map((c) => ({ path: c.path.map((n) => n.trim()) })) } : {}),
    },
  };
}

/** Questions named in `related` that are neither in the document nor among `known` (already stored). */
export function unknownRelated(doc: ImportDocument, known: ReadonlySet<string>): Problem[] {
  const inDoc = new Set(doc.articles.map((a) => a.question));
  const out: Problem[] = [];
  doc.articles.forEach((a, i) =>
    (a.related ?? []).forEach((q, j) => {
      if (!inDoc.has(q.trim()) && !known.has(q.trim()))
        out.push({ path: `articles/${i}/related/${j}`, message: `no article has the question "${q.slice(0, 80)}"` });
    }),
  );
  return out.slice(0, MAX_PROBLEMS);
}
