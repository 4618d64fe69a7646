/**
 * What a waiting caller hears: their place in the queue and the expected wait, in words.
 * Numbers are prompts of their own ("您前面还有三位来电"), synthesized once at setup.
 */
export const MAX_POSITION_SPOKEN = 20;
export const MAX_WAIT_MINUTES_SPOKEN = 15;

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1..99 as spoken Mandarin: 十, 十五, 二十, 二十三. */
export function zhNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99) throw new RangeError(`zhNumber: ${n} is outside 0..99`);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones ? DIGITS[ones] : ''}`;
}

/** Every announcement prompt, by name, in both languages. */
export function announcementPrompts(): Record<string, { zh: string; en: string }> {
  const out: Record<string, { zh: string; en: string }> = {};
  for (let n = 1; n <= MAX_POSITION_SPOKEN; n++) {
    out[`queue-ahead-${n}`] = {
      zh: n === 1 ? '您是下一位。' : `您前面还有${zhNumber(n - 1)}位来电。`,
      en: n === 1 ? 'You are next.' : `There ${n - 1 === 1 ? 'is 1 caller' : `are ${n - 1} callers`} ahead of you.`,
    };
  }
  out['queue-ahead-many'] = {
    zh: `您前面还有${zhNumber(MAX_POSITION_SPOKEN)}位以上来电。`,
    en: `There are more than ${MAX_POSITION_SPOKEN} callers ahead of you.`,
  };
  for (let m = 1; m <= MAX_WAIT_MINUTES_SPOKEN; m++) {
    out[`queue-wait-${m}`] = {
      zh: `预计等待时间约${zhNumber(m)}分钟。`,
      en: `The expected wait is about ${m} minute${m === 1 ? '' : 's'}.`,
    };
  }
  out['queue-wait-long'] = {
    zh: `预计等待时间超过${zhNumber(MAX_WAIT_MINUTES_SPOKEN)}分钟。`,
    en: `The expected wait is more than ${MAX_WAIT_MINUTES_SPOKEN} minutes.`,
  };
  return out;
}

/**
 * The expected wait: callers ahead of you (and you) served by the agents who can take the
 * queue, one average handle time each. Rough by design; callers want an order of magnitude.
 */
export function expectedWaitS(position: number, agentsServing: number, avgHandleS: number): number {
  return Math.ceil((position * avgHandleS) / Math.max(1, agentsServing));
}

/** The prompts for one announcement, most specific first, ending with the press-1 offer. */
export function positionAnnouncement(position: number, waitS: number, offerCallback: boolean): string[] {
  const ahead = position <= MAX_POSITION_SPOKEN ? `queue-ahead-${position}` : 'queue-ahead-many';
  const minutes = Math.max(1, Math.ceil(waitS / 60));
  const wait = minutes <= MAX_WAIT_MINUTES_SPOKEN ? `queue-wait-${minutes}` : 'queue-wait-long';
  return offerCallback ? [ahead, wait, 'queue-waiting'] : [ahead, wait];
}
