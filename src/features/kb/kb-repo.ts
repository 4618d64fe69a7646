import type pg from 'pg';
import type { ArticleStatus } from '../../core/kb/workflow.js';
import type { CategoryNode } from '../../core/kb/tree.js';

/** An article as stored (migrations/012_knowledge_base.sql), without its search columns. */
export interface ArticleRow {
  id: number;
  categoryId: number;
  question: string;
  answer: string;
  basis: string;
  keywords: string[];
  region: string | null;
  department: string | null;
  status: ArticleStatus;
  version: number;
  author: string;
  editedBy: string;
  reviewer: string | null;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
  related: number[];
  attachments: Array<{ name: string; url: string }>;
  hits: number;
}

/** What is written for an article's text: the fields and its search columns (built by the service from jieba's words). */
export interface ArticleText {
  categoryId: number;
  question: string;
  answer: string;
  basis: string;
  keywords: string[];
  region: string | null;
  department: string | null;
  related: number[];
  attachments: Array<{ name: string; url: string }>;
  searchDoc: string;
  trgmText: string;
}

export interface VersionRow {
  version: number;
  question: string;
  answer: string;
  basis: string;
  status: ArticleStatus;
  editedBy: string;
  editedAt: string;
}

export interface CandidateHit {
  id: number;
  hits: number;
  score: number;
}

/** Anything that runs a query: the pool, or one client inside a transaction. */
type Db = Pick<pg.Pool, 'query'> | pg.PoolClient;

const ARTICLE_COLUMNS = `id::int, category_id::int AS "categoryId", question, answer, basis, keywords, region, department, status, version,
  author, edited_by AS "editedBy", reviewer, to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "publishedAt",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt",
  related::int[] AS related, attachments, hits::int`;

/** The knowledge base's tables in Postgres. Every multi-row change runs in one transaction (`tx`). */
export class PgKbRepo {
  constructor(private readonly pool: pg.Pool) {}

