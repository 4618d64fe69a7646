/**
 * Erlang C (M/M/N queue: Poisson arrivals, exponential handle times, N agents, nobody
 * abandons) for staffing advice per interval.
 *
 *   P(wait) = C(N, A) = (A^N/N! · N/(N−A)) / (Σ_{k=0}^{N−1} A^k/k! + A^N/N! · N/(N−A))
 *   SL(t)   = 1 − C(N, A) · e^{−(N−A)·t/AHT}
 *   ASA     = C(N, A) · AHT / (N − A)
 * with A = calls · AHT / interval length (Erlangs). Because nobody abandons in the model it
 * overstates the agents needed a little; and "needed" means agents taking calls, before
 * shrinkage (training, meetings, paperwork: the seed's 培训/会议/文书 columns).
 */

export interface Targets {
  /** Answer-time target t in seconds (the T of the service level). */
  targetS: number;
  /** Wanted fraction answered within t, in [0, 1). */
  targetSL: number;
  /** Optional cap on A/N, in (0, 1]. */
  maxOccupancy?: number;
  /** Interval length in seconds; 900 (15 minutes) unless stated. */
  intervalS?: number;
}

/** Offered load in Erlangs: hours of work arriving per hour. */
export function trafficErlangs(calls: number, ahtS: number, intervalS: number): number {
  if (!(calls >= 0) || !(ahtS >= 0) || !(intervalS > 0)) throw new RangeError('calls, ahtS >= 0 and intervalS > 0');
  return (calls * ahtS) / intervalS;
}

/**
 * Probability that a call waits. The sum is normalised by the last term A^N/N! and built
 * downwards (term_{k−1} = term_k · k / A): no factorials, no powers, no subtraction, so
 * nothing overflows before it stops mattering and nothing cancels. N <= A: the queue grows
 * without bound and everyone waits, so 1.
 */
export function erlangC(agents: number, trafficErlangs: number): number {
  if (!Number.isInteger(agents) || agents < 0) throw new RangeError(`agents must be a whole number >= 0, got ${agents}`);
  if (!(trafficErlangs >= 0) || !Number.isFinite(trafficErlangs)) throw new RangeError(`bad traffic ${trafficErlangs}`);
  if (trafficErlangs === 0) return 0;
  if (agents <= trafficErlangs) return 1;
  let term = 1; // A^N/N! divided by itself
  let below = 0; // Σ_{k<N} A^k/k!, same normalisation
  for (let k = agents; k >= 1; k--) {
    term = (term * k) / trafficErlangs;
    below += term;
  }
  const top = agents / (agents - trafficErlangs);
  return top / (below + top);
}

/** Fraction of calls answered within targetS with this many agents. No calls: 1. */
export function serviceLevel(agents: number, callsPerInterval: number, ahtS: number, intervalS: number, targetS: number): number {
  const a = trafficErlangs(callsPerInterval, ahtS, intervalS);
  if (a === 0) return 1;
  if (agents <= a) return 0;
  return 1 - erlangC(agents, a) * Math.exp((-(agents - a) * targetS) / ahtS);
}

/** Mean wait in seconds over all calls (those answered at once count 0). */
export function averageSpeedOfAnswerS(agents: number, trafficErlangs: number, ahtS: number): number {
  if (agents <= trafficErlangs) return Infinity;
  return (erlangC(agents, trafficErlangs) * ahtS) / (agents - trafficErlangs);
}

/**
 * Smallest whole N > A meeting the service-level target (and the occupancy cap, if any).
 * No calls: 0 agents.
 */
export function agentsNeeded(p: { calls: number; ahtS: number; intervalS: number } & Targets): number {
  if (!(p.targetSL >= 0 && p.targetSL < 1)) throw new RangeError(`targetSL must be in [0, 1), got ${p.targetSL}`);
  const maxOcc = p.maxOccupancy ?? 1;
  if (!(maxOcc > 0 && maxOcc <= 1)) throw new RangeError(`maxOccupancy must be in (0, 1], got ${maxOcc}`);
  const a = trafficErlangs(p.calls, p.ahtS, p.intervalS);
  if (a === 0) return 0;
  // Every step raises SL towards 1, so a target below 1 is met; the cap only guards bad input.
  const limit = Math.floor(a) + 1 + 10_000;
  for (let n = Math.floor(a) + 1; n <= limit; n++) {
    if (a / n > maxOcc) continue;
    if (serviceLevel(n, p.calls, p.ahtS, p.intervalS, p.targetS) >= p.targetSL) return n;
  }
  throw new RangeError('no staffing found within 10,000 agents above the traffic');
}

export interface IntervalForecast {
  start: number;
  /** Calls expected to enter the queue in the interval. */
  offered: number;
  ahtS: number;
}

export interface StaffingAdvice {
  start: number;
  trafficErlangs: number;
  needed: number;
  /** Erlang C service level with `needed` agents (1 when no calls). */
  serviceLevel: number;
}

/** Agents needed per interval (on the phones, before shrinkage). */
export function staffingAdvice(intervals: readonly IntervalForecast[], targets: Targets): StaffingAdvice[] {
  const intervalS = targets.intervalS ?? 900;
  return intervals.map((iv) => {
    const needed = agentsNeeded({ ...targets, calls: iv.offered, ahtS: iv.ahtS, intervalS });
    return {
      start: iv.start,
      trafficErlangs: trafficErlangs(iv.offered, iv.ahtS, intervalS),
      needed,
      serviceLevel: serviceLevel(needed, iv.offered, iv.ahtS, intervalS, targets.targetS),
    };
  });
}
