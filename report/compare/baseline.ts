/**
 * A baseline: every figure's value in each of several runs of the same
 * profile and build (`acgs-load baseline save RUN... --out FILE`, 5 runs
 * recommended), and the scenarios each figure was measured on. compare
 * judges a new run's value of each figure against the spread of these
 * values (compare.ts), so the file keeps the per-run values, not only a
 * summary.
 *
 * Schema 2 added `judgedOn` per figure. A schema-1 file (the same values,
 * without it) is read as it is, its figures' scenarios unchecked.
 */
import type { Figure, Target, Unit } from '../figure.ts';
import type { RunJson } from '../run-json.ts';
import { scopeOf, scopeText } from './scope.ts';

export const BASELINE_SCHEMA = 'acgs-load/baseline@2';
const BASELINE_SCHEMA_1 = 'acgs-load/baseline@1';

/** Fewer runs than this give each figure a spread too rough to judge by: baseline save refuses them unless told. */
export const MIN_BASELINE_RUNS = 3;
/** The number of runs a baseline should have (the nightly workflow keeps this many). */
export const RECOMMENDED_BASELINE_RUNS = 5;

/** One figure over the baseline's runs (null values are left out of the statistics). */
export interface BaselineFigure {
  label: string;
  unit: Unit;
  side: Figure['side'];
  source: string;
  higherIsBetter?: boolean;
  environment?: boolean;
  target?: Target;
  /** The scenarios the value came from (scope.ts), the same in every run; null in a schema-1 file. */
  judgedOn: string[] | null;
  /** Runs that had a value for this figure. */
  n: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Sample standard deviation (n − 1); 0 for a single run. */
  stddev: number | null;
  /** The values, in the order of `runs`, null where a run had none. */
  values: Array<number | null>;
}

export interface Baseline {
  schema: typeof BASELINE_SCHEMA;
  createdAt: string;
  profile: string;
  runs: Array<{ runId: string; profile: string; startedAt: string; engine: string }>;
  figures: Record<string, BaselineFigure>;
}

/** Mean, min, max and sample standard deviation of the finite values. */
export function spreadOf(values: Array<number | null>): Pick<BaselineFigure, 'n' | 'mean' | 'min' | 'max' | 'stddev'> {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return { n: 0, mean: null, min: null, max: null, stddev: null };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.length > 1 ? v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1) : 0;
  return { n: v.length, mean, min: Math.min(...v), max: Math.max(...v), stddev: Math.sqrt(variance) };
}

/** Why runs cannot make a baseline; undefined when they can. */
function refusal(runs: RunJson[], allowFew: boolean): string | undefined {
  if (runs.length === 0) return 'a baseline needs runs; none were given';
  const ids = runs.map((r) => r.runId);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length) return `run ${twice[0]} is given twice; a baseline's spread needs distinct runs`;
  const profiles = [...new Set(runs.map((r) => r.profile))];
  if (profiles.length > 1) return `the runs mix profiles (${profiles.join(', ')}); a baseline compares like with like`;
  if (runs.length < MIN_BASELINE_RUNS && !allowFew)
    return `${runs.length} run${runs.length === 1 ? '' : 's'} cannot show how much a figure varies from run to run: a baseline needs at least ${MIN_BASELINE_RUNS} (${RECOMMENDED_BASELINE_RUNS} recommended)`;
  return undefined;
}

/**
 * Builds a baseline from repeated runs. Every figure id of any run appears;
 * label, unit and target come from the newest run that has the figure.
 * Throws (an Error naming the problem) when there are no runs, a run is
 * given twice, the runs mix profiles, there are fewer than
 * MIN_BASELINE_RUNS (unless `allowFew`), or a figure was measured on
 * different scenarios in different runs.
 */
export function buildBaseline(runs: RunJson[], opts: { allowFew?: boolean } = {}): Baseline {
  const why = refusal(runs, opts.allowFew ?? false);
  if (why) throw new Error(why);
  const sorted = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const ids: string[] = [];
  const meta = new Map<string, Figure>();
  for (const r of sorted)
    for (const f of r.figures) {
      if (!meta.has(f.id)) ids.push(f.id);
      meta.set(f.id, f);
    }
  const figures: Record<string, BaselineFigure> = {};
  for (const id of ids) {
    const f = meta.get(id)!;
    const having = sorted.filter((r) => r.figures.some((x) => x.id === id));
    const scopes = having.map((r) => scopeOf(id, r));
    const other = scopes.findIndex((s) => scopeText(s) !== scopeText(scopes[0]));
    if (other >= 0)
      throw new Error(
        `figure ${id} was measured on scenarios ${scopeText(scopes[0])} in run ${having[0].runId} but on ${scopeText(scopes[other])} in run ${having[other].runId}; a baseline compares like with like`,
      );
    const values = sorted.map((r) => r.figures.find((x) => x.id === id)?.value ?? null);
    figures[id] = {
      label: f.label,
      unit: f.unit,
      side: f.side,
      source: f.source,
      higherIsBetter: f.higherIsBetter,
      environment: f.environment,
      target: f.target,
      judgedOn: scopes[0],
      ...spreadOf(values),
      values,
    };
  }
  return {
    schema: BASELINE_SCHEMA,
    createdAt: new Date().toISOString(),
    profile: sorted[0].profile,
    runs: sorted.map((r) => ({ runId: r.runId, profile: r.profile, startedAt: r.startedAt, engine: r.engine })),
    figures,
  };
}

/** Reads and checks a baseline file's text (schema 2, or 1 read as 2 without scopes); throws an Error naming the problem. */
export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON: ${(e as Error).message}`);
  }
  const b = data as Partial<Baseline> & { schema?: unknown };
  if (b?.schema !== BASELINE_SCHEMA && b?.schema !== BASELINE_SCHEMA_1)
    throw new Error(
      `${file} is not an acgs-load baseline (schema '${String(b?.schema)}', expected '${BASELINE_SCHEMA}')`,
    );
  if (!b.figures || typeof b.figures !== 'object' || !Array.isArray(b.runs))
    throw new Error(`${file} has no figures/runs`);
  const figures: Record<string, BaselineFigure> = {};
  for (const [id, f] of Object.entries(b.figures)) {
    if (!Array.isArray(f?.values)) throw new Error(`${file}: figure ${id} has no per-run values`);
    figures[id] = { ...f, judgedOn: Array.isArray(f.judgedOn) ? f.judgedOn : null };
  }
  return { ...(b as Baseline), schema: BASELINE_SCHEMA, figures };
}

/** True for a Baseline (as opposed to a run.json). */
export function isBaseline(x: unknown): x is Baseline {
  const s = (x as { schema?: unknown })?.schema;
  return s === BASELINE_SCHEMA || s === BASELINE_SCHEMA_1;
}
