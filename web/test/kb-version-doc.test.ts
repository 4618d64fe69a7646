import { describe, expect, it } from 'vitest';
import { sentences, splitKeywords, versionDoc } from '../src/pages/ops/kb/version-doc';
import { safeUrl } from '../src/pages/kb/ArticleView';

describe('knowledge-base editing helpers', () => {
  it('splits an answer into clauses, so a diff shows the clause that changed', () => {
    expect(sentences('一般纳税人按17%。小规模按3%；出口为零！\n另见附表')).toEqual([
      '一般纳税人按17%。',
      '小规模按3%；',
      '出口为零！',
      '另见附表',
    ]);
    expect(versionDoc({ question: 'Q', answer: '甲。乙。', basis: '', status: 'draft' })).toEqual({
      问题: 'Q',
      答案: ['甲。', '乙。'],
      依据: [],
      状态: 'draft',
    });
  });

  it('keywords typed with Chinese or Latin separators, unique, in order', () => {
    expect(splitKeywords(['海关完税凭证、抵扣时限', '180日', '抵扣时限'])).toEqual(['海关完税凭证', '抵扣时限', '180日']);
    expect(splitKeywords('社保，五险 , 缴费')).toEqual(['社保', '五险', '缴费']);
  });

  it('attachment links only to http(s) or this site', () => {
    expect(safeUrl('https://example.org/a.pdf')).toBe('https://example.org/a.pdf');
    expect(safeUrl('/files/a.pdf')).toBe('/files/a.pdf');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('//evil.example/x')).toBeUndefined();
  });
});
