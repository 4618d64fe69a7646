import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ARTICLES_MAX,
  EDIT_WINDOW_MS,
  linkedArticles,
  mayEdit,
  NOTES_MAX,
  QUESTION_MAX,
  summaryLine,
  summaryProblems,
  type SummaryInput,
} from '../../src/core/summaries/rules.js';

const ok: SummaryInput = { categoryId: 7, question: '进口货物海关完税凭证能否抵扣', resolution: 'answered', notes: '', articleIds: [3, 4] };
const ended = 1_800_000_000_000;

describe('call summary: what it may hold', () => {
  it('a well-formed summary has no problem', () => {
    expect(summaryProblems(ok)).toEqual([]);
    expect(summaryProblems({ ...ok, question: 'x'.repeat(QUESTION_MAX), notes: '注'.repeat(NOTES_MAX) })).toEqual([]);
  });

  it('each bad field is named', () => {
    const field = (s: Partial<SummaryInput>) => summaryProblems({ ...ok, ...s }).map((p) => p.field);
    expect(field({ question: '   ' })).toEqual(['question']);
    expect(field({ question: '第一行\n第二行' })).toEqual(['question']);
    expect(field({ question: '问'.repeat(QUESTION_MAX + 1) })).toEqual(['question']);
    expect(field({ resolution: 'solved' })).toEqual(['resolution']);
    expect(field({ notes: 'x'.repeat(NOTES_MAX + 1) })).toEqual(['notes']);
    expect(field({ categoryId: 0 })).toEqual(['categoryId']);
    expect(field({ articleIds: [3, 5, 3] })).toEqual(['articleIds/2']);
    expect(field({ articleIds: Array.from({ length: ARTICLES_MAX + 1 }, (_, i) => i + 1) })).toEqual(['articleIds']);
  });

  it('any question with a line break is refused, any one-line question up to the limit is accepted', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: QUESTION_MAX }), (q) => {
        const problems = summaryProblems({ ...ok, question: q }).filter((p) => p.field === 'question');
        const oneLine = !/[\r\n\u2028\u2029]/.test(q.trim()) && q.trim().length > 0;
        expect(problems.length === 0).toBe(oneLine);
      }),
    );
  });
});

describe('call summary: who may write it, until when', () => {
  const call = { agentId: '1001', endedAt: ended };

  it('the agent who answered, from the end until the window closes; not a minute after', () => {
    expect(mayEdit({ role: 'agent', agentId: '1001' }, call, ended + 1000)).toEqual({ allow: true, until: ended + EDIT_WINDOW_MS });
    expect(mayEdit({ role: 'agent', agentId: '1001' }, call, ended + EDIT_WINDOW_MS)).toMatchObject({ allow: true });
    expect(mayEdit({ role: 'agent', agentId: '1001' }, call, ended + EDIT_WINDOW_MS + 60_000)).toMatchObject({ allow: false, status: 403 });
  });

  it('another agent never; a supervisor or admin always; a call not ended or not answered is a 409 for everyone', () => {
    expect(mayEdit({ role: 'agent', agentId: '1002' }, call, ended)).toMatchObject({
      allow: false,
      status: 403,
      reason: expect.stringMatching(/only the calls it answered/),
    });
    expect(mayEdit({ role: 'supervisor' }, call, ended + 30 * EDIT_WINDOW_MS)).toEqual({ allow: true, until: null });
    expect(mayEdit({ role: 'admin' }, call, ended + 30 * EDIT_WINDOW_MS)).toEqual({ allow: true, until: null });
    expect(mayEdit({ role: 'readonly' }, call, ended)).toMatchObject({ allow: false, status: 403 });
    expect(mayEdit({ role: 'agent' }, call, ended)).toMatchObject({ allow: false, status: 403 });
    expect(mayEdit({ role: 'admin' }, { agentId: null, endedAt: null }, ended)).toMatchObject({ allow: false, status: 409 });
    expect(mayEdit({ role: 'admin' }, { agentId: null, endedAt: ended }, ended)).toMatchObject({ allow: false, status: 409 });
  });

  it('an agent is allowed exactly when it answered the call and the window is open (brute force)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1001', '1002'),
        fc.constantFrom('1001', '1002', null),
        fc.option(fc.integer({ min: 0, max: 10 * EDIT_WINDOW_MS }), { nil: null }),
        fc.integer({ min: 0, max: 12 * EDIT_WINDOW_MS }),
        (me, answeredBy, endedAt, now) => {
          const d = mayEdit({ role: 'agent', agentId: me }, { agentId: answeredBy, endedAt }, now);
          const expected = answeredBy === me && endedAt !== null && now <= endedAt + EDIT_WINDOW_MS;
          expect(d.allow).toBe(expected);
        },
      ),
    );
  });
});

describe('call summary: linked articles and the history line', () => {
  it('ticked first, then those opened during the call, each once, at most the limit', () => {
    expect(linkedArticles([5, 3], [3, 9, 5, 11])).toEqual([5, 3, 9, 11]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: ARTICLES_MAX }),
        fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 40 }),
        (sent, opened) => {
          const out = linkedArticles(sent, opened);
          expect(new Set(out).size).toBe(out.length);
          expect(out.length).toBeLessThanOrEqual(ARTICLES_MAX);
          // Every ticked article is kept, in its order.
          expect(out.slice(0, new Set(sent).size)).toEqual([...new Set(sent)]);
          for (const id of out) expect(sent.includes(id) || opened.includes(id)).toBe(true);
        },
      ),
    );
  });

  it("the history shows the category's last name and the question", () => {
    expect(summaryLine(['问题库', '国税', '增值税', '进项税额抵扣'], '海关完税凭证能否抵扣')).toBe('进项税额抵扣：海关完税凭证能否抵扣');
    expect(summaryLine([], '其它问题')).toBe('其它问题');
  });
});
