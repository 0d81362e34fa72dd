/**
 * compareRuns: per figure, the change from a reference (an earlier run or a
 * baseline of several runs) to the current run, and a verdict that accounts
 * for noise. A change beyond the tolerance (relative to the reference value)
 * in the worse direction (direction.ts) is a regression only when the
 * evidence says it is not noise:
 *   - run against run, a latency figure with per-request samples on both
 *     sides (samples.ts): the Mann–Whitney U test of the two sample sets
 *     (stats.ts) has p < α (default 0.01) after Holm's adjustment over the
 *     sample sets tested, and Cliff's delta points the same way as the
 *     figure; otherwise the change is `noise`, with its p-value;
 *   - against a baseline of n ≥ 2 runs: the value is outside the (1 − α)
 *     prediction interval of one more run, mean ± t(1 − α/2, n−1) · s · √(1 + 1/n)
 *     (Student's t from @stdlib), and outside the values the runs showed;
 *     otherwise `noise`;
 *   - with one run per side and no samples there is no spread to judge by:
 *     the change is reported as `unverified` (judged by tolerance only), not
 *     as a regression.
 * Improvements are judged the same way in the other direction.
 */
import type { Figure, Unit } from '../figure.ts';
import type { RunJson } from '../run-json.ts';
import { isBaseline, type Baseline, type BaselineFigure } from './baseline.ts';
import { directionOf, type Direction } from './direction.ts';
import { readRunSamples, sampleKeyOf, type RunSamples } from './samples.ts';
import { formatP, holm, MANN_WHITNEY, mannWhitney, predictionFactor, type RankTest } from './stats.ts';

export { predictionFactor };

export type Verdict =
  'regression' | 'improvement' | 'unchanged' | 'noise' | 'unverified' | 'new' | 'missing' | 'changed';

/** The statistics behind a verdict (JSON output; the table shows it in short). */
export interface StatTest {
  /** What was done: the rank test, the baseline's prediction interval, or tolerance only. */
  method: string;
  /** Two-sided p-value of the rank test. */
  p: number | null;
  /** `p` adjusted by Holm's method over the sample sets tested in the comparison (what is compared with α). */
  pAdjusted: number | null;
  /** How many sample sets were tested in the comparison (Holm's family). */
  family: number | null;
  alpha: number | null;
  /** Effect size of the rank test: P(current > reference) − P(current < reference). */
  cliffsDelta: number | null;
  /** The baseline's prediction interval (values inside it are noise). */
  interval: [number, number] | null;
  /** Samples a side (rank test), or baseline runs and 1 (prediction interval). */
  n: { reference: number; current: number } | null;
  /** Set when a side had more samples than this and was subsampled (seeded) to it. */
  subsampledTo: number | null;
}

export interface FigureChange {
  id: string;
  label: string;
  unit: Unit;
  side: Figure['side'];
  direction: Direction;
  /** The reference value: the earlier run's, or the baseline's mean. */
  reference: number | null;
  current: number | null;
  /** current − reference. */
  delta: number | null;
  /** delta ÷ |reference|; ±Infinity when the reference is 0 and the current value is not. */
  change: number | null;
  /** The baseline's spread, when the reference is a baseline. */
  spread: { n: number; min: number; max: number; stddev: number } | null;
  verdict: Verdict;
  /** One line saying why the verdict is what it is. */
  why: string;
  /** The statistics the verdict rests on; null for new, missing and unvalued figures. */
  test: StatTest | null;
}

export interface Comparison {
  current: { runId: string; profile: string; startedAt: string };
  reference: { kind: 'run' | 'baseline'; label: string; profile: string; runs: string[] };
  tolerance: number;
  /** Significance level of the rank test. */
  alpha: number;
  /** How the figures were judged, one line each (shown above the table). */
  methods: string[];
  rows: FigureChange[];
  counts: Record<Verdict, number>;
  /** True when at least one figure regressed. */
  regressed: boolean;
  /** Set when the two sides ran different profiles (figures may not be comparable). */
  warnings: string[];
}

interface RefFigure {
  label: string;
  unit: Unit;
  side: Figure['side'];
  higherIsBetter?: boolean;
  environment?: boolean;
  target?: Figure['target'];
  value: number | null;
  spread: FigureChange['spread'];
}

