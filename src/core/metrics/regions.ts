/**
 * Where a caller is calling from, for the 异地固话来电统计 report (省内非杭州 / 省外 / 国际).
 * The number is taken as the trunk delivers it: with or without the trunk prefix 0 (the
 * seed shows 57187168660 for 0571 8716 8660), with +86 / 0086, or international.
 * The area-code table is data (data/cn-area-codes.json) handed in by the caller: the core
 * reads no files, and the plan changes (codes merge) without any code changing.
 */
export type CallerRegion = 'home_city' | 'home_province' | 'other_province' | 'international' | 'mobile' | 'unknown';

export interface AreaCodeTable {
  source: string;
  /** Province name → area codes written with the trunk prefix ("0571", "010"). */
  provinces: Readonly<Record<string, readonly string[]>>;
  cities?: Readonly<Record<string, string>>;
}

export interface HomeArea {
  cityCode: string;
  province: string;
}

export const DEFAULT_HOME: HomeArea = { cityCode: '0571', province: '浙江' };

export interface CallerClass {
  region: CallerRegion;
  areaCode?: string;
  province?: string;
  city?: string;
  /** Set when a mobile number was placed through a number-segment table. */
  mobile?: true;
}

export interface ClassifyOptions {
  /**
   * Mobile number segments (号段): first 7 digits → area code, e.g. "1395716" → "0571".
   * Without it mobiles are their own column, since a mobile number says nothing of place.
   */
  mobileSegments?: Readonly<Record<string, string>>;
}

const indexes = new WeakMap<AreaCodeTable, Map<string, string>>();

function indexOf(table: AreaCodeTable): Map<string, string> {
  let idx = indexes.get(table);
  if (!idx) {
    idx = new Map();
    for (const [province, codes] of Object.entries(table.provinces)) for (const code of codes) idx.set(code, province);
    indexes.set(table, idx);
  }
  return idx;
}

const MOBILE = /^0?(1[3-9]\d{9})$/;
/** A local number dialled without area code: 7–8 digits, never starting with 0 or 1. */
const LOCAL = /^[2-9]\d{6,7}$/;

export function classifyCaller(
  number: string,
  table: AreaCodeTable,
  home: HomeArea = DEFAULT_HOME,
  opts: ClassifyOptions = {},
): CallerClass {
  const raw = number.trim().replace(/[\s\-().]/g, '');
  if (!/^\+?\d+$/.test(raw)) return { region: 'unknown' };
  let n: string;
  if (raw.startsWith('+86')) n = raw.slice(3);
  else if (raw.startsWith('0086')) n = raw.slice(4);
  else if (raw.startsWith('+') || raw.startsWith('00')) return { region: 'international' };
  else n = raw;

  const mobile = MOBILE.exec(n);
  if (mobile?.[1]) {
    const code = opts.mobileSegments?.[mobile[1].slice(0, 7)];
    if (code === undefined) return { region: 'mobile' };
    const placed = byAreaCode(code, table, home);
    return placed.region === 'unknown' ? { region: 'mobile' } : { ...placed, mobile: true };
  }

  const idx = indexOf(table);
  const fixed = fixedLineCode(n, idx) ?? (/^[1-9]/.test(n) ? fixedLineCode(`0${n}`, idx) : undefined);
  if (fixed !== undefined) return byAreaCode(fixed, table, home);
  if (LOCAL.test(n)) return byAreaCode(home.cityCode, table, home);
  return { region: 'unknown' };
}

/**
 * The area code of a national number with trunk prefix, if the number has a plausible
 * length: 2-digit codes (010, 02x) carry 8-digit subscriber numbers, 3-digit codes 7 or 8.
 * Chinese area codes are prefix-free, so trying the short form first is unambiguous.
 */
function fixedLineCode(n: string, idx: ReadonlyMap<string, string>): string | undefined {
  if (!/^0[1-9]\d+$/.test(n)) return undefined;
  const short = n.slice(0, 3);
  if (idx.has(short)) return n.length === 11 ? short : undefined;
  const long = n.slice(0, 4);
  if (idx.has(long)) return n.length === 11 || n.length === 12 ? long : undefined;
  return undefined;
}

function byAreaCode(code: string, table: AreaCodeTable, home: HomeArea): CallerClass {
  const province = indexOf(table).get(code);
  if (province === undefined) return { region: 'unknown' };
  const city = table.cities?.[code];
  const region: CallerRegion = code === home.cityCode ? 'home_city' : province === home.province ? 'home_province' : 'other_province';
  return city === undefined ? { region, areaCode: code, province } : { region, areaCode: code, province, city };
}

/**
 * Counts per region. The seed's columns: 省内非杭州电话 = home_province, 省外电话 =
 * other_province, 国际电话 = international, 小计 = their sum (mobiles are not 固话).
 */
export function tallyRegions(
  numbers: readonly string[],
  table: AreaCodeTable,
  home: HomeArea = DEFAULT_HOME,
  opts: ClassifyOptions = {},
): Record<CallerRegion, number> {
  const out: Record<CallerRegion, number> = {
    home_city: 0,
    home_province: 0,
    other_province: 0,
    international: 0,
    mobile: 0,
    unknown: 0,
  };
  for (const n of numbers) out[classifyCaller(n, table, home, opts).region] += 1;
  return out;
}
