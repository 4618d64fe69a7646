/**
 * The review form's arithmetic and limits are the backend's own (src/core/quality/form.ts, bundled
 * as it is): the total a reviewer sees while typing is the total stored, and a form the page lets
 * through is one the API takes.
 */
import {
  ITEMS_MAX,
  LABEL_MAX,
  MAX_SCORE_MAX,
  MAX_SCORE_MIN,
  WEIGHT_MAX,
  WEIGHT_MIN,
  formProblems as coreFormProblems,
  totalOf,
} from '../../../../src/core/quality/form';
import type { FormItem } from './types';

export { ITEMS_MAX, LABEL_MAX, MAX_SCORE_MAX, MAX_SCORE_MIN, WEIGHT_MAX, WEIGHT_MIN };

/**
 * sum(score/max × weight) / sum(weight) × 100, rounded DOWN to one decimal as the backend stores it;
 * unscored (or not yet valid) scores count as 0 while typing.
 */
export function reviewTotal(items: readonly FormItem[], scores: Readonly<Record<string, number | null | undefined>>): number {
  const valid: Record<string, number> = {};
  for (const i of items) {
    const v = scores[i.key];
    if (v != null && Number.isInteger(v) && v >= 0 && v <= i.maxScore) valid[i.key] = v;
  }
  return totalOf(items, valid);
}

/** The items not scored yet (the form cannot be sent until every item has a score). */
export function unscored(items: readonly FormItem[], scores: Readonly<Record<string, number | null | undefined>>): FormItem[] {
  return items.filter((i) => scores[i.key] == null || !Number.isFinite(scores[i.key]!));
}

/** A score that is not a number from 0 to the item's maximum, named for the field. */
export function scoreProblem(item: FormItem, v: number | null | undefined): [zh: string, en: string] | null {
  if (v == null || !Number.isFinite(v)) return null;
  if (v < 0 || v > item.maxScore || !Number.isInteger(v))
    return [`应为 0 到 ${item.maxScore} 的整数`, `A whole number from 0 to ${item.maxScore}`];
  return null;
}

/** The item's label in the page's language (labelEn when there is one). */
export const itemLabel = (i: Pick<FormItem, 'label' | 'labelEn'>, lang: 'zh' | 'en') => (lang === 'en' && i.labelEn ? i.labelEn : i.label);

type Field = keyof FormItem;
const MESSAGES: Record<Field, [string, string]> = {
  key: ['仅限小写字母、数字、下划线，1 到 32 位', '1 to 32 of a–z, 0–9 and _'],
  label: [`请填写，最多 ${LABEL_MAX} 个字，且只占一行`, `Required, one line, at most ${LABEL_MAX} characters`],
  labelEn: [`最多 ${LABEL_MAX} 个字，且只占一行`, `One line, at most ${LABEL_MAX} characters`],
  weight: [`权重应为 ${WEIGHT_MIN} 到 ${WEIGHT_MAX} 的整数`, `A whole number from ${WEIGHT_MIN} to ${WEIGHT_MAX}`],
  maxScore: [`满分应为 ${MAX_SCORE_MIN} 到 ${MAX_SCORE_MAX} 的整数`, `A whole number from ${MAX_SCORE_MIN} to ${MAX_SCORE_MAX}`],
};

/**
 * Problems of a form being edited, each at its row and field (index -1: the list as a whole), by
 * the backend's own check, so the page refuses exactly what the API would.
 */
export function formProblems(items: readonly Partial<FormItem>[]): Array<{ index: number; field: Field; message: [string, string] }> {
  const sent = items.map((i) => ({
    ...i,
    key: i.key?.trim() ?? '',
    label: i.label?.trim() ?? '',
    labelEn: i.labelEn?.trim() || undefined,
  }));
  return coreFormProblems(sent as FormItem[]).map((p) => {
    const m = /^items\/(\d+)\/(\w+)$/.exec(p.field);
    if (!m)
      return {
        index: -1,
        field: 'key' as Field,
        message: [`应有 1 到 ${ITEMS_MAX} 个评分项`, `1 to ${ITEMS_MAX} items`] as [string, string],
      };
    const field = m[2] as Field;
    const used = field === 'key' && /earlier item/.test(p.message);
    return { index: Number(m[1]), field, message: used ? ['与其他评分项重复', 'Used by another item'] : MESSAGES[field] };
  });
}

/** The current month in Beijing, YYYY-MM. */
export function beijingMonth(now: number = Date.now()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(now).slice(0, 7);
}
