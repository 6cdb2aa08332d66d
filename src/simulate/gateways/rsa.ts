// A 2048-bit RSA key pair derived deterministically from the run's seed: seeded candidates, trial division,
// BigInt Miller–Rabin, then the key is handed to node:crypto as a JWK. Not for real secrets, only for
// reproducible simulated gateway signatures.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Rng } from '../prng';

const SMALL_PRIMES: number[] = (() => {
  const out: number[] = [];
  const sieve = new Uint8Array(4000);
  for (let i = 2; i < sieve.length; i++) {
    if (sieve[i]) continue;
    out.push(i);
    for (let j = i * i; j < sieve.length; j += i) sieve[j] = 1;
  }
  return out;
})();

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function randomBits(rng: Rng, bits: number): bigint {
  const bytes = rng.bytes(Math.ceil(bits / 8));
  let x = BigInt(`0x${bytes.toString('hex')}`);
  const extra = BigInt(bytes.length * 8 - bits);
  x >>= extra;
  return x;
}

/** Miller–Rabin with `rounds` seeded bases, after trial division by the primes below 4000. */
export function isProbablePrime(n: bigint, rng: Rng, rounds = 24): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    const bp = BigInt(p);
    if (n === bp) return true;
    if (n % bp === 0n) return false;
  }
  let d = n - 1n;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  const bits = n.toString(2).length;
  outer: for (let i = 0; i < rounds; i++) {
    const a = 2n + (randomBits(rng, bits - 1) % (n - 3n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let j = 1; j < r; j++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

/** A prime of exactly `bits` bits with the top two bits set (so two of them multiply to 2·bits bits). */
export function seededPrime(rng: Rng, bits: number, e: bigint): bigint {
  const top = (1n << BigInt(bits - 1)) | (1n << BigInt(bits - 2));
  for (;;) {
    let c = randomBits(rng, bits) | top | 1n;
    // walk odd numbers from the candidate; the residues make trial division cheap
    const residues = SMALL_PRIMES.map((p) => Number(c % BigInt(p)));
    for (let step = 0; step < 4096; step += 2) {
      let composite = false;
      for (let i = 0; i < SMALL_PRIMES.length; i++) {
        if ((residues[i]! + step) % SMALL_PRIMES[i]! === 0) {
          composite = true;
          break;
        }
      }
      if (composite) continue;
      const cand = c + BigInt(step);
      if (cand >> BigInt(bits) !== 0n) break;
      if (gcd(cand - 1n, e) !== 1n) continue;
      if (isProbablePrime(cand, rng)) return cand;
    }
  }
}

function b64u(x: bigint): string {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

export interface SeededRsaKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
}

/** Deterministic RSA key of `bits` bits (default 2048) from a seeded stream. */
export function seededRsaKey(rng: Rng, bits = 2048): SeededRsaKey {
  const e = 65537n;
  const half = bits / 2;
  let p = seededPrime(rng, half, e);
  let q = seededPrime(rng, half, e);
  while (p === q) q = seededPrime(rng, half, e);
  if (p < q) [p, q] = [q, p];
  const phi = (p - 1n) * (q - 1n);
  const d = modInverse(e, phi);
  const n = p * q;
  const jwk = {
    kty: 'RSA',
    n: b64u(n),
    e: b64u(e),
    d: b64u(d),
    p: b64u(p),
    q: b64u(q),
    dp: b64u(d % (p - 1n)),
    dq: b64u(d % (q - 1n)),
    qi: b64u(modInverse(q, p)),
  };
  const privateKey = createPrivateKey({ format: 'jwk', key: jwk });
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKey, publicPem };
}
