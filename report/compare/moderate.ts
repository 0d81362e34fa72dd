/**
 * A figure's run-to-run spread from five runs is itself a rough guess: its
 * variance has 4 degrees of freedom, so Student's t, and with it the band a
 * new run must leave to be a regression, is wide. Figures of one kind (every
 * query p95, every success rate) vary by similar proportions, so each
 * figure's variance is moderated towards the typical variance of its kind,
 * by as much as the kind's figures agree: the empirical Bayes estimator of
 * Smyth (2004), "Linear models and empirical Bayes methods for assessing
 * differential expression in microarray experiments" (limma's squeezeVar,
 * made for the same problem: thousands of features, a few replicates).
 *
 * The variances s²_g (d_g degrees of freedom) of a kind are taken to come
 * from a scaled inverse χ² prior with d0 degrees of freedom around s0²;
 * fitPrior estimates d0 and s0² by the moments of log s²_g:
 *   e_g = log s²_g − ψ(d_g/2) + log(d_g/2)
 *   mean(e) = log s0² − ψ(d0/2) + log(d0/2)
 *   var(e) − mean ψ'(d_g/2) = ψ'(d0/2)
 * and each figure's moderated variance is (d0 s0² + d_g s²_g) / (d0 + d_g),
 * with d0 + d_g degrees of freedom. Unlike limma, d0 is estimated
 * conservatively (from the excess variance plus one standard error), as a
 * kind here has tens of figures, not thousands. Figures whose spreads disagree give a
 * small d0 (each keeps about its own spread); figures that agree give a
 * large one (their common spread, known well). Zero variances (a figure the
 * same in every run) are left out of the fit and get the prior's share.
 */
import digamma from '@stdlib/math-base-special-digamma';
import trigamma from '@stdlib/math-base-special-trigamma';

/** The prior of a kind of figures: d0 degrees of freedom around the variance s0². */
export interface Prior {
  /** 0: no moderation (fewer than MIN_FIGURES figures with a spread); Infinity: the kind's figures share one spread. */
  d0: number;
  s0sq: number;
  /** How many figures' variances the prior was fitted on. */
  figures: number;
}

/** Below this many figures with a spread, a kind gets no prior: each figure keeps its own spread. */
export const MIN_FIGURES = 3;

/** No moderation. */
export const NO_PRIOR: Prior = { d0: 0, s0sq: 0, figures: 0 };

/** ψ'⁻¹(x): the y > 0 with trigamma(y) = x, by bisection on log y (trigamma falls from +∞ to 0). */
export function trigammaInverse(x: number): number {
  if (!(x > 0)) return NaN;
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
    const mid = (lo + hi) / 2;
    if (trigamma(Math.exp(mid)) > x) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** Fits the prior of a kind from its figures' variances (s2) and their degrees of freedom (df = runs − 1). */
export function fitPrior(vars: ReadonlyArray<{ s2: number; df: number }>): Prior {
  const ok = vars.filter((v) => v.df > 0 && Number.isFinite(v.s2) && v.s2 > 0);
  const g = ok.length;
  if (g < MIN_FIGURES) return { ...NO_PRIOR, figures: g };
  const e = ok.map((v) => Math.log(v.s2) - digamma(v.df / 2) + Math.log(v.df / 2));
  const mean = e.reduce((a, b) => a + b, 0) / g;
  const spread = e.reduce((a, b) => a + (b - mean) ** 2, 0) / (g - 1);
  const chance = ok.reduce((a, v) => a + trigamma(v.df / 2), 0) / g;
  // The excess over chance is estimated from a few dozen figures, and an estimate at or below 0 would
  // give every figure of the kind one spread (d0 = ∞), a figure noisier than its kind a band too narrow.
  // So d0 is taken from the excess plus one standard error of the sample variance (√(2/(g − 1)) of it):
  // a kind of few figures is moderated less; only figures whose spreads are all equal share one.
  const excess = Math.max(0, spread - chance) + spread * Math.sqrt(2 / (g - 1));
  if (!(excess > 0)) return { d0: Infinity, s0sq: Math.exp(mean), figures: g };
  const d0 = 2 * trigammaInverse(excess);
  return { d0, s0sq: Math.exp(mean + digamma(d0 / 2) - Math.log(d0 / 2)), figures: g };
}

/** A figure's moderated variance and its degrees of freedom. */
export function moderate(s2: number, df: number, prior: Prior): { s2: number; df: number } {
  if (prior.d0 === 0 || prior.figures < MIN_FIGURES) return { s2, df };
  if (prior.d0 === Infinity) return { s2: prior.s0sq, df: Infinity };
  return { s2: (prior.d0 * prior.s0sq + df * s2) / (prior.d0 + df), df: prior.d0 + df };
}
