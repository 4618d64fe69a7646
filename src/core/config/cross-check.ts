import type { IvrDefinition } from '../ivr/definition.js';
import type { RoutingConfig } from '../routing/config.js';

/**
 * References between configurations: the IVR sends calls to queues and asks for skills the
 * routing configuration must have; agents serve queues and hold skills it must declare.
 * Each check is run against the version that is ACTIVE on the other side, so no activation can
 * leave a call with nowhere to go. Each problem is located by a JSON pointer in the document
 * being changed.
 */
export interface RefProblem {
  path: string;
  nodeId?: string;
  field?: string;
  message: string;
}

/** What the routing side offers, with the version for messages. */
export interface RoutingRefs {
  version?: number;
  config: RoutingConfig;
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const named = (v?: number) => (v === undefined ? 'the routing configuration' : `routing version ${v}`);

export function routingQueues(config: RoutingConfig): Set<string> {
  return new Set(config.queues.map((q) => (q as { queue?: unknown })?.queue).filter((q): q is string => typeof q === 'string'));
}

export function routingSkills(config: RoutingConfig): Set<string> {
  return new Set(config.skills.map((s) => s.code));
}

/** One IVR node's claim on the routing configuration. */
interface Use {
  nodeId: string;
  kind: 'queue' | 'skill';
  name: string;
}

/** Every queue and skill the IVR names, node by node (voicemail nodes name the queue a message lands in). */
function uses(def: IvrDefinition): Use[] {
  const out: Use[] = [];
  for (const [nodeId, node] of Object.entries(def.nodes)) {
    if (node.kind !== 'queue' && node.kind !== 'voicemail') continue;
    out.push({ nodeId, kind: 'queue', name: node.queue });
    if (node.kind === 'queue') for (const skill of Object.keys(node.skills)) out.push({ nodeId, kind: 'skill', name: skill });
  }
  return out;
}

function missing(def: IvrDefinition, config: RoutingConfig): Use[] {
  const [queues, skills] = [routingQueues(config), routingSkills(config)];
  return uses(def).filter((u) => !(u.kind === 'queue' ? queues : skills).has(u.name));
}

/** IVR nodes naming a queue or skill the routing configuration lacks, at the IVR node's field. */
export function checkIvrRefs(def: IvrDefinition, routing: RoutingRefs): RefProblem[] {
  return missing(def, routing.config).map((u) => {
    const field = u.kind === 'queue' ? 'queue' : `skills/${escape(u.name)}`;
    const what = u.kind === 'queue' ? `sends calls to queue "${u.name}"` : `requires skill "${u.name}"`;
    return {
      path: `/nodes/${escape(u.nodeId)}/${field}`,
      nodeId: u.nodeId,
      field,
      message: `node "${u.nodeId}" ${what}, which ${named(routing.version)} does not have`,
    };
  });
}

/**
 * The same references seen from the routing side: what a routing configuration lacks for the
 * IVR version that uses it, at /queues or /skills, naming the IVR version and node.
 */
export function checkRoutingRefs(config: RoutingConfig, ivr: { version: number; def: IvrDefinition }): RefProblem[] {
  return missing(ivr.def, config).map((u) => ({
    path: u.kind === 'queue' ? '/queues' : '/skills',
    message:
      u.kind === 'queue'
        ? `queue "${u.name}" is missing: IVR version ${ivr.version} node "${u.nodeId}" sends calls to it`
        : `skill "${u.name}" is not declared: IVR version ${ivr.version} node "${u.nodeId}" requires it`,
  }));
}

/** An agent's skills and queues against the routing configuration, at /skills/<code> and /queues/<i>. */
export function checkAgentRefs(agent: { skills?: Record<string, number>; queues?: readonly string[] }, routing: RoutingRefs): RefProblem[] {
  const [queues, skills] = [routingQueues(routing.config), routingSkills(routing.config)];
  const problems: RefProblem[] = [];
  for (const code of Object.keys(agent.skills ?? {})) {
    if (!skills.has(code))
      problems.push({ path: `/skills/${escape(code)}`, message: `skill "${code}" is not declared in ${named(routing.version)}` });
  }
  (agent.queues ?? []).forEach((q, i) => {
    if (!queues.has(q)) problems.push({ path: `/queues/${i}`, message: `queue "${q}" does not exist in ${named(routing.version)}` });
  });
  return problems;
}

/** An agent as the cross-checks see it. */
export interface AgentRefs {
  agentId: string;
  skills: Record<string, number>;
  queues: readonly string[];
}

const SHOWN_AGENTS = 10;

/**
 * Agents holding a skill or serving a queue that a routing configuration no longer declares,
 * one problem per skill or queue, at /skills or /queues. Not a reason to refuse the version: a
 * rollback during an incident must not wait for agents to be edited, and such an agent only
 * loses what the version dropped. The activation reports them so ops can tidy those agents
 * (until then, a save that sends the dropped skill again is refused, naming it).
 */
export function agentsLeftBehind(config: RoutingConfig, agents: readonly AgentRefs[]): RefProblem[] {
  const [queues, skills] = [routingQueues(config), routingSkills(config)];
  const holders = new Map<string, { kind: 'queue' | 'skill'; name: string; agentIds: string[] }>();
  const add = (kind: 'queue' | 'skill', name: string, agentId: string) => {
    const key = `${kind}\u0000${name}`;
    const h = holders.get(key) ?? holders.set(key, { kind, name, agentIds: [] }).get(key)!;
    h.agentIds.push(agentId);
  };
  for (const a of agents) {
    for (const code of Object.keys(a.skills)) if (!skills.has(code)) add('skill', code, a.agentId);
    for (const q of a.queues) if (!queues.has(q)) add('queue', q, a.agentId);
  }
  return [...holders.values()].map(({ kind, name, agentIds }) => {
    const ids = [...agentIds].sort();
    const shown = ids.slice(0, SHOWN_AGENTS).join(', ') + (ids.length > SHOWN_AGENTS ? ` and ${ids.length - SHOWN_AGENTS} more` : '');
    const who = `${ids.length === 1 ? 'agent' : `${ids.length} agents`} ${shown}`;
    return kind === 'queue'
      ? { path: '/queues', message: `queue "${name}" is not in this version; ${who} still ${ids.length === 1 ? 'serves' : 'serve'} it` }
      : {
          path: '/skills',
          message: `skill "${name}" is not declared in this version; ${who} still ${ids.length === 1 ? 'holds' : 'hold'} it`,
        };
  });
}
