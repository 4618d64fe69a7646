import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(pw, salt, len, opts, (err, key) => (err ? reject(err) : resolve(key))));

// scrypt at OWASP's Password Storage Cheat Sheet minimum, in its N=2^15, r=8, p=3 form: the same
// work as the listed N=2^17, r=8, p=1, but 32 MiB per hash instead of 128 MiB, so a burst of logins
// (each checked before it is refused) cannot take the process's memory. Hashes made with older
// parameters (p=1) still verify: the parameters travel in the stored string.
const N = 32768;
const R = 8;
const P = 3;
/** Enough for the largest parameters accepted when verifying (N up to 2^17 with r=8, 128 MiB). */
const MAX_N = 2 ** 17;
const MAX_R = 16;
const MAX_P = 16;
const memFor = (n: number, r: number) => 128 * n * r + 1024 * 1024;

/** A password stored as "scrypt$N$r$p$salt$hash" (base64); the parameters travel with it so they can grow. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, 32, { N, r: R, p: P, maxmem: memFor(N, R) });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether a stored hash was made with other parameters than today's (it is then re-made at the next good login). */
export function hashIsOld(stored: string): boolean {
  return !stored.startsWith(`scrypt$${N}$${R}$${P}$`);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const [cost, block, par] = [Number(n), Number(r), Number(p)];
  // A stored string is ours, but one with absurd parameters must not take the memory or the CPU.
  if (!(cost >= 2 && cost <= MAX_N && block >= 1 && block <= MAX_R && par >= 1 && par <= MAX_P)) return false;
  const want = Buffer.from(hash, 'base64');
  const got = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64'), want.length, {
    N: cost,
    r: block,
    p: par,
    maxmem: memFor(cost, block),
  });
  return timingSafeEqual(got, want);
}

/** A random bearer secret. Tokens are long and random, so a fast hash is enough to store them. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Constant-time string comparison (different lengths compare unequal). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
