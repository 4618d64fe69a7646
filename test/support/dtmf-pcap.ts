/**
 * Writes a pcap of RFC 4733 (RFC 2833) DTMF events for SIPp's play_pcap_audio.
 * SIPp's stock dtmf_2833_*.pcap files cannot express "2 then 1" or repeated digits,
 * so each test makes the exact sequence it needs, with the timing it needs.
 */
export interface DtmfPress {
  digit: string;
  /** When the key goes down, in ms from the start of playback. */
  atMs: number;
  /** How long the key is held. */
  durationMs?: number;
}

const EVENT: Record<string, number> = { '*': 10, '#': 11 };
for (let d = 0; d <= 9; d++) EVENT[String(d)] = d;

const PT = 101;
const RATE = 8000;
const PACKET_MS = 20;

/** "21" pressed 120 ms apart starting at `startMs`, or any explicit schedule. */
export function presses(digits: string, startMs = 300, gapMs = 250, durationMs = 120): DtmfPress[] {
  return [...digits].map((digit, i) => ({ digit, atMs: startMs + i * gapMs, durationMs }));
}

export interface AudioTrack {
  /** RTP payload type of the audio packets (8: PCMA, 0: PCMU); the scenario's SDP must offer it. */
  payloadType: number;
  /** One 20 ms packet's payload (160 bytes of G.711) starting at this sample index (8 kHz). */
  payload: (firstSample: number) => Buffer;
}

/** G.711 A-law silence, as a phone sends while the caller listens. */
const ALAW_SILENCE: AudioTrack = { payloadType: 8, payload: () => Buffer.alloc(160, 0xd5) };

export function dtmfPcap(schedule: DtmfPress[], opts: { ssrc?: number; audioMs?: number; audio?: AudioTrack } = {}): Buffer {
  const ssrc = opts.ssrc ?? 0x12366;
  const track = opts.audio ?? ALAW_SILENCE;
  // Packets in time order; sequence numbers are assigned afterwards, shared by audio and events
  // as on a real phone. `dup` marks the repeated end packets, which reuse the previous number.
  const draft: Array<{ tMs: number; make: (seq: number) => Buffer; dup: boolean }> = [];
  // Optional audio (silence unless a track is given) beside the events, on the same clock.
  for (let t = 0; t < (opts.audioMs ?? 0); t += PACKET_MS) {
    const ts = Math.round((t * RATE) / 1000);
    draft.push({ tMs: t, make: (seq) => audio(seq, ts, ssrc, track), dup: false });
  }
  for (const p of schedule) {
    const event = EVENT[p.digit];
    if (event === undefined) throw new Error(`not a DTMF digit: ${JSON.stringify(p.digit)}`);
    const held = p.durationMs ?? 120;
    const ts = Math.round((p.atMs * RATE) / 1000);
    const steps = Math.max(1, Math.round(held / PACKET_MS));
    for (let i = 1; i <= steps; i++) {
      draft.push({
        tMs: p.atMs + (i - 1) * PACKET_MS + 0.5,
        make: (seq) => rtp(seq, ts, ssrc, i === 1, event, false, i * 160),
        dup: false,
      });
    }
    // The end of an event is sent three times (RFC 4733 §2.5.1.4): the same packet, same
    // sequence number. Advancing the sequence number makes Asterisk report the digit twice.
    for (let i = 0; i < 3; i++) {
      draft.push({
        tMs: p.atMs + steps * PACKET_MS + i * 5 + 0.5,
        make: (seq) => rtp(seq, ts, ssrc, false, event, true, steps * 160),
        dup: i > 0,
      });
    }
  }
  draft.sort((a, b) => a.tMs - b.tMs);
  const chunks = [globalHeader()];
  let seq = 1000;
  for (const d of draft) {
    if (!d.dup) seq++;
    chunks.push(frame(Math.floor(d.tMs), d.make(seq)));
  }
  return Buffer.concat(chunks);
}

function audio(seq: number, ts: number, ssrc: number, track: AudioTrack): Buffer {
  const payload = track.payload(ts);
  if (payload.length !== 160) throw new Error(`an audio packet holds 160 bytes (20 ms of G.711), not ${payload.length}`);
  const b = Buffer.alloc(12 + 160);
  payload.copy(b, 12);
  b[0] = 0x80;
  b[1] = track.payloadType;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  return b;
}

function rtp(seq: number, ts: number, ssrc: number, marker: boolean, event: number, end: boolean, duration: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 0x80;
  b[1] = (marker ? 0x80 : 0) | PT;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  b[12] = event;
  b[13] = (end ? 0x80 : 0) | 10; // volume -10 dBm0
  b.writeUInt16BE(Math.min(duration, 0xffff), 14);
  return b;
}

function globalHeader(): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16);
  b.writeUInt32LE(1, 20); // Ethernet
  return b;
}

function frame(tMs: number, rtpPayload: Buffer): Buffer {
  const udpLen = 8 + rtpPayload.length;
  const ipLen = 20 + udpLen;
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(ipLen, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from([127, 0, 0, 1]).copy(ip, 12);
  Buffer.from([127, 0, 0, 1]).copy(ip, 16);
  ip.writeUInt16BE(ipChecksum(ip), 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(6000, 0);
  udp.writeUInt16BE(6002, 2);
  udp.writeUInt16BE(udpLen, 4);
  const body = Buffer.concat([eth, ip, udp, rtpPayload]);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(Math.floor(tMs / 1000), 0);
  h.writeUInt32LE((tMs % 1000) * 1000, 4);
  h.writeUInt32LE(body.length, 8);
  h.writeUInt32LE(body.length, 12);
  return Buffer.concat([h, body]);
}

function ipChecksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += h.readUInt16BE(i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** Reads back the events of a pcap written above (for its own test). */
export function readDtmfPcap(buf: Buffer): Array<{ tMs: number; event: number; end: boolean; marker: boolean; seq: number; ts: number }> {
  const out = [];
  let off = 24;
  while (off < buf.length) {
    const sec = buf.readUInt32LE(off);
    const usec = buf.readUInt32LE(off + 4);
    const len = buf.readUInt32LE(off + 8);
    const r = buf.subarray(off + 16 + 14 + 20 + 8, off + 16 + len);
    off += 16 + len;
    if ((r[1]! & 0x7f) !== PT) continue;
    out.push({
      tMs: sec * 1000 + usec / 1000,
      event: r[12]!,
      end: (r[13]! & 0x80) !== 0,
      marker: (r[1]! & 0x80) !== 0,
      seq: r.readUInt16BE(2),
      ts: r.readUInt32BE(4),
    });
  }
  return out;
}
