/**
 * RTP pcaps of a sine tone for SIPp's play_pcap_audio: one party of a call sends a frequency the
 * others can be checked for (audio-measure.ts), e.g. the caller 1 kHz and the agent 440 Hz.
 * G.711 at 8 kHz in 20 ms packets, A-law by default: what the trunk and the agents' phones
 * negotiate (pjsip.conf and pjsip-push.ts allow alaw,ulaw; the SIPp scenarios offer PCMA only).
 * SIPp does not transcode: the pcap's codec must be the one the scenario's SDP offers.
 */
import { dtmfPcap, type DtmfPress } from './dtmf-pcap.js';
import { decode, encode, PAYLOAD_TYPE, SILENCE, type G711 } from './g711.js';

const RATE = 8000;
const SAMPLES = 160;

export interface TonePcapOptions {
  hz: number;
  /** Length of the whole pcap (its audio track), in ms. */
  durationMs: number;
  /** The tone starts here (silence before it), e.g. after the DTMF that reaches an agent. Default 0. */
  fromMs?: number;
  /** The tone stops here (silence after it). Default: durationMs. */
  toMs?: number;
  /** Peak amplitude as a fraction of full scale: 0.25 (-12 dBFS peak, -15 dBFS RMS) by default, well below clipping in a mix of three. */
  amplitude?: number;
  codec?: G711;
  /** RFC 4733 key presses sent beside the audio (dtmf-pcap.ts `presses`). */
  dtmf?: DtmfPress[];
  ssrc?: number;
}

export function tonePcap(o: TonePcapOptions): Buffer {
  if (!(o.hz > 0 && o.hz < RATE / 2)) throw new Error(`tone frequency must be between 0 and ${RATE / 2} Hz, not ${o.hz}`);
  if (!(o.durationMs > 0)) throw new Error(`durationMs must be positive, not ${o.durationMs}`);
  const codec = o.codec ?? 'PCMA';
  const peak = 32767 * (o.amplitude ?? 0.25);
  const from = Math.round(((o.fromMs ?? 0) * RATE) / 1000);
  const to = Math.round(((o.toMs ?? o.durationMs) * RATE) / 1000);
  const silence = SILENCE[codec];
  return dtmfPcap(o.dtmf ?? [], {
    ssrc: o.ssrc,
    audioMs: o.durationMs,
    audio: {
      payloadType: PAYLOAD_TYPE[codec],
      payload: (first) => {
        const b = Buffer.alloc(SAMPLES, silence);
        // Phase follows the sample index, so the tone is continuous across packets.
        for (let i = 0; i < SAMPLES; i++) {
          const n = first + i;
          if (n >= from && n < to) b[i] = encode(codec, peak * Math.sin((2 * Math.PI * o.hz * n) / RATE));
        }
        return b;
      },
    },
  });
}

export interface RtpAudioPacket {
  tMs: number;
  payloadType: number;
  seq: number;
  ts: number;
  payload: Buffer;
}

/** The G.711 packets of a pcap written by tonePcap or dtmfPcap (RFC 4733 events left out). */
export function readRtpAudio(buf: Buffer): RtpAudioPacket[] {
  const out: RtpAudioPacket[] = [];
  let off = 24;
  while (off < buf.length) {
    const sec = buf.readUInt32LE(off);
    const usec = buf.readUInt32LE(off + 4);
    const len = buf.readUInt32LE(off + 8);
    const r = buf.subarray(off + 16 + 14 + 20 + 8, off + 16 + len);
    off += 16 + len;
    const pt = r[1]! & 0x7f;
    if (pt !== PAYLOAD_TYPE.PCMA && pt !== PAYLOAD_TYPE.PCMU) continue;
    out.push({ tMs: sec * 1000 + usec / 1000, payloadType: pt, seq: r.readUInt16BE(2), ts: r.readUInt32BE(4), payload: r.subarray(12) });
  }
  return out;
}

/** Decodes a pcap's audio back to 16-bit samples at 8 kHz, placed by RTP timestamp. */
export function decodeRtpAudio(buf: Buffer): Int16Array {
  const packets = readRtpAudio(buf);
  const end = Math.max(0, ...packets.map((p) => p.ts + p.payload.length));
  const samples = new Int16Array(end);
  for (const p of packets) {
    const codec: G711 = p.payloadType === PAYLOAD_TYPE.PCMA ? 'PCMA' : 'PCMU';
    for (let i = 0; i < p.payload.length; i++) samples[p.ts + i] = decode(codec, p.payload[i]!);
  }
  return samples;
}
