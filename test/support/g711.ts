/**
 * G.711 A-law and µ-law (ITU-T G.711), sample by sample: the test pcaps carry tones in the
 * codec the trunk and agents' phones negotiate (asterisk-config/pjsip.conf: alaw first), and
 * their own test decodes them back.
 */
export type G711 = 'PCMA' | 'PCMU';

/** RTP static payload types (RFC 3551). */
export const PAYLOAD_TYPE: Record<G711, number> = { PCMU: 0, PCMA: 8 };

export function linearToAlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s >= 0 ? 0x80 : 0;
  if (s < 0) s = -s - 1;
  s >>= 3; // 13-bit magnitude
  let seg = 0;
  while (seg < 8 && s > (0x20 << seg) - 1) seg++;
  let code: number;
  if (seg >= 8) code = 0x7f;
  else code = (seg << 4) | ((seg < 2 ? s >> 1 : s >> seg) & 0x0f);
  return (code | sign) ^ 0x55;
}

export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  t += seg === 0 ? 8 : 0x108;
  if (seg > 1) t <<= seg - 1;
  return a & 0x80 ? t : -t;
}

const BIAS = 0x84;
export function linearToUlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s = Math.min(s, 32635) + BIAS;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const mantissa = (s >> (exp + 3)) & 0x0f;
  return ~(sign | (exp << 4) | mantissa) & 0xff;
}

export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + BIAS) << ((u & 0x70) >> 4);
  return u & 0x80 ? BIAS - t : t - BIAS;
}

export const encode = (codec: G711, sample: number): number => (codec === 'PCMA' ? linearToAlaw(sample) : linearToUlaw(sample));
export const decode = (codec: G711, byte: number): number => (codec === 'PCMA' ? alawToLinear(byte) : ulawToLinear(byte));

/** Digital silence: what each law encodes 0 as. */
export const SILENCE: Record<G711, number> = { PCMA: 0xd5, PCMU: 0xff };
