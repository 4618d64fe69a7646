import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { LIMITS } from '../../core/kb/article-input.js';
import { STATUSES, type ArticleStatus } from '../../core/kb/workflow.js';
import type { Principal } from '../../core/auth/access.js';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { KbError } from './kb-errors.js';
import type { KbImport } from './import-service.js';
import { seesUnpublished, type Article, type ArticleSummary as Summary, type KbService } from './kb-service.js';
import type { KbSearch, SearchResult } from './search-service.js';

const Id = Type.String({ pattern: '^[0-9]{1,12}$', description: 'an integer id' });
const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Status = Type.Union(STATUSES.map((s) => Type.Literal(s)));
const Error_ = Type.Object({ error: Type.String() });
const errors = { 400: Error_, 403: Error_, 404: Error_, 409: Error_ };

const Category = Type.Object({
  id: Type.Integer(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  name: Type.String(),
  position: Type.Integer(),
  articleCount: Type.Integer(),
});
const ArticleSummary = Type.Object({
  id: Type.Integer(),
  question: Type.String(),
  categoryId: Type.Integer(),
  categoryPath: Type.Array(Type.String()),
  status: Status,
  hits: Type.Integer(),
  hotness: Type.Integer({ minimum: 0, maximum: 3 }),
  updatedAt: Type.String(),
});
const Attachment = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: LIMITS.attachmentName }),
    url: Type.String({ minLength: 1, maxLength: LIMITS.attachmentUrl, description: 'http(s) address or a relative path' }),
  },
  { additionalProperties: false },
);
const ArticleView = Type.Intersect([
  ArticleSummary,
  Type.Object({
    answer: Type.String(),
    basis: Type.String(),
    keywords: Type.Array(Type.String()),
    region: Nullable(Type.String()),
    department: Nullable(Type.String()),
    version: Type.Integer(),
    author: Type.String(),
    reviewer: Nullable(Type.String()),
    publishedAt: Nullable(Type.String()),
    createdAt: Type.String(),
    related: Type.Array(Type.Object({ id: Type.Integer(), question: Type.String() })),
    attachments: Type.Array(Attachment),
    favourite: Type.Object({ private: Type.Boolean(), public: Type.Boolean() }),
  }),
]);
const ArticleFields = {
  categoryId: Type.Integer({ minimum: 1 }),
  question: Type.String({ minLength: 1, maxLength: LIMITS.question }),
  answer: Type.String({ minLength: 1, maxLength: LIMITS.answer }),
  basis: Type.Optional(Type.String({ maxLength: LIMITS.basis, description: '依据: the law or notice the answer rests on' })),
  keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.keyword }), { maxItems: LIMITS.keywords })),
  region: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.region }))),
  department: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.department }))),
  related: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: LIMITS.related })),
  attachments: Type.Optional(Type.Array(Attachment, { maxItems: LIMITS.attachments })),
};
const NewArticle = Type.Object(ArticleFields, { additionalProperties: false });
const EditedArticle = Type.Object(
  { ...ArticleFields, version: Type.Integer({ minimum: 1, description: 'the version edited' }) },
  { additionalProperties: false },
);
const Limit = (max: number) => Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: `at most ${max}` }));

const ImportArticle = Type.Object(
  {
    path: Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.categoryName }), { minItems: 1, maxItems: LIMITS.pathDepth }),
    question: Type.String({ minLength: 1, maxLength: LIMITS.question }),
    answer: Type.String({ minLength: 1, maxLength: LIMITS.answer }),
    basis: Type.Optional(Type.String({ maxLength: LIMITS.basis })),
    keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.keyword }), { maxItems: LIMITS.keywords })),
    region: Type.Optional(Type.String({ maxLength: LIMITS.region })),
    department: Type.Optional(Type.String({ maxLength: LIMITS.department })),
    status: Type.Optional(Status),
    related: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.question }), { maxItems: LIMITS.related })),
  },
  { additionalProperties: false },
);
const ImportDocument = Type.Object(
  {
    version: Type.Literal(1),
    articles: Type.Array(ImportArticle, { maxItems: LIMITS.importArticles }),
    categories: Type.Optional(
      Type.Array(
        Type.Object(
          { path: Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.categoryName }), { minItems: 1, maxItems: LIMITS.pathDepth }) },
          { additionalProperties: false },
        ),
        { maxItems: LIMITS.importArticles },
      ),
    ),
  },
  { additionalProperties: false },
);
/** An import of the largest allowed base (20,000 long articles) fits. */
const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
const cap = (s: string | undefined, dflt: number, max: number) => Math.min(max, Math.max(1, num(s) ?? dflt));

