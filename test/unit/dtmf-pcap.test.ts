import { describe, expect, it } from 'vitest';
import { dtmfPcap, presses, readDtmfPcap } from '../support/dtmf-pcap.js';

describe('DTMF pcap writer (test tool)', () => {
  it('writes "2 then 1", and repeated digits, as separate RFC 4733 events in time order', () => {
    const pkts = readDtmfPcap(dtmfPcap(presses('211', 100, 300, 100)));
    const starts = pkts.filter((p) => p.marker);
    expect(starts.map((p) => p.event)).toEqual([2, 1, 1]);
    expect(starts.map((p) => p.tMs)).toEqual([100, 400, 700]);
    // Each event ends with three end-marked packets sharing its timestamp.
    for (const s of starts) {
      const ends = pkts.filter((p) => p.ts === s.ts && p.end);
      expect(ends).toHaveLength(3);
    }
    const seqs = pkts.map((p) => p.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Only the repeated end packets share a sequence number.
    expect(new Set(seqs).size).toBe(seqs.length - 2 * starts.length);
  });

  it('rejects a key that is not on a phone pad', () => {
    expect(() => dtmfPcap(presses('1A'))).toThrow(/not a DTMF digit/);
  });
});

describe('DTMF pcap writer with audio', () => {
  it('interleaves A-law audio and events in one sequence space', () => {
    const buf = dtmfPcap(presses('5', 100, 100, 60), { audioMs: 400 });
    const events = readDtmfPcap(buf);
    expect(events.filter((p) => p.marker).map((p) => p.event)).toEqual([5]);
    // 20 audio packets + 3 event packets + 3 end packets (two of them repeats).
    expect(buf.length).toBeGreaterThan(24 + 20 * (16 + 14 + 20 + 8 + 172));
  });
});
