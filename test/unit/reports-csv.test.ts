import { describe, expect, it } from 'vitest';
import { abandonColumns, agentColumns, INTERVAL_COLUMNS, regionColumns } from '../../src/features/reports/columns.js';
import { csvCell, csvLine, percent, seconds, toCsv } from '../../src/features/reports/csv.js';

describe('CSV writer', () => {
  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('国税/增值税')).toBe('国税/增值税');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
  });

  it('writes empty cells for null, undefined and non-finite numbers', () => {
    expect(csvLine([null, undefined, NaN, Infinity, 0, 1.5, true])).toBe(',,,,0,1.5,true');
  });

  it('defuses cells a spreadsheet would run as formulas, but keeps plain signed numbers', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('+1+cmd|x')).toBe("'+1+cmd|x");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('\tx')).toBe("'\tx");
    // International callers arrive as +44...: data, not a formula.
    expect(csvCell('+442071234567')).toBe('+442071234567');
    expect(csvCell('-1.5')).toBe('-1.5');
    expect(csvCell(-3)).toBe('-3');
  });

  it('starts with a byte-order mark and ends every line with CRLF', () => {
    const out = toCsv([{ zh: '来电号码', en: 'Caller', value: (r: { c: string }) => r.c }], [{ c: '57187168660' }, { c: 'x,y' }], 'zh');
    expect(out).toBe('\uFEFF来电号码\r\n57187168660\r\n"x,y"\r\n');
    expect(toCsv([{ zh: '来电号码', en: 'Caller', value: () => 1 }], [], 'en')).toBe('\uFEFFCaller\r\n');
  });

  it('shows ratios as percentages and milliseconds as seconds, one decimal', () => {
    expect(percent(0.94873)).toBe(94.9);
    expect(percent(null)).toBeNull();
    expect(seconds(12_345)).toBe(12.3);
    expect(seconds(null)).toBeNull();
  });
});

describe('report columns', () => {
  it('heads the interval report with the seed words in Chinese and plain English', () => {
    expect(INTERVAL_COLUMNS.map((c) => c.zh).slice(0, 12)).toEqual([
      '日期',
      '时间段',
      'IVR访问量',
      '来电量',
      '接听量',
      '放弃量',
      '短时放弃',
      '接听',
      '培训',
      '会议',
      '文书',
      '休息',
    ]);
    expect(INTERVAL_COLUMNS.map((c) => c.zh)).toContain('服务水平(%)');
    expect(INTERVAL_COLUMNS.map((c) => c.zh)).toContain('建议人数');
    expect(INTERVAL_COLUMNS.map((c) => c.en)).toContain('Agents needed');
    expect(new Set(INTERVAL_COLUMNS.map((c) => c.zh)).size).toBe(INTERVAL_COLUMNS.length);
    expect(new Set(INTERVAL_COLUMNS.map((c) => c.en)).size).toBe(INTERVAL_COLUMNS.length);
  });

  it('names one agent column per pause reason of the center, in its language', () => {
    const cols = agentColumns([
      { code: 'training', zh: '培训', en: 'Training' },
      { code: 'lunch', zh: '午餐', en: 'Lunch' },
    ]);
    expect(cols.map((c) => c.zh)).toEqual(expect.arrayContaining(['培训(秒)', '午餐(秒)', '占用率(%)', '平均处理时长(秒)']));
    expect(cols.map((c) => c.en)).toEqual(expect.arrayContaining(['Training (s)', 'Lunch (s)', 'Occupancy (%)']));
  });

  it('names the abandon list and the regions table like the seed', () => {
    expect(
      abandonColumns('zh', (s) => s)
        .map((c) => c.zh)
        .slice(0, 4),
    ).toEqual(['序号', '来电号码', '转人工时间', '转人工结点']);
    expect(regionColumns('杭州', '0571').map((c) => c.zh)).toEqual([
      '年月',
      '杭州本地电话',
      '省内非杭州电话',
      '省外电话',
      '国际电话',
      '小计',
      '手机',
      '未知',
      '合计',
    ]);
  });
});
