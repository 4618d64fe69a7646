import { describe, expect, it } from 'vitest';
import { categoryTree, editableFromHistory, formField, offeredArticles } from '../src/pages/agent/summary-form';

describe('call summary form helpers', () => {
  it('builds the category tree in position order with full paths; an orphan goes to the root', () => {
    const tree = categoryTree([
      { id: 3, parentId: 1, name: '增值税', position: 1 },
      { id: 2, parentId: 1, name: '消费税', position: 0 },
      { id: 1, parentId: null, name: '国税', position: 0 },
      { id: 4, parentId: 3, name: '进项税额抵扣', position: 0 },
      { id: 9, parentId: 77, name: '孤儿', position: 5 },
    ]);
    expect(tree.map((n) => n.title)).toEqual(['国税', '孤儿']);
    expect(tree[0]!.children.map((n) => n.title)).toEqual(['消费税', '增值税']);
    expect(tree[0]!.children[1]!.children[0]).toEqual({
      value: 4,
      title: '进项税额抵扣',
      path: '国税 › 增值税 › 进项税额抵扣',
      children: [],
    });
  });

  it('offers the opened articles first, then the suggested ones, each once', () => {
    const a = (id: number) => ({ id, question: `问${id}` });
    expect(offeredArticles([a(5), a(2)], [a(1), a(2), a(3)]).map((x) => x.id)).toEqual([5, 2, 1, 3]);
  });

  it('puts an API error at its form field', () => {
    expect(formField('articleIds/2')).toBe('articleIds');
    expect(formField('question')).toBe('question');
    expect(formField('callId')).toBeUndefined();
    expect(formField(undefined)).toBeUndefined();
  });

  it('offers an earlier call of the history only to the agent who answered it, within the window', () => {
    const h = { agentId: '1001', at: 1000 };
    expect(editableFromHistory(h, '1001', 1000 + 5000, 10_000)).toBe(true);
    expect(editableFromHistory(h, '1001', 1000 + 20_000, 10_000)).toBe(false);
    expect(editableFromHistory(h, '1002', 1000, 10_000)).toBe(false);
  });
});
