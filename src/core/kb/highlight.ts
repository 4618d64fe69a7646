/**
 * Search results' highlighted text: HTML-escaped, with the matched words in <mark>…</mark> and
 * nothing else unescaped. Done here, on plain text, rather than with ts_headline (which returns
 * the article's raw text: an answer holding "<script>" would come back as markup).
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** The text as it is compared: lower case, when that keeps every character's place (it does for Chinese and ASCII). */
function comparable(text: string): string {
  const lower = text.toLowerCase();
  return lower.length === text.length ? lower : text;
}

/**
 * `text` escaped, each occurrence of one of `words` (lower case, as core/kb/query.ts makes them)
 * marked. At each place the longest word that starts there wins, and marks never overlap.
 */
export function highlight(text: string, words: readonly string[]): string {
  const ws = [...new Set(words.filter((w) => w.length > 0))].sort((a, b) => b.length - a.length);
  if (!ws.length) return escapeHtml(text);
  const hay = comparable(text);
  let out = '';
  let plainFrom = 0;
  let i = 0;
  while (i < text.length) {
    const w = ws.find((x) => hay.startsWith(x, i));
    if (!w) {
      i++;
      continue;
    }
    out += escapeHtml(text.slice(plainFrom, i)) + '<mark>' + escapeHtml(text.slice(i, i + w.length)) + '</mark>';
    i += w.length;
    plainFrom = i;
  }
  return out + escapeHtml(text.slice(plainFrom));
}

/**
 * A window of about `width` characters of `text` around the first matched word (the start when
 * none matches), whitespace collapsed, "…" where it was cut, highlighted.
 */
export function snippet(text: string, words: readonly string[], width = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= width) return highlight(flat, words);
  const hay = comparable(flat);
  let first = -1;
  for (const w of words) {
    if (!w) continue;
    const at = hay.indexOf(w);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  let start = first < 0 ? 0 : Math.max(0, first - Math.floor(width / 4));
  let end = Math.min(flat.length, start + width);
  if (end - start < width) start = Math.max(0, end - width);
  // Never cut a character written as two UTF-16 units (rare CJK extension characters).
  if (start > 0 && isLowSurrogate(flat.charCodeAt(start))) start--;
  if (end < flat.length && isLowSurrogate(flat.charCodeAt(end))) end++;
  return (start > 0 ? '…' : '') + highlight(flat.slice(start, end), words) + (end < flat.length ? '…' : '');
}

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
