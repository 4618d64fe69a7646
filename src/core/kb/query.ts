/**
 * How an article is indexed and a query is matched (docs/knowledge-base.md, "Search"). The words
 * come from jieba (adapters/text/segment.ts); this module only decides what to do with them, so
 * the same rules build an article's document and a query's tsquery.
 */

/** Words that match nearly every article and say nothing about the question: left out of queries. */
const STOP_WORDS = new Set([
  '的',
  '了',
  '是',
  '在',
  '和',
  '与',
  '及',
  '或',
  '吗',
  '呢',
  '吧',
  '啊',
  '怎么',
  '如何',
  '什么',
  '哪些',
  '请问',
  '我',
  '我们',
  '你',
  '您',
  '有',
  '要',
  '可以',
  '能',
  '能否',
  '是否',
  '需要',
]);

/** A token as stored and matched: NFKC (full-width letters and digits become plain), lower case, letters and digits only. */
export function normalizeToken(t: string): string {
  return t
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** The words worth indexing: normalized, punctuation and spaces gone. Longer than a tsvector lexeme allows (2 KB) is cut. */
export function indexTokens(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const t = normalizeToken(w).slice(0, 200);
    if (t) out.push(t);
  }
  return out;
}

/** A lexeme in tsvector/tsquery input syntax: quoted, with quotes and backslashes doubled. */
export function quoteLexeme(t: string): string {
  return `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Positions above this are clamped by Postgres anyway; beyond it only presence matters. */
const MAX_POSITION = 16383;

/**
 * An article's search document as a tsvector literal: each word with its positions and weight,
 * A for the question, B for keywords, C for the answer and basis (a word in the question counts
 * most). Built here rather than by to_tsvector so Postgres's parser never re-splits jieba's words.
 */
export function searchDocument(parts: { question: readonly string[]; keywords: readonly string[]; body: readonly string[] }): string {
  const lexemes = new Map<string, string[]>();
  let pos = 0;
  const add = (words: readonly string[], weight: 'A' | 'B' | 'C') => {
    for (const t of indexTokens(words)) {
      pos = Math.min(pos + 1, MAX_POSITION);
      let l = lexemes.get(t);
      if (!l) lexemes.set(t, (l = []));
      // Postgres keeps at most 256 positions per lexeme.
      if (l.length < 256) l.push(`${pos}${weight}`);
    }
  };
  add(parts.question, 'A');
  add(parts.keywords, 'B');
  add(parts.body, 'C');
  return [...lexemes].map(([t, ps]) => `${quoteLexeme(t)}:${ps.join(',')}`).join(' ');
}

/** The text pg_trgm compares a query with: the question's and keywords' words, space-separated (trigrams stop at spaces, so a word's start counts). */
export function trigramText(questionWords: readonly string[], keywords: readonly string[]): string {
  return [...indexTokens(questionWords), ...indexTokens(keywords)].join(' ');
}

export interface ParsedQuery {
  /** Every word of the query, as matched against the search document (AND). */
  terms: string[];
  /** The last word is matched as a prefix: an agent is still typing it (增值 → 增值税). */
  prefixLast: boolean;
  /** The tsquery literal, or undefined when nothing searchable is left. */
  tsquery: string | undefined;
  /** What pg_trgm compares: the words joined by spaces. */
  trigram: string;
  /** Words to highlight, longest first (a shorter one inside a longer one is marked once). */
  highlight: string[];
}

/** At most this many words of a query are used: a pasted paragraph must not make a query of hundreds of terms. */
export const MAX_QUERY_TERMS = 12;

/**
 * A query from jieba's precise cut (`words`) and its search cut (`searchWords`, the sub-words
 * too). Every precise word must match (stop words aside, unless nothing else is left); the last
 * as a prefix when the text does not end in a space or punctuation (the agent is still typing).
 */
export function parseQuery(raw: string, words: readonly string[], searchWords: readonly string[]): ParsedQuery {
  const all = indexTokens(words);
  const meaningful = all.filter((t) => !STOP_WORDS.has(t));
  const terms = dedupe(meaningful.length ? meaningful : all).slice(0, MAX_QUERY_TERMS);
  const prefixLast = terms.length > 0 && /[\p{L}\p{N}]$/u.test(raw.normalize('NFKC'));
  const tsquery = terms.length
    ? terms.map((t, i) => (i === terms.length - 1 && prefixLast ? `${quoteLexeme(t)}:*` : quoteLexeme(t))).join(' & ')
    : undefined;
  const highlight = dedupe([...terms, ...indexTokens(searchWords).filter((t) => !STOP_WORDS.has(t))]).sort(
    (a, b) => b.length - a.length || (a < b ? -1 : 1),
  );
  return { terms, prefixLast, tsquery, trigram: terms.join(' '), highlight };
}

function dedupe(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/**
 * The query again when it found too little: each word no article holds (`known` lacks it) is
 * replaced by the known words like it (`similar`, any of them), or left out when there are none
 * (a typo in a two-character word shares no trigram with the right one). Undefined when this
 * would be the same query, or nothing would be left.
 */
export function relaxedTsQuery(
  p: ParsedQuery,
  known: ReadonlySet<string>,
  similar: ReadonlyMap<string, readonly string[]>,
): string | undefined {
  const parts: string[] = [];
  let changed = false;
  p.terms.forEach((t, i) => {
    const prefix = i === p.terms.length - 1 && p.prefixLast;
    if (known.has(t)) return void parts.push(prefix ? `${quoteLexeme(t)}:*` : quoteLexeme(t));
    changed = true;
    const alts = (similar.get(t) ?? []).filter((a) => a !== t);
    if (alts.length) parts.push(alts.length === 1 ? quoteLexeme(alts[0]!) : `( ${alts.map(quoteLexeme).join(' | ')} )`);
  });
  return changed && parts.length ? parts.join(' & ') : undefined;
}
