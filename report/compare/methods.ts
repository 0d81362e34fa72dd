/**
 * The lines above a comparison that say how its figures were judged, so a
 * reader of the table (or of a pull-request comment) need not open the docs
 * to know what a verdict means.
 */
import { MIN_BASELINE_RUNS, RECOMMENDED_BASELINE_RUNS, type Baseline } from './baseline.ts';
import type { Comparison } from './types.ts';

const pct = (x: number) => `${+(x * 100).toFixed(1)} %`;

/** The method lines of a comparison (`baseline`: the reference when it is one). */
export function methodLines(c: Comparison, baseline: Baseline | null): string[] {
  const scales =
    'each figure is one value per run, compared on its own scale: latencies, throughputs and counts by their logarithm (a change is a factor), rates whose better side is higher by their complement (success by its failures, the hit rate by its misses: 0.1 % → 10 % failures is ×100), environment facts (the preflight round trips) without a better side; a figure is compared only with values measured on the same scenarios (targets.judgedOn)';
  const lines = [scales];
  if (baseline) {
    const n = baseline.runs.length;
    if (n >= MIN_BASELINE_RUNS)
      lines.push(
        `against a baseline of ${n} runs: a change is a regression only when it is larger than the minimum effect (×${+(1 + c.tolerance).toFixed(3)}, the ${pct(c.tolerance)} tolerance) and outside the band one more run of the baseline's build falls in with probability 1 − α/m: Student's t prediction interval from the ${n} runs, each figure's spread moderated towards its kind's (empirical Bayes, as limma), family-wise α ${c.alpha} shared by the m = ${c.family} judged figures (Bonferroni), so a run of the same build is called a regression with probability below ${c.alpha}; counts of events must also pass the Poisson count test`,
      );
    if (n < RECOMMENDED_BASELINE_RUNS)
      lines.push(
        n < MIN_BASELINE_RUNS
          ? `the baseline has ${n} run(s), fewer than ${MIN_BASELINE_RUNS}: no figure has a spread, so every figure is judged as one run against another (below)`
          : `the baseline has ${n} runs; ${RECOMMENDED_BASELINE_RUNS} give each figure's spread more degrees of freedom and a narrower band`,
      );
    if (Object.values(baseline.figures).some((f) => f.judgedOn === null))
      lines.push('the baseline file (schema 1) does not record the scenarios of its figures: they were not checked');
  }
  if (!baseline || baseline.runs.length < MIN_BASELINE_RUNS)
    lines.push(
      `one run against one run cannot tell noise from change: changes are reported by their size (a factor on the figure's scale) and called unverified; only a figure with a target that is worse by ×${c.failFactor} or more (--fail-factor) is called a regression. For verdicts, compare with a baseline of ${RECOMMENDED_BASELINE_RUNS} runs (acgs-load baseline save)`,
    );
  return lines;
}
