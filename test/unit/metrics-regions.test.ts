import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyCaller, tallyRegions, type AreaCodeTable } from '../../src/core/metrics/regions.js';

const table = JSON.parse(readFileSync(new URL('../../data/cn-area-codes.json', import.meta.url), 'utf8')) as AreaCodeTable & {
  retired: Record<string, string>;
};

/** The seed's 来电放弃情况 list, numbers exactly as the trunk delivered them. */
const seedAbandons = [
  '57187168660',
  '57188360767',
  '13957168429',
  '57185343483',
  '57188470651',
  '57187220657',
  '13018911785',
  '57185287777',
  '57188381152',
  '57185775208',
  '57188900159',
  '13336151085',
  '13336151085',
  '57187786983',
  '57128879399',
];

describe('the area-code table', () => {
  const all = Object.values(table.provinces).flat();

  it('states its source and that it is maintained data', () => {
    expect(table.source).toMatch(/电信网编号计划/);
    expect(table.source).toMatch(/MIIT/);
  });

  it('lists every code once, in trunk-prefix form', () => {
    expect(new Set(all).size).toBe(all.length);
    for (const c of all) expect(c).toMatch(/^0\d{2,3}$/);
    for (const c of Object.keys(table.retired)) expect(all).toContain(c);
  });

  it('has the 2-digit codes, all Zhejiang codes and every provincial capital', () => {
    expect(all.filter((c) => c.length === 3).sort()).toEqual(['010', '020', '021', '022', '023', '024', '025', '027', '028', '029']);
    expect(table.provinces['浙江']).toEqual(['0570', '0571', '0572', '0573', '0574', '0575', '0576', '0577', '0578', '0579', '0580']);
    const capitals: Record<string, string> = {
      北京: '010',
      天津: '022',
      上海: '021',
      重庆: '023',
      河北: '0311',
      山西: '0351',
      内蒙古: '0471',
      辽宁: '024',
      吉林: '0431',
      黑龙江: '0451',
      江苏: '025',
      浙江: '0571',
      安徽: '0551',
      福建: '0591',
      江西: '0791',
      山东: '0531',
      河南: '0371',
      湖北: '027',
      湖南: '0731',
      广东: '020',
      广西: '0771',
      海南: '0898',
      四川: '028',
      贵州: '0851',
      云南: '0871',
      西藏: '0891',
      陕西: '029',
      甘肃: '0931',
      青海: '0971',
      宁夏: '0951',
      新疆: '0991',
    };
    expect(Object.keys(table.provinces).sort()).toEqual(Object.keys(capitals).sort());
    for (const [p, code] of Object.entries(capitals)) expect(table.provinces[p]).toContain(code);
  });
});

describe('classifyCaller (home 0571 杭州, 浙江)', () => {
  it('classifies the seed numbers: leading 0 stripped by the trunk', () => {
    expect(classifyCaller('57187168660', table)).toEqual({ region: 'home_city', areaCode: '0571', province: '浙江', city: '杭州' });
    expect(classifyCaller('57128879399', table).areaCode).toBe('0571');
    expect(classifyCaller('13957168429', table)).toEqual({ region: 'mobile' });
    expect(classifyCaller('13018911785', table).region).toBe('mobile');
    // 15 numbers: 4 mobiles (139…, 130…, 133… twice) and 11 Hangzhou fixed lines.
    expect(tallyRegions(seedAbandons, table)).toEqual({
      home_city: 11,
      home_province: 0,
      other_province: 0,
      international: 0,
      mobile: 4,
      unknown: 0,
    });
  });

  it('accepts the trunk prefix, +86 and 0086', () => {
    expect(classifyCaller('057185187424', table).region).toBe('home_city'); // the seed's caller 王女士
    expect(classifyCaller('+8657185187424', table).areaCode).toBe('0571');
    expect(classifyCaller('+86 571 8518 7424', table).areaCode).toBe('0571');
    expect(classifyCaller('008613957168429', table).region).toBe('mobile');
    expect(classifyCaller('013957168429', table).region).toBe('mobile'); // 0 before an out-of-town mobile
  });

  it('same province, other province, 2-digit codes', () => {
    expect(classifyCaller('057412345678', table)).toEqual({ region: 'home_province', areaCode: '0574', province: '浙江', city: '宁波' });
    expect(classifyCaller('05701234567', table)).toMatchObject({ region: 'home_province', areaCode: '0570' }); // 7-digit subscriber
    expect(classifyCaller('01012345678', table)).toEqual({ region: 'other_province', areaCode: '010', province: '北京', city: '北京' });
    expect(classifyCaller('1012345678', table)).toMatchObject({ region: 'other_province', areaCode: '010' }); // 0 stripped
    expect(classifyCaller('02112345678', table)).toMatchObject({ province: '上海' });
    expect(classifyCaller('075512345678', table)).toEqual({ region: 'other_province', areaCode: '0755', province: '广东' });
    expect(classifyCaller('09991234567', table)).toMatchObject({ region: 'other_province', province: '新疆' });
  });

  it('international', () => {
    expect(classifyCaller('+441234567890', table).region).toBe('international');
    expect(classifyCaller('00441234567890', table).region).toBe('international');
    expect(classifyCaller('+85212345678', table).region).toBe('international'); // Hong Kong is not in the mainland plan
  });

  it('a local number without area code is home city', () => {
    expect(classifyCaller('85187424', table)).toMatchObject({ region: 'home_city', areaCode: '0571' });
  });

  it('unknown: service numbers, wrong lengths, junk', () => {
    for (const n of ['12366', '4008123456', '0571123', '010123456789', '', 'abc', '+', '06001234567']) {
      expect(classifyCaller(n, table).region, n).toBe('unknown');
    }
  });

  it('home is configurable', () => {
    const beijing = { cityCode: '010', province: '北京' };
    expect(classifyCaller('01012345678', table, beijing).region).toBe('home_city');
    expect(classifyCaller('57187168660', table, beijing).region).toBe('other_province');
  });

  it('places mobiles only when a number-segment table is supplied', () => {
    const mobileSegments = { '1395716': '0571', '1301891': '0574', '1333615': '010' };
    expect(classifyCaller('13957168429', table, undefined, { mobileSegments })).toEqual({
      region: 'home_city',
      areaCode: '0571',
      province: '浙江',
      city: '杭州',
      mobile: true,
    });
    expect(classifyCaller('13018911785', table, undefined, { mobileSegments }).region).toBe('home_province');
    expect(classifyCaller('13336151085', table, undefined, { mobileSegments }).region).toBe('other_province');
    expect(classifyCaller('13800000000', table, undefined, { mobileSegments }).region).toBe('mobile');
  });

  it('tallies the 异地固话 columns', () => {
    // 省内非杭州 2, 省外 3, 国际 1 → 小计 6.
    const t = tallyRegions(
      ['057412345678', '5791234567', '01012345678', '02087654321', '+12125550100', '075512345678', '13957168429'],
      table,
    );
    expect(t).toMatchObject({ home_province: 2, other_province: 3, international: 1, mobile: 1 });
    expect(t.home_province + t.other_province + t.international).toBe(6);
  });
});
