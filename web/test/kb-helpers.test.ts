import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { highlightSegments, plainText, unescapeHtml } from '../src/pages/kb/highlight';
import { buildCategoryTree, categoryPath, subtreeIds } from '../src/pages/kb/tree';
import { searchRunner } from '../src/pages/kb/search-runner';
import type { KbCategory } from '../src/pages/kb/types';

describe('highlighted search text', () => {
  it('splits on <mark> only and unescapes the text between', () => {
    expect(highlightSegments('<mark>增值</mark>税专用发票 &lt;b&gt;x&lt;/b&gt; &amp; 税')).toEqual([
      { text: '增值', mark: true },
      { text: '税专用发票 <b>x</b> & 税', mark: false },
    ]);
  });

  it('keeps anything else that looks like markup as text, never as a tag', () => {
    const s = highlightSegments('<img src=x onerror=alert(1)><mark>a</mark><script>');
    expect(s).toEqual([
      { text: '<img src=x onerror=alert(1)>', mark: false },
      { text: 'a', mark: true },
      { text: '<script>', mark: false },
    ]);
  });

  it('joins neighbouring segments, handles unclosed marks and numeric entities', () => {
    expect(highlightSegments('<mark>增</mark><mark>值</mark>税')).toEqual([
      { text: '增值', mark: true },
      { text: '税', mark: false },
    ]);
    expect(highlightSegments('<mark>房产')).toEqual([{ text: '房产', mark: true }]);
    expect(unescapeHtml('&#20108;&#x4e8c;&#39;&bogus;')).toBe("二二'&bogus;");
    expect(plainText('<mark>社保</mark>五险')).toBe('社保五险');
  });
});

describe('category tree', () => {
  const cats: KbCategory[] = [
    { id: 1, parentId: null, name: '问题库', position: 2, articleCount: 0 },
    { id: 2, parentId: 1, name: '杭州市', position: 0, articleCount: 0 },
    { id: 3, parentId: 2, name: '国税', position: 1, articleCount: 2 },
    { id: 4, parentId: 2, name: '地税', position: 0, articleCount: 3 },
    { id: 5, parentId: null, name: '政策法规', position: 0, articleCount: 1 },
    { id: 6, parentId: 99, name: '孤儿', position: 5, articleCount: 0 },
  ];

  it('nests by parent, orders siblings by position, counts the subtree', () => {
    const tree = buildCategoryTree(cats);
    expect(tree.map((n) => n.name)).toEqual(['政策法规', '问题库', '孤儿']);
    const hz = tree[1]!.children[0]!;
    expect(hz.children.map((n) => n.name)).toEqual(['地税', '国税']);
    expect(tree[1]!.total).toBe(5);
    expect(tree[1]!.title).toBe('问题库（5）');
    expect(tree[2]!.title).toBe('孤儿');
  });

  it('survives a cycle in bad data', () => {
    const loop: KbCategory[] = [
      { id: 1, parentId: 2, name: 'a', position: 0, articleCount: 1 },
      { id: 2, parentId: 1, name: 'b', position: 0, articleCount: 1 },
    ];
    expect(() => buildCategoryTree(loop)).not.toThrow();
    expect(categoryPath(loop, 1).length).toBeLessThanOrEqual(2);
  });

  it('gives a path from the root and a subtree', () => {
    expect(categoryPath(cats, 4)).toEqual(['问题库', '杭州市', '地税']);
    expect([...subtreeIds(cats, 2)].sort()).toEqual([2, 3, 4]);
  });
});

describe('search as one types', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks once, 150 ms after the last key', async () => {
    const fetch = vi.fn(async (q: string) => q);
    const got: string[] = [];
    const r = searchRunner({ delayMs: 150, fetch, onResult: (_q, x) => got.push(x) });
    r.type('增');
    await vi.advanceTimersByTimeAsync(100);
    r.type('增值');
    await vi.advanceTimersByTimeAsync(149);
    expect(fetch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith('增值');
    expect(got).toEqual(['增值']);
  });

  it('drops an answer that arrives after a newer query was typed', async () => {
    const resolvers = new Map<string, (v: string) => void>();
    const fetch = (q: string) => new Promise<string>((res) => resolvers.set(q, res));
    const got: string[] = [];
    const r = searchRunner({ delayMs: 150, fetch, onResult: (_q, x) => got.push(x) });
    r.type('增值');
    await vi.advanceTimersByTimeAsync(150);
    r.type('增值税');
    await vi.advanceTimersByTimeAsync(150);
    resolvers.get('增值税')!('new');
    await vi.advanceTimersByTimeAsync(0);
    resolvers.get('增值')!('old');
    await vi.advanceTimersByTimeAsync(0);
    expect(got).toEqual(['new']);
  });

  it('an emptied box clears at once and a late answer is dropped', async () => {
    let resolve: (v: string) => void = () => undefined;
    const got: string[] = [];
    let cleared = 0;
    const r = searchRunner({
      delayMs: 150,
      fetch: () => new Promise<string>((res) => (resolve = res)),
      onResult: (_q, x) => got.push(x),
      onClear: () => cleared++,
    });
    r.type('社保');
    await vi.advanceTimersByTimeAsync(150);
    r.type('  ');
    resolve('late');
    await vi.advanceTimersByTimeAsync(0);
    expect(cleared).toBe(1);
    expect(got).toEqual([]);
  });
});
