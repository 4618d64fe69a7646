import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ROOTFS = process.env.RIG_ROOTFS ?? path.join(process.env.RIG_CACHE ?? '/var/cache/tax12366', 'sid-rootfs');

/** Fails loudly: a test that needs a service never skips because it is missing. */
export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests with \`npm test\` (scripts/test.sh starts the rig and loads .env)`);
  return v;
}

/**
 * Which Asterisk the tests talk to: the main node by default; a second node of the rig
 * (scripts/rig.sh RIG_NODE) with SIP_PORT, ARI_URL and RIG_ASTERISK_CONF set to its own.
 */
export const SIP_TARGET = `127.0.0.1:${process.env.SIP_PORT ?? '5060'}`;
const ASTERISK_CONF = process.env.RIG_ASTERISK_CONF ?? '/etc/asterisk/asterisk.conf';

/** Runs the Asterisk CLI inside the rig. */
export function asteriskCli(command: string): string {
  return execFileSync('chroot', [ROOTFS, 'asterisk', '-C', ASTERISK_CONF, '-rx', command], { encoding: 'utf8' });
}

// Below Linux's ephemeral range (32768-60999): a port in it can already be the local end of a
// client connection (to Postgres, Redis, ARI), and a bind to it fails (seen once in CI: a
// softphone's SIP-over-TCP listener on 33900). Above every Asterisk node's RTP range
// (10000-20000, and 20002-27000 for the extra nodes of scripts/rig.sh and scripts/test.sh).
let nextPort = 27200 + Math.floor(Math.random() * 1250) * 4;
/** Distinct SIP and media ports per SIPp instance or softphone. */
export function freePorts(): { sip: number; media: number } {
  const p = nextPort;
  nextPort += 8;
  return { sip: p, media: p + 2 };
}

/** Length of a prompt as installed in the rig (8 kHz, 16-bit mono WAV with a 44-byte header). */
export function promptMs(lang: string, name: string): number {
  const f = path.join(ROOTFS, 'usr/share/asterisk/sounds/tax12366', lang, `${name}.wav`);
  return Math.round(((statSync(f).size - 44) / 16000) * 1000);
}
