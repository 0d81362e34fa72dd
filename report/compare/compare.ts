/**
 * compareRuns: per figure, the change from a reference (an earlier run or a
 * baseline of several runs) to the current run, and a verdict that accounts
 * for noise. A change is a regression only when it is
 *   (a) in the worse direction (see direction.ts),
 *   (b) larger than the tolerance, relative to the reference value, and
 *   (c) outside the spread the baseline's repeated runs showed: beyond the
 *       worst value seen and beyond the 95 % prediction interval of one more
 *       run, mean ± t(0.975, n−1) · s · √(1 + 1/n) (Student's t, as a few
 *       runs give only a rough estimate s of the standard deviation).
 * A change that passes (a) and (b) but not (c) is `noise`; improvements are
 * judged the same way in the other direction. With a single run as the
 * reference there is no spread, so (c) always holds.
 */
import type { Figure, Unit } from '../figure.ts';
import type { RunJson } from '../run-json.ts';
import { isBaseline, type Baseline, type BaselineFigure } from './baseline.ts';
import { directionOf, type Direction } from './direction.ts';

export type Verdict = 'regression' | 'improvement' | 'unchanged' | 'noise' | 'new' | 'missing' | 'changed';

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
}

export interface Comparison {
  current: { runId: string; profile: string; startedAt: string };
  reference: { kind: 'run' | 'baseline'; label: string; profile: string; runs: string[] };
  tolerance: number;
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
        target: f.target,
        value: f.value,
        spread: null,
      });
  }
  return m;
}

/** Student's t quantile 0.975 for 1..30 degrees of freedom (beyond: the normal 1.96). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Half-width of the 95 % prediction interval for one more run, in standard deviations, from n runs. */
export function predictionFactor(n: number): number {
  const t = n - 1 <= T975.length ? T975[n - 2] : 1.96;
  return t * Math.sqrt(1 + 1 / n);
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The verdict for one figure present on both sides. */
export function judgeChange(
  ref: number | null,
  cur: number | null,
  direction: Direction,
  tolerance: number,
  spread: FigureChange['spread'],
): Pick<FigureChange, 'delta' | 'change' | 'verdict' | 'why'> {
  if (ref === null && cur === null)
    return { delta: null, change: null, verdict: 'unchanged', why: 'no value on either side' };
  if (ref === null) return { delta: null, change: null, verdict: 'new', why: 'no value in the reference' };
  if (cur === null) return { delta: null, change: null, verdict: 'missing', why: 'no value in this run' };
  const delta = cur - ref;
  const change = ref !== 0 ? delta / Math.abs(ref) : delta === 0 ? 0 : delta > 0 ? Infinity : -Infinity;
  if (Math.abs(change) <= tolerance)
    return { delta, change, verdict: 'unchanged', why: `within the ${pct(tolerance)} tolerance` };
  if (direction === 'none')
    return {
      delta,
      change,
      verdict: 'changed',
      why: `moved beyond the ${pct(tolerance)} tolerance; this figure has no better direction`,
    };
  const worse = direction === 'lower' ? delta > 0 : delta < 0;
  if (spread && spread.n > 1) {
    const k = predictionFactor(spread.n);
    // A quantity never seen below zero (times, counts, rates) cannot go negative: the band stops at 0.
    const lo = Math.max(spread.min >= 0 ? 0 : -Infinity, Math.min(spread.min, ref - k * spread.stddev));
    const hi = Math.max(spread.max, ref + k * spread.stddev);
    if (cur >= lo && cur <= hi) {
      return {
        delta,
        change,
        verdict: 'noise',
        why: `beyond the tolerance but inside the spread of ${spread.n} baseline runs (${lo.toPrecision(4)} … ${hi.toPrecision(4)})`,
      };
    }
  }
  const outside = spread && spread.n > 1 ? ` and outside the spread of ${spread.n} baseline runs` : '';
  return worse
    ? {
        delta,
        change,
        verdict: 'regression',
        why: `${direction === 'lower' ? 'higher' : 'lower'} by more than the ${pct(tolerance)} tolerance${outside}`,
      }
    : {
        delta,
        change,
        verdict: 'improvement',
        why: `${direction === 'lower' ? 'lower' : 'higher'} by more than the ${pct(tolerance)} tolerance${outside}`,
      };
}

/**
 * Compares the `current` run with a reference: an earlier run or a baseline.
 * `tolerance` is a fraction (0.1 = 10 %; config results.regressionTolerance).
 */
export function compareRuns(current: RunJson, reference: RunJson | Baseline, opts: { tolerance: number }): Comparison {
  const ref = referenceFigures(reference);
  const rows: FigureChange[] = [];
  const seen = new Set<string>();
  for (const f of current.figures) {
    seen.add(f.id);
    const r = ref.get(f.id);
    const direction = directionOf({
      id: f.id,
      unit: f.unit,
      higherIsBetter: f.higherIsBetter ?? r?.higherIsBetter,
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
      });
      continue;
    }
    rows.push({
      ...base,
      reference: r.value,
      spread: r.spread,
      ...judgeChange(r.value, f.value, direction, opts.tolerance, r.spread),
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
    });
  }
  const counts = { regression: 0, improvement: 0, unchanged: 0, noise: 0, new: 0, missing: 0, changed: 0 } as Record<
    Verdict,
    number
  >;
  for (const r of rows) counts[r.verdict]++;
  const refInfo = isBaseline(reference)
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
  return {
    current: { runId: current.runId, profile: current.profile, startedAt: current.startedAt },
    reference: refInfo,
    tolerance: opts.tolerance,
    rows,
    counts,
    regressed: counts.regression > 0,
    warnings,
  };
}
