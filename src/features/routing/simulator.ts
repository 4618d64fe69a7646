import { simulate, type Simulation } from '../../core/simulate.js';
import type { RoutingRules } from '../../core/routing/model.js';
import { validateRoutingConfig } from '../../core/routing/config.js';
import type { RuleError } from '../../core/routing/rules.js';
import type { AgentLive } from '../agents/agent-live-store.js';
import type { IvrCatalog } from '../ivr/catalog.js';
import type { RoutingCatalog } from './catalog.js';
import { toRoutingAgent } from './dispatcher.js';

export interface SimulationRequest {
  caller: string;
  digits: string;
  /** When the call would arrive (ms); office hours are judged at this time. */
  at: number;
  /** A draft or older version; the active one when absent. */
  ivrVersion?: number;
  routingVersion?: number;
  /** An unsaved routing document (what an ops page is editing): validated as an upload is, never stored. */
  routingDocument?: unknown;
}

export type SimulationAnswer =
  | { ok: true; ivrVersion: number; routingVersion: number; preferredAgentId: string | undefined; simulation: Simulation }
  | { ok: false; missing: 'IVR' | 'routing'; version: number }
  | { ok: false; invalid: RuleError[] };

/**
 * "Where would this call go, and who would get it?" before a change is activated: the live
 * call's own IVR interpreter and routing decisions (core/simulate.ts), on the active or a draft
 * version, against today's agents and the caller's preferred agent.
 */
export class RoutingSimulator {
  constructor(
    private readonly d: {
      ivr: Pick<IvrCatalog, 'activeVersion' | 'definition'>;
      routing: Pick<RoutingCatalog, 'active' | 'version'>;
      agents: () => Promise<AgentLive[]>;
      /** Who answered this caller last, as a live call would find. */
      lastAgent: (caller: string) => Promise<string | undefined>;
    },
  ) {}

  async run(q: SimulationRequest): Promise<SimulationAnswer> {
    const ivrVersion = q.ivrVersion ?? (await this.d.ivr.activeVersion());
    const ivr = await this.d.ivr.definition(ivrVersion).catch(() => undefined);
    if (!ivr) return { ok: false, missing: 'IVR', version: ivrVersion };
    // Version 0 names the unsaved document in the answer: no stored version has it.
    let routing: { version: number; rules: RoutingRules };
    if (q.routingDocument !== undefined) {
      const v = validateRoutingConfig(q.routingDocument);
      if (!v.ok) return { ok: false, invalid: v.errors };
      routing = { version: 0, rules: v.rules };
    } else if (q.routingVersion === undefined) routing = await this.d.routing.active();
    else {
      const draft = await this.d.routing.version(q.routingVersion);
      if (!draft) return { ok: false, missing: 'routing', version: q.routingVersion };
      routing = { version: q.routingVersion, rules: draft.rules };
    }
    const agents = (await this.d.agents()).map(toRoutingAgent);
    const preferredAgentId = await this.d.lastAgent(q.caller);
    const simulation = simulate({ ivr, rules: routing.rules, agents, caller: q.caller, at: q.at, digits: q.digits, preferredAgentId });
    return { ok: true, ivrVersion, routingVersion: routing.version, preferredAgentId, simulation };
  }
}
