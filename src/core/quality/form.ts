/**
 * The quality review form (质检评分表): which items a reviewer scores a recorded call on, each
 * item's weight and its highest score, and the total a review's scores make. Decided here and
 * nowhere else; the API's schema and the console's form use the same limits.
 *
 * Self-contained (no imports): the web console may bundle it as it is.
 */

export const ITEM_KEY = /^[a-z0-9_]{1,32}$/;
export const ITEMS_MIN = 1;
export const ITEMS_MAX = 20;
export const LABEL_MAX = 40;
export const WEIGHT_MIN = 1;
export const WEIGHT_MAX = 100;
export const MAX_SCORE_MIN = 1;
export const MAX_SCORE_MAX = 10;

export interface FormItem {
  key: string;
  /** zh-CN, as reviewers and agents read it (礼貌用语). */
  label: string;
  labelEn?: string;
  /** Relative weight 1..100; the weights need not add up to 100 (the total is a weighted percentage). */
  weight: number;
  /** The highest score of the item (scores run 0..maxScore in whole points). */
  maxScore: number;
}

export interface Problem {
  /** The body field at fault, JSON-pointer style without the leading slash ("items/2/weight", "scores/politeness"). */
  field: string;
  message: string;
}

const chars = (s: string) => [...s].length;
const isInt = (n: unknown, lo: number, hi: number): n is number => typeof n === 'number' && Number.isInteger(n) && n >= lo && n <= hi;
const oneLine = (s: string) => !/[\r\n\u2028\u2029]/.test(s);

/** Everything wrong with a form's items as sent, first problem first; [] when it may become a version. */
export function formProblems(items: readonly FormItem[]): Problem[] {
  const out: Problem[] = [];
  if (items.length < ITEMS_MIN || items.length > ITEMS_MAX)
    out.push({ field: 'items', message: `must hold ${ITEMS_MIN} to ${ITEMS_MAX} items` });
  const seen = new Set<string>();
  items.forEach((it, i) => {
    const at = `items/${i}`;
    if (typeof it.key !== 'string' || !ITEM_KEY.test(it.key))
      out.push({ field: `${at}/key`, message: 'must be 1 to 32 of a-z, 0-9 and _' });
    else if (seen.has(it.key)) out.push({ field: `${at}/key`, message: `${it.key} is used by an earlier item` });
    else seen.add(it.key);
    for (const [name, v, required] of [
      ['label', it.label, true],
      ['labelEn', it.labelEn, false],
    ] as const) {
      if (v === undefined && !required) continue;
      if (typeof v !== 'string' || !v.trim()) out.push({ field: `${at}/${name}`, message: 'must not be empty' });
      else if (chars(v) > LABEL_MAX) out.push({ field: `${at}/${name}`, message: `must be at most ${LABEL_MAX} characters` });
      else if (!oneLine(v)) out.push({ field: `${at}/${name}`, message: 'must be one line' });
    }
    if (!isInt(it.weight, WEIGHT_MIN, WEIGHT_MAX))
      out.push({ field: `${at}/weight`, message: `must be a whole number ${WEIGHT_MIN} to ${WEIGHT_MAX}` });
    if (!isInt(it.maxScore, MAX_SCORE_MIN, MAX_SCORE_MAX))
      out.push({ field: `${at}/maxScore`, message: `must be a whole number ${MAX_SCORE_MIN} to ${MAX_SCORE_MAX}` });
  });
  return out;
}

/** Every maxScore (1..10) divides this, so each item's share is a whole number of these parts. */
const PARTS = 2520;

/**
 * The total of a review: the weighted share of the maximum, in percent, ROUNDED DOWN to one
 * decimal (so 100 means every item at its maximum, and 99.95 % shows 99.9, never 100). Computed in
 * whole numbers so equal reviews always give the same total. Scores must be valid for the items
 * (reviewProblems): a missing score counts as 0.
 */
export function totalOf(items: readonly FormItem[], scores: Readonly<Record<string, number>>): number {
  let num = 0;
  let weights = 0;
  for (const it of items) {
    const s = scores[it.key] ?? 0;
    num += it.weight * s * (PARTS / it.maxScore);
    weights += it.weight;
  }
  if (weights === 0) return 0;
  // num ≤ 20 · 100 · 2520, so 1000·num stays far inside a double's exact integers; an exact quotient
  // is exact in floating point and any other is ≥ 1/(2520·2000) from a whole number: the floor never slips.
  return Math.floor((1000 * num) / (PARTS * weights)) / 10;
}

/** The form a fresh installation starts with (also seeded by migrations/020_quality_reviews.sql). */
export const DEFAULT_FORM: readonly FormItem[] = [
  { key: 'courtesy', label: '礼貌用语', labelEn: 'Courtesy', weight: 20, maxScore: 5 },
  { key: 'policy_accuracy', label: '政策准确', labelEn: 'Policy accuracy', weight: 30, maxScore: 5 },
  { key: 'record_complete', label: '记录完整', labelEn: 'Complete record', weight: 15, maxScore: 5 },
  { key: 'proficiency', label: '业务熟练', labelEn: 'Proficiency', weight: 20, maxScore: 5 },
  { key: 'attitude', label: '服务态度', labelEn: 'Service attitude', weight: 15, maxScore: 5 },
];
