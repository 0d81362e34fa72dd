/**
 * The statistics compare rests on, with the distributions from @stdlib (no
 * hand-typed tables). The unit is a run: every figure is one value per run.
 *
 *  - predictionP: how unusual one more run's value is, given n earlier runs
 *    of the same build. On the figure's scale (scale.ts) the runs are taken
 *    as normal with an unknown spread, so (y − mean) / (s · √(1 + 1/n)) has
 *    Student's t distribution with the variance's degrees of freedom (n − 1,
 *    or more once moderated: moderate.ts). Two-sided p.
 *  - bandFactor: the half-width of the matching prediction interval, in s.
 *  - countP: a count of events (violations, deadlocks) against the counts
 *    of n baseline runs, by the conditional test of two Poisson rates: given
 *    the total S + y, the current run's share is Binomial(S + y, 1/(n + 1))
 *    when every run has the same rate. Exact, and meaningful where the
 *    t-test is not: a baseline that never saw one has no spread at all.
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Degrees of freedom above this are taken as this many (the t distribution is then the normal one; @stdlib wants a finite value). */
const MAX_DF = 1e9;
const dfOf = (df: number) => Math.min(df, MAX_DF);

/**
 * Two-sided p-value of a new run `delta` away from the mean of `n` runs, on a
 * scale where their spread is `s` with `df` degrees of freedom. A spread of
 * 0 makes any move infinitely unusual (p 0) and no move p 1.
 */
export function predictionP(delta: number, s: number, n: number, df: number): number {
  if (delta === 0) return 1;
  if (!(s > 0)) return 0;
  const t = Math.abs(delta) / (s * Math.sqrt(1 + 1 / n));
  return Math.min(1, 2 * (1 - tCdf(t, dfOf(df))));
}

/** Half-width, in s, of the two-sided (1 − alpha) prediction interval of one more run: t(1 − alpha/2, df) · √(1 + 1/n). */
export function bandFactor(alpha: number, n: number, df: number): number {
  if (n < 1 || !(df > 0)) return Infinity;
  return tQuantile(1 - alpha / 2, dfOf(df)) * Math.sqrt(1 + 1 / n);
}

/**
 * Two-sided p-value of a count `y` against the counts of `n` baseline runs
 * (the conditional binomial test of equal Poisson rates). Counts are
 * rounded to whole events.
 */
export function countP(baseline: readonly number[], y: number): number {
  const n = baseline.length;
  if (n === 0) return 1;
  const x = Math.round(Math.max(0, y));
  const total = baseline.reduce((a, b) => a + Math.round(Math.max(0, b)), 0) + x;
  if (total === 0) return 1;
  const p = 1 / (n + 1);
  const atLeast = x === 0 ? 1 : 1 - binomialCdf(x - 1, total, p);
  const atMost = binomialCdf(x, total, p);
  return Math.min(1, 2 * Math.min(atLeast, atMost));
}

/** A p-value as text: 2 significant digits, or "< 1e-12". */
export function formatP(p: number): string {
  if (p < 1e-12) return '< 1e-12';
  if (p < 0.001) return `= ${p.toExponential(1)}`;
  return `= ${p.toPrecision(2)}`;
}
