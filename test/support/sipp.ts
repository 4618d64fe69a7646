import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { presses } from './dtmf-pcap.js';
import { REPO, ROOTFS, SIP_TARGET, freePorts } from './rig.js';
import { tonePcap } from './tone-pcap.js';

export interface SippRun {
  /** Resolves with SIPp's exit code (0: every call succeeded) and its output. */
  done: Promise<{ code: number; output: string; errors: string }>;
  sipPort: number;
  kill: () => void;
}

export interface SippOptions {
  scenario: string;
  /** Asterisk's SIP address:port; default the rig's (SIP_PORT). Several nodes: each its own. */
  target?: string;
  /** Source address: 127.0.0.2 plays the carrier trunk, 127.0.0.1 an agent's phone. */
  ip?: string;
  keys?: Record<string, string | number>;
  /** Global scenario variables (`-set`), e.g. pause lengths. */
  vars?: Record<string, string | number>;
  calls?: number;
  rate?: number;
  /** Calls per this many ms instead of per second (SIPp -rp), for rates like 21 per 2 s. */
  ratePeriodMs?: number;
  /**
   * Most calls open at once (SIPp -l). SIPp's default is 3 x rate: past it SIPp stops placing calls
   * until some end, which turns an open load into a closed one. Benchmarks set it far above.
   */
  limit?: number;
  timeoutS?: number;
  sipPort?: number;
  /** SIPp waits for calls (an agent's phone) instead of placing them. */
  server?: boolean;
  /** Files written beside the scenario; `{{name}}` in the scenario becomes their path. */
  files?: Record<string, Buffer>;
  /** `{{name}}` in the scenario becomes the value, where SIPp's -key cannot reach (e.g. an expected response code). */
  subst?: Record<string, string | number>;
}

/** SIPp from the rig's root filesystem, with the scenario copied in. */
export function sipp(o: SippOptions): SippRun {
  const dir = path.join(ROOTFS, 'tmp', 'tax12366-sipp');
  mkdirSync(dir, { recursive: true });
  const ports = freePorts();
  let xml = readFileSync(path.join(REPO, 'test', 'sipp', o.scenario), 'utf8');
  let scenario = o.scenario;
  for (const [name, value] of Object.entries(o.subst ?? {})) xml = xml.replaceAll(`{{${name}}}`, String(value));
  if (o.files || o.subst) scenario = `${ports.sip}-${o.scenario}`;
  if (o.files) {
    for (const [name, content] of Object.entries(o.files)) {
      const file = `${ports.sip}-${name}`;
      writeFileSync(path.join(dir, file), content);
      xml = xml.replaceAll(`{{${name}}}`, `/tmp/tax12366-sipp/${file}`);
    }
  }
  writeFileSync(path.join(dir, scenario), xml);
  const sipPort = o.sipPort ?? ports.sip;
  const ip = o.ip ?? '127.0.0.1';
  const errFile = `/tmp/tax12366-sipp/err-${sipPort}-${Date.now()}.log`;
  const args = [
    ROOTFS,
    'sipp',
    o.target ?? SIP_TARGET,
    '-sf',
    `/tmp/tax12366-sipp/${scenario}`,
    '-i',
    ip,
    '-mi',
    ip,
    '-p',
    String(sipPort),
    '-mp',
    String(ports.media),
    '-timeout',
    `${o.timeoutS ?? 60}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    errFile,
    '-nostdin',
  ];
  if (!o.server) args.push('-m', String(o.calls ?? 1), '-r', String(o.rate ?? 1), '-rp', String(o.ratePeriodMs ?? 1000));
  if (!o.server && o.limit) args.push('-l', String(o.limit));
  else args.push('-m', String(o.calls ?? 1));
  for (const [k, v] of Object.entries(o.keys ?? {})) args.push('-key', k, String(v));
  for (const [k, v] of Object.entries(o.vars ?? {})) args.push('-set', k, String(v));
  const child = spawn('chroot', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20000)));
  const done = new Promise<{ code: number; output: string; errors: string }>((resolve) => {
    child.on('exit', (code, signal) => {
      const f = path.join(ROOTFS, errFile);
      const errors = existsSync(f) ? readFileSync(f, 'utf8').slice(-4000) : '';
      resolve({ code: code ?? (signal ? 128 : -1), output, errors });
    });
  });
  return { done, sipPort, kill: () => child.kill('SIGTERM') };
}

/** Registers (or with expires 0, unregisters) an agent's phone whose calls arrive at contactPort. */
export async function registerAgent(
  user: string,
  password: string,
  contactPort: number,
  expires = 600,
  ip?: string,
  target?: string,
): Promise<void> {
  const r = await sipp({ scenario: 'register.xml', ip, target, keys: { user, password, contact_port: contactPort, expires }, timeoutS: 10 })
    .done;
  if (r.code !== 0) throw new Error(`SIPp REGISTER for ${user} failed (exit ${r.code}):\n${r.errors || r.output.slice(-2000)}`);
}

/**
 * A taxpayer on the trunk (127.0.0.2) who presses `digits` (from 300 ms, 250 ms apart; none by
 * default) and then sends a sine of `hz` until hanging up `talkMs` after the answer. SIPp cannot
 * record: what this caller hears needs a baresip caller (baresip.ts) instead.
 */
export function toneCaller(o: {
  caller: string;
  hz: number;
  talkMs: number;
  digits?: string;
  dialed?: string;
  timeoutS?: number;
}): SippRun {
  const digits = o.digits ?? '';
  const toneFromMs = digits ? 300 + digits.length * 250 + 50 : 0;
  return sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller: o.caller, dialed: o.dialed ?? '12366' },
    vars: { talk_ms: o.talkMs },
    files: { pcap: tonePcap({ hz: o.hz, durationMs: o.talkMs, fromMs: toneFromMs, dtmf: presses(digits, 300, 250, 120) }) },
    timeoutS: o.timeoutS ?? 60,
  });
}

/**
 * An agent's phone (SIPp, waiting on its own port: register it with registerAgent) that answers
 * after `ringMs` and sends a sine of `hz` for up to `toneMs` (default 60 s) or until the caller hangs up.
 */
export function toneAgentPhone(o: {
  hz: number;
  ringMs?: number;
  toneMs?: number;
  calls?: number;
  timeoutS?: number;
  sipPort?: number;
}): SippRun {
  return sipp({
    scenario: 'agent-answer-pcap.xml',
    server: true,
    sipPort: o.sipPort ?? freePorts().sip,
    vars: { ring_ms: o.ringMs ?? 300 },
    calls: o.calls,
    files: { pcap: tonePcap({ hz: o.hz, durationMs: o.toneMs ?? 60_000 }) },
    timeoutS: o.timeoutS ?? 90,
  });
}
