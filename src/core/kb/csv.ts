/**
 * The knowledge base as CSV (RFC 4180): header `path,question,answer,basis,keywords,region,department,status`,
 * the category path joined by " > ", keywords by "、". Opens in Excel (the export starts with a BOM).
 */
import type { Problem } from './article-input.js';
import type { ImportArticle, ImportDocument } from './import-doc.js';

export const CSV_COLUMNS = ['path', 'question', 'answer', 'basis', 'keywords', 'region', 'department', 'status'] as const;
export const PATH_SEPARATOR = ' > ';
export const KEYWORD_SEPARATOR = '、';

/** Rows of fields; quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): { ok: true; rows: string[][] } | { ok: false; problem: Problem } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') {
      if (field !== '') return { ok: false, problem: { path: `line ${line}`, message: 'a quote inside an unquoted field' } };
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      line++;
    } else field += c;
  }
  if (quoted) return { ok: false, problem: { path: `line ${line}`, message: 'a quoted field is not closed' } };
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return { ok: true, rows: rows.filter((r) => !(r.length === 1 && r[0] === '')) };
}

const quote = (s: string) => (/[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** One CSV text from rows (CRLF line ends, as RFC 4180 and Excel expect). */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

/** The import document's articles as CSV (related articles and empty categories are JSON-only). */
export function articlesToCsv(articles: readonly ImportArticle[]): string {
  const rows = articles.map((a) => [
    a.path.join(PATH_SEPARATOR),
    a.question,
    a.answer,
    a.basis ?? '',
    (a.keywords ?? []).join(KEYWORD_SEPARATOR),
    a.region ?? '',
    a.department ?? '',
    a.status ?? '',
  ]);
  return '\ufeff' + formatCsv([[...CSV_COLUMNS], ...rows]);
}

/** CSV text → an import document (still to be checked by checkImport); a wrong header or row is named. */
export function csvToImport(text: string): { ok: true; doc: unknown } | { ok: false; problems: Problem[] } {
  const parsed = parseCsv(text);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  const [header, ...rows] = parsed.rows;
  if (!header || header.map((h) => h.trim()).join(',') !== CSV_COLUMNS.join(','))
    return { ok: false, problems: [{ path: 'line 1', message: `the header must be ${CSV_COLUMNS.join(',')}` }] };
  const problems: Problem[] = [];
  const articles = rows.map((r, i) => {
    if (r.length !== CSV_COLUMNS.length)
      problems.push({ path: `line ${i + 2}`, message: `has ${r.length} fields, not ${CSV_COLUMNS.length}` });
    const [path = '', question = '', answer = '', basis = '', keywords = '', region = '', department = '', status = ''] = r;
    return {
      path: path.split(PATH_SEPARATOR.trim()).map((s) => s.trim()),
      question,
      answer,
      ...(basis ? { basis } : {}),
      ...(keywords
        ? {
            keywords: keywords
              .split(KEYWORD_SEPARATOR)
              .map((s) => s.trim())
              .filter(Boolean),
          }
        : {}),
      ...(region ? { region } : {}),
      ...(department ? { department } : {}),
      ...(status ? { status } : {}),
    };
  });
  if (problems.length) return { ok: false, problems: problems.slice(0, 20) };
  const doc: Omit<ImportDocument, 'articles'> & { articles: unknown[] } = { version: 1, articles };
  return { ok: true, doc };
}
