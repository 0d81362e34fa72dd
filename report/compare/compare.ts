/**
 * compareRuns: per figure, the change from a reference to the current run
 * and a verdict that treats a run as the unit (docs/comparing.md). Each
 * figure is one value per run; the reference is
 *   - a baseline of several runs of a known-good build: the current value
 *     against the spread of the baseline's values (judge.ts), with the
 *     family-wise alpha shared by the baseline's judged figures; or
 *   - one earlier run: one run a side cannot tell noise from change, so
 *     changes are reported by their size, and only a figure with a target
 *     that is worse by the fail factor (×10) or more is a regression.
 * A figure is judged only against values measured on the same scenarios
 * (scope.ts). Everything the band depends on (scales, moderated spreads,
 * the family) comes from the reference alone, so what a run adds (a
 * scenario, a figure) cannot move the verdict on another figure.
 */
import type { RunJson } from '../run-json.ts';
import { isBaseline, MIN_BASELINE_RUNS, type Baseline } from './baseline.ts';
import { directionOf } from './direction.ts';
import { incomparable, judgeValues, kindOf, meanVar, type JudgeContext, type ReferenceFigure } from './judge.ts';
import { fitPrior, NO_PRIOR, type Prior } from './moderate.ts';
import { scaleOf, toScale } from './scale.ts';
import { scopeOf, scopeText } from './scope.ts';
import { VERDICTS, type Comparison, type FigureChange, type KindPrior, type Verdict } from './types.ts';
import { methodLines } from './methods.ts';

/** The default family-wise significance level (config results.regressionAlpha). */
export const DEFAULT_ALPHA = 0.01;
/** One run a side: the default factor beyond which a figure with a target is a regression anyway. */
export const DEFAULT_FAIL_FACTOR = 10;

export interface CompareOptions {
  /** The minimum effect, a fraction (0.1 = ×1.1; config results.regressionTolerance). */
  tolerance: number;
  /** Family-wise significance level (default 0.01). */
  alpha?: number;
  /** One run a side: a figure with a target worse by this factor or more is a regression (default 10). */
  failFactor?: number;
  /** false: each figure keeps its own spread (no empirical Bayes moderation); for tests that show what moderation buys. */
  moderate?: boolean;
}

const finite = (v: Array<number | null>) => v.filter((x): x is number => x !== null && Number.isFinite(x));

function referenceFigures(b: RunJson | Baseline): Map<string, ReferenceFigure> {
  const m = new Map<string, ReferenceFigure>();
  if (isBaseline(b)) {
    for (const [id, f] of Object.entries(b.figures)) {
      const spread = f.n > 0 ? { n: f.n, min: f.min!, max: f.max!, stddev: f.stddev! } : null;
      m.set(id, { ...f, values: finite(f.values), judgedOn: f.judgedOn, spread });
    }
  } else {
    for (const f of b.figures)
      m.set(f.id, { ...f, values: finite([f.value]), judgedOn: scopeOf(f.id, b), spread: null });
  }
  return m;
}

/** The baseline's judged figures (a better side, enough runs) by kind: the priors and the family, from the reference alone. */
function priorsOf(ref: Map<string, ReferenceFigure>): { priors: Map<string, Prior>; family: number } {
  const byKind = new Map<string, Array<{ s2: number; df: number }>>();
  let family = 0;
  for (const [id, r] of ref) {
    if (r.values.length < MIN_BASELINE_RUNS) continue;
    const direction = directionOf({ id, ...r });
    if (direction === 'none') continue;
    family++;
    const scale = scaleOf(r.unit, direction, r.values);
    const kind = kindOf(id, r.unit, scale);
    const list = byKind.get(kind) ?? [];
    list.push({ s2: meanVar(r.values.map((v) => toScale(scale, v))).s2, df: r.values.length - 1 });
    byKind.set(kind, list);
  }
  const priors = new Map<string, Prior>();
  for (const [kind, vars] of byKind) priors.set(kind, fitPrior(vars));
  return { priors, family };
}

