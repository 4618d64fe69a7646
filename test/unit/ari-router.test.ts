import { describe, expect, it } from 'vitest';
import { AriRouter } from '../../src/app/ari-router.js';
import type { AriEvent } from '../../src/adapters/ari/types.js';

const ev = (e: object) => e as AriEvent;

describe('AriRouter', () => {
  it('hands each event to the feature that reads its type, in arrival order', () => {
    const router = new AriRouter();
    const seen: string[] = [];
    router.on(['DeviceStateChanged'], (e) => seen.push(`agents:${e.device_state.name}`));
    router.on(['StasisStart', 'ChannelDestroyed'], (e) => seen.push(`calls:${e.type}`));
    router.route(ev({ type: 'StasisStart', channel: { id: 'c1' } }));
    router.route(ev({ type: 'DeviceStateChanged', device_state: { name: 'PJSIP/1001', state: 'NOT_INUSE' } }));
    router.route(ev({ type: 'ChannelDestroyed', channel: { id: 'c1' } }));
    expect(seen).toEqual(['calls:StasisStart', 'agents:PJSIP/1001', 'calls:ChannelDestroyed']);
  });

  it('drops an event no feature reads, and lists the types that are read (what Asterisk is asked to send)', () => {
    const router = new AriRouter();
    const seen: string[] = [];
    router.on(['StasisStart'], (e) => seen.push(e.type));
    router.on(['DeviceStateChanged'], (e) => seen.push(e.type));
    router.route(ev({ type: 'ChannelVarset', channel: { id: 'c1' } }));
    expect(seen).toEqual([]);
    expect(router.types().sort()).toEqual(['DeviceStateChanged', 'StasisStart']);
  });

  it('refuses a second reader for a type: one feature owns each event', () => {
    const router = new AriRouter();
    router.on(['StasisStart'], () => undefined);
    expect(() => router.on(['StasisStart'], () => undefined)).toThrow(/already routed/);
  });
});