const summaryView = (a: Summary): Static<typeof ArticleSummary> => ({
  id: a.id,
  question: a.question,
  categoryId: a.categoryId,
  categoryPath: a.categoryPath,
  status: a.status,
  hits: a.hits,
  hotness: a.hotness,
  updatedAt: a.updatedAt,
});
const articleView = (a: Article): Static<typeof ArticleView> => ({
  ...summaryView(a),
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
  related: a.related,
  attachments: a.attachments,
  favourite: a.favourite,
});
const resultView = (r: SearchResult) => ({ ...summaryView(r), snippet: r.snippet, questionHtml: r.questionHtml, score: r.score });

/**
 * The knowledge base's API (docs/knowledge-base.md; the contract is the issue's): categories,
 * articles and their review, search, favourites, import and export. Every write is audited.
 */
export function kbRoutes(d: { kb: KbService; search: KbSearch; transfer: KbImport }): TypedPlugin {
  return async (app) => {
    strictValidation(app);
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    const tags = ['knowledge base'];
    const refuse = (reply: FastifyReply, err: unknown) => {
      if (err instanceof KbError) return reply.code(err.status).send({ error: err.message });
      throw err;
    };
    const notFound = (reply: FastifyReply, id: string) => reply.code(404).send({ error: `article ${id} does not exist` });

    // ---- categories

    app.get(
      '/api/kb/categories',
      { schema: { tags, summary: 'The whole category tree, flat', response: { 200: Type.Object({ categories: Type.Array(Category) }) } } },
      async () => ({ categories: await d.kb.categories() }),
    );
    app.post(
      '/api/kb/categories',
      {
        schema: {
          tags,
          summary: 'A new category under parentId (null: at the root)',
          body: Type.Object(
            {
              parentId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
              name: Type.String({ minLength: 1, maxLength: LIMITS.categoryName, pattern: '\\S' }),
            },
            { additionalProperties: false },
          ),
          response: { 201: Category, ...errors },
        },
      },
      async (req, reply) => {
        try {
          const c = await d.kb.createCategory(req.body.parentId, req.body.name);
          await req.audit({ action: 'kb.category_create', targetKind: 'kb_category', targetId: String(c.id), before: null, after: c });
          return reply.code(201).send(c);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );
    app.patch(
      '/api/kb/categories/:id',
      {
        schema: {
          tags,
          summary: 'Rename, move or reorder a category',
          params: IdParams,
          body: Type.Object(
            {
              name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.categoryName, pattern: '\\S' })),
              parentId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
              position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Category, ...errors },
        },
      },
      async (req, reply) => {
        try {
          const { before, after } = await d.kb.updateCategory(Number(req.params.id), req.body);
          await req.audit({ action: 'kb.category_update', targetKind: 'kb_category', targetId: req.params.id, before, after });
          return (await d.kb.categories()).find((c) => c.id === after.id)!;
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );
    app.delete(
      '/api/kb/categories/:id',
      {
        schema: {
          tags,
          summary: 'Delete an empty category (409 while it holds articles or categories)',
          params: IdParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (req, reply) => {
        try {
          await d.kb.deleteCategory(Number(req.params.id));
          await req.audit({ action: 'kb.category_delete', targetKind: 'kb_category', targetId: req.params.id, before: null, after: null });
          return reply.code(204).send(null);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    // ---- search and lists

    const statusFor = (status: ArticleStatus | undefined, who: Principal) => {
      if (status === undefined) return ['published'] as ArticleStatus[];
      if (status !== 'published' && !seesUnpublished(who))
        throw new KbError(403, `querystring/status: role ${who.role} sees published articles only`);
      return [status];
    };

    app.get(
      '/api/kb/search',
      {
        schema: {
          tags,
          summary: 'Search as one types: Chinese words, partial words (增值 → 增值税) and one-character typos; relevance, then hotness',
          querystring: Type.Object(
            {
              q: Type.String({ minLength: 1, maxLength: 200 }),
              categoryId: Type.Optional(Id),
              limit: Limit(50),
              status: Type.Optional(Status),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              results: Type.Array(
                Type.Intersect([
                  ArticleSummary,
                  Type.Object({ snippet: Type.String(), questionHtml: Type.String(), score: Type.Number() }),
                ]),
              ),
              tookMs: Type.Number(),
            }),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        try {
          const statuses = statusFor(req.query.status, req.principal!);
          const r = await d.search.search(req.query.q, {
            categoryId: num(req.query.categoryId),
            statuses,
            limit: cap(req.query.limit, 20, 50),
          });
          return { results: r.results.map(resultView), tookMs: r.tookMs };
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.get(
      '/api/kb/articles',
      {
        schema: {
          tags,
          summary: 'Articles of a category (and its subtree), newest first; drafts and others for editors and reviewers',
          querystring: Type.Object(
            {
              categoryId: Type.Optional(Id),
              status: Type.Optional(Status),
              q: Type.Optional(Type.String({ maxLength: 200 })),
              limit: Limit(200),
              offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$' })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ articles: Type.Array(ArticleSummary), total: Type.Integer() }), ...errors },
        },
      },
      async (req, reply) => {
        try {
          const q = req.query;
          const who = req.principal!;
          if (q.q?.trim()) {
            // With words: the search's order, in this category and status.
            const statuses = q.status
              ? statusFor(q.status, who)
              : seesUnpublished(who)
                ? [...STATUSES]
                : (['published'] as ArticleStatus[]);
            const r = await d.search.search(q.q, { categoryId: num(q.categoryId), statuses, limit: cap(q.limit, 50, 200) });
            return { articles: r.results.map(summaryView), total: r.results.length };
          }
          const r = await d.kb.list(
            { categoryId: num(q.categoryId), status: q.status, limit: cap(q.limit, 50, 200), offset: num(q.offset) ?? 0 },
            who,
          );
          return { articles: r.articles.map(summaryView), total: r.total };
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    // ---- one article

    app.get(
      '/api/kb/articles/:id',
      {
        schema: {
          tags,
          summary: "Open an article: counts a hit for an agent or on a call (callId links it to that call's summary)",
          params: IdParams,
          querystring: Type.Object(
            { callId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' })) },
            { additionalProperties: false },
          ),
          response: { 200: ArticleView, ...errors },
        },
      },
      async (req, reply) => {
        const a = await d.kb.open(Number(req.params.id), req.principal!, req.query.callId);
        return a ? articleView(a) : notFound(reply, req.params.id);
      },
    );
    app.post(
      '/api/kb/articles',
      { schema: { tags, summary: 'Write a new article (a draft)', body: NewArticle, response: { 201: ArticleView, ...errors } } },
      async (req, reply) => {
        try {
          const a = await d.kb.create(req.body, req.principal!);
          await req.audit({
            action: 'kb.article_create',
            targetKind: 'kb_article',
            targetId: String(a.id),
            before: null,
            after: { version: a.version, question: a.question },
          });
          return reply.code(201).send(articleView(a));
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );
    app.put(
      '/api/kb/articles/:id',
      {
        schema: {
          tags,
          summary: 'Edit an article: a new version, a draft again (409 if `version` is not the latest)',
          params: IdParams,
          body: EditedArticle,
          response: { 200: ArticleView, ...errors },
        },
      },
      async (req, reply) => {
        try {
          const { before, after } = await d.kb.update(Number(req.params.id), req.body, req.principal!);
          await req.audit({
            action: 'kb.article_update',
            targetKind: 'kb_article',
            targetId: req.params.id,
            before: { version: before.version, status: before.status, question: before.question },
            after: { version: after.version, status: after.status, question: after.question },
          });
          return articleView(after);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    const step = (action: 'publish' | 'retire', summary: string) =>
      app.post(
        `/api/kb/articles/:id/${action}`,
        { schema: { tags, summary, params: IdParams, response: { 200: ArticleView, ...errors } } },
        async (req, reply) => {
          try {
            const { before, after } = await d.kb.act(Number(req.params.id), action, req.principal!);
            await req.audit({
              action: `kb.article_${action}`,
              targetKind: 'kb_article',
              targetId: req.params.id,
              before: { status: before },
              after: { status: after.status },
            });
            return articleView(after);
          } catch (err) {
            return refuse(reply, err);
          }
        },
      );
    app.post(
      '/api/kb/articles/:id/review',
      {
        schema: {
          tags,
          summary: 'Approve a draft (→ reviewed) or send it back (→ draft); never by whoever wrote it',
          params: IdParams,
          body: Type.Object(
            {
              decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
              comment: Type.Optional(Type.String({ maxLength: 1000 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: ArticleView, ...errors },
        },
      },
      async (req, reply) => {
        try {
          const { before, after } = await d.kb.act(Number(req.params.id), req.body.decision, req.principal!);
          await req.audit({
            action: `kb.article_${req.body.decision}`,
            targetKind: 'kb_article',
            targetId: req.params.id,
            before: { status: before },
            after: { status: after.status, version: after.version, comment: req.body.comment ?? null },
          });
          return articleView(after);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );
    step('publish', 'Publish a reviewed article: agents find it from now on');
    step('retire', 'Retire an article: no longer found nor shown to agents');

    app.get(
      '/api/kb/articles/:id/versions',
      {
        schema: {
          tags,
          summary: "An article's versions, newest first",
          params: IdParams,
          response: {
            200: Type.Object({
              versions: Type.Array(
                Type.Object({
                  version: Type.Integer(),
                  question: Type.String(),
                  answer: Type.String(),
                  basis: Type.String(),
                  status: Status,
                  editedBy: Type.String(),
                  editedAt: Type.String(),
                }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        const a = await d.kb.view(Number(req.params.id), req.principal!);
        if (!a) return notFound(reply, req.params.id);
        return { versions: await d.kb.versions(a.id) };
      },
    );

    // ---- favourites

    app.put(
      '/api/kb/articles/:id/favourite',
      {
        schema: {
          tags,
          summary: "Mark or unmark a favourite: one's own (private), or the center's list (public: editors and supervisors)",
          params: IdParams,
          body: Type.Object(
            { scope: Type.Union([Type.Literal('private'), Type.Literal('public')]), on: Type.Boolean() },
            { additionalProperties: false },
          ),
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (req, reply) => {
        try {
          await d.kb.favourite(Number(req.params.id), req.body.scope, req.body.on, req.principal!);
          await req.audit({ action: 'kb.favourite', targetKind: 'kb_article', targetId: req.params.id, before: null, after: req.body });
          return reply.code(204).send(null);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );
    app.get(
      '/api/kb/favourites',
      {
        schema: {
          tags,
          summary: "One's own favourites and the center's",
          response: { 200: Type.Object({ private: Type.Array(ArticleSummary), public: Type.Array(ArticleSummary) }) },
        },
      },
      async (req) => {
        const f = await d.kb.favourites(req.principal!);
        return { private: f.private.map(summaryView), public: f.public.map(summaryView) };
      },
    );

    // ---- import and export

    app.get(
      '/api/kb/export',
      {
        schema: {
          tags,
          summary: 'The whole base: JSON (the import document) or CSV',
          querystring: Type.Object(
            { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
            { additionalProperties: false },
          ),
          response: {
            200: {
              description: 'the import document (JSON), or CSV with format=csv',
              content: {
                'application/json': { schema: ImportDocument },
                'text/csv': {
                  schema: Type.String({
                    description: 'UTF-8 CSV with a BOM: path,question,answer,basis,keywords,region,department,status',
                  }),
                },
              },
            },
          },
        },
      },
      async (req, reply) => {
        await req.audit({ action: 'kb.export', targetKind: 'kb', targetId: req.query.format ?? 'json', before: null, after: null });
        if (req.query.format === 'csv')
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="kb.csv"')
            .send(await d.transfer.exportCsv());
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(await d.transfer.exportDocument()));
      },
    );
    app.post(
      '/api/kb/import',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags,
          summary: 'Import a base (JSON document or text/csv): checked whole, then stored in one transaction; found articles are updated',
          body: {
            content: {
              'application/json': { schema: ImportDocument },
              'text/csv': { schema: Type.String({ maxLength: IMPORT_BODY_LIMIT }) },
            },
          },
          response: { 200: Type.Object({ categories: Type.Integer(), articles: Type.Integer() }), ...errors },
        },
      },
      async (req, reply) => {
        try {
          const csv = (req.headers['content-type'] ?? '').startsWith('text/csv');
          const r = await d.transfer.import(req.body, req.principal!.id, csv ? 'csv' : 'json');
          await req.audit({ action: 'kb.import', targetKind: 'kb', targetId: csv ? 'csv' : 'json', before: null, after: r });
          return r;
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );
  };
}
