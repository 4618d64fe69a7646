import { describe, expect, it } from 'vitest';
import { queueLabelsFromIvr } from '../src/lib/queue-names';

describe('queue labels from the IVR', () => {
  it('names each queue by its business line, the most specific when several nodes lead to it', () => {
    const labels = queueLabelsFromIvr({
      nodes: {
        main: { kind: 'menu' } as never,
        vat: { queue: 'ntax-vat', line: '国税', subLine: '增值税' },
        fin: { queue: 'finance', line: '财政' },
        timeout: { queue: 'other', line: '其它' },
        odd: { queue: 'other', line: '其它', subLine: '人工' },
        bare: { queue: 'nameless' },
      },
    });
    expect(Object.fromEntries(labels)).toEqual({ 'ntax-vat': '国税 · 增值税', finance: '财政', other: '其它 · 人工' });
    expect(queueLabelsFromIvr({}).size).toBe(0);
  });
});
