import { describe, expect, it } from 'vitest';
import {
  agentIdFromChannelName,
  confirmationPrompt,
  dialledFromArgs,
  parseFeatureCode,
  PAUSE_DIGITS,
} from '../../src/core/agents/feature-codes.js';

describe('agent phone feature codes', () => {
  it('maps each code to its action', () => {
    expect(parseFeatureCode('*11')).toEqual({ action: 'login' });
    expect(parseFeatureCode('*12')).toEqual({ action: 'logout' });
    expect(parseFeatureCode('*14')).toEqual({ action: 'unpause' });
    expect(parseFeatureCode('*15')).toEqual({ action: 'end_wrap_up' });
  });

  it('maps *13X to a pause with reason X', () => {
    expect(parseFeatureCode('*131')).toEqual({ action: 'pause', reason: 'training' });
    expect(parseFeatureCode('*132')).toEqual({ action: 'pause', reason: 'meeting' });
    expect(parseFeatureCode('*133')).toEqual({ action: 'pause', reason: 'paperwork' });
    expect(parseFeatureCode('*134')).toEqual({ action: 'pause', reason: 'break' });
    // no_answer is the system's own reason: no phone digit selects it.
    expect(Object.values(PAUSE_DIGITS)).not.toContain('no_answer');
  });

  it('rejects anything else', () => {
    for (const s of ['', '*', '*1', '*13', '*135', '*130', '*1312', '*16', '*10', '*111', '*141', '11', '1001', '*21', '**11', '*11#'])
      expect(parseFeatureCode(s), s).toBeUndefined();
  });

  it('rebuilds the dialled string from the Stasis arguments the dialplan sends', () => {
    expect(dialledFromArgs(['feature', '11', ''])).toBe('*11');
    expect(dialledFromArgs(['feature', '13', '2'])).toBe('*132');
    expect(dialledFromArgs(['feature', '13'])).toBe('*13');
    expect(dialledFromArgs(['inbound', '12366'])).toBeUndefined();
    expect(dialledFromArgs(['feature', 'x1', ''])).toBeUndefined();
    expect(parseFeatureCode(dialledFromArgs(['feature', '13', '2'])!)).toEqual({ action: 'pause', reason: 'meeting' });
  });

  it('says what happened with one prompt per action', () => {
    expect(confirmationPrompt({ action: 'login' })).toBe('agent-logged-in');
    expect(confirmationPrompt({ action: 'logout' })).toBe('agent-logged-out');
    expect(confirmationPrompt({ action: 'pause', reason: 'break' })).toBe('agent-paused');
    expect(confirmationPrompt({ action: 'unpause' })).toBe('agent-unpaused');
    expect(confirmationPrompt({ action: 'end_wrap_up' })).toBe('agent-wrap-up-ended');
  });

  it('finds the agent in a PJSIP channel name', () => {
    expect(agentIdFromChannelName('PJSIP/1001-0000002a')).toBe('1001');
    expect(agentIdFromChannelName('PJSIP/trunk-00000001')).toBe('trunk');
    expect(agentIdFromChannelName('Local/1001@ctx-00000001;1')).toBeUndefined();
    expect(agentIdFromChannelName('PJSIP/1001')).toBeUndefined();
  });
});