function referenceFigures(b: RunJson | Baseline): Map<string, RefFigure> {
  const m = new Map<string, RefFigure>();
  if (isBaseline(b)) {
    for (const [id, f] of Object.entries(b.figures) as Array<[string, BaselineFigure]>) {
      const spread = f.n > 0 ? { n: f.n, min: f.min!, max: f.max!, stddev: f.stddev! } : null;
      m.set(id, {
        label: f.label,
        unit: f.unit,
        side: f.side,
        higherIsBetter: f.higherIsBetter,
        environment: f.environment,
        target: f.target,
        value: f.mean,
        spread,
      });
    }
  } else {
    for (const f of b.figures)
      m.set(f.id, {
        label: f.label,
        unit: f.unit,
        side: f.side,
        higherIsBetter: f.higherIsBetter,
        environment: f.environment,
        target: f.target,
        value: f.value,
        spread: null,
      });
  }
  return m;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Below this many samples a side, the rank test's normal approximation is too rough: judged as if without samples. */
export const MIN_SAMPLES = 20;
/** The default significance level of the rank test. */
export const DEFAULT_ALPHA = 0.01;

/** The evidence a verdict rests on, beyond the tolerance. */
export interface Evidence {
  /** Per-request samples of both sides (run against run). */
  samples?: RankTest | null;
  /** The subsample bound, when a side had more samples than that. */
  subsampledTo?: number | null;
  /** `samples.p` adjusted for the number of sample sets tested (Holm), and that number. */
  pAdjusted?: number | null;
  family?: number | null;
  /** Significance level for `samples` (default 0.01). */
  alpha?: number;
}

/** The verdict for one figure present on both sides. */
export function judgeChange(
  ref: number | null,
  cur: number | null,
  direction: Direction,
  tolerance: number,
  spread: FigureChange['spread'],
  evidence: Evidence = {},
): Pick<FigureChange, 'delta' | 'change' | 'verdict' | 'why' | 'test'> {
  const alpha = evidence.alpha ?? DEFAULT_ALPHA;
  const rank = evidence.samples ?? null;
  const rankTest: StatTest | null = rank
    ? {
        method: MANN_WHITNEY,
        p: rank.p,
        pAdjusted: evidence.pAdjusted ?? rank.p,
        family: evidence.family ?? 1,
        alpha,
        cliffsDelta: rank.cliffsDelta,
        interval: null,
        n: rank.n,
        subsampledTo: evidence.subsampledTo ?? null,
      }
    : null;
  if (ref === null && cur === null)
    return { delta: null, change: null, verdict: 'unchanged', why: 'no value on either side', test: null };
  if (ref === null) return { delta: null, change: null, verdict: 'new', why: 'no value in the reference', test: null };
  if (cur === null) return { delta: null, change: null, verdict: 'missing', why: 'no value in this run', test: null };
  const delta = cur - ref;
  const change = ref !== 0 ? delta / Math.abs(ref) : delta === 0 ? 0 : delta > 0 ? Infinity : -Infinity;
  let test: StatTest | null = rankTest;
  if (!test && spread && spread.n > 1) {
    const k = predictionFactor(spread.n, alpha);
    // A quantity never seen below zero (times, counts, rates) cannot go negative: the band stops at 0.
    const lo = Math.max(spread.min >= 0 ? 0 : -Infinity, Math.min(spread.min, ref - k * spread.stddev));
    const hi = Math.max(spread.max, ref + k * spread.stddev);
    test = {
      method: `${+(100 * (1 - alpha)).toFixed(2)} % prediction interval of one more run from ${spread.n} baseline runs (Student's t, n − 1 = ${spread.n - 1}), widened to the values seen`,
      p: null,
      pAdjusted: null,
      family: null,
      alpha,
      cliffsDelta: null,
      interval: [lo, hi],
      n: { reference: spread.n, current: 1 },
      subsampledTo: null,
    };
  }
  if (Math.abs(change) <= tolerance)
    return { delta, change, verdict: 'unchanged', why: `within the ${pct(tolerance)} tolerance`, test };
  if (direction === 'none')
    return {
      delta,
      change,
      verdict: 'changed',
      why: `moved beyond the ${pct(tolerance)} tolerance; this figure has no better direction`,
      test,
    };
  const worse = direction === 'lower' ? delta > 0 : delta < 0;
  const word = worse ? (direction === 'lower' ? 'higher' : 'lower') : direction === 'lower' ? 'lower' : 'higher';
  const decided = (why: string) =>
    ({ delta, change, verdict: worse ? 'regression' : 'improvement', why, test }) as const;
  if (rank) {
    const counts = `n ${rank.n.reference} vs ${rank.n.current}${evidence.subsampledTo ? `, subsampled to ≤ ${evidence.subsampledTo} a side` : ''}`;
    const pAdj = evidence.pAdjusted ?? rank.p;
    const family = evidence.family ?? 1;
    const pText =
      family > 1
        ? `Mann–Whitney p ${formatP(rank.p)}, Holm-adjusted over ${family} sample sets p ${formatP(pAdj)}`
        : `Mann–Whitney p ${formatP(rank.p)}`;
    const d = `Cliff's δ ${rank.cliffsDelta >= 0 ? '+' : ''}${rank.cliffsDelta.toFixed(3)}`;
    if (pAdj >= alpha)
      return {
        delta,
        change,
        verdict: 'noise',
        why: `beyond the ${pct(tolerance)} tolerance but within noise: ${pText} ≥ α ${alpha} (${counts})`,
        test,
      };
    // The samples must have moved the same way as the figure (δ > 0: the current side is slower).
    const samplesWorse = direction === 'lower' ? rank.cliffsDelta > 0 : rank.cliffsDelta < 0;
    if (samplesWorse !== worse)
      return {
        delta,
        change,
        verdict: 'noise',
        why: `beyond the ${pct(tolerance)} tolerance, but the samples moved the other way (${pText}, ${d}; ${counts})`,
        test,
      };
    return decided(`${word} by more than the ${pct(tolerance)} tolerance; ${pText} < α ${alpha}, ${d} (${counts})`);
  }
  if (test && spread && spread.n > 1) {
    const [lo, hi] = test.interval!;
    if (cur >= lo && cur <= hi)
      return {
        delta,
        change,
        verdict: 'noise',
        why: `beyond the tolerance but inside the spread of ${spread.n} baseline runs (${lo.toPrecision(4)} … ${hi.toPrecision(4)})`,
        test,
      };
    return decided(
      `${word} by more than the ${pct(tolerance)} tolerance and outside the spread of ${spread.n} baseline runs (${lo.toPrecision(4)} … ${hi.toPrecision(4)})`,
    );
  }
  // One run (or a baseline of one run) on the reference side and no samples: nothing tells noise from change.
  return {
    delta,
    change,
    verdict: 'unverified',
    why: `${word} by more than the ${pct(tolerance)} tolerance; one run per side: no spread, judged by tolerance only (not called a ${worse ? 'regression' : 'improvement'})`,
    test: {
      method: 'tolerance only (one run per side, no samples)',
      p: null,
      pAdjusted: null,
      family: null,
      alpha: null,
      cliffsDelta: null,
      interval: null,
      n: null,
      subsampledTo: null,
    },
  };
}

export interface CompareOptions {
  /** A fraction (0.1 = 10 %; config results.regressionTolerance). */
  tolerance: number;
  /** Significance level of the rank test (default 0.01). */
  alpha?: number;
  /** Per-request samples of both sides (samples.ts), for run-against-run comparisons. */
  samples?: { reference: RunSamples; current: RunSamples } | null;
}

/**
 * Compares the `current` run with a reference: an earlier run or a baseline.
 * With `samples` (run against run), latency figures are judged by the rank
 * test of their samples; see the file comment for the rest.
 */
export function compareRuns(current: RunJson, reference: RunJson | Baseline, opts: CompareOptions): Comparison {
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const ref = referenceFigures(reference);
  const baseline = isBaseline(reference);
  const samples = baseline ? null : (opts.samples ?? null);
  // One rank test per sample set: several figures (avg, p50, p95, p99) share one.
  // All are run first, so their p-values can be adjusted as one family (Holm).
  type SetTest = { rank: RankTest; subsampledTo: number | null; pAdjusted: number };
  const tests = new Map<string, SetTest | null>();
  if (samples) {
    for (const f of current.figures) {
      const key = sampleKeyOf(f.id);
      if (key === null || tests.has(key) || !ref.has(f.id)) continue;
      const a = samples.reference.sets.get(key);
      const b = samples.current.sets.get(key);
      if (!a || !b || a.values.length < MIN_SAMPLES || b.values.length < MIN_SAMPLES) {
        tests.set(key, null);
        continue;
      }
      const sub = a.seen > a.values.length || b.seen > b.values.length;
      tests.set(key, {
        rank: mannWhitney(a.values, b.values),
        subsampledTo: sub ? Math.max(samples.reference.maxPerSide, samples.current.maxPerSide) : null,
        pAdjusted: NaN,
      });
    }
  }
  const tested = [...tests.values()].filter((t): t is SetTest => t !== null);
  holm(tested.map((t) => t.rank.p)).forEach((p, i) => (tested[i].pAdjusted = p));
  const rankTestOf = (id: string) => {
    const key = sampleKeyOf(id);
    return key === null ? null : (tests.get(key) ?? null);
  };
  const rows: FigureChange[] = [];
  const seen = new Set<string>();
  for (const f of current.figures) {
    seen.add(f.id);
    const r = ref.get(f.id);
    const direction = directionOf({
      id: f.id,
      unit: f.unit,
      higherIsBetter: f.higherIsBetter ?? r?.higherIsBetter,
      environment: f.environment ?? r?.environment,
      target: f.target ?? r?.target,
    });
    const base = { id: f.id, label: f.label, unit: f.unit, side: f.side, direction, current: f.value };
    if (!r) {
      rows.push({
        ...base,
        reference: null,
        delta: null,
        change: null,
        spread: null,
        verdict: 'new',
        why: 'not in the reference',
        test: null,
      });
      continue;
    }
    const t = rankTestOf(f.id);
    rows.push({
      ...base,
      reference: r.value,
      spread: r.spread,
      ...judgeChange(r.value, f.value, direction, opts.tolerance, r.spread, {
        samples: t?.rank ?? null,
        subsampledTo: t?.subsampledTo ?? null,
        pAdjusted: t?.pAdjusted ?? null,
        family: tested.length,
        alpha,
      }),
    });
  }
  for (const [id, r] of ref) {
    if (seen.has(id)) continue;
    rows.push({
      id,
      label: r.label,
      unit: r.unit,
      side: r.side,
      direction: directionOf({ id, ...r }),
      reference: r.value,
      current: null,
      delta: null,
      change: null,
      spread: r.spread,
      verdict: 'missing',
      why: 'not in this run',
      test: null,
    });
  }
  const counts = {
    regression: 0,
    improvement: 0,
    unchanged: 0,
    noise: 0,
    unverified: 0,
    new: 0,
    missing: 0,
    changed: 0,
  } as Record<Verdict, number>;
  for (const r of rows) counts[r.verdict]++;
  const refInfo = baseline
    ? {
        kind: 'baseline' as const,
        label: `baseline of ${reference.runs.length} run(s)`,
        profile: reference.profile,
        runs: reference.runs.map((r) => r.runId),
      }
    : { kind: 'run' as const, label: `run ${reference.runId}`, profile: reference.profile, runs: [reference.runId] };
  const warnings =
    refInfo.profile !== current.profile
      ? [`profiles differ: this run '${current.profile}', reference '${refInfo.profile}'`]
      : [];
  const methods: string[] = [];
  if (baseline) {
    const n = reference.runs.length;
    methods.push(
      n >= 2
        ? `against a baseline of ${n} runs: a change beyond the tolerance is a regression only outside the ${+(100 * (1 - alpha)).toFixed(2)} % prediction interval of one more run (α ${alpha}; Student's t with ${n - 1} degrees of freedom) and the values the runs showed`
        : 'the baseline has one run: no spread, judged by tolerance only; changes beyond it are reported as unverified, not as regressions',
    );
    if (n === 2) methods.push('two baseline runs give a very rough spread; three or more are better');
  } else {
    if (tested.length) {
      const sub = tested.some((t) => t.subsampledTo !== null);
      methods.push(
        `latency figures with per-request samples on both sides (${tested.length} sample sets tested): ${MANN_WHITNEY}; p-values adjusted by Holm's method over the ${tested.length} sets; a regression needs an adjusted p < α ${alpha} and a change beyond the tolerance the same way as the samples moved (Cliff's δ)${sub ? `; sample sets larger than ${samples!.current.maxPerSide} a side were subsampled to that many (uniform, seeded: the same files give the same result)` : ''}`,
      );
    } else {
      methods.push(
        samples
          ? 'no per-request samples on both sides (the k6 streams are missing or too small): every figure is judged by tolerance only'
          : 'no per-request samples were read: every figure is judged by tolerance only',
      );
    }
    methods.push(
      'figures without samples (rates, counts, server-side): one run per side cannot tell noise from change; judged by tolerance only and reported as unverified, not as regressions (a baseline of several runs gives them a spread: acgs-load baseline save)',
    );
  }
  return {
    current: { runId: current.runId, profile: current.profile, startedAt: current.startedAt },
    reference: refInfo,
    tolerance: opts.tolerance,
    alpha,
    methods,
    rows,
    counts,
    regressed: counts.regression > 0,
    warnings,
  };
}

/**
 * compareRuns with the per-request samples read from both results folders
 * when the reference is a run (`referenceDir`: its results folder; null or a
 * baseline: no samples).
 */
export async function compareRunDirs(
  current: RunJson,
  currentDir: string,
  reference: RunJson | Baseline,
  referenceDir: string | null,
  opts: Omit<CompareOptions, 'samples'> & { maxSamples?: number },
): Promise<Comparison> {
  let samples: CompareOptions['samples'] = null;
  if (!isBaseline(reference) && referenceDir !== null) {
    const o = { maxPerSide: opts.maxSamples };
    samples = {
      reference: await readRunSamples(referenceDir, reference, o),
      current: await readRunSamples(currentDir, current, o),
    };
  }
  return compareRuns(current, reference, { ...opts, samples });
}
