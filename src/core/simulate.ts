import type { Ctx } from './events.js';
import type { IvrDefinition } from './ivr/definition.js';
import { startIvr, stepIvr, type IvrCommand, type IvrState } from './ivr/interpreter.js';
import type { Agent, RoutingRules, WaitingCall } from './routing/model.js';
import { activeStep, assign } from './routing/assign.js';
import { isEligible } from './routing/eligibility.js';

/**
 * "A call from this number, at this time, pressing these keys: where does it go, and who
 * would get it?" The same interpreter and routing code as live calls, run on a draft or the
 * active version, against the agents as they are now. Keys are pressed one after the other as
 * soon as the caller hears a prompt; after the last key the caller stays silent.
 */
export interface SimulationInput {
  ivr: IvrDefinition;
  rules: RoutingRules;
  agents: readonly Agent[];
  caller: string;
  at: number;
  digits: string;
  /** The agent who answered this caller last, if any (as the live lookup would find). */
  preferredAgentId?: string;
}

export interface SimulatedStep {
  /** Seconds of waiting at which this step applies. */
  afterS: number;
  /** What an agent needs at this step ('any' = anyone serving the queue). */
  required: Record<string, number> | 'any';
  eligible: string[];
  /** Who the ACD would offer the call to if it were waiting alone at this moment. */
  wouldGet: string | null;
}

export interface Simulation {
  path: Array<{ nodeId: string; digit?: string }>;
  /** How the IVR ends: in a queue (with what it asks for), or otherwise. */
  outcome:
    | { kind: 'queue'; queue: string; skills: Record<string, number>; priority: number; line: string; subLine?: string }
    | { kind: 'voicemail'; queue: string }
    | { kind: 'transfer'; number: string }
    | { kind: 'hangup' }
    | { kind: 'unfinished' };
  steps: SimulatedStep[];
  /** What happens when the queue's rule expires, and when. */
  expiry?: { afterS: number; action: string; toQueue?: string };
  unusedDigits: string;
}

export function simulate(x: SimulationInput): Simulation {
  let n = 0;
  const ctx = (): Ctx => ({ now: x.at, newId: () => `sim-${++n}` });
  let step = startIvr(x.ivr, ctx(), { lang: 'zh', callId: 'simulation' });
  let state: IvrState = step.state;
  let terminal = findTerminal(step.commands);
  const digits = [...x.digits];
  // Press the keys, then stay silent: prompts finish, timers fire, until the IVR lets go.
  for (let guard = 0; !terminal && guard < 500; guard++) {
    const digit = digits.shift();
    if (digit !== undefined) step = stepIvr(x.ivr, state, { kind: 'dtmf', digit }, ctx());
    else if (state.playbackId) step = stepIvr(x.ivr, state, { kind: 'playback_finished', playbackId: state.playbackId }, ctx());
    else if (state.timerId) step = stepIvr(x.ivr, state, { kind: 'timer_fired', timerId: state.timerId }, ctx());
    else break;
    state = step.state;
    terminal = findTerminal(step.commands);
  }
  const path = state.path.map((p) => (p.digit === undefined ? { nodeId: p.nodeId } : { nodeId: p.nodeId, digit: p.digit }));
  if (!terminal) return { path, outcome: { kind: 'unfinished' }, steps: [], unusedDigits: digits.join('') };
  if (terminal.kind !== 'enqueue') {
    const outcome =
      terminal.kind === 'voicemail'
        ? { kind: 'voicemail' as const, queue: terminal.queue }
        : terminal.kind === 'transfer'
          ? { kind: 'transfer' as const, number: terminal.number }
          : { kind: 'hangup' as const };
    return { path, outcome, steps: [], unusedDigits: digits.join('') };
  }

  const call: WaitingCall = {
    callId: 'simulation',
    queue: terminal.queue,
    skills: terminal.skills,
    priority: terminal.priority,
    enqueuedAt: x.at,
    caller: x.caller,
    preferredAgentId: x.preferredAgentId,
  };
  const q = x.rules.queues.get(call.queue);
  const byId = new Map(x.agents.map((a) => [a.agentId, a]));
  const steps: SimulatedStep[] = (q?.steps ?? []).map((s) => {
    const when = x.at + s.afterS * 1000;
    const active = activeStep(call, x.rules, when);
    const required = s.skills === 'any' ? 'any' : Object.fromEntries(active?.required ?? []);
    const eligible = x.agents.filter((a) => isEligible(a, call, x.rules, when, (id) => byId.get(id))).map((a) => a.agentId);
    const wouldGet = assign([call], x.agents, x.rules, when)[0]?.agentId ?? null;
    return { afterS: s.afterS, required, eligible, wouldGet };
  });
  const exp = q?.onExpiry ?? (q?.maxWaitS !== undefined ? { afterS: q.maxWaitS, action: 'max_wait' as const } : undefined);
  return {
    path,
    outcome: {
      kind: 'queue',
      queue: terminal.queue,
      skills: terminal.skills,
      priority: terminal.priority,
      line: terminal.line,
      subLine: terminal.subLine,
    },
    steps,
    expiry: exp ? { afterS: exp.afterS, action: exp.action, toQueue: 'toQueue' in exp ? exp.toQueue : undefined } : undefined,
    unusedDigits: digits.join(''),
  };
}

function findTerminal(commands: IvrCommand[]) {
  return commands.find(
    (c): c is Extract<IvrCommand, { kind: 'enqueue' | 'voicemail' | 'transfer' | 'hangup' }> =>
      c.kind === 'enqueue' || c.kind === 'voicemail' || c.kind === 'transfer' || c.kind === 'hangup',
  );
}
