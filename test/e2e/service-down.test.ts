import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sipp } from '../support/sipp.js';
import { ROOTFS, promptMs } from '../support/rig.js';
import { uniqueCaller } from '../support/service.js';

// No service is started in this file: the Stasis app is not connected.
describe('when the service is not connected to Asterisk', () => {
  it('a taxpayer hears the apology, is hung up on by Asterisk, and the call is logged', async () => {
    const caller = uniqueCaller();
    const t0 = Date.now();
    const r = await sipp({ scenario: 'caller-waits-for-hangup.xml', ip: '127.0.0.2', keys: { caller, dialed: '12366' }, timeoutS: 30 })
      .done;
    expect(r.code, r.errors || r.output.slice(-1500)).toBe(0);
    // Asterisk played the whole apology before hanging up.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(promptMs('zh', 'service-unavailable') - 500);
    const log = readFileSync(path.join(ROOTFS, 'var/log/asterisk/messages.log'), 'utf8');
    expect(log).toMatch(new RegExp(`tax12366-unavailable caller=${caller} dialled=12366`));
  });
});
