import { DEFAULT_THRESHOLDS, METRICS, thresholdProblems, type ThresholdProblem, type Thresholds } from '../../core/wallboard/thresholds.js';
import type { PgWallboardSettings } from './settings-repo.js';

const NAME = 'thresholds';

/** Proposed thresholds the core refused (core/wallboard/thresholds.ts), the first problem named at its field. */
export class ThresholdsInputError extends Error {
  constructor(readonly problems: ThresholdProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  }
}

/** When the wallboard's tiles turn amber or red: one set for the whole center. */
export class ThresholdsService {
  constructor(private readonly settings: Pick<PgWallboardSettings, 'get' | 'put'>) {}

  /** The stored thresholds, or the defaults for any figure never set (a figure added later starts at its default). */
  async get(): Promise<Thresholds> {
    const stored = (await this.settings.get(NAME)) as Partial<Thresholds> | undefined;
    const out = { ...DEFAULT_THRESHOLDS };
    for (const m of METRICS) if (stored?.[m]) out[m] = { amber: stored[m].amber, red: stored[m].red };
    return out;
  }

  /** Stores `t` if the core finds nothing wrong with it; otherwise throws ThresholdsInputError and stores nothing. Returns what was there before. */
  async put(t: Thresholds, by: string): Promise<Thresholds> {
    const problems = thresholdProblems(t);
    if (problems.length) throw new ThresholdsInputError(problems);
    const before = await this.get();
    await this.settings.put(NAME, t, by);
    return before;
  }
}
