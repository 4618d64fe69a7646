/**
 * The hot-topics report (热点): the categories asked about most and the articles used most, per
 * group (a day, a queue or an agent) and over the whole range. The database counts; this ranks.
 * Pure.
 */

/** One counted category of one group, as the store returns it. */
export interface CategoryCount {
  group: string;
  /** The category's path as it was when summarized (a later tree edit does not rewrite history). */
  path: string[];
  /** The (largest) category id summarized under this path: a path is what is counted, an id is only for a link. */
  categoryId: number;
  count: number;
}

export interface ArticleCount {
  group: string;
  id: number;
  question: string;
  count: number;
}

export interface TopicGroup {
  key: string;
  summaries: number;
  categories: Array<{ path: string[]; categoryId: number; count: number }>;
  articles: Array<{ id: number; question: string; count: number }>;
}

/** Code-point order: the same on every machine, whatever its locale. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Most first; ties by path (then id) so the order never depends on the database's. */
const byCountThenPath = (a: { count: number; path: string[] }, b: { count: number; path: string[] }) =>
  b.count - a.count || cmp(a.path.join('\u0000'), b.path.join('\u0000'));
const byCountThenId = (a: { count: number; id: number }, b: { count: number; id: number }) => b.count - a.count || a.id - b.id;

/**
 * Groups in the order of `keys` (days ascending, or queues/agents as given), each with its top
 * `limit` categories and articles; `summaries` per group comes from `totals`.
 */
export function rankTopics(
  keys: readonly string[],
  totals: ReadonlyMap<string, number>,
  categories: readonly CategoryCount[],
  articles: readonly ArticleCount[],
  limit: number,
): TopicGroup[] {
  return keys.map((key) => ({
    key,
    summaries: totals.get(key) ?? 0,
    categories: categories
      .filter((c) => c.group === key)
      .map(({ path, categoryId, count }) => ({ path, categoryId, count }))
      .sort(byCountThenPath)
      .slice(0, limit),
    articles: articles
      .filter((a) => a.group === key)
      .map(({ id, question, count }) => ({ id, question, count }))
      .sort(byCountThenId)
      .slice(0, limit),
  }));
}

/** The whole range: each category (by path) and article summed over the groups, ranked the same way. */
export function overall(
  categories: readonly CategoryCount[],
  articles: readonly ArticleCount[],
  limit: number,
): Omit<TopicGroup, 'key' | 'summaries'> {
  const cats = new Map<string, { path: string[]; categoryId: number; count: number }>();
  for (const c of categories) {
    const k = c.path.join('\u0000');
    const e = cats.get(k);
    if (e) e.count += c.count;
    else cats.set(k, { path: c.path, categoryId: c.categoryId, count: c.count });
  }
  const arts = new Map<number, { id: number; question: string; count: number }>();
  for (const a of articles) {
    const e = arts.get(a.id);
    if (e) e.count += a.count;
    else arts.set(a.id, { id: a.id, question: a.question, count: a.count });
  }
  return {
    categories: [...cats.values()].sort(byCountThenPath).slice(0, limit),
    articles: [...arts.values()].sort(byCountThenId).slice(0, limit),
  };
}
