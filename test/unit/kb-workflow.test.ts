import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countsHit,
  hotness,
  HOTNESS_FROM,
  STATUSES,
  transition,
  type ArticleStatus,
  type WorkflowAction,
} from '../../src/core/kb/workflow.js';

const status = fc.constantFrom(...STATUSES);
const action = fc.constantFrom<WorkflowAction>('approve', 'reject', 'publish', 'retire');
const name = fc.constantFrom('wang', 'li', 'zhao', 'chen');

describe('the review workflow', () => {
  it('a reviewer is never the author nor the last editor, whatever the status', () => {
    fc.assert(
      fc.property(status, name, name, fc.constantFrom<WorkflowAction>('approve', 'reject'), (s, author, editor, a) => {
        for (const actor of [author, editor]) {
          const t = transition({ status: s, author, editedBy: editor }, a, actor);
          expect(t).toMatchObject({ ok: false, status: 403 });
        }
      }),
    );
  });

  it('moves only along draft → reviewed → published → retired (reject: back to draft)', () => {
    const allowed: Record<WorkflowAction, Partial<Record<ArticleStatus, ArticleStatus>>> = {
      approve: { draft: 'reviewed' },
      reject: { draft: 'draft', reviewed: 'draft' },
      publish: { reviewed: 'published' },
      retire: { draft: 'retired', reviewed: 'retired', published: 'retired' },
    };
    fc.assert(
      fc.property(status, action, (s, a) => {
        const t = transition({ status: s, author: 'wang', editedBy: 'wang' }, a, 'li');
        const to = allowed[a][s];
        if (to) expect(t).toMatchObject({ ok: true, status: to });
        else expect(t).toMatchObject({ ok: false, status: 409 });
      }),
    );
  });

  it('approve records the reviewer, reject clears it, publish stamps the time', () => {
    expect(transition({ status: 'draft', author: 'a', editedBy: 'a' }, 'approve', 'b')).toEqual({
      ok: true,
      status: 'reviewed',
      reviewer: 'actor',
      published: false,
    });
    expect(transition({ status: 'reviewed', author: 'a', editedBy: 'a' }, 'reject', 'b')).toMatchObject({ reviewer: 'clear' });
    expect(transition({ status: 'reviewed', author: 'a', editedBy: 'a' }, 'publish', 'a')).toMatchObject({ ok: true, published: true });
  });
});

describe('hotness', () => {
  it('is 0–3, never falls as hits grow, and steps at the documented thresholds', () => {
    fc.assert(
      fc.property(fc.nat(1e7), fc.nat(1e7), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(hotness(lo)).toBeLessThanOrEqual(hotness(hi));
        expect([0, 1, 2, 3]).toContain(hotness(lo));
      }),
    );
    HOTNESS_FROM.forEach((from, i) => {
      expect(hotness(from - 1)).toBe(i);
      expect(hotness(from)).toBe(i + 1);
    });
  });

  it('counts an agent’s opens and anyone’s on a call, not an editor browsing', () => {
    expect(countsHit('agent', undefined)).toBe(true);
    expect(countsHit('editor', undefined)).toBe(false);
    expect(countsHit('editor', 'c-1')).toBe(true);
  });
});
