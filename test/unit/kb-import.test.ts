import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attachmentUrlProblem, articleProblems } from '../../src/core/kb/article-input.js';
import { articlesToCsv, csvToImport, formatCsv, parseCsv } from '../../src/core/kb/csv.js';
import { checkImport, unknownRelated, type ImportArticle } from '../../src/core/kb/import-doc.js';
import { subtree, wouldLoop, categoryPaths } from '../../src/core/kb/tree.js';

const article = (o: Partial<ImportArticle> = {}): ImportArticle => ({
  path: ['问题库', '增值税'],
  question: '小规模纳税人如何申报？',
  answer: '按季申报。',
  ...o,
});

describe('the import document', () => {
  it('accepts a good document, trimming names', () => {
    const r = checkImport({ version: 1, articles: [article({ path: [' 问题库 ', '增值税'], status: 'published', keywords: ['申报'] })] });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.doc.articles[0]!.path).toEqual(['问题库', '增值税']);
  });

  it('names the field of each problem', () => {
    const r = checkImport({
      version: 1,
      articles: [
        article(),
        { ...article(), question: '' },
        { ...article({ question: 'x' }), status: 'secret' },
        { ...article({ question: 'y' }), path: [] },
        { ...article({ question: 'z' }), colour: 1 },
      ],
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.path)).toEqual(['articles/1/question', 'articles/2/status', 'articles/3/path', 'articles/4/colour']);
    expect(checkImport({ version: 2, articles: [] })).toMatchObject({ ok: false, problems: [{ path: 'version' }] });
    expect(checkImport({ version: 1, articles: [article(), article()] })).toMatchObject({
      ok: false,
      problems: [{ path: 'articles/1/question' }],
    });
    expect(checkImport([])).toMatchObject({ ok: false });
  });

  it('related questions must exist in the document or the base', () => {
    const r = checkImport({ version: 1, articles: [article({ related: ['没有这个问题'] })] });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(unknownRelated(r.doc, new Set())).toMatchObject([{ path: 'articles/0/related/0' }]);
      expect(unknownRelated(r.doc, new Set(['没有这个问题']))).toEqual([]);
    }
  });

  it('attachments are http(s) addresses or relative paths only', () => {
    for (const ok of ['https://www.chinatax.gov.cn/a.pdf', 'http://x/y', '/files/a.pdf', 'docs/政策.pdf'])
      expect(attachmentUrlProblem(ok)).toBeUndefined();
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', '//evil.example/x', 'file:///etc/passwd', '', 'a b'])
      expect(attachmentUrlProblem(bad)).toBeDefined();
    expect(articleProblems({ question: 'q', answer: 'a', attachments: [{ name: 'x', url: 'javascript:1' }] })).toMatchObject([
      { path: 'attachments/0/url' },
    ]);
  });
});

describe('CSV', () => {
  const field = fc.string({ unit: fc.constantFrom('a', '增', ',', '"', '\n', '\r\n', ' ', '、', '>'), maxLength: 12 });
  it('format then parse gives the rows back', () => {
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const back = parseCsv(formatCsv(rows));
        expect(back).toEqual({ ok: true, rows });
      }),
    );
  });

  it('articles survive a CSV round trip', () => {
    const articles = [
      article({ keywords: ['申报', '季度'], basis: '公告, "2023"\n第19号', status: 'published', region: '杭州市' }),
      article({ question: '第二个？', path: ['A', 'B', 'C'] }),
    ];
    const back = csvToImport(articlesToCsv(articles));
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.doc).toEqual({ version: 1, articles });
  });

  it('a wrong header or a short row is named', () => {
    expect(csvToImport('a,b\n1,2\n')).toMatchObject({ ok: false, problems: [{ path: 'line 1' }] });
    expect(csvToImport('path,question,answer,basis,keywords,region,department,status\nx,y\n')).toMatchObject({
      ok: false,
      problems: [{ path: 'line 2' }],
    });
    expect(parseCsv('"open')).toMatchObject({ ok: false });
  });
});

describe('the category tree', () => {
  const nodes = [
    { id: 1, parentId: null, name: '问题库', position: 0 },
    { id: 2, parentId: 1, name: '国税', position: 0 },
    { id: 3, parentId: 2, name: '增值税', position: 0 },
    { id: 4, parentId: 1, name: '地税', position: 1 },
  ];
  it('paths, subtrees and loops', () => {
    expect(categoryPaths(nodes).get(3)).toEqual(['问题库', '国税', '增值税']);
    expect(subtree(nodes, 2).sort()).toEqual([2, 3]);
    expect(wouldLoop(nodes, 2, 3)).toBe(true);
    expect(wouldLoop(nodes, 3, 4)).toBe(false);
    expect(wouldLoop(nodes, 1, null)).toBe(false);
  });
});