  async tx<T>(fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  // ---- categories

  async categories(db: Db = this.pool): Promise<Array<CategoryNode & { articleCount: number }>> {
    const r = await db.query<CategoryNode & { articleCount: number }>(
      `SELECT c.id::int, c.parent_id::int AS "parentId", c.name, c.position, coalesce(n.count, 0)::int AS "articleCount"
       FROM kb_categories c LEFT JOIN (SELECT category_id, count(*) FROM kb_articles GROUP BY category_id) n ON n.category_id = c.id
       ORDER BY c.parent_id NULLS FIRST, c.position, c.id`,
    );
    return r.rows;
  }

  async categoryNodes(): Promise<CategoryNode[]> {
    const r = await this.pool.query<CategoryNode>('SELECT id::int, parent_id::int AS "parentId", name, position FROM kb_categories');
    return r.rows;
  }

  /** Creates the category, or returns the sibling of that name (imports find categories by path). */
  async ensureCategory(parentId: number | null, name: string, db: Db = this.pool): Promise<{ id: number; created: boolean }> {
    const found = await db.query<{ id: number }>(
      'SELECT id::int FROM kb_categories WHERE coalesce(parent_id, 0) = coalesce($1::bigint, 0) AND name = $2',
      [parentId, name],
    );
    if (found.rows[0]) return { id: found.rows[0].id, created: false };
    const r = await db.query<{ id: number }>(
      `INSERT INTO kb_categories (parent_id, name, position)
       VALUES ($1, $2, (SELECT coalesce(max(position) + 1, 0) FROM kb_categories WHERE coalesce(parent_id, 0) = coalesce($1::bigint, 0)))
       RETURNING id::int`,
      [parentId, name],
    );
    return { id: r.rows[0]!.id, created: true };
  }

  async categoryNameTaken(parentId: number | null, name: string, exceptId?: number): Promise<boolean> {
    const r = await this.pool.query(
      'SELECT 1 FROM kb_categories WHERE coalesce(parent_id, 0) = coalesce($1::bigint, 0) AND name = $2 AND id <> $3',
      [parentId, name, exceptId ?? 0],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async updateCategory(id: number, c: { name: string; parentId: number | null; position: number }): Promise<void> {
    await this.pool.query('UPDATE kb_categories SET name = $2, parent_id = $3, position = $4 WHERE id = $1', [
      id,
      c.name,
      c.parentId,
      c.position,
    ]);
  }

  /** Deletes a category with no article and no child; false if it has either. */
  async deleteEmptyCategory(id: number): Promise<boolean> {
    const r = await this.pool.query(
      `DELETE FROM kb_categories c WHERE c.id = $1
         AND NOT EXISTS (SELECT 1 FROM kb_articles a WHERE a.category_id = c.id)
         AND NOT EXISTS (SELECT 1 FROM kb_categories k WHERE k.parent_id = c.id)`,
      [id],
    );
    return (r.rowCount ?? 0) > 0;
  }

  // ---- articles

  async article(id: number, db: Db = this.pool, lock = false): Promise<ArticleRow | undefined> {
    const r = await db.query<ArticleRow>(`SELECT ${ARTICLE_COLUMNS} FROM kb_articles WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return r.rows[0];
  }

  async articles(ids: readonly number[]): Promise<ArticleRow[]> {
    if (!ids.length) return [];
    const r = await this.pool.query<ArticleRow>(`SELECT ${ARTICLE_COLUMNS} FROM kb_articles WHERE id = ANY ($1::bigint[])`, [ids]);
    return r.rows;
  }

  async existingIds(ids: readonly number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const r = await this.pool.query<{ id: number }>('SELECT id::int FROM kb_articles WHERE id = ANY ($1::bigint[])', [ids]);
    return new Set(r.rows.map((x) => x.id));
  }

  async insertArticle(t: ArticleText, status: ArticleStatus, by: string, db: Db = this.pool): Promise<number> {
    const r = await db.query<{ id: number }>(
      `INSERT INTO kb_articles (category_id, question, answer, basis, keywords, region, department, status, author, edited_by, related, attachments,
         search_doc, trgm_text, published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12::tsvector, $13, CASE WHEN $8 = 'published' THEN now() END)
       RETURNING id::int`,
      [
        t.categoryId,
        t.question,
        t.answer,
        t.basis,
        t.keywords,
        t.region,
        t.department,
        status,
        by,
        t.related,
        JSON.stringify(t.attachments),
        t.searchDoc,
        t.trgmText,
      ],
    );
    const id = r.rows[0]!.id;
    await this.keepVersion(id, db);
    await this.addWords(t.searchDoc, db);
    return id;
  }

  /** A new version of the text (the caller checked `version` under FOR UPDATE). */
  async updateArticle(id: number, t: ArticleText, status: ArticleStatus, by: string, db: Db): Promise<void> {
    await db.query(
      `UPDATE kb_articles SET category_id = $2, question = $3, answer = $4, basis = $5, keywords = $6, region = $7, department = $8, related = $9,
         attachments = $10, search_doc = $11::tsvector, trgm_text = $12, status = $13, edited_by = $14, reviewer = NULL, version = version + 1,
         updated_at = now()
       WHERE id = $1`,
      [
        id,
        t.categoryId,
        t.question,
        t.answer,
        t.basis,
        t.keywords,
        t.region,
        t.department,
        t.related,
        JSON.stringify(t.attachments),
        t.searchDoc,
        t.trgmText,
        status,
        by,
      ],
    );
    await this.keepVersion(id, db);
    await this.addWords(t.searchDoc, db);
  }

  /** The document's words join kb_words, counted (never removed nor counted down: a word no article holds any more only makes one search look twice). */
  private async addWords(searchDoc: string, db: Db): Promise<void> {
    await db.query(
      'INSERT INTO kb_words (word, ndoc) SELECT unnest(tsvector_to_array($1::tsvector)), 1 ON CONFLICT (word) DO UPDATE SET ndoc = kb_words.ndoc + 1',
      [searchDoc],
    );
  }

  private async keepVersion(id: number, db: Db): Promise<void> {
    await db.query(
      `INSERT INTO kb_article_versions (article_id, version, question, answer, basis, keywords, status, edited_by)
       SELECT id, version, question, answer, basis, keywords, status, edited_by FROM kb_articles WHERE id = $1`,
      [id],
    );
  }

  async setStatus(
    id: number,
    status: ArticleStatus,
    reviewer: { set: string | null } | undefined,
    published: boolean,
    db: Db,
  ): Promise<void> {
    await db.query(
      `UPDATE kb_articles SET status = $2, reviewer = CASE WHEN $3 THEN $4 ELSE reviewer END,
         published_at = CASE WHEN $5 THEN now() ELSE published_at END, updated_at = now() WHERE id = $1`,
      [id, status, reviewer !== undefined, reviewer?.set ?? null, published],
    );
    // The version's row says what became of it.
    await db.query(
      'UPDATE kb_article_versions v SET status = $2 FROM kb_articles a WHERE a.id = $1 AND v.article_id = a.id AND v.version = a.version',
      [id, status],
    );
  }

  async versions(id: number): Promise<VersionRow[]> {
    const r = await this.pool.query<VersionRow>(
      `SELECT version, question, answer, basis, status, edited_by AS "editedBy",
         to_char(edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "editedAt"
       FROM kb_article_versions WHERE article_id = $1 ORDER BY version DESC`,
      [id],
    );
    return r.rows;
  }

  async list(f: {
    categories?: number[];
    statuses: ArticleStatus[];
    ids?: number[];
    limit: number;
    offset: number;
  }): Promise<{ rows: ArticleRow[]; total: number }> {
    const where = ['status = ANY ($1)'];
    const args: unknown[] = [f.statuses];
    if (f.categories) where.push(`category_id = ANY ($${args.push(f.categories)}::bigint[])`);
    if (f.ids) where.push(`id = ANY ($${args.push(f.ids)}::bigint[])`);
    const total = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM kb_articles WHERE ${where.join(' AND ')}`, args);
    const rows = await this.pool.query<ArticleRow>(
      `SELECT ${ARTICLE_COLUMNS} FROM kb_articles WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, id DESC LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
      [...args, f.limit, f.offset],
    );
    return { rows: rows.rows, total: total.rows[0]!.n };
  }

  // ---- search

  /**
   * Articles whose document matches `tsquery`, the best `lim` by ts_rank. At most `scan` matches
   * are ranked (a one-character query can match most of the base; ranking them all would cost
   * tens of ms). With `similarTo`, each is scored instead by pg_trgm's word_similarity of that
   * text with its question and keywords (a relaxed query: how close the article is to what was typed).
   */
  async fullText(
    tsquery: string,
    statuses: ArticleStatus[],
    categories: number[] | null,
    scan: number,
    lim: number,
    similarTo?: string,
  ): Promise<CandidateHit[]> {
    const r = await this.pool.query<CandidateHit>(
      'SELECT id::int, hits::int, score FROM kb_full_text($1::tsquery, $2, $3::bigint[], $4, $5, $6)',
      [tsquery, statuses, categories, scan, lim, similarTo ?? null],
    );
    return r.rows;
  }

  /**
   * The coverage fallback's candidates (core/kb/query.ts coverageTsQuery): articles matching
   * `filter`, each with how many of `groups` it holds, the best `lim` by that then ts_rank of
   * `rank`; at most `scan` matches are ranked.
   */
  async coverage(
    q: { filter: string; groups: string[]; rank: string },
    statuses: ArticleStatus[],
    categories: number[] | null,
    scan: number,
    lim: number,
  ): Promise<Array<CandidateHit & { covered: number }>> {
    const r = await this.pool.query<CandidateHit & { covered: number }>(
      'SELECT id::int, hits::int, covered, score FROM kb_coverage($1::tsquery, $2::tsquery[], $3::tsquery, $4, $5::bigint[], $6, $7)',
      [q.filter, q.groups, q.rank, statuses, categories, scan, lim],
    );
    return r.rows;
  }

  /** The known words starting with `prefix`, in order; undefined when there are more than `max`. */
  async prefixWords(prefix: string, max: number): Promise<string[] | undefined> {
    const r = await this.pool.query<{ word: string }>(
      'SELECT word FROM kb_words WHERE word >= $1 AND word < $1 || chr(1114111) ORDER BY word LIMIT $2',
      [prefix, max + 1],
    );
    return r.rows.length > max ? undefined : r.rows.map((x) => x.word);
  }

  /**
   * In one round trip: which of `terms` some article holds (`prefix`: a word some article's word
   * starts with), each with about how many articles hold it (kb_words.ndoc; for a prefix, its first
   * 200 words' added up); and for each term no article holds, up to `per` known words like it
   * (pg_trgm similarity, most similar first) with theirs.
   */
  async lookupWords(
    terms: readonly string[],
    prefix: string | undefined,
    per: number,
  ): Promise<{ df: Map<string, number>; similar: Map<string, Array<{ word: string; ndoc: number }>> }> {
    const r = await this.pool.query<{ t: string; word: string | null; n: number }>(
      `WITH known AS (
         SELECT w.word AS t, w.ndoc AS n FROM kb_words w WHERE w.word = ANY ($1::text[])
         UNION
         SELECT $2, p.n FROM (SELECT sum(ndoc)::int AS n, count(*) AS c FROM
           (SELECT ndoc FROM kb_words w WHERE w.word >= $2 AND w.word < $2 || chr(1114111) LIMIT 200) x) p
         WHERE $2::text IS NOT NULL AND p.c > 0)
       SELECT t, NULL AS word, n FROM known
       UNION ALL
       (SELECT u.t, s.word, w.ndoc FROM unnest($1::text[]) u(t), LATERAL kb_similar_words(u.t, $3) s JOIN kb_words w ON w.word = s.word
        WHERE u.t NOT IN (SELECT t FROM known) ORDER BY u.t, s.similarity DESC)`,
      [terms, prefix ?? null, per],
    );
    const df = new Map<string, number>();
    const similar = new Map<string, Array<{ word: string; ndoc: number }>>();
    for (const x of r.rows) {
      if (x.word === null) df.set(x.t, x.n);
      else similar.set(x.t, [...(similar.get(x.t) ?? []), { word: x.word, ndoc: x.n }]);
    }
    return { df, similar };
  }

  // ---- opens, hits, favourites

  /** Counts an open: the article's running total, and the open itself (with its call). Returns the new total, or undefined if there is no such article. */
  async countOpen(id: number, callId: string | null, by: string): Promise<number | undefined> {
    const r = await this.pool.query<{ hits: number }>(
      `WITH bumped AS (UPDATE kb_articles SET hits = hits + 1 WHERE id = $1 RETURNING id, hits),
            opened AS (INSERT INTO kb_article_opens (article_id, call_id, opened_by) SELECT id, $2, $3 FROM bumped)
       SELECT hits::int FROM bumped`,
      [id, callId, by],
    );
    return r.rows[0]?.hits;
  }

  async openedOnCall(callId: string): Promise<number[]> {
    const r = await this.pool.query<{ id: number }>(
      'SELECT article_id::int AS id FROM kb_article_opens WHERE call_id = $1 GROUP BY article_id ORDER BY min(opened_at)',
      [callId],
    );
    return r.rows.map((x) => x.id);
  }

  async setFavourite(id: number, scope: 'private' | 'public', owner: string, on: boolean, by: string): Promise<void> {
    if (on)
      await this.pool.query(
        `INSERT INTO kb_favourites (article_id, scope, owner, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [id, scope, owner, by],
      );
    else await this.pool.query('DELETE FROM kb_favourites WHERE article_id = $1 AND scope = $2 AND owner = $3', [id, scope, owner]);
  }

  async favouriteIds(scope: 'private' | 'public', owner: string): Promise<number[]> {
    const r = await this.pool.query<{ id: number }>(
      'SELECT article_id::int AS id FROM kb_favourites WHERE scope = $1 AND owner = $2 ORDER BY created_at DESC LIMIT 500',
      [scope, owner],
    );
    return r.rows.map((x) => x.id);
  }

  async favouriteOf(id: number, user: string): Promise<{ private: boolean; public: boolean }> {
    const r = await this.pool.query<{ scope: string }>(
      `SELECT scope FROM kb_favourites WHERE article_id = $1 AND ((scope = 'private' AND owner = $2) OR scope = 'public')`,
      [id, user],
    );
    return { private: r.rows.some((x) => x.scope === 'private'), public: r.rows.some((x) => x.scope === 'public') };
  }

  // ---- import and export

  async all(): Promise<ArticleRow[]> {
    const r = await this.pool.query<ArticleRow>(`SELECT ${ARTICLE_COLUMNS} FROM kb_articles ORDER BY category_id, id`);
    return r.rows;
  }

  /** Articles with these questions (for import: related by question, and updating what was imported before). */
  async byQuestions(
    questions: readonly string[],
    db: Db = this.pool,
  ): Promise<Array<{ id: number; categoryId: number; question: string }>> {
    if (!questions.length) return [];
    const r = await db.query<{ id: number; categoryId: number; question: string }>(
      'SELECT id::int, category_id::int AS "categoryId", question FROM kb_articles WHERE question = ANY ($1::text[]) ORDER BY id',
      [questions],
    );
    return r.rows;
  }

  async setRelated(id: number, related: number[], db: Db): Promise<void> {
    await db.query('UPDATE kb_articles SET related = $2 WHERE id = $1', [id, related]);
  }

  async setImportedStatus(id: number, status: ArticleStatus, db: Db): Promise<void> {
    await db.query(
      `UPDATE kb_articles SET status = $2, published_at = CASE WHEN $2 = 'published' THEN coalesce(published_at, now()) ELSE published_at END WHERE id = $1`,
      [id, status],
    );
    await db.query(
      'UPDATE kb_article_versions v SET status = $2 FROM kb_articles a WHERE a.id = $1 AND v.article_id = a.id AND v.version = a.version',
      [id, status],
    );
  }
}
