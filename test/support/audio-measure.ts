/**
 * Which tones a recording or a phone's received audio holds, and when: sox (the rig's, run in its
 * root filesystem) decodes the file, resamples it to 8 kHz mono and band-passes it around each
 * frequency; the levels are computed here from its output. Every check in issue 23 ("both tones in
 * the recording", "the caller does not hear the supervisor") reduces to hasTone / toneSpans.
 *
 * The judgement is per 50 ms window. A tone is present in a window when its band (hz ± 50 Hz) holds
 * at least -40 dBFS and no less than 8 dB below everything in the window; and a run of such windows
 * counts only while the band's level stays steady (within 3 dB from one window to the next) for at
 * least 300 ms. A tone sent at tone-pcap.ts's default level measures about -15 dBFS in its band; each
 * of n equal tones mixed is 10·log10(n) dB below the mix (-3 dB for two, -4.8 dB for three, still
 * inside -8 dB). A tone that is absent measures about -60 dB (the other tones' leakage through the
 * filter) or nothing at all (digital silence). Speech can put a 100 Hz band within 5 dB of its
 * total for a window or two (a harmonic of the voice), but its level jumps from window to window:
 * the steadiness rule is what keeps an IVR prompt from passing for a 440 Hz tone.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOTFS } from './rig.js';

export const RATE = 8000;
export const WINDOW_MS = 50;
/** A band below this is nothing (dBFS, RMS over a window). */
export const PRESENT_FLOOR_DB = -40;
/** A band more than this below its window's total level is a by-product of other sound, not a tone. */
export const DOMINANCE_DB = -8;
/** A tone's band level changes less than this from one window to the next; speech's jumps. */
export const STEADY_DB = 3;
/** Shortest run of steady windows that counts as a tone. */
export const MIN_SPAN_MS = 300;
/** What a window of digital silence measures, instead of -Infinity. */
export const SILENCE_DB = -120;

export interface BandOptions {
  /** Half the width of the band around the frequency, in Hz (default 50). */
  halfWidthHz?: number;
}

/** RMS of samples in [-1, 1] as dBFS (a full-scale square wave is 0 dBFS, a full-scale sine -3 dBFS). */
export function rmsDb(x: Float32Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  const n = to - from;
  if (n <= 0 || sum === 0) return SILENCE_DB;
  return Math.max(SILENCE_DB, 10 * Math.log10(sum / n));
}

/**
 * The file through sox (decoded, 8 kHz mono, then `effects`) as float samples. The file is fed on
 * stdin, so any path works, in the root filesystem or not.
 */
export async function soxSamples(file: string, effects: string[] = []): Promise<Float32Array> {
  const type = path.extname(file).slice(1).toLowerCase() || 'wav';
  const input = readFileSync(file);
  const args = [
    ROOTFS,
    'sox',
    '-V1',
    '-t',
    type,
    '-',
    '-t',
    'raw',
    '-e',
    'floating-point',
    '-b',
    '32',
    '-c',
    '1',
    '-r',
    String(RATE),
    '-',
    ...effects,
  ];
  const out = await run('chroot', args, input);
  return new Float32Array(out.buffer, out.byteOffset, Math.floor(out.length / 4));
}

