/**
 * The verdict on one figure: its value in this run against its values in
 * the reference's runs, on the figure's scale (scale.ts).
 *
 * With at least MIN_BASELINE_RUNS reference values (a baseline), a change is
 * a regression (or an improvement) only when it is
 *   1. larger than the minimum effect: a factor of 1 + tolerance on the scale, and
 *   2. outside the band one more run of the reference's build falls in with
 *      probability 1 − alpha/family: the prediction interval
 *      mean ± t(1 − alpha/(2·family), df) · s · √(1 + 1/n), with s the runs'
 *      spread moderated by its kind's (moderate.ts). That is p × family < alpha
 *      (Bonferroni over the baseline's judged figures: the chance that a run of
 *      the same build has any figure called a regression stays below alpha).
 *      A count of events must also be unusual by the Poisson test (stats.ts).
 * With fewer (one run against another) the spread is unknown: a change is
 * `unverified`, reported by its size only, unless a figure with a target is
 * worse by `failFactor` or more (default ×10), which no run-to-run noise on
 * a judged figure reaches.
 */
import type { Figure } from '../figure.ts';
import { MIN_BASELINE_RUNS } from './baseline.ts';
import type { Direction } from './direction.ts';
import { moderate, NO_PRIOR, type Prior } from './moderate.ts';
import { describeScale, effectText, fromScale, minimumEffect, scaleOf, toScale, type FigureScale } from './scale.ts';
import { sameScope, scopeText } from './scope.ts';
import { bandFactor, countP, formatP, predictionP } from './stats.ts';
import type { FigureChange, StatTest } from './types.ts';

/** What the reference says about one figure. */
export interface ReferenceFigure {
  label: string;
  unit: Figure['unit'];
  side: Figure['side'];
  higherIsBetter?: boolean;
  environment?: boolean;
  target?: Figure['target'];
  /** The reference's values: one (a run) or one per baseline run that had one. */
  values: number[];
  judgedOn: string[] | null;
  spread: FigureChange['spread'];
}

/** What every figure of one comparison is judged with. */
export interface JudgeContext {
  tolerance: number;
  alpha: number;
  /** Figures sharing alpha (Bonferroni). */
  family: number;
  failFactor: number;
  priorOf(kind: string): Prior;
}

/** The kind a figure's spread is moderated with: scale, unit and statistic (p95 with p95s). */
export function kindOf(id: string, unit: Figure['unit'], scale: FigureScale): string {
  const stat = /\.(avg|p50|p95|p99)$/.exec(id)?.[1] ?? 'value';
  return `${scale.kind}|${unit}|${stat}`;
}

/** Mean and sample variance. */
export function meanVar(xs: readonly number[]): { mean: number; s2: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const s2 = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, s2 };
}

const pct = (x: number) => `${+(x * 100).toFixed(1)} %`;
const sig = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

type Judged = Pick<FigureChange, 'reference' | 'delta' | 'change' | 'verdict' | 'why' | 'test'>;

/** How far the current value is from the reference runs, on the figure's scale. */
interface Move {
  scale: FigureScale;
  n: number;
  mean: number;
  s2: number;
  /** On the scale: current − mean. */
  delta: number;
  /** Beyond the minimum effect. */
  large: boolean;
  /** Whether the move is to the worse side; null for a figure without a better side. */
  worse: boolean | null;
  effect: string;
  /** The statistics shared by both ways of judging (filled in by each). */
  base: StatTest;
  out(verdict: FigureChange['verdict'], why: string, test: StatTest): Judged;
}

function moveOf(ref: ReferenceFigure, cur: number, direction: Direction, ctx: JudgeContext): Move {
  const scale = scaleOf(ref.unit, direction, ref.values);
  const xs = ref.values.map((v) => toScale(scale, v));
  const n = xs.length;
  const { mean, s2 } = meanVar(xs);
  const reference = fromScale(scale, mean);
  const delta = toScale(scale, cur) - mean;
  const raw = cur - reference;
  const change = reference !== 0 ? raw / Math.abs(reference) : raw === 0 ? 0 : raw > 0 ? Infinity : -Infinity;
  const base: StatTest = {
    method: '',
    scale: scale.kind,
    scaleText: describeScale(scale),
    factor: scale.kind === 'linear' ? null : Math.exp(delta),
    minFactor: 1 + ctx.tolerance,
    n: { reference: n, current: 1 },
    sd: null,
    sdModerated: null,
    df: null,
    priorDf: null,
    p: null,
    countP: null,
    pAdjusted: null,
    family: null,
    alpha: null,
    interval: null,
    failFactor: null,
  };
  return {
    scale,
    n,
    mean,
    s2,
    delta,
    large: Math.abs(delta) >= minimumEffect(scale, ctx.tolerance, mean),
    worse: scale.worseUp === null ? null : scale.worseUp ? delta > 0 : delta < 0,
    effect: effectText(scale.kind, delta, reference, cur),
    base,
    out: (verdict, why, test) => ({ reference, delta: raw, change, verdict, why, test }),
  };
}

