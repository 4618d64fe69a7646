import { articleProblems, cleanKeywords, LIMITS, type ArticleFields } from '../../core/kb/article-input.js';
import { searchDocument, trigramText } from '../../core/kb/query.js';
import { wouldLoop } from '../../core/kb/tree.js';
import {
  countsHit,
  hotness,
  mayKeepPublicFavourites,
  STATUS_AFTER_EDIT,
  transition,
  type ArticleStatus,
  type WorkflowAction,
} from '../../core/kb/workflow.js';
import { grants, type Principal } from '../../core/auth/access.js';
import type { Segmenter } from '../../adapters/text/segment.js';
import type { CategoryCache } from './category-cache.js';
import { KbError } from './kb-errors.js';
import type { ArticleRow, ArticleText, PgKbRepo, VersionRow } from './kb-repo.js';

export interface ArticleSummary {
  id: number;
  question: string;
  categoryId: number;
  categoryPath: string[];
  status: ArticleStatus;
  hits: number;
  hotness: number;
  updatedAt: string;
}

export interface Article extends ArticleSummary {
  answer: string;
  basis: string;
  keywords: string[];
  region: string | null;
  department: string | null;
  version: number;
  author: string;
  reviewer: string | null;
  publishedAt: string | null;
  createdAt: string;
  related: Array<{ id: number; question: string }>;
  attachments: Array<{ name: string; url: string }>;
  favourite: { private: boolean; public: boolean };
}

export interface ArticleInput extends ArticleFields {
  categoryId: number;
}

/** Who may see articles that are not published: those who write or review the base. */
export const seesUnpublished = (p: Principal) => grants(p.role, 'kb.write') || grants(p.role, 'kb.review');

/**
 * The knowledge base's articles and categories: writing (a new version each edit), the review
 * workflow (core/kb/workflow.ts decides), opens counted as hits, favourites.
 */
export class KbService {
  constructor(
    private readonly repo: PgKbRepo,
    private readonly tree: CategoryCache,
    private readonly segmenter: Segmenter,
  ) {}

  // ---- categories

  categories() {
    return this.repo.categories();
  }

  async createCategory(parentId: number | null, name: string) {
    this.tree.invalidate();
    if (parentId !== null && !(await this.tree.exists(parentId)))
      throw new KbError(400, `body/parentId: category ${parentId} does not exist`);
    if (await this.repo.categoryNameTaken(parentId, name.trim()))
      throw new KbError(409, `body/name: a category "${name}" already exists there`);
    const { id } = await this.repo.ensureCategory(parentId, name.trim());
    this.tree.invalidate();
    return (await this.repo.categories()).find((c) => c.id === id)!;
  }

  async updateCategory(id: number, change: { name?: string; parentId?: number | null; position?: number }) {
    this.tree.invalidate();
    const nodes = await this.tree.nodes();
    const before = nodes.find((n) => n.id === id);
    if (!before) throw new KbError(404, `category ${id} does not exist`);
    const next = {
      name: change.name?.trim() ?? before.name,
      parentId: change.parentId === undefined ? before.parentId : change.parentId,
      position: change.position ?? before.position,
    };
    if (next.parentId !== null && !nodes.some((n) => n.id === next.parentId))
      throw new KbError(400, `body/parentId: category ${next.parentId} does not exist`);
    if (wouldLoop(nodes, id, next.parentId)) throw new KbError(400, 'body/parentId: a category cannot move under itself');
    if (await this.repo.categoryNameTaken(next.parentId, next.name, id))
      throw new KbError(409, `body/name: a category "${next.name}" already exists there`);
    await this.repo.updateCategory(id, next);
    this.tree.invalidate();
    return { before, after: { id, ...next } };
  }

  async deleteCategory(id: number): Promise<void> {
    this.tree.invalidate();
    if (!(await this.tree.exists(id))) throw new KbError(404, `category ${id} does not exist`);
    if (!(await this.repo.deleteEmptyCategory(id))) throw new KbError(409, `category ${id} still holds articles or categories`);
    this.tree.invalidate();
  }

  // ---- articles

