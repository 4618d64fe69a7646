/**
 * The monthly quality figures per agent, from sums the store adds up: the mean, lowest and highest
 * total, and per item the mean score as a percentage of the item's maximum (each review against
 * its own form version, so a changed form mixes fairly). Figures are rounded to one decimal.
 */
export interface AgentTotals {
  agentId: string;
  agentName: string | null;
  reviews: number;
  sumTotal: number;
  minTotal: number;
  maxTotal: number;
}

export interface AgentItemShare {
  agentId: string;
  key: string;
  /** Mean of score / maxScore over the agent's reviews that hold the item, 0..1. */
  meanShare: number;
}

export interface QualityReportRow {
  agentId: string;
  agentName: string | null;
  reviews: number;
  avgTotal: number;
  minTotal: number;
  maxTotal: number;
  byItem: Record<string, number>;
}

/** To one decimal, halves away from zero (figures are never negative). */
export const round1 = (x: number): number => Math.round(x * 10 + 1e-9) / 10;

export function qualityRows(totals: readonly AgentTotals[], shares: readonly AgentItemShare[]): QualityReportRow[] {
  const byAgent = new Map<string, Record<string, number>>();
  for (const s of shares) {
    const m = byAgent.get(s.agentId) ?? {};
    m[s.key] = round1(100 * s.meanShare);
    byAgent.set(s.agentId, m);
  }
  return totals
    .filter((t) => t.reviews > 0)
    .map((t) => ({
      agentId: t.agentId,
      agentName: t.agentName,
      reviews: t.reviews,
      avgTotal: round1(t.sumTotal / t.reviews),
      minTotal: t.minTotal,
      maxTotal: t.maxTotal,
      byItem: byAgent.get(t.agentId) ?? {},
    }));
}
