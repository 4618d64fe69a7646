/**
 * How an article is indexed and a query is matched (docs/knowledge-base.md, "Search"). The words
 * come from jieba (adapters/text/segment.ts); this module only decides what to do with them, so
 * the same rules build an article's document and a query's tsquery.
 */

/**
 * Words that match nearly every article or say only that something is asked (怎么, 多少, 哪里):
 * left out of queries. A caller's 「招待费能扣多少」 asks about 招待费 and 扣; an article answering it
 * need not hold 多少, and requiring it emptied the answer (docs/knowledge-base.md, "Search quality").
 */
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
  // Question words and particles: they ask, they do not say what about.
  '多少',
  '哪里',
  '哪儿',
  '哪个',
  '哪',
  '为什么',
  '怎样',
  '怎么样',
  '怎么办',
  '么',
  '嘛',
  '呀',
  '一下',
]);

/** Whether `word` (normalized) is left out of a query when other words remain. */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

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

/** A prefix is spelled out as the known words it starts (below) when they are at most this many. */
export const MAX_PREFIX_WORDS = 64;

/**
 * The last word, still being typed, as a tsquery fragment: the words some article holds that start
 * with it (`words`, from kb_words: every word of every article, so this matches what `:*` would),
 * OR'ed, when there are at most MAX_PREFIX_WORDS of them; else `:*`. Postgres reads every word
 * of a `:*` prefix into one bitmap before anything else (办 → 办税, 办理, 办法: 35 ms at 100,000
 * articles, against 1.5 ms for the same words spelled out, measured), while spelled-out words are
 * stepped through alongside the query's rarer ones.
 */
export function prefixFragment(t: string, words: readonly string[] | undefined): string {
  if (!words?.length || words.length > MAX_PREFIX_WORDS) return `${quoteLexeme(t)}:*`;
  return words.length === 1 ? quoteLexeme(words[0]!) : `( ${words.map(quoteLexeme).join(' | ')} )`;
}

/** The query's tsquery with its last word's prefix spelled out (prefixFragment). */
export function expandedTsQuery(p: ParsedQuery, prefixWords: readonly string[] | undefined): string | undefined {
  if (!p.tsquery || !p.prefixLast) return p.tsquery;
  return p.terms.map((t, i) => (i === p.terms.length - 1 ? prefixFragment(t, prefixWords) : quoteLexeme(t))).join(' & ');
}

function dedupe(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/**
 * The query's words as they are searched once it found too little, each a tsquery fragment: a
 * word some article holds as itself (the last as a prefix while typed), a word no article holds
 * replaced by the known words like it (`similar`, any of them: a typo corrected), or left out
 * when there are none (a typo in a two-character word shares no trigram with the right one).
 */
export function termGroups(
  p: ParsedQuery,
  known: ReadonlySet<string>,
  similar: ReadonlyMap<string, readonly string[]>,
  prefixWords?: readonly string[],
): string[] {
  const parts: string[] = [];
  p.terms.forEach((t, i) => {
    const prefix = i === p.terms.length - 1 && p.prefixLast;
    if (known.has(t)) return void parts.push(prefix ? prefixFragment(t, prefixWords) : quoteLexeme(t));
    const alts = (similar.get(t) ?? []).filter((a) => a !== t);
    if (alts.length) parts.push(alts.length === 1 ? quoteLexeme(alts[0]!) : `( ${alts.map(quoteLexeme).join(' | ')} )`);
  });
  return parts;
}

/**
 * The query again with every word corrected (termGroups), all of them required. Undefined when
 * this would be the same query (every word known), or nothing would be left.
 */
export function relaxedTsQuery(
  p: ParsedQuery,
  known: ReadonlySet<string>,
  similar: ReadonlyMap<string, readonly string[]>,
  prefixWords?: readonly string[],
): string | undefined {
  const changed = p.terms.some((t) => !known.has(t));
  const parts = termGroups(p, known, similar, prefixWords);
  return changed && parts.length ? parts.join(' & ') : undefined;
}

/**
 * How many articles hold each of termGroups's groups, in the same order (`df`: a word's
 * approximate document frequency, kb_words.ndoc; a corrected word's alternatives added up).
 */
export function groupFrequencies(
  p: ParsedQuery,
  known: ReadonlySet<string>,
  similar: ReadonlyMap<string, readonly string[]>,
  df: ReadonlyMap<string, number>,
): number[] {
  const out: number[] = [];
  for (const t of p.terms) {
    if (known.has(t)) out.push(df.get(t) ?? 0);
    else {
      const alts = (similar.get(t) ?? []).filter((a) => a !== t);
      if (alts.length) out.push(alts.reduce((sum, a) => sum + (df.get(a) ?? 0), 0));
    }
  }
  return out;
}

/**
 * The fallback's candidates are found through the rarest words only: at least two, then more (up to
 * five) while the articles holding them add up to at most this many (what the GIN index reads).
 */
export const COVERAGE_BUDGET = 20_000;
export const COVERAGE_MAX_WORDS = 5;

export interface CoverageQuery {
  /** The candidates: articles holding two of the words chosen (either, when two are chosen). */
  filter: string;
  /** Every word on its own: an article's coverage is how many of them it holds. */
  groups: string[];
  /** Every word, OR: ts_rank of it over the weighted document breaks ties (a word in the question counts most). */
  rank: string;
}

/**
 * The fallback when even the corrected query (every word) found too little: a caller's question
 * holds words no answer uses (「房产税怎么算」's 算, 「海关的票多久内要抵」's 多久), and one of them
 * empties an AND. Articles are ranked instead by how many of the words they hold (coverage).
 * Candidates come from the rarest words (`df`: each group's frequency, groupFrequencies): the two
 * rarest, and more while few articles hold them (COVERAGE_BUDGET); an article is a candidate if
 * it holds either of two, or two of three or more. So every article missing one word is one
 * (missing r − 2 of r chosen, in general), and the index reads only rare words' short lists,
 * where an "at least k of n" filter over every word reads 企业's and 纳税人's too (hundreds of ms
 * at 100,000 articles, measured). Undefined for fewer than two words (nothing to drop).
 */
export function coverageTsQuery(groups: readonly string[], df: readonly number[]): CoverageQuery | undefined {
  if (groups.length < 2) return undefined;
  const byRarity = groups.map((g, i) => ({ g, f: Math.max(0, df[i] ?? 0), i })).sort((a, b) => a.f - b.f || a.i - b.i);
  const chosen = byRarity.slice(0, 2);
  let total = chosen[0]!.f + chosen[1]!.f;
  for (const next of byRarity.slice(2, COVERAGE_MAX_WORDS)) {
    if (total + next.f > COVERAGE_BUDGET) break;
    chosen.push(next);
    total += next.f;
  }
  const words = chosen.sort((a, b) => a.i - b.i).map((c) => c.g);
  const pairs: string[] = [];
  for (let a = 0; a < words.length; a++) for (let b = a + 1; b < words.length; b++) pairs.push(`( ${words[a]} & ${words[b]} )`);
  return { filter: words.length === 2 ? words.join(' | ') : pairs.join(' | '), groups: [...groups], rank: groups.join(' | ') };
}