  /** Checks an article's fields and builds its search columns; throws KbError(400) naming the first bad field. */
  async articleText(input: ArticleInput, self?: number): Promise<ArticleText> {
    const problems = articleProblems(input);
    if (problems.length) throw KbError.invalid(problems);
    this.tree.invalidate();
    if (!(await this.tree.exists(input.categoryId))) throw new KbError(400, `body/categoryId: category ${input.categoryId} does not exist`);
    const related = [...new Set(input.related ?? [])];
    if (self !== undefined && related.includes(self)) throw new KbError(400, 'body/related: an article is not related to itself');
    const known = await this.repo.existingIds(related);
    const missing = related.find((r) => !known.has(r));
    if (missing !== undefined) throw new KbError(400, `body/related: article ${missing} does not exist`);
    return this.textOf({ ...input, related });
  }

  /** The stored form of checked fields, with the search document built from jieba's words. */
  textOf(input: ArticleInput): ArticleText {
    const keywords = cleanKeywords(input.keywords);
    const question = input.question.trim();
    const answer = input.answer;
    const basis = input.basis ?? '';
    const seg = this.segmenter;
    return {
      categoryId: input.categoryId,
      question,
      answer,
      basis,
      keywords,
      region: input.region?.trim() || null,
      department: input.department?.trim() || null,
      related: input.related ?? [],
      attachments: (input.attachments ?? []).map((a) => ({ name: a.name.trim(), url: a.url })),
      searchDoc: searchDocument({
        question: seg.cutForSearch(question),
        keywords: keywords.flatMap((k) => [k, ...seg.cutForSearch(k)]),
        body: [...seg.cutForSearch(answer), ...seg.cutForSearch(basis)],
      }),
      trgmText: trigramText(seg.cut(question), keywords),
    };
  }

  async create(input: ArticleInput, who: Principal): Promise<Article> {
    const text = await this.articleText(input);
    const id = await this.repo.insertArticle(text, 'draft', who.id);
    return (await this.view(id, who))!;
  }

  /** A new version; `version` is the one the editor started from (409 if someone saved since). */
  async update(id: number, input: ArticleInput & { version: number }, who: Principal): Promise<{ before: Article; after: Article }> {
    const before = await this.view(id, who);
    if (!before) throw new KbError(404, `article ${id} does not exist`);
    const text = await this.articleText(input, id);
    await this.repo.tx(async (db) => {
      const row = await this.repo.article(id, db, true);
      if (!row) throw new KbError(404, `article ${id} does not exist`);
      if (row.version !== input.version)
        throw new KbError(409, `body/version: article ${id} is at version ${row.version}, not ${input.version}: reload it and edit again`);
      await this.repo.updateArticle(id, text, STATUS_AFTER_EDIT, who.id, db);
    });
    return { before, after: (await this.view(id, who))! };
  }

  /** Review, publish or retire, as core/kb/workflow.ts allows. */
  async act(id: number, action: WorkflowAction, who: Principal): Promise<{ before: ArticleStatus; after: Article }> {
    let from: ArticleStatus = 'draft';
    await this.repo.tx(async (db) => {
      const row = await this.repo.article(id, db, true);
      if (!row) throw new KbError(404, `article ${id} does not exist`);
      from = row.status;
      const t = transition({ status: row.status, author: row.author, editedBy: row.editedBy }, action, who.id);
      if (!t.ok) throw new KbError(t.status, t.message);
      const reviewer = t.reviewer === 'actor' ? { set: who.id } : t.reviewer === 'clear' ? { set: null } : undefined;
      await this.repo.setStatus(id, t.status, reviewer, t.published, db);
    });
    return { before: from, after: (await this.view(id, who))! };
  }

  versions(id: number): Promise<VersionRow[]> {
    return this.repo.versions(id);
  }