function row(
  f: RunJson['figures'][number],
  r: ReferenceFigure | undefined,
  current: RunJson,
  ctx: JudgeContext,
): FigureChange {
  const direction = directionOf({
    id: f.id,
    unit: f.unit,
    higherIsBetter: f.higherIsBetter ?? r?.higherIsBetter,
    environment: f.environment ?? r?.environment,
    target: f.target ?? r?.target,
  });
  const scope = scopeOf(f.id, current);
  const base = {
    id: f.id,
    label: f.label,
    unit: f.unit,
    side: f.side,
    direction,
    current: f.value,
    reference: r?.values.length ? meanVar(r.values).mean : null,
    delta: null,
    change: null,
    spread: r?.spread ?? null,
    judgedOn: { current: scope, reference: r?.judgedOn ?? null },
    test: null,
  };
  if (!r) return { ...base, verdict: 'new', why: 'not in the reference' };
  const other =
    incomparable(scope, r.judgedOn) ??
    (r.unit !== f.unit
      ? { verdict: 'incomparable' as const, why: `in ${f.unit} here, ${r.unit} in the reference` }
      : null);
  if (other) return { ...base, ...other };
  const hasCur = f.value !== null && Number.isFinite(f.value);
  if (!r.values.length && !hasCur) return { ...base, verdict: 'unchanged', why: 'no value on either side' };
  if (!r.values.length) return { ...base, verdict: 'new', why: 'no value in the reference' };
  if (!hasCur) return { ...base, verdict: 'missing', why: `no value in this run${f.note ? ` (${f.note})` : ''}` };
  return { ...base, ...judgeValues(f.id, r, f.value!, direction, Boolean(f.target ?? r.target), ctx) };
}

/** Compares the `current` run with a reference: an earlier run or a baseline (see the file comment). */
export function compareRuns(current: RunJson, reference: RunJson | Baseline, opts: CompareOptions): Comparison {
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const failFactor = opts.failFactor ?? DEFAULT_FAIL_FACTOR;
  const ref = referenceFigures(reference);
  const { priors, family } = priorsOf(ref);
  const ctx: JudgeContext = {
    tolerance: opts.tolerance,
    alpha,
    family: Math.max(1, family),
    failFactor,
    priorOf: (k) => (opts.moderate === false ? NO_PRIOR : (priors.get(k) ?? NO_PRIOR)),
  };
  const rows: FigureChange[] = [];
  const seen = new Set<string>();
  for (const f of current.figures) {
    seen.add(f.id);
    rows.push(row(f, ref.get(f.id), current, ctx));
  }
  for (const [id, r] of ref) {
    if (seen.has(id)) continue;
    rows.push({
      id,
      label: r.label,
      unit: r.unit,
      side: r.side,
      direction: directionOf({ id, ...r }),
      reference: r.values.length ? meanVar(r.values).mean : null,
      current: null,
      delta: null,
      change: null,
      spread: r.spread,
      judgedOn: { current: [], reference: r.judgedOn },
      verdict: 'missing',
      why: 'not in this run',
      test: null,
    });
  }
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of rows) counts[r.verdict]++;
  const baseline = isBaseline(reference);
  const refInfo = baseline
    ? {
        kind: 'baseline' as const,
        label: `baseline of ${reference.runs.length} run(s)`,
        profile: reference.profile,
        runs: reference.runs.map((r) => r.runId),
      }
    : { kind: 'run' as const, label: `run ${reference.runId}`, profile: reference.profile, runs: [reference.runId] };
  const warnings: string[] = [];
  if (refInfo.profile !== current.profile)
    warnings.push(`profiles differ: this run '${current.profile}', reference '${refInfo.profile}'`);
  if (counts.incomparable)
    warnings.push(
      `${counts.incomparable} figure(s) were measured on other scenarios than in the reference (this run: ${scopeText(scopeOf('', current))}) and are not judged`,
    );
  const kinds: KindPrior[] = [...priors].map(([kind, p]) => ({
    kind,
    figures: p.figures,
    d0: Number.isFinite(p.d0) ? p.d0 : null,
    s0: Math.sqrt(p.s0sq),
  }));
  const result: Comparison = {
    current: { runId: current.runId, profile: current.profile, startedAt: current.startedAt },
    reference: refInfo,
    tolerance: opts.tolerance,
    alpha,
    family: baseline ? family : 0,
    failFactor,
    kinds,
    methods: [],
    rows,
    counts,
    regressed: counts.regression > 0,
    warnings,
  };
  result.methods = methodLines(result, baseline ? reference : null);
  return result;
}
