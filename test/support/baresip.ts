/**
 * A real softphone for the audio checks: baresip (the rig's, run in its root filesystem) with its
 * own config directory, sending a sine (ausine) and writing what it RECEIVES to a WAV (aufile as
 * the player). No real audio device is loaded. SIPp can send a tone (tone-pcap.ts) but cannot
 * record; a baresip can do both, so it plays whichever party's ears a test needs.
 *
 * baresip 1.1.0 (Debian sid's baresip-core) quirks this relies on:
 * - ausine works only at 48 kHz (`ausrc_srate 48000`); baresip resamples to the codec's 8 kHz.
 * - `audio_player aufile,<path>` writes the decoded received audio at `auplay_srate` (8000, mono);
 *   the WAV header is completed when the call's audio stops, so stop() ends calls before exiting.
 *   Each call of the same phone rewrites the file: one phone, one call to measure.
 * - Auto-answer (`answermode=auto`), dial, hangup and DTMF (`sndcode`) belong to the menu module;
 *   ctrl_tcp runs its long commands over netstring-framed JSON and reports events the same way.
 * - An incoming request is matched on the Contact user baresip registered ("<user>-<pointer>"),
 *   so calls reach it through Asterisk (which uses the Contact), not dialled to it directly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOTFS, SIP_TARGET, freePorts } from './rig.js';

export interface BaresipOptions {
  /** In errors and logs. */
  name?: string;
  /** Source address of its SIP: 127.0.0.2 plays the carrier trunk, 127.0.0.1 an agent's phone. */
  ip?: string;
  sipPort?: number;
  /** It sends a sine of this frequency for the whole call (10-20000 Hz). */
  toneHz: number;
  /** Registers to Asterisk as this PJSIP endpoint (an agent's phone: the agent id and its SIP password). */
  register?: { user: string; password: string };
  /** Without `register`: the user of its address, which is the From of its calls (a taxpayer's number). */
  user?: string;
  /** Answers incoming calls at once (default true). */
  autoAnswer?: boolean;
  /** How long start() waits for registration (default 10 s). */
  registerTimeoutMs?: number;
}

export interface BaresipEvent {
  type: string;
  class?: string;
  param?: string;
  peeruri?: string;
  id?: string;
  [k: string]: unknown;
}

export interface Baresip {
  readonly name: string;
  readonly sipPort: number;
  readonly ctrlPort: number;
  /** Its config directory, on the host. */
  readonly dir: string;
  /** What it received in its last call, 8 kHz 16-bit mono WAV, on the host. */
  readonly receivedWav: string;
  /** Every event ctrl_tcp has reported, in order. */
  readonly events: BaresipEvent[];
  /** A menu command through ctrl_tcp; resolves with its output, rejects if baresip says it failed. */
  command(command: string, params?: string): Promise<string>;
  /** The first event of this type (or any of these) after the `after`-th one (default: any so far), waiting up to timeoutMs (default 15 s). */
  waitEvent(type: string | string[], timeoutMs?: number, after?: number): Promise<BaresipEvent>;
  dial(uri: string): Promise<void>;
  hangup(): Promise<void>;
  /** RFC 4733 events, one key at a time (the account's dtmfmode=rtpevent), `gapMs` apart. */
  sendDtmf(digits: string, gapMs?: number): Promise<void>;
  /** Hangs up, stops baresip (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  /** Whether its process is still alive (false once stop() has resolved). */
  running(): boolean;
  /** Its stdout and stderr (the last 40 000 characters). */
  log(): string;
}

