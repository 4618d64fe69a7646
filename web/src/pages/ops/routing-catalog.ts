import { get } from '../../lib/api';
import type { SkillDef } from './skills-matrix';

/** The skills and queues the active routing configuration declares: an agent may only have these. */
export interface RoutingCatalog {
  version: number;
  skills: SkillDef[];
  queues: string[];
}

export async function loadRoutingCatalog(): Promise<RoutingCatalog> {
  const { version } = await get<{ version: number }>('/api/routing/active');
  const cfg = await get<{ skills?: SkillDef[]; queues?: Array<{ queue?: string }> }>(`/api/routing/versions/${version}`);
  return {
    version,
    skills: cfg.skills ?? [],
    queues: (cfg.queues ?? []).map((q) => q.queue).filter((q): q is string => !!q),
  };
}