function run(cmd: string, args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${cmd} ${args.slice(0, 8).join(' ')} … exited ${code}: ${err}`));
    });
    // sox may stop reading early on a bad file; its exit code says so, not an EPIPE here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function bandEffect(hz: number, o: BandOptions = {}): string[] {
  const half = o.halfWidthHz ?? 50;
  if (!(hz - half > 0 && hz + half < RATE / 2)) throw new Error(`band ${hz} ± ${half} Hz does not fit in 0-${RATE / 2} Hz`);
  return ['sinc', `${hz - half}-${hz + half}`];
}

/** Length of the file's audio in seconds (as sox decodes it: the same count `soxi -D` reads from the header). */
export async function durationS(file: string): Promise<number> {
  return (await soxSamples(file)).length / RATE;
}

/** Level of the whole file, dBFS RMS. */
export async function totalLevelDb(file: string): Promise<number> {
  return rmsDb(await soxSamples(file));
}

/** Level of the band hz ± 50 Hz over the whole file, dBFS RMS. */
export async function bandLevelDb(file: string, hz: number, o?: BandOptions): Promise<number> {
  return rmsDb(await soxSamples(file, bandEffect(hz, o)));
}

export interface ToneWindow {
  /** Start of the window, in seconds from the start of the file. */
  atS: number;
  bandDb: number;
  totalDb: number;
  present: boolean;
}

/** The file window by window (50 ms): the band's level, the total level, and the verdict. */
export async function toneWindows(file: string, hz: number, o?: BandOptions): Promise<ToneWindow[]> {
  const [all, band] = await Promise.all([soxSamples(file), soxSamples(file, bandEffect(hz, o))]);
  return windowsOf(all, band);
}

function windowsOf(all: Float32Array, band: Float32Array): ToneWindow[] {
  const size = (RATE * WINDOW_MS) / 1000;
  const out: ToneWindow[] = [];
  for (let i = 0; i + size <= Math.min(all.length, band.length); i += size) {
    const bandDb = rmsDb(band, i, i + size);
    const totalDb = rmsDb(all, i, i + size);
    out.push({ atS: i / RATE, bandDb, totalDb, present: bandDb >= PRESENT_FLOOR_DB && bandDb - totalDb >= DOMINANCE_DB });
  }
  return out;
}

export interface Span {
  fromS: number;
  toS: number;
}

/**
 * When the tone is present, as spans in seconds: runs of present windows whose band level stays
 * within STEADY_DB from one to the next, at least `minMs` long (default 300 ms).
 */
export async function toneSpans(file: string, hz: number, o: BandOptions & SpanOptions = {}): Promise<Span[]> {
  return spansOf(await toneWindows(file, hz, o), o);
}

export interface SpanOptions {
  minMs?: number;
}

function spansOf(w: ToneWindow[], o: SpanOptions): Span[] {
  const step = WINDOW_MS / 1000;
  const spans: Span[] = [];
  let open: Span | undefined;
  let prev: ToneWindow | undefined;
  for (const x of w) {
    const continues = x.present && prev?.present && Math.abs(x.bandDb - prev.bandDb) <= STEADY_DB;
    if (continues && open) open.toS = x.atS + step;
    else if (x.present) spans.push((open = { fromS: x.atS, toS: x.atS + step }));
    else open = undefined;
    prev = x;
  }
  return spans.filter((s) => s.toS - s.fromS >= (o.minMs ?? MIN_SPAN_MS) / 1000 - 1e-9);
}

export const spansSeconds = (spans: Span[]): number => spans.reduce((t, s) => t + s.toS - s.fromS, 0);

/** Whether the tone is present for at least `minS` seconds in all (default 0.5 s). */
export async function hasTone(file: string, hz: number, o: BandOptions & { minS?: number } = {}): Promise<boolean> {
  return spansSeconds(await toneSpans(file, hz, o)) >= (o.minS ?? 0.5);
}

export interface ToneReport {
  hz: number;
  /** Band level over the windows of its spans (dBFS), or null if it has none. */
  presentDb: number | null;
  /** Band level over the file, dBFS. */
  fileDb: number;
  /** Loudest band level in any window outside its spans, dBFS: how near "absent" came to "present". */
  loudestAbsentDb: number;
  presentS: number;
  spans: Span[];
}

/** What the file holds of each tone, for a test to assert on and print (the numbers behind hasTone). */
export async function toneReport(
  file: string,
  hzs: number[],
  o?: BandOptions,
): Promise<{ durationS: number; totalDb: number; tones: ToneReport[] }> {
  const all = await soxSamples(file);
  const tones: ToneReport[] = [];
  for (const hz of hzs) {
    const band = await soxSamples(file, bandEffect(hz, o));
    const w = windowsOf(all, band);
    const spans = spansOf(w, {});
    const inSpan = (x: ToneWindow) => spans.some((s) => x.atS >= s.fromS - 1e-9 && x.atS < s.toS - 1e-9);
    const present = w.filter(inSpan);
    tones.push({
      hz,
      presentDb: present.length ? meanPowerDb(present.map((x) => x.bandDb)) : null,
      fileDb: rmsDb(band),
      loudestAbsentDb: Math.max(SILENCE_DB, ...w.filter((x) => !inSpan(x)).map((x) => x.bandDb)),
      presentS: spansSeconds(spans),
      spans,
    });
  }
  return { durationS: all.length / RATE, totalDb: rmsDb(all), tones };
}

function meanPowerDb(dbs: number[]): number {
  const p = dbs.reduce((s, d) => s + 10 ** (d / 10), 0) / dbs.length;
  return Math.max(SILENCE_DB, 10 * Math.log10(p));
}

/** One line per tone, for a test's output: the measured numbers next to the thresholds. */
export function formatToneReport(label: string, r: Awaited<ReturnType<typeof toneReport>>): string {
  const f = (x: number | null) => (x === null ? '—' : x.toFixed(1));
  return [
    `${label}: ${r.durationS.toFixed(2)} s, total ${f(r.totalDb)} dBFS (present: band ≥ ${PRESENT_FLOOR_DB} dBFS and ≥ total ${DOMINANCE_DB} dB per ${WINDOW_MS} ms window, steady within ${STEADY_DB} dB for ≥ ${MIN_SPAN_MS} ms)`,
    ...r.tones.map(
      (t) =>
        `  ${t.hz} Hz: present ${t.presentS.toFixed(2)} s at ${f(t.presentDb)} dBFS; whole file ${f(t.fileDb)} dBFS; loudest absent window ${f(t.loudestAbsentDb)} dBFS; spans ${t.spans.map((s) => `${s.fromS.toFixed(2)}-${s.toS.toFixed(2)}`).join(', ') || 'none'}`,
    ),
  ].join('\n');
}

/** 16-bit mono PCM samples as a WAV file's bytes: lets a test measure audio it made itself (a decoded pcap, a mix). */
export function wavFile(samples: Int16Array, rate = RATE): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + samples.length * 2, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(samples.length * 2, 40);
  return Buffer.concat([h, Buffer.from(samples.buffer, samples.byteOffset, samples.length * 2)]);
}
