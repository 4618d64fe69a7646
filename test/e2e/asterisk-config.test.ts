import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { asteriskCli, ROOTFS } from '../support/rig.js';

/** The log of Asterisk's latest start, from its loader starting to "Asterisk Ready.". */
function lastStart(): string[] {
  const lines = readFileSync(path.join(ROOTFS, process.env.RIG_ASTERISK_LOG ?? 'var/log/asterisk/messages.log'), 'utf8').split('\n');
  let from = lines.length - 1;
  while (from >= 0 && !lines[from]!.includes('Asterisk Dynamic Loader Starting')) from--;
  if (from < 0) throw new Error('no start of Asterisk in its log');
  const to = lines.findIndex((l, i) => i > from && l.includes('Asterisk Ready.'));
  if (to < 0) throw new Error('Asterisk has not finished starting');
  return lines.slice(from, to + 1);
}

describe('Asterisk as configured by asterisk-config/', () => {
  it('starts without a missing configuration file: operators read every ERROR in its log as a fault', () => {
    const missing = lastStart().filter((l) =>
      /Unable to load config file|config(uration)? file .* not found|Could not (find|load)|Can't find/i.test(l),
    );
    expect(missing).toEqual([]);
  });

  it('uses Chinese tones and serves no SIP over WebSocket on its HTTP port', () => {
    expect(asteriskCli('indication show cn')).toMatch(/cn\s+busy\s+450\/350,0\/350/);
    expect(lastStart().some((l) => l.includes('Default country for indication tones: cn'))).toBe(true);
    expect(asteriskCli('module show like res_pjsip_transport_websocket')).toMatch(/0 modules loaded/);
  });

  it('knows the carrier by address only, has no guest endpoint, and keeps the benchmark out of the trunk', () => {
    expect(asteriskCli('pjsip show endpoint trunk')).toMatch(/identify_by\s*:\s*ip\s*$/m);
    expect(asteriskCli('module show like res_pjsip_endpoint_identifier_anonymous')).toMatch(/0 modules loaded/);
    expect(asteriskCli('dialplan show 12399@from-trunk')).not.toMatch(/Queue\(/);
    expect(asteriskCli('dialplan show 12399@bench-app-queue')).toMatch(/Queue\(bench/);
  });
});
