/** Times as the hotline reads them: Asia/Shanghai whatever the browser's own zone. */
export const ZONE = 'Asia/Shanghai';

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  // h23, not hour12: false: Chromium's ICU reads that as h24 for zh-CN and shows midnight as "24:00".
  hourCycle: 'h23',
});
const timeOnly = new Intl.DateTimeFormat('zh-CN', {
  timeZone: ZONE,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const dayOnly = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

const toDate = (t: string | number | Date) => (t instanceof Date ? t : new Date(t));

/** One formatter over any time value: '—' for none, the value as it came when it is not a time (never a thrown RangeError that blanks the page). */
function formatWith(f: Intl.DateTimeFormat, t: string | number | Date | null | undefined): string {
  if (t == null || t === '') return '—';
  const d = toDate(t);
  return Number.isNaN(d.getTime()) ? String(t) : f.format(d);
}

/** "2026/12/07 09:30:05" in Beijing time. */
export function formatDateTime(t: string | number | Date | null | undefined): string {
  return formatWith(dateTime, t);
}

/** "09:30:05" in Beijing time. */
export function formatTime(t: string | number | Date | null | undefined): string {
  return formatWith(timeOnly, t);
}

/** "2026-12-07": the Beijing calendar day of an instant (the reports' day). */
export function beijingDay(t: string | number | Date = Date.now()): string {
  return dayOnly.format(toDate(t));
}

/** Seconds as "m:ss", or "h:mm:ss" from an hour: time in state, wait time. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A 0..1 ratio as a percentage with one decimal, or "—". */
export function formatPercent(r: number | null | undefined): string {
  return r == null || !Number.isFinite(r) ? '—' : `${(r * 100).toFixed(1)}%`;
}