/** Phones still running when the test process exits (a failed test that never reached stop()) are killed with it. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

const SAFE_USER = /^[0-9A-Za-z._-]{1,64}$/;
const SAFE_PASSWORD = /^[0-9A-Za-z._~-]{1,128}$/;
const SIP_URI = /^sip:[0-9A-Za-z._*#+-]{1,64}@[0-9.]{7,15}(:[0-9]{1,5})?$/;
const DTMF = /^[0-9*#A-D]+$/;

export async function startBaresip(o: BaresipOptions): Promise<Baresip> {
  if (!(Number.isInteger(o.toneHz) && o.toneHz >= 10 && o.toneHz <= 20000))
    throw new Error(`toneHz must be an integer 10-20000 (ausine), not ${o.toneHz}`);
  const ip = o.ip ?? '127.0.0.1';
  if (!/^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(ip)) throw new Error(`baresip listens on a loopback address, not ${ip}`);
  const user = o.register?.user ?? o.user ?? 'baresip';
  if (!SAFE_USER.test(user)) throw new Error(`SIP user ${JSON.stringify(user)} has characters an accounts line cannot hold`);
  if (o.register && !SAFE_PASSWORD.test(o.register.password)) throw new Error('SIP password has characters an accounts line cannot hold');
  const ports = freePorts();
  const sipPort = o.sipPort ?? ports.sip;
  // Not sip + 1: baresip also listens for SIP over TLS there, and a command sent to it goes unanswered.
  const ctrlPort = freePorts().sip;
  const name = o.name ?? `baresip ${user}@${ip}:${sipPort}`;
  const inRoot = `/tmp/tax12366-baresip/${sipPort}`;
  const dir = path.join(ROOTFS, inRoot);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  writeFileSync(
    path.join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen ${ip}:${sipPort}`,
      'sip_trans_def udp',
      'call_local_timeout 120',
      'call_max_calls 4',
      // Received audio to a file; the alert device (ring tones) to a file nobody reads.
      `audio_player aufile,${inRoot}/received.wav`,
      `audio_alert aufile,${inRoot}/alert.wav`,
      `audio_source ausine,${o.toneHz}`,
      'ausrc_srate 48000',
      'ausrc_channels 1',
      'auplay_srate 8000',
      'auplay_channels 1',
      'ausrc_format s16',
      'auplay_format s16',
      'audio_buffer 20-160',
      `rtp_ports ${ports.media}-${ports.media + 5}`,
      'rtcp_mux no',
      'jitter_buffer_type fixed',
      'jitter_buffer_delay 2-10',
      // SDP and RTP on the same address as its SIP, not the host's first interface's.
      `net_interface ${ip}`,
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module ausine.so',
      'module aufile.so',
      'module_tmp account.so',
      'module_app menu.so',
      'module_app ctrl_tcp.so',
      `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
      'statmode_default off',
      'ringback_disabled yes',
      '',
    ].join('\n'),
  );
  const params = [
    `answermode=${o.autoAnswer === false ? 'manual' : 'auto'}`,
    'audio_codecs=pcma,pcmu',
    'dtmfmode=rtpevent',
    'ptime=20',
    o.register ? `auth_pass=${o.register.password};regint=600` : 'regint=0',
  ];
  // Registering: the address is the registrar's (Asterisk); otherwise its own.
  const domain = o.register ? SIP_TARGET : `${ip}:${sipPort}`;
  writeFileSync(path.join(dir, 'accounts'), `<sip:${user}@${domain};transport=udp>;${params.join(';')}\n`);
  writeFileSync(path.join(dir, 'contacts'), '');

  let output = '';
  // chroot execs baresip: this pid is baresip's, and it starts no processes of its own.
  const child: ChildProcess = spawn('chroot', [ROOTFS, 'baresip', '-f', inRoot], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-40000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-40000)));
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  const fail = (why: string) => new Error(`${name}: ${why}\n--- baresip log ---\n${output.slice(-6000)}`);

  const events: BaresipEvent[] = [];
  const pending = new Map<string, { resolve: (data: string) => void; reject: (e: Error) => void }>();
  let token = 0;
  // A command sent before baresip is ready can go unanswered: connect only once it says it is.
  const ready = async () => {
    const deadline = Date.now() + 10000;
    while (!output.includes('baresip is ready.')) {
      if (exited) throw fail('exited at start');
      if (Date.now() > deadline) throw fail('not ready within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let buf = Buffer.alloc(0);
  const onData = (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const colon = buf.indexOf(':');
      if (colon < 0) break;
      const len = Number(buf.subarray(0, colon).toString());
      if (!Number.isInteger(len) || buf.length < colon + 1 + len + 1) break;
      const msg = JSON.parse(buf.subarray(colon + 1, colon + 1 + len).toString()) as Record<string, unknown>;
      buf = buf.subarray(colon + 1 + len + 1);
      if (msg.event) events.push(msg as BaresipEvent);
      else if (msg.response && typeof msg.token === 'string') {
        const p = pending.get(msg.token);
        pending.delete(msg.token);
        if (msg.ok) p?.resolve(String(msg.data ?? ''));
        else p?.reject(fail(`command failed: ${String(msg.data ?? '')}`));
      }
    }
  };
  let sock: net.Socket | undefined;

  const send = (cmd: string, params: string, timeoutMs: number): Promise<string> => {
    if (exited) return Promise.reject(fail(`exited (${exited.code ?? exited.signal}) before command ${cmd}`));
    const t = String(++token);
    const body = Buffer.from(JSON.stringify({ command: cmd, params, token: t }));
    return withTimeout(
      new Promise<string>((resolve, reject) => {
        pending.set(t, { resolve, reject });
        sock!.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
      }),
      timeoutMs,
      () => {
        pending.delete(t);
        return fail(`no answer to command ${cmd} in ${timeoutMs} ms`);
      },
    );
  };
  const command = (cmd: string, params = ''): Promise<string> => send(cmd, params, 5000);

  // A connection counts once it has answered a command (ctrl_tcp may still be setting up).
  try {
    await ready();
    for (let attempt = 1; ; attempt++) {
      sock = await connectCtrl(ctrlPort, () => exited, fail);
      buf = Buffer.alloc(0);
      sock.on('data', onData);
      sock.on('error', () => undefined);
      try {
        await send('reginfo', '', 2000);
        break;
      } catch (err) {
        sock.destroy();
        if (attempt >= 5) throw err;
      }
    }
  } catch (err) {
    child.kill('SIGKILL');
    await exit;
    throw err;
  }

  const waitEvent = async (type: string | string[], timeoutMs = 15000, after = 0): Promise<BaresipEvent> => {
    const types = [type].flat();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = events.slice(after).find((x) => types.includes(x.type));
      if (e) return e;
      if (exited) throw fail(`exited (${exited.code ?? exited.signal}) while waiting for ${type}`);
      if (Date.now() > deadline) throw fail(`no ${type} in ${timeoutMs} ms (events: ${events.map((x) => x.type).join(', ') || 'none'})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!exited) {
        // Ends the call first: aufile completes the WAV header when the call's audio stops.
        await command('hangupall').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(killer);
      }
      sock?.destroy();
    })());

  const phone: Baresip = {
    name,
    sipPort,
    ctrlPort,
    dir,
    receivedWav: path.join(dir, 'received.wav'),
    events,
    command,
    waitEvent,
    dial: async (uri) => {
      if (!SIP_URI.test(uri)) throw new Error(`not a plain sip:user@address URI: ${JSON.stringify(uri)}`);
      await command('dial', uri);
    },
    hangup: async () => void (await command('hangup')),
    sendDtmf: async (digits, gapMs = 250) => {
      if (!DTMF.test(digits)) throw new Error(`not DTMF digits: ${JSON.stringify(digits)}`);
      for (const d of digits) {
        await command('sndcode', d);
        await new Promise((r) => setTimeout(r, gapMs));
      }
    },
    stop,
    running: () => !exited,
    log: () => output,
  };

  if (o.register) {
    try {
      await registered(command, o.registerTimeoutMs ?? 10000, fail);
    } catch (err) {
      await stop();
      throw err;
    }
  }
  return phone;
}

/**
 * Waits for the account's registration. Polled through `reginfo` rather than waited for as a
 * REGISTER_OK event: baresip registers as it starts, often before ctrl_tcp has a client to tell.
 */
async function registered(command: (cmd: string) => Promise<string>, timeoutMs: number, fail: (why: string) => Error): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // e.g. "0 - sip:123456@127.0.0.1:5060   FB-OK tax12366", in colour; ERR once the registrar refused.
    const info = stripColour(await command('reginfo'));
    if (/\bOK\b/.test(info)) return;
    if (/\bERR\b/.test(info)) throw fail(`registration refused:\n${info.trim()}`);
    if (Date.now() > deadline) throw fail(`not registered within ${timeoutMs} ms:\n${info.trim()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ESC = String.fromCharCode(27);
const stripColour = (s: string): string =>
  s
    .split(ESC)
    .map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, '')))
    .join('');

async function connectCtrl(port: number, exited: () => unknown, fail: (why: string) => Error): Promise<net.Socket> {
  const deadline = Date.now() + 10000;
  for (;;) {
    if (exited()) throw fail('exited at start');
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    } catch {
      if (Date.now() > deadline) throw fail(`ctrl_tcp did not listen on 127.0.0.1:${port} within 10 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, err: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(err()), ms)))]).finally(() => clearTimeout(timer));
}
