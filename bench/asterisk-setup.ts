/**
 * What the benchmark needs from Asterisk that production must not have, for its run only:
 *  - an AMI user that reads every event (its timeline) and may originate (bench/originate-floor.ts):
 *    manager_bench.conf, which manager.conf includes and which exists only during a run;
 *  - a way into app_queue's 12399/12398: dialplans/bench.conf's [bench-app-queue], which no endpoint
 *    of pjsip.conf reaches. A `benchtrunk` endpoint identified by 127.0.0.3 (BENCH_TRUNK_IP) is
 *    pushed through ARI into the memory wizard and deleted afterwards (or gone at Asterisk's restart).
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AriHttp } from '../src/adapters/ari/http.js';
import { AriClient } from '../src/adapters/ari/client.js';
import { ROOTFS, requireEnv } from '../test/support/rig.js';

export const BENCH_TRUNK_IP = '127.0.0.3';
const ENDPOINT = 'benchtrunk';
const MANAGER_FILE = path.join(ROOTFS, 'etc/asterisk/manager_bench.conf');
const cli = (command: string) => execFileSync('chroot', [ROOTFS, 'asterisk', '-rx', command], { encoding: 'utf8' });

export interface BenchAsterisk {
  amiUser: string;
  amiSecret: string;
  /** Removes the AMI user and the bench trunk. */
  restore: () => Promise<void>;
}

export async function enableBenchAsterisk(): Promise<BenchAsterisk> {
  const amiUser = 'bench';
  const amiSecret = randomBytes(18).toString('base64url');
  // Reopens [general]: AMI may be off in production (manager.conf).
  writeFileSync(
    MANAGER_FILE,
    [
      '[general](+)',
      'enabled = yes',
      '',
      `[${amiUser}]`,
      `secret = ${amiSecret}`,
      'deny = 0.0.0.0/0.0.0.0',
      'permit = 127.0.0.1/255.255.255.255',
      'read = all',
      'write = all',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  execFileSync('chroot', [ROOTFS, 'chown', 'asterisk:asterisk', '/etc/asterisk/manager_bench.conf']);
  cli('module reload manager');
  const http = new AriHttp({
    url: requireEnv('ARI_URL'),
    user: requireEnv('ARI_USER'),
    password: requireEnv('ARI_PASSWORD'),
    maxSockets: 2,
  });
  const ari = new AriClient(http, 'bench-setup');
  await ari.putDynamic('res_pjsip', 'endpoint', ENDPOINT, {
    transport: 'transport-udp',
    context: 'bench-app-queue',
    disallow: 'all',
    allow: 'alaw,ulaw',
    direct_media: 'no',
    dtmf_mode: 'rfc4733',
    rtp_symmetric: 'yes',
    force_rport: 'yes',
    identify_by: 'ip',
  });
  await ari.putDynamic('res_pjsip', 'identify', ENDPOINT, { endpoint: ENDPOINT, match: BENCH_TRUNK_IP });
  return {
    amiUser,
    amiSecret,
    restore: async () => {
      await ari.deleteDynamic('res_pjsip', 'identify', ENDPOINT).catch(() => undefined);
      await ari.deleteDynamic('res_pjsip', 'endpoint', ENDPOINT).catch(() => undefined);
      http.close();
      rmSync(MANAGER_FILE, { force: true });
      cli('module reload manager');
    },
  };
}