/** Fewer than MIN_BASELINE_RUNS reference values: the effect alone, and the fail factor for a figure with a target. */
function byEffect(m: Move, targeted: boolean, ctx: JudgeContext): Judged {
  const runs = `${m.n} reference run${m.n === 1 ? '' : 's'}`;
  const test = { ...m.base, method: `effect size only (${runs}: no spread)`, failFactor: ctx.failFactor };
  if (!m.large) return m.out('unchanged', `${m.effect}, within the ${pct(ctx.tolerance)} minimum effect`, test);
  if (m.worse === null) return m.out('changed', `${m.effect}; this figure has no better side`, test);
  const word = m.worse ? 'worse' : 'better';
  const big = m.scale.kind !== 'linear' && Math.exp(Math.abs(m.delta)) >= ctx.failFactor;
  if (targeted && big)
    return m.out(
      m.worse ? 'regression' : 'improvement',
      `${m.effect}, ${word} by ×${ctx.failFactor} or more on a figure with a target: larger than run-to-run noise reaches, though ${runs} cannot show this figure's own`,
      test,
    );
  return m.out(
    'unverified',
    `${m.effect} (${word}); ${runs} cannot tell noise from change: not judged${targeted ? ` below ×${ctx.failFactor}` : ' (no target)'}`,
    test,
  );
}

/** A baseline's runs: the moderated prediction band at alpha / family, and the count test for counts of events. */
function byBand(
  id: string,
  m: Move,
  ref: ReferenceFigure,
  cur: number,
  direction: Direction,
  ctx: JudgeContext,
): Judged {
  const { n, mean, scale } = m;
  const prior = direction === 'none' ? NO_PRIOR : ctx.priorOf(kindOf(id, ref.unit, scale));
  const mod = moderate(m.s2, n - 1, prior);
  const s = Math.sqrt(mod.s2);
  const tP = predictionP(m.delta, s, n, mod.df);
  const cP = scale.kind === 'count' && direction === 'lower' ? countP(ref.values, cur) : null;
  const p = cP === null ? tP : Math.max(tP, cP);
  const pAdjusted = Math.min(1, p * ctx.family);
  const k = bandFactor(ctx.alpha / ctx.family, n, mod.df);
  const lo = fromScale(scale, mean - k * s);
  const hi = fromScale(scale, mean + k * s);
  const ends: [number, number] = lo <= hi ? [lo, hi] : [hi, lo];
  const test: StatTest = {
    ...m.base,
    method: `prediction interval of one more run from ${n} baseline runs (Student's t${prior.d0 > 0 ? ', spread moderated by its kind' : ''}${cP !== null ? '; and the Poisson count test' : ''}), Bonferroni over ${ctx.family} figures`,
    sd: Math.sqrt(m.s2),
    sdModerated: s,
    df: Number.isFinite(mod.df) ? mod.df : null,
    priorDf: Number.isFinite(prior.d0) ? prior.d0 : null,
    p,
    countP: cP,
    pAdjusted,
    family: ctx.family,
    alpha: ctx.alpha,
    interval: ends,
  };
  const band = `${sig(ends[0])} … ${sig(ends[1])}`;
  const pText = `p ${formatP(p)}, ×${ctx.family} figures ${formatP(pAdjusted)}`;
  if (!m.large) return m.out('unchanged', `${m.effect}, within the ${pct(ctx.tolerance)} minimum effect`, test);
  if (pAdjusted >= ctx.alpha)
    return m.out(
      'noise',
      `${m.effect}, inside the spread of ${n} baseline runs (band ${band}; ${pText} ≥ α ${ctx.alpha})`,
      test,
    );
  if (m.worse === null)
    return m.out('changed', `${m.effect}, outside the band ${band} (${pText}); no better side`, test);
  return m.out(
    m.worse ? 'regression' : 'improvement',
    `${m.effect} (${m.worse ? 'worse' : 'better'}), beyond the ${pct(ctx.tolerance)} minimum effect and outside the band of ${n} baseline runs (${band}; ${pText} < α ${ctx.alpha})`,
    test,
  );
}

/** The verdict on a figure both sides have a value of (see the file comment). */
export function judgeValues(
  id: string,
  ref: ReferenceFigure,
  cur: number,
  direction: Direction,
  targeted: boolean,
  ctx: JudgeContext,
): Judged {
  const m = moveOf(ref, cur, direction, ctx);
  return m.n < MIN_BASELINE_RUNS ? byEffect(m, targeted, ctx) : byBand(id, m, ref, cur, direction, ctx);
}

/** A figure measured on other scenarios than its reference: not judged. */
export function incomparable(
  current: readonly string[],
  reference: readonly string[] | null,
): Pick<FigureChange, 'verdict' | 'why'> | null {
  if (sameScope(current, reference)) return null;
  return {
    verdict: 'incomparable',
    why: `measured on scenarios ${scopeText(current)} here, on ${scopeText(reference ?? [])} in the reference: not the same samples, not judged`,
  };
}
