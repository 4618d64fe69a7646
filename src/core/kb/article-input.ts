/** What an article may hold, checked before anything is stored; each problem named at its field. */

export const LIMITS = {
  question: 500,
  answer: 20_000,
  basis: 10_000,
  keyword: 50,
  keywords: 30,
  region: 100,
  department: 100,
  related: 20,
  attachments: 20,
  attachmentName: 200,
  attachmentUrl: 2000,
  categoryName: 100,
  pathDepth: 20,
  importArticles: 20_000,
} as const;

export interface Problem {
  /** JSON-pointer-like, without the leading slash: "articles/3/question". */
  path: string;
  message: string;
}

/**
 * An attachment is a reference, never a file: an http(s) address or a path on this server
 * ("/files/…", "docs/a.pdf"). No other scheme (javascript:, data:) and no "//host" (another site).
 */
export function attachmentUrlProblem(url: string): string | undefined {
  if (!url || url.length > LIMITS.attachmentUrl) return `must be 1–${LIMITS.attachmentUrl} characters`;
  if (/[\s<>"]/.test(url)) return 'must not contain spaces, quotes or angle brackets';
  if (/^https?:\/\/[^/?#]+/i.test(url)) return undefined;
  if (url.startsWith('//')) return 'must be an http(s) address or a relative path';
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return 'must be an http(s) address or a relative path';
  return undefined;
}

export interface ArticleFields {
  question: string;
  answer: string;
  basis?: string;
  keywords?: string[];
  region?: string | null;
  department?: string | null;
  related?: number[];
  attachments?: Array<{ name: string; url: string }>;
}

const blank = (s: string | undefined) => s === undefined || s.trim() === '';

/** The problems of an article's fields (the HTTP schema bounds the sizes too; the import document has no schema of its own). */
export function articleProblems(a: ArticleFields, at = ''): Problem[] {
  const p: Problem[] = [];
  const f = (name: string) => (at ? `${at}/${name}` : name);
  if (typeof a.question !== 'string' || blank(a.question)) p.push({ path: f('question'), message: 'is required' });
  else if (a.question.length > LIMITS.question) p.push({ path: f('question'), message: `must be at most ${LIMITS.question} characters` });
  if (typeof a.answer !== 'string' || blank(a.answer)) p.push({ path: f('answer'), message: 'is required' });
  else if (a.answer.length > LIMITS.answer) p.push({ path: f('answer'), message: `must be at most ${LIMITS.answer} characters` });
  if (a.basis !== undefined && (typeof a.basis !== 'string' || a.basis.length > LIMITS.basis))
    p.push({ path: f('basis'), message: `must be text of at most ${LIMITS.basis} characters` });
  if (a.keywords !== undefined) {
    if (!Array.isArray(a.keywords) || a.keywords.length > LIMITS.keywords)
      p.push({ path: f('keywords'), message: `must be a list of at most ${LIMITS.keywords} words` });
    else
      a.keywords.forEach((k, i) => {
        if (typeof k !== 'string' || blank(k) || k.length > LIMITS.keyword)
          p.push({ path: f(`keywords/${i}`), message: `must be a word of 1–${LIMITS.keyword} characters` });
      });
  }
  for (const k of ['region', 'department'] as const) {
    const v = a[k];
    if (v !== undefined && v !== null && (typeof v !== 'string' || v.length > LIMITS[k]))
      p.push({ path: f(k), message: `must be text of at most ${LIMITS[k]} characters` });
  }
  if (a.related !== undefined && (!Array.isArray(a.related) || a.related.length > LIMITS.related))
    p.push({ path: f('related'), message: `must be at most ${LIMITS.related} articles` });
  if (a.attachments !== undefined) {
    if (!Array.isArray(a.attachments) || a.attachments.length > LIMITS.attachments)
      p.push({ path: f('attachments'), message: `must be at most ${LIMITS.attachments} attachments` });
    else
      a.attachments.forEach((x, i) => {
        if (typeof x?.name !== 'string' || blank(x.name) || x.name.length > LIMITS.attachmentName)
          p.push({ path: f(`attachments/${i}/name`), message: `must be 1–${LIMITS.attachmentName} characters` });
        const bad = typeof x?.url === 'string' ? attachmentUrlProblem(x.url) : 'is required';
        if (bad) p.push({ path: f(`attachments/${i}/url`), message: bad });
      });
  }
  return p;
}

/** Keywords as stored: trimmed, each once, in the order given. */
export function cleanKeywords(k: readonly string[] | undefined): string[] {
  return [...new Set((k ?? []).map((x) => x.trim()).filter(Boolean))];
}