  /** An article as its reader may see it (undefined: none, or not published and the reader may not see drafts). */
  async view(id: number, who: Principal, row?: ArticleRow): Promise<Article | undefined> {
    const a = row ?? (await this.repo.article(id));
    if (!a || (a.status !== 'published' && !seesUnpublished(who))) return undefined;
    const [summary] = await this.summaries([a]);
    const related = (await this.repo.articles(a.related)).filter((r) => r.status === 'published' || seesUnpublished(who));
    const order = new Map(a.related.map((r, i) => [r, i]));
    related.sort((x, y) => order.get(x.id)! - order.get(y.id)!);
    return {
      ...summary!,
      answer: a.answer,
      basis: a.basis,
      keywords: a.keywords,
      region: a.region,
      department: a.department,
      version: a.version,
      author: a.author,
      reviewer: a.reviewer,
      publishedAt: a.publishedAt,
      createdAt: a.createdAt,
      related: related.map((r) => ({ id: r.id, question: r.question })),
      attachments: a.attachments,
      favourite: await this.repo.favouriteOf(id, who.id),
    };
  }

  /** Opening an article: counted as a hit when an agent opens it or it is opened on a call (core/kb/workflow.ts). */
  async open(id: number, who: Principal, callId: string | undefined): Promise<Article | undefined> {
    const row = await this.repo.article(id);
    if (!row || (row.status !== 'published' && !seesUnpublished(who))) return undefined;
    if (countsHit(who.role, callId)) {
      const hits = await this.repo.countOpen(id, callId ?? null, who.id);
      if (hits !== undefined) row.hits = hits;
    }
    return this.view(id, who, row);
  }

  async summaries(rows: readonly ArticleRow[]): Promise<ArticleSummary[]> {
    const paths = await this.tree.paths();
    return rows.map((a) => ({
      id: a.id,
      question: a.question,
      categoryId: a.categoryId,
      categoryPath: paths.get(a.categoryId) ?? [],
      status: a.status,
      hits: a.hits,
      hotness: hotness(a.hits),
      updatedAt: a.updatedAt,
    }));
  }

  async list(f: { categoryId?: number; status?: ArticleStatus; q?: string; limit: number; offset: number }, who: Principal) {
    const statuses: ArticleStatus[] = f.status
      ? [f.status]
      : seesUnpublished(who)
        ? ['draft', 'reviewed', 'published', 'retired']
        : ['published'];
    if (statuses.some((s) => s !== 'published') && !seesUnpublished(who))
      throw new KbError(403, `querystring/status: role ${who.role} sees published articles only`);
    const categories = f.categoryId === undefined ? undefined : await this.tree.subtree(f.categoryId);
    const { rows, total } = await this.repo.list({ categories, statuses, limit: f.limit, offset: f.offset });
    return { articles: await this.summaries(rows), total };
  }

  // ---- favourites

  async favourite(id: number, scope: 'private' | 'public', on: boolean, who: Principal): Promise<void> {
    if (
      scope === 'public' &&
      !mayKeepPublicFavourites({ kbWrite: grants(who.role, 'kb.write'), workordersManage: grants(who.role, 'workorders.manage') })
    )
      throw new KbError(403, `body/scope: role ${who.role} may not change the public favourites`);
    const row = await this.repo.article(id);
    if (!row || (row.status !== 'published' && !seesUnpublished(who))) throw new KbError(404, `article ${id} does not exist`);
    await this.repo.setFavourite(id, scope, scope === 'public' ? '' : who.id, on, who.id);
  }

  async favourites(who: Principal): Promise<{ private: ArticleSummary[]; public: ArticleSummary[] }> {
    const load = async (scope: 'private' | 'public') => {
      const ids = await this.repo.favouriteIds(scope, scope === 'public' ? '' : who.id);
      const rows = (await this.repo.articles(ids)).filter((r) => r.status === 'published' || seesUnpublished(who));
      const order = new Map(ids.map((x, i) => [x, i]));
      rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      return this.summaries(rows);
    };
    return { private: await load('private'), public: await load('public') };
  }

  // ---- for other features (call summaries)

  readonly lookup = {
    categoryPath: (id: number) => this.tree.path(id),
    articles: async (ids: number[]) =>
      (await this.repo.articles(ids.slice(0, LIMITS.importArticles))).map((a) => ({ id: a.id, question: a.question })),
    openedOnCall: (callId: string) => this.repo.openedOnCall(callId),
  };
}
