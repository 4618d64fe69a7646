/**
 * The search's highlighted text (HTML-escaped, matched words in <mark>…</mark>) as plain
 * segments, so the page builds React nodes from them and never inserts the API's text as HTML.
 * Anything else that looks like a tag stays text, shown as typed.
 */
export interface Segment {
  text: string;
  mark: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", nbsp: '\u00a0' };

export function unescapeHtml(s: string): string {
  return s.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
    const known = ENTITIES[name.toLowerCase()];
    if (known !== undefined) return known;
    if (/^#x/i.test(name)) return codePoint(parseInt(name.slice(2), 16)) ?? whole;
    if (name.startsWith('#')) return codePoint(parseInt(name.slice(1), 10)) ?? whole;
    return whole;
  });
}

function codePoint(n: number): string | undefined {
  return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

export function highlightSegments(html: string): Segment[] {
  const out: Segment[] = [];
  let mark = false;
  for (const part of html.split(/(<\/?mark>)/i)) {
    if (/^<mark>$/i.test(part)) mark = true;
    else if (/^<\/mark>$/i.test(part)) mark = false;
    else if (part) {
      const text = unescapeHtml(part);
      const last = out[out.length - 1];
      if (last && last.mark === mark) last.text += text;
      else out.push({ text, mark });
    }
  }
  return out;
}

/** The text without the marks (for titles, tooltips). */
export function plainText(html: string): string {
  return highlightSegments(html)
    .map((s) => s.text)
    .join('');
}
