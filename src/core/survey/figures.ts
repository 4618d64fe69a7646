/**
 * Satisfaction survey figures (docs/metrics.md, "Satisfaction survey"). Pure: counts in, rates out.
 * satisfiedRate = 满意 / answered; satisfactionRate = (满意 + 基本满意) / answered, the 12366
 * centers' usual 满意率; responseRate = answered / offered. A rate over nothing is null, not 0.
 */
export interface SurveyCounts {
  offered: number;
  answered: number;
  satisfied: number;
  fair: number;
  dissatisfied: number;
}

export interface SurveyFigures extends SurveyCounts {
  unanswered: number;
  responseRate: number | null;
  satisfiedRate: number | null;
  satisfactionRate: number | null;
}

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

export function surveyFigures(c: SurveyCounts): SurveyFigures {
  return {
    ...c,
    unanswered: c.offered - c.answered,
    responseRate: ratio(c.answered, c.offered),
    satisfiedRate: ratio(c.satisfied, c.answered),
    satisfactionRate: ratio(c.satisfied + c.fair, c.answered),
  };
}

/** Counts of several rows added up (a report's total). */
export function addCounts(rows: readonly SurveyCounts[]): SurveyCounts {
  const t: SurveyCounts = { offered: 0, answered: 0, satisfied: 0, fair: 0, dissatisfied: 0 };
  for (const r of rows) {
    t.offered += r.offered;
    t.answered += r.answered;
    t.satisfied += r.satisfied;
    t.fair += r.fair;
    t.dissatisfied += r.dissatisfied;
  }
  return t;
}
