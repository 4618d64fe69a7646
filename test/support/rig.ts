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

/** Runs the Asterisk CLI inside the rig. */
export function asteriskCli(command: string): string {
  return execFileSync('chroot', [ROOTFS, 'asterisk', '-rx', command], { encoding: 'utf8' });
}

let nextPort = 30000 + Math.floor(Math.random() * 2000) * 4;
/** Distinct SIP and media ports per SIPp instance (Asterisk's RTP range is 10000-20000). */
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
