import { describe, expect, it } from 'vitest';
import { knownAriEvent } from '../../src/adapters/ari/events.js';
import { CALL_EVENTS } from '../../src/features/calls/call-service.js';

const base = { timestamp: '2026-01-01T00:00:00.000+0800', application: 'tax12366' };

describe('knownAriEvent', () => {
  it('passes every event the service asks Asterisk for, unchanged', () => {
    for (const type of [...CALL_EVENTS, 'DeviceStateChanged', 'ApplicationReplaced']) {
      const msg = { ...base, type };
      expect(knownAriEvent(msg)).toBe(msg);
    }
  });

  it('drops types the service never asked for, and anything without a type', () => {
    for (const msg of [
      { ...base, type: 'ChannelVarset' },
      { ...base, type: 'EndpointStateChange' },
      { ...base, type: 'constructor' },
      { ...base, type: 'hasOwnProperty' },
      { ...base },
      { ...base, type: 7 },
      null,
      'StasisStart',
      42,
    ]) {
      expect(knownAriEvent(msg)).toBeUndefined();
    }
  });
});
