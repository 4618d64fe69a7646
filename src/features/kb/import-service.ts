import { checkImport, unknownRelated, type ImportArticle, type ImportDocument } from '../../core/kb/import-doc.js';
import { articlesToCsv, csvToImport } from '../../core/kb/csv.js';
import type { CategoryCache } from './category-cache.js';
import { KbError } from './kb-errors.js';
import type { PgKbRepo } from './kb-repo.js';
import type { KbService } from './kb-service.js';

/**
 * Import and export of the whole base (JSON document or CSV), for POST /api/kb/import and
 * `npm run kb:import` alike. An import is checked whole first, then written in one transaction:
 * a bad file stores nothing. Importing again updates articles found by category and question
 * (a new version when the text changed), so a base can be loaded repeatedly.
 */
export class KbImport {
  constructor(
    private readonly repo: PgKbRepo,
    private readonly tree: CategoryCache,
    private readonly articles: Pick<KbService, 'textOf'>,
  ) {}

  /** `input`: a parsed JSON document, or CSV text. Imported by `by` (the audit says who). */
  async import(input: unknown, by: string, format: 'json' | 'csv'): Promise<{ categories: number; articles: number }> {
    let raw = input;
    if (format === 'csv') {
      const csv = csvToImport(typeof input === 'string' ? input : '');
      if (!csv.ok) throw KbError.invalid(csv.problems);
      raw = csv.doc;
    }
    const checked = checkImport(raw);
    if (!checked.ok) throw KbError.invalid(checked.problems);
    const doc = checked.doc;
    const relatedQuestions = [...new Set(doc.articles.flatMap((a) => (a.related ?? []).map((q) => q.trim())))];
    const known = new Set((await this.repo.byQuestions(relatedQuestions)).map((r) => r.question));
    const missing = unknownRelated(doc, known);
    if (missing.length) throw KbError.invalid(missing);

    const out = await this.repo.tx(async (db) => {
      let categories = 0;
      const categoryOf = new Map<string, number>();
      const ensurePath = async (path: string[]) => {
        let parent: number | null = null;
        for (let i = 0; i < path.length; i++) {
          const key = JSON.stringify(path.slice(0, i + 1));
          let id = categoryOf.get(key);
          if (id === undefined) {
            const r = await this.repo.ensureCategory(parent, path[i]!, db);
            if (r.created) categories++;
            categoryOf.set(key, (id = r.id));
          }
          parent = id;
        }
        return parent!;
      };
      for (const c of doc.categories ?? []) await ensurePath(c.path);
      const existing = await this.repo.byQuestions(
        doc.articles.map((a) => a.question),
        db,
      );
      const ids: number[] = [];
      for (const a of doc.articles) {
        const categoryId = await ensurePath(a.path);
        const text = this.articles.textOf({ ...a, categoryId, related: [] });
        const same = existing.find((e) => e.categoryId === categoryId && e.question === a.question);
        let id: number;
        if (same) {
          const row = (await this.repo.article(same.id, db, true))!;
          const changed =
            row.answer !== text.answer ||
            row.basis !== text.basis ||
            row.keywords.join('\n') !== text.keywords.join('\n') ||
            row.region !== text.region ||
            row.department !== text.department;
          if (changed) await this.repo.updateArticle(same.id, text, row.status, by, db);
          id = same.id;
        } else id = await this.repo.insertArticle(text, 'draft', by, db);
        if (a.status && a.status !== 'draft') await this.repo.setImportedStatus(id, a.status, db);
        ids.push(id);
      }
      // Related articles by question, once every article of the document has its id.
      const byQuestion = new Map<string, number>();
      for (const r of await this.repo.byQuestions(relatedQuestions, db)) if (!byQuestion.has(r.question)) byQuestion.set(r.question, r.id);
      doc.articles.forEach((a, i) => byQuestion.set(a.question, ids[i]!));
      for (let i = 0; i < doc.articles.length; i++) {
        const rel = doc.articles[i]!.related;
        if (rel?.length)
          await this.repo.setRelated(
            ids[i]!,
            [...new Set(rel.map((q) => byQuestion.get(q.trim())!))].filter((x) => x !== ids[i]),
            db,
          );
      }
      return { categories, articles: doc.articles.length };
    });
    this.tree.invalidate();
    return out;
  }

  /** The whole base (every status) as an import document: exporting and importing it again changes nothing. */
  async exportDocument(): Promise<ImportDocument> {
    this.tree.invalidate();
    const [rows, paths, nodes] = await Promise.all([this.repo.all(), this.tree.paths(), this.tree.nodes()]);
    const questionOf = new Map(rows.map((r) => [r.id, r.question]));
    const articles: ImportArticle[] = rows.map((r) => ({
      path: paths.get(r.categoryId) ?? [],
      question: r.question,
      answer: r.answer,
      ...(r.basis ? { basis: r.basis } : {}),
      ...(r.keywords.length ? { keywords: r.keywords } : {}),
      ...(r.region ? { region: r.region } : {}),
      ...(r.department ? { department: r.department } : {}),
      status: r.status,
      ...(r.related.length ? { related: r.related.map((id) => questionOf.get(id)!).filter(Boolean) } : {}),
    }));
    const used = new Set(rows.map((r) => r.categoryId));
    const hasChild = new Set(nodes.map((n) => n.parentId));
    // Categories with no article under them (leaves without articles) are kept by path.
    const categories = nodes.filter((n) => !used.has(n.id) && !hasChild.has(n.id)).map((n) => ({ path: paths.get(n.id)! }));
    return { version: 1, articles, ...(categories.length ? { categories } : {}) };
  }

  async exportCsv(): Promise<string> {
    return articlesToCsv((await this.exportDocument()).articles);
  }
}
