/**
 * Whether a candidate change point is significant: the permutation test of
 * E-divisive (Matteson & James 2014, section 3.2; as MongoDB's
 * signal-processing-algorithms and Apache Otava run it) or, where a history
 * is too short for a permutation test to reach α at all, Student's t-test
 * between the two sides, as Apache Otava (Hunter, Fleming et al. 2023) does.
 */
import mt19937 from '@stdlib/random-base-mt19937';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { bestSplit } from './energy.ts';

/**
 * The permutation test's p-value for a statistic: (k + 1) / (R + 1) with k of
 * R permuted statistics as large (Phipson & Smyth 2010), the observed order
 * counted as one of the permutations. MongoDB's and Otava's k / (R + 1) can
 * say 0 and, at α = 0.01 with 199 permutations, calls about twice as many
 * unchanged figures changed as α says.
 */
export interface PermutationResult {
  pValue: number;
  permutations: number;
  asLarge: number;
}

/** A seeded source of uniform numbers in [0, 1): the same seed, the same permutations. */
export function seededUniform(seed: number): () => number {
  const gen = mt19937.factory({ seed });
  return () => gen() / 2 ** 32;
}

/** Fisher–Yates shuffle in place. */
function shuffle(a: Float64Array, rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/**
 * The permutation test of a candidate with statistic `q` found over the
 * clusters [bounds[i], bounds[i+1]): R times, the values are shuffled within
 * each cluster and the largest Q̂ over all clusters is recorded; the p-value
 * is (1 + the count of those ≥ q) over R + 1. A permutation that rebuilds the same
 * two sets gives the same Q̂ up to rounding, so "as large" allows a relative
 * 1e-9: a tie is counted, not lost to the order of a sum.
 */
export function permutationTest(
  values: readonly number[],
  bounds: readonly number[],
  q: number,
  permutations: number,
  rand: () => number,
): PermutationResult {
  const clusters = bounds
    .slice(0, -1)
    .map((a, i) => Float64Array.from(values.slice(a, bounds[i + 1])))
    .filter((c) => c.length >= 2);
  const floor = q - Math.abs(q) * 1e-9;
  let asLarge = 0;
  for (let r = 0; r < permutations; r++) {
    let max = -Infinity;
    for (const c of clusters) {
      shuffle(c, rand);
      const b = bestSplit(c);
      if (b && b.qhat > max) max = b.qhat;
    }
    if (max >= floor) asLarge++;
  }
  return { pValue: (asLarge + 1) / (permutations + 1), permutations, asLarge };
}

/**
 * The smallest p-value a permutation test can give for a split of L values
 * into k and L − k: only the orders that rebuild the same two sets (either
 * first) reach the observed Q̂ of a clean step, 2 · k!(L−k)!/L! = 2 / C(L, k).
 * Six runs split 3 + 3: 0.1, so no permutation test marks a change there at 0.05.
 */
export function permutationFloor(L: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (L - k + i)) / i;
  return Math.min(1, 2 / c);
}

/**
 * Student's t-test (pooled variance, two-sided) between the values before and
 * after a candidate, times the number of places the split could have been
 * (L − 1, Bonferroni): the candidate is the best of them, so its raw p-value
 * would overstate the evidence.
 */
export function splitTTest(
  left: readonly number[],
  right: readonly number[],
): { pValue: number; t: number; df: number } {
  const n1 = left.length;
  const n2 = right.length;
  const df = n1 + n2 - 2;
  const mean = (s: readonly number[]) => s.reduce((a, b) => a + b, 0) / s.length;
  const m1 = mean(left);
  const m2 = mean(right);
  if (df < 1) return { pValue: 1, t: 0, df: Math.max(0, df) };
  const ss = (s: readonly number[], m: number) => s.reduce((a, b) => a + (b - m) ** 2, 0);
  const pooled = (ss(left, m1) + ss(right, m2)) / df;
  const se = Math.sqrt(pooled * (1 / n1 + 1 / n2));
  if (se === 0) return { pValue: m1 === m2 ? 1 : 0, t: m1 === m2 ? 0 : Infinity, df };
  const t = (m2 - m1) / se;
  const raw = 2 * (1 - tCdf(Math.abs(t), df));
  return { pValue: Math.min(1, raw * (n1 + n2 - 1)), t, df };
}
