/**
 * CSV for spreadsheets (RFC 4180): CRLF lines, fields quoted when they hold a comma, quote or
 * line break, quotes doubled, and a UTF-8 byte-order mark so Excel reads the Chinese headers.
 * Caller numbers come from the network and may be chosen by an attacker: a cell that a
 * spreadsheet would run as a formula gets a leading apostrophe (OWASP "CSV injection"), except
 * plain signed numbers such as +442071234567, which stay as they are. Pure.
 */
import type { Lang } from '../../core/lang.js';

export type Cell = string | number | boolean | null | undefined;

export interface Column<R> {
  zh: string;
  en: string;
  value: (row: R) => Cell;
}

const FORMULA_START = /^[=@\t\r]/;
const SIGNED_NUMBER = /^[+-]\d+(\.\d+)?$/;

export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  if (FORMULA_START.test(s) || ((s.startsWith('+') || s.startsWith('-')) && !SIGNED_NUMBER.test(s))) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly Cell[]): string {
  return cells.map(csvCell).join(',');
}

/** Header in the chosen language, then one line per row. */
export function toCsv<R>(columns: readonly Column<R>[], rows: Iterable<R>, lang: Lang): string {
  return [...csvChunks(columns, rows, lang)].join('');
}

/** Lines sent per chunk: big enough to keep the writes few, small enough that no chunk is large. */
const LINES_PER_CHUNK = 500;

/**
 * The same CSV as toCsv, a chunk of lines at a time: a large export is sent as it is formatted
 * rather than built as one string first (a stream's reader pulls the next chunk when it has room).
 */
export function* csvChunks<R>(columns: readonly Column<R>[], rows: Iterable<R>, lang: Lang): Generator<string> {
  let chunk = `\uFEFF${csvLine(columns.map((c) => c[lang]))}\r\n`;
  let n = 0;
  for (const r of rows) {
    chunk += `${csvLine(columns.map((c) => c.value(r)))}\r\n`;
    if (++n % LINES_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Rounds for display; null stays empty. */
export const round = (v: number | null | undefined, digits = 2): number | null =>
  v === null || v === undefined ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/** A ratio as a percentage with one decimal (96.5), empty when there is nothing to divide by. */
export const percent = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : round(v * 100, 1));

/** Milliseconds as seconds with one decimal. */
export const seconds = (ms: number | null | undefined): number | null => (ms === null || ms === undefined ? null : round(ms / 1000, 1));
