/**
 * The statistics compare rests on, with the distributions taken from
 * @stdlib (no hand-typed tables):
 *
 *  - mannWhitney: the Mann–Whitney U (Wilcoxon rank-sum) test of two sets of
 *    per-request samples, two-sided, by the normal approximation with the
 *    tie correction and without a continuity correction (the samples number
 *    in the hundreds to tens of thousands, where the approximation is close;
 *    for two groups it is the Kruskal–Wallis test, which the unit tests check
 *    it against). The effect size is Cliff's delta (= the rank-biserial
 *    correlation): P(current > reference) − P(current < reference).
 *    Several sample sets are tested in one comparison, so their p-values are
 *    adjusted by Holm's method (@stdlib/stats-padjust): the chance of any
 *    false regression in a comparison stays below α.
 *  - predictionFactor: the (1 − α) prediction interval of one more run from
 *    n runs' mean and sample standard deviation, mean ± t(1 − α/2, n−1) · s ·
 *    √(1 + 1/n), with Student's t quantile from @stdlib.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import padjust from '@stdlib/stats-padjust';

export const MANN_WHITNEY =
  'Mann–Whitney U, two-sided, normal approximation with tie correction (no continuity correction)';

export interface RankTest {
  /** U of the current side: pairs with current > reference, plus half the ties. */
  u: number;
  z: number;
  /** Two-sided p-value. */
  p: number;
  /** Cliff's delta: P(current > reference) − P(current < reference), in −1 … 1. */
  cliffsDelta: number;
  n: { reference: number; current: number };
}

/** Mann–Whitney U test of `current` against `reference` (see the file comment). Needs at least one value a side. */
export function mannWhitney(reference: ArrayLike<number>, current: ArrayLike<number>): RankTest {
  const n1 = reference.length;
  const n2 = current.length;
  if (n1 === 0 || n2 === 0) throw new Error('mannWhitney needs samples on both sides');
  const n = n1 + n2;
  // Values and which side they came from, sorted by value; ties get the mean of their ranks.
  const v = new Float64Array(n);
  for (let i = 0; i < n1; i++) v[i] = reference[i];
  for (let i = 0; i < n2; i++) v[n1 + i] = current[i];
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => v[a] - v[b]);
  let rankSumCurrent = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && v[order[j]] === v[order[i]]) j++;
    const rank = (i + 1 + j) / 2; // mean of ranks i+1 … j
    const t = j - i;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k < j; k++) if (order[k] >= n1) rankSumCurrent += rank;
    i = j;
  }
  const u = rankSumCurrent - (n2 * (n2 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - (n > 1 ? tieTerm / (n * (n - 1)) : 0));
  const z = variance > 0 ? (u - mean) / Math.sqrt(variance) : 0;
  const p = variance > 0 ? Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1)) : 1;
  return { u, z, p, cliffsDelta: (2 * u) / (n1 * n2) - 1, n: { reference: n1, current: n2 } };
}

/**
 * Half-width of the (1 − alpha) prediction interval for one more run, in
 * standard deviations, from n ≥ 2 runs: t(1 − alpha/2, n − 1) · √(1 + 1/n).
 */
export function predictionFactor(n: number, alpha = 0.05): number {
  if (n < 2) return Infinity;
  return tQuantile(1 - alpha / 2, n - 1) * Math.sqrt(1 + 1 / n);
}

/** Holm's step-down adjustment of p-values for a family of tests (@stdlib/stats-padjust). */
export function holm(p: number[]): number[] {
  return p.length ? padjust(p, 'holm') : [];
}

/** A p-value as text: 3 significant digits, or "< 1e-12". */
export function formatP(p: number): string {
  if (p < 1e-12) return '< 1e-12';
  if (p < 0.001) return `= ${p.toExponential(1)}`;
  return `= ${p.toPrecision(2)}`;
}
