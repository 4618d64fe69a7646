import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, highlight, snippet } from '../../src/core/kb/highlight.js';

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
const strip = (s: string) => s.replace(/<\/?mark>/g, '');
const text = fc.string({
  unit: fc.constantFrom('增', '值', '税', '发', '票', '<', '>', '&', '"', "'", 'a', 'B', ' ', 's', 'c', 'r', 'i', 'p', 't'),
  maxLength: 60,
});
const words = fc.array(fc.string({ unit: fc.constantFrom('增', '值', '税', '发', 'a', 'b', '<', '&', 's'), minLength: 1, maxLength: 3 }), {
  maxLength: 4,
});

describe('highlighting', () => {
  it('marks the words and escapes everything else: removing the marks and unescaping gives the text back', () => {
    fc.assert(
      fc.property(text, words, (t, ws) => {
        const h = highlight(
          t,
          ws.map((w) => w.toLowerCase()),
        );
        expect(unescape(strip(h))).toBe(t);
        // Nothing but <mark> and </mark> is markup.
        expect(strip(h)).not.toMatch(/[<>"']/);
        expect(h.split('<mark>').length).toBe(h.split('</mark>').length);
        expect(h).not.toMatch(/<mark><\/mark>/);
      }),
    );
  });

  it('every marked text is one of the words', () => {
    fc.assert(
      fc.property(text, words, (t, ws) => {
        for (const m of highlight(t, ws).matchAll(/<mark>(.*?)<\/mark>/g))
          expect(ws.map((w) => w.toLowerCase())).toContain(unescape(m[1]!).toLowerCase());
      }),
    );
  });

  it('marks the longest word at a place, and a script in an answer stays text', () => {
    expect(highlight('增值税专用发票', ['增值', '增值税'])).toBe('<mark>增值税</mark>专用发票');
    expect(highlight('<script>alert(1)</script>增值税', ['增值税', 'script'])).toBe(
      '&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;<mark>增值税</mark>',
    );
    expect(escapeHtml(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
  });

  it('a snippet is a window around the first match, cut with …', () => {
    const long = '前言'.repeat(100) + '进项税额抵扣' + '后记'.repeat(100);
    const s = snippet(long, ['抵扣'], 40);
    expect(s).toContain('<mark>抵扣</mark>');
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
    expect(strip(s).length).toBeLessThanOrEqual(42);
    expect(snippet('短文本', ['文本'])).toBe('短<mark>文本</mark>');
  });
});
