import type { RefProblem } from '../config/cross-check.js';
import type { IvrDefinition } from '../ivr/definition.js';
import type { DialDecision } from './dial-policy.js';

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every IVR transfer node's number must pass the dial policy (`decide`: decideDial with the
 * configured policy), or a menu upload could send callers, at the center's expense, to any
 * number at all. One problem per refused node, at `/nodes/<id>/number`, saying why.
 */
export function checkTransferNumbers(def: IvrDefinition, decide: (number: string) => DialDecision): RefProblem[] {
  const problems: RefProblem[] = [];
  for (const [nodeId, node] of Object.entries(def.nodes)) {
    if (node.kind !== 'transfer') continue;
    const d = decide(node.number);
    if (!d.ok) {
      problems.push({
        path: `/nodes/${escape(nodeId)}/number`,
        nodeId,
        field: 'number',
        message: `transfer number ${node.number} may not be dialled (${d.reason}: ${d.detail})`,
      });
    }
  }
  return problems;
}
