import { describe, expect, it } from 'vitest';
import { presses, readDtmfPcap } from '../support/dtmf-pcap.js';
import { alawToLinear, linearToAlaw, linearToUlaw, ulawToLinear } from '../support/g711.js';
import { decodeRtpAudio, readRtpAudio, tonePcap } from '../support/tone-pcap.js';

/** Power of one frequency in samples (Goertzel), normalised so a full-scale sine gives 0.5. */
function power(x: Int16Array, hz: number, from = 0, to = x.length): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = x[i]! / 32768 + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const n = to - from;
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / ((n * n) / 2);
}

/** The strongest frequency, 50 Hz to 3950 Hz in 10 Hz steps. */
function dominant(x: Int16Array, from = 0, to = x.length): number {
  let best = 0;
  let bestP = -1;
  for (let hz = 50; hz < 4000; hz += 10) {
    const p = power(x, hz, from, to);
    if (p > bestP) [best, bestP] = [hz, p];
  }
  return best;
}

describe('G.711 (test tool)', () => {
  it('round-trips every A-law and µ-law code, and keeps samples within the law’s step', () => {
    for (let b = 0; b < 256; b++) {
      expect(linearToAlaw(alawToLinear(b))).toBe(b);
      // µ-law has two codes for zero (0x7F and 0xFF); the encoder picks 0xFF.
      if (b !== 0x7f) expect(linearToUlaw(ulawToLinear(b))).toBe(b);
    }
    for (const s of [-32768, -1000, -1, 0, 1, 100, 1000, 12345, 32767]) {
      expect(Math.abs(alawToLinear(linearToAlaw(s)) - s)).toBeLessThanOrEqual(Math.max(16, Math.abs(s) / 16));
      expect(Math.abs(ulawToLinear(linearToUlaw(s)) - s)).toBeLessThanOrEqual(Math.max(8, Math.abs(s) / 16));
    }
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToUlaw(0)).toBe(0xff);
  });
});

describe('tone pcap writer (test tool)', () => {
  it('writes 20 ms A-law packets at 8 kHz that decode back to the tone asked for', () => {
    const buf = tonePcap({ hz: 1000, durationMs: 1000 });
    const pkts = readRtpAudio(buf);
    expect(pkts).toHaveLength(50);
    expect(new Set(pkts.map((p) => p.payloadType))).toEqual(new Set([8]));
    expect(pkts.map((p) => p.payload.length)).toEqual(Array(50).fill(160));
    expect(pkts.map((p) => p.ts)).toEqual(pkts.map((_, i) => i * 160));
    expect(pkts.map((p) => p.tMs)).toEqual(pkts.map((_, i) => i * 20));
    const x = decodeRtpAudio(buf);
    expect(x).toHaveLength(8000);
    expect(dominant(x)).toBe(1000);
    // Default amplitude 0.25 of full scale: power 0.25² / 2 = 0.031 (a full-scale sine 0.5).
    expect(power(x, 1000)).toBeGreaterThan(0.029);
    expect(power(x, 1000)).toBeLessThan(0.034);
    expect(power(x, 440)).toBeLessThan(1e-4);
  });

  it('finds 440 Hz in µ-law, and keeps silence outside [fromMs, toMs)', () => {
    const buf = tonePcap({ hz: 440, durationMs: 2000, fromMs: 500, toMs: 1500, codec: 'PCMU' });
    expect(new Set(readRtpAudio(buf).map((p) => p.payloadType))).toEqual(new Set([0]));
    const x = decodeRtpAudio(buf);
    expect(dominant(x, 4000, 12000)).toBe(440);
    expect(x.subarray(0, 4000).every((s) => s === 0)).toBe(true);
    expect(x.subarray(12000).every((s) => s === 0)).toBe(true);
    expect(power(x, 440, 4000, 12000)).toBeGreaterThan(0.029);
  });

  it('carries key presses beside the tone, in one sequence space', () => {
    const buf = tonePcap({ hz: 1000, durationMs: 1500, fromMs: 800, dtmf: presses('0', 300) });
    const events = readDtmfPcap(buf);
    expect(events.filter((p) => p.marker).map((p) => [p.event, p.tMs])).toEqual([[0, 300]]);
    const audio = readRtpAudio(buf);
    expect(audio).toHaveLength(75);
    const seqs = [...events.map((e) => e.seq), ...audio.map((a) => a.seq)].sort((a, b) => a - b);
    // Audio and events share numbers only where an event's end is repeated (twice per press).
    expect(new Set(seqs).size).toBe(seqs.length - 2);
    const x = decodeRtpAudio(buf);
    expect(dominant(x, 6400, 12000)).toBe(1000);
    // A-law has no code for 0: its silence (0xD5) decodes to 8 of 32768.
    expect(x.subarray(0, 6400).every((s) => Math.abs(s) <= 8)).toBe(true);
  });

  it('refuses a frequency the 8 kHz rate cannot carry', () => {
    expect(() => tonePcap({ hz: 4000, durationMs: 100 })).toThrow(/between 0 and 4000/);
    expect(() => tonePcap({ hz: 1000, durationMs: 0 })).toThrow(/durationMs/);
  });
});
