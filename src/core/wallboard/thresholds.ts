/**
 * When a queue's tile on the wallboard turns amber or red. Shared by the whole center (stored by
 * features/wallboard), decided here and nowhere else: the page imports this module, so what a
 * supervisor sees and what the API accepts follow one definition.
 *
 * Self-contained (no imports): the web console bundles it as it is.
 */

export type Level = 'ok' | 'amber' | 'red';

/** One figure's two limits. */
export interface Limits {
  amber: number;
  red: number;
}

export interface Thresholds {
  /** Callers waiting now: amber at `amber` or more, red at `red` or more. */
  waiting: Limits;
  /** Longest current wait, seconds: as above. */
  longestWaitS: Limits;
  /** Today's service level, percent: LOWER is worse, amber at or below `amber`, red at or below `red` (so red < amber). */
  serviceLevelPct: Limits;
  /** Today's abandon rate, percent: amber at `amber` or more, red at `red` or more. */
  abandonRatePct: Limits;
}

export type Metric = keyof Thresholds;
export const METRICS: readonly Metric[] = ['waiting', 'longestWaitS', 'serviceLevelPct', 'abandonRatePct'];

/** Where a larger value is better (service level); for the rest a larger value is worse. */
const HIGHER_IS_BETTER: Record<Metric, boolean> = { waiting: false, longestWaitS: false, serviceLevelPct: true, abandonRatePct: false };

/** What each limit may be: whole numbers within these bounds (the API's schema says the same). */
export const BOUNDS: Record<Metric, { min: number; max: number }> = {
  waiting: { min: 1, max: 1000 },
  longestWaitS: { min: 1, max: 3600 },
  serviceLevelPct: { min: 0, max: 100 },
  abandonRatePct: { min: 0, max: 100 },
};

/** What a center starts with before anyone changed them: common 12366 targets (80 % within 20 s, under 5 % abandoned). */
export const DEFAULT_THRESHOLDS: Thresholds = {
  waiting: { amber: 3, red: 10 },
  longestWaitS: { amber: 60, red: 180 },
  serviceLevelPct: { amber: 80, red: 60 },
  abandonRatePct: { amber: 5, red: 15 },
};

/** What one queue's tile shows, as the live snapshot gives it (service level and abandon rate 0..1, null before any call today). */
export interface QueueFigures {
  waiting: number;
  longestWaitS: number | null;
  serviceLevel: number | null;
  abandonRate: number | null;
}

/** One figure's level; a figure not known yet (no call today) is ok. */
export function metricLevel(metric: Metric, value: number | null, t: Thresholds): Level {
  if (value === null || !Number.isFinite(value)) return 'ok';
  const { amber, red } = t[metric];
  if (HIGHER_IS_BETTER[metric]) return value <= red ? 'red' : value <= amber ? 'amber' : 'ok';
  return value >= red ? 'red' : value >= amber ? 'amber' : 'ok';
}

/** The figures on a tile, in the thresholds' units (rates in percent). */
export function figuresInUnits(f: QueueFigures): Record<Metric, number | null> {
  return {
    waiting: f.waiting,
    longestWaitS: f.longestWaitS,
    serviceLevelPct: f.serviceLevel === null ? null : f.serviceLevel * 100,
    abandonRatePct: f.abandonRate === null ? null : f.abandonRate * 100,
  };
}

const RANK: Record<Level, number> = { ok: 0, amber: 1, red: 2 };

/** The tile's level: its worst figure's. */
export function tileLevel(f: QueueFigures, t: Thresholds): Level {
  const v = figuresInUnits(f);
  let worst: Level = 'ok';
  for (const m of METRICS) {
    const l = metricLevel(m, v[m], t);
    if (RANK[l] > RANK[worst]) worst = l;
  }
  return worst;
}

/** A problem with proposed thresholds, at its field ("waiting/red"). */
export interface ThresholdProblem {
  path: string;
  message: string;
}

/**
 * What is wrong with proposed thresholds (empty: none). Each limit a whole number within BOUNDS;
 * amber must come before red: amber < red, except service level where red < amber.
 */
export function thresholdProblems(t: Thresholds): ThresholdProblem[] {
  const out: ThresholdProblem[] = [];
  for (const m of METRICS) {
    const { min, max } = BOUNDS[m];
    let bad = false;
    for (const k of ['amber', 'red'] as const) {
      const v = t[m]?.[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        out.push({ path: `${m}/${k}`, message: `must be a whole number from ${min} to ${max}` });
        bad = true;
      }
    }
    if (bad) continue;
    const { amber, red } = t[m];
    if (HIGHER_IS_BETTER[m] && red >= amber) out.push({ path: `${m}/red`, message: `must be below amber (${amber}): lower is worse` });
    if (!HIGHER_IS_BETTER[m] && amber >= red) out.push({ path: `${m}/amber`, message: `must be below red (${red})` });
  }
  return out;
}
