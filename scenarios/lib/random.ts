/**
 * Seeded randomness for load scripts: a small PRNG and a zipfian sampler.
 * Pure (no k6 import), so Node tests check the distribution directly.
 *
 * k6's Math.random is not seedable per VU (k6's `randomSeed` seeds the whole
 * runtime), so each VU owns a generator seeded from (SEED, vu.idInTest): two
 * runs with the same seed and VU layout draw the same ids.
 */

/** A function returning uniform floats in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: a 32-bit state PRNG with full period 2^32 and good equidistribution
 * for load-test purposes (not cryptographic).
 */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes several integers into one 32-bit seed (FNV-1a over their bytes). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    let v = Math.floor(p) >>> 0;
    for (let i = 0; i < 4; i++) {
      h ^= v & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
      v >>>= 8;
    }
  }
  return h >>> 0;
}

/** Uniform integer in [min, max] (inclusive). */
export function uniformInt(rng: Rng, min: number, max: number): number {
  if (max <= min) return min;
  return min + Math.floor(rng() * (max - min + 1));
}

/**
 * Zipf(n, s) sampler returning ranks 1..n, rank 1 the most frequent:
 * P(k) proportional to 1 / k^s. Rejection-inversion (Hörmann and Derflinger,
 * "Rejection-inversion to generate variates from monotone discrete
 * distributions", 1996), as in Apache Commons RNG's
 * RejectionInversionZipfSampler: O(1) memory and expected O(1) time for any n,
 * so ranges of millions of rows cost nothing to set up.
 */
export class ZipfSampler {
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly sVal: number;

  constructor(
    readonly n: number,
    readonly exponent: number,
  ) {
    if (!(n >= 1) || !Number.isFinite(n)) throw new Error(`zipf: n must be >= 1, got ${n}`);
    if (!(exponent > 0)) throw new Error(`zipf: exponent must be > 0, got ${exponent}`);
    this.n = Math.floor(n);
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(this.n + 0.5);
    this.sVal = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  /** One rank in 1..n. */
  sample(rng: Rng): number {
    for (;;) {
      const u = this.hIntegralN + rng() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.sVal || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  private h(x: number): number {
    return Math.exp(-this.exponent * Math.log(x));
  }

  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.exponent) * logX) * logX;
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.exponent);
    if (t < -1) t = -1; // numerical safety, as in the reference implementation
    return Math.exp(helper1(t) * x);
  }
}

/** log1p(x)/x, accurate near 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** expm1(x)/x, accurate near 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}
