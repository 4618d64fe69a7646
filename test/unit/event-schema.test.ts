import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import { describe, expect, it } from 'vitest';
import { startCall, stepCall, type CallEnv } from '../../src/core/call/session.js';
import { stamp, type Ctx, type DomainEvent } from '../../src/core/events.js';
import { routingRules } from '../../src/core/routing/model.js';
import { validateDefinition } from '../../src/core/ivr/validate.js';
import { REPO } from '../support/rig.js';
import { alwaysOpen12366 } from '../support/ivr.js';

const schemaFile = path.join(REPO, 'schemas', 'events.v1.json');

describe('the event contract (schemas/events.v1.json)', () => {
  it('is generated from the TypeScript types and committed up to date (npm run schema)', () => {
    const fresh = createGenerator({
      path: path.join(REPO, 'src/core/events.ts'),
      type: 'DomainEvent',
      tsconfig: path.join(REPO, 'tsconfig.json'),
      skipTypeCheck: true,
    }).createSchema('DomainEvent');
    expect(JSON.parse(readFileSync(schemaFile, 'utf8'))).toEqual(JSON.parse(JSON.stringify(fresh)));
  }, 60_000);

  it('accepts what the core emits on a whole call, and rejects a malformed event', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
    let now = 1_790_000_000_000;
    let n = 0;
    const ctx = (): Ctx => ({ now: (now += 700), newId: () => `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}` });
    const v = validateDefinition(alwaysOpen12366());
    if (!v.ok) throw new Error('shipped IVR invalid');
    const env: CallEnv = {
      ivr: v.def,
      shortAbandonMs: 5000,
      announceEveryMs: 30_000,
      firstAnnounceMs: 2000,
      rules: routingRules([
        {
          queue: 'ntax-vat',
          strategy: 'longest_idle',
          preferredAgentS: 10,
          steps: [{ afterS: 0, skills: 'inherit' }],
          wrapUpS: 10,
          ringTimeoutS: 15,
          noAnswerPauseAfter: 1,
        },
      ]),
    };
    const events: DomainEvent[] = [];
    let step = startCall(ctx(), env, {
      callId: 'c1',
      channelId: 'ch1',
      caller: '057185187424',
      dialed: '12366',
      lang: 'zh',
      ivrVersion: 1,
    });
    events.push(...step.events);
    const feed = (input: Parameters<typeof stepCall>[3]) => {
      step = stepCall(ctx(), env, step.state, input);
      events.push(...step.events);
    };
    feed({ kind: 'dtmf', digit: '2' });
    feed({ kind: 'dtmf', digit: '1' });
    feed({ kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    feed({ kind: 'agent_leg_failed', legId: step.state.offer!.legId, reason: 'no_answer' });
    feed({ kind: 'agent_reserved', agentId: '1002', endpoint: 'PJSIP/1002' });
    feed({ kind: 'agent_leg_answered', legId: step.state.offer!.legId });
    feed({ kind: 'agent_hung_up', legId: step.state.offer!.legId });
    events.push(
      stamp(ctx(), { type: 'agent.state_changed', agentId: '1002', from: 'on_call', to: 'wrap_up', reason: 'call_ended', callId: 'c1' }),
    );
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'call.started',
        'ivr.node_visited',
        'ivr.left',
        'call.queued',
        'call.agent_missed',
        'call.agent_answered',
        'call.ended',
        'agent.state_changed',
      ]),
    );
    for (const e of events) expect(validate(e), `${e.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    expect(validate({ ...events[0], type: 'call.started', caller: 12 })).toBe(false);
    expect(validate({ ...events[0], unknownField: 1 })).toBe(false);
  });
});
