import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { DEFAULT_HOME, type AreaCodeTable } from '../../src/core/metrics/regions.js';
import { DEFAULT_DIAL_POLICY, decideDial } from '../../src/core/outbound/dial-policy.js';
import { checkTransferNumbers } from '../../src/core/outbound/transfer-numbers.js';
import { validateDefinition } from '../../src/core/ivr/validate.js';
import type { IvrDefinition } from '../../src/core/ivr/definition.js';

const table = JSON.parse(readFileSync(new URL('../../data/cn-area-codes.json', import.meta.url), 'utf8')) as AreaCodeTable;
const decide = (n: string) => decideDial(n, DEFAULT_DIAL_POLICY, table, DEFAULT_HOME);

function withTransfers(numbers: Record<string, string>): IvrDefinition {
  const nodes: Record<string, unknown> = {
    menu: {
      kind: 'menu',
      prompt: 'p',
      options: Object.fromEntries(Object.keys(numbers).map((id, i) => [String(i + 1), id])),
      timeoutS: 5,
      retries: 1,
      invalidPrompt: 'p',
      timeoutPrompt: 'p',
      onRetriesExhausted: Object.keys(numbers)[0],
    },
  };
  for (const [id, number] of Object.entries(numbers)) nodes[id] = { kind: 'transfer', number };
  const r = validateDefinition({ name: 't', start: 'menu', prompts: { p: { zh: '请选择' } }, nodes });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.def;
}

describe('IVR transfer numbers and the dial policy', () => {
  it('names each transfer node whose number may not be dialled, at /nodes/<id>/number, with the reason', () => {
    const def = withTransfers({ local: '057185187424', intl: '0090123456789', premium: '16812345', beijing: '01012345678' });
    const problems = checkTransferNumbers(def, decide);
    expect(problems.map((p) => [p.path, p.nodeId, p.field])).toEqual([
      ['/nodes/intl/number', 'intl', 'number'],
      ['/nodes/premium/number', 'premium', 'number'],
      ['/nodes/beijing/number', 'beijing', 'number'],
    ]);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('international'),
      expect.stringContaining('denied_prefix'),
      expect.stringContaining('outside_area'),
    ]);
  });

  it('the shipped 12366 tree passes', () => {
    const r = validateDefinition(YAML.parse(readFileSync(new URL('../../ivr/12366.yaml', import.meta.url), 'utf8')));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(checkTransferNumbers(r.def, decide)).toEqual([]);
  });
});
