import { describe, expect, it } from 'vitest';
import { buildMatrix, cellsChanged, matchesAgent, skillsFromCells } from '../src/pages/ops/skills-matrix';
import { auditParams, beijingToIso, changedKeys, prettyJson } from '../src/pages/ops/audit-query';
import { formItemFor, skillOfField } from '../src/pages/ops/field-errors';

const skills = [
  { code: 'vat', zh: '增值税', en: 'VAT' },
  { code: 'iit', zh: '个人所得税', en: 'IIT' },
];

describe('skills × agents matrix', () => {
  it('has the configuration’s skills in order, then skills only agents still have; rows by agent id (numeric)', () => {
    const m = buildMatrix(
      [
        { agentId: '1010', name: '王五', skills: { vat: 4, old: 2 }, queues: [] },
        { agentId: '999', name: '李四', skills: { iit: 1 }, queues: ['finance'] },
      ],
      skills,
    );
    expect(m.columns.map((c) => [c.code, c.unknown])).toEqual([
      ['vat', false],
      ['iit', false],
      ['old', true],
    ]);
    expect(m.rows).toEqual([
      { agentId: '999', name: '李四', cells: { vat: null, iit: 1, old: null } },
      { agentId: '1010', name: '王五', cells: { vat: 4, iit: null, old: 2 } },
    ]);
  });

  it('saves the cells with a level; empty and 0 drop the skill; an out-of-range level is sent for the API to refuse', () => {
    expect(skillsFromCells({ vat: 3, iit: null, old: 0, cit: undefined })).toEqual({ vat: 3 });
    expect(skillsFromCells({ vat: 7 })).toEqual({ vat: 7 });
  });

  it('knows when a row differs from what is saved', () => {
    expect(cellsChanged({ vat: 3 }, { vat: 3, iit: null })).toBe(false);
    expect(cellsChanged({ vat: 3 }, { vat: 4 })).toBe(true);
    expect(cellsChanged({ vat: 3 }, { vat: null })).toBe(true);
    expect(cellsChanged({}, { iit: 2 })).toBe(true);
  });

  it('finds agents by id or name', () => {
    expect(matchesAgent({ agentId: '1010', name: '王五' }, '101')).toBe(true);
    expect(matchesAgent({ agentId: '1010', name: '王五' }, '王')).toBe(true);
    expect(matchesAgent({ agentId: '1010', name: '王五' }, '李')).toBe(false);
    expect(matchesAgent({ agentId: '1010', name: '王五' }, '  ')).toBe(true);
  });
});

describe('audit filters → query', () => {
  it('reads the pickers’ times as Beijing time', () => {
    expect(beijingToIso('2026-12-07 00:30:00')).toBe('2026-12-06T16:30:00.000Z');
    expect(beijingToIso('2026-12-07')).toBe('2026-12-06T16:00:00.000Z');
    expect(() => beijingToIso('yesterday')).toThrow();
  });

  it('sends only the filters given, trimmed, with the page’s cursor and size', () => {
    expect(auditParams({ actor: ' t-admin-1 ', action: 'Agent', targetId: '', from: '2026-12-07 08:00:00' }, { limit: 31 })).toEqual({
      actor: 't-admin-1',
      action: 'agent',
      from: '2026-12-07T00:00:00.000Z',
      limit: '31',
    });
    expect(auditParams({}, { beforeId: '42', limit: 31 })).toEqual({ beforeId: '42', limit: '31' });
  });

  it('shows before/after as indented JSON and names what changed', () => {
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(prettyJson(null)).toBe('—');
    expect(changedKeys({ name: 'x', skills: { vat: 3 } }, { name: 'x', skills: { vat: 4 }, queues: [] })).toEqual(['skills', 'queues']);
    expect(changedKeys(null, { a: 1 })).toEqual([]);
  });
});

describe('API field errors → form items', () => {
  it('puts an error at the item the field belongs to', () => {
    expect(formItemFor('username', ['username', 'password'])).toBe('username');
    expect(formItemFor('queues/0', ['name', 'queues'])).toBe('queues');
    expect(formItemFor('id', ['agentId', 'name'], { id: 'agentId' })).toBe('agentId');
    expect(formItemFor('steps/0', ['name'])).toBeUndefined();
    expect(formItemFor(undefined, ['name'])).toBeUndefined();
  });

  it('finds the matrix cell of a skill error', () => {
    expect(skillOfField('skills/vat')).toBe('vat');
    expect(skillOfField('queues/0')).toBeUndefined();
  });
});
