/**
 * A baseline: each figure's spread over several runs of the same profile and
 * build (`acgs-load baseline save RUN... --out FILE`). compare reads it to
 * tell a regression from the noise repeated runs show anyway.
 */
import type { Figure, Target, Unit } from '../figure.ts';
import type { RunJson } from '../run-json.ts';

export const BASELINE_SCHEMA = 'acgs-load/baseline@1';

/** One figure over the baseline's runs (null values are left out of the statistics). */
export interface BaselineFigure {
  label: string;
  unit: Unit;
  side: Figure['side'];
  source: string;
  higherIsBetter?: boolean;
  environment?: boolean;
  target?: Target;
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

/**
 * Builds a baseline from repeated runs. Every figure id of any run appears;
 * label, unit and target come from the newest run that has the figure.
 * Throws when `runs` is empty or mixes profiles (their figures are not comparable).
 */
export function buildBaseline(runs: RunJson[]): Baseline {
  if (runs.length === 0) throw new Error('a baseline needs at least one run');
  const profiles = [...new Set(runs.map((r) => r.profile))];
  if (profiles.length > 1)
    throw new Error(`the runs mix profiles (${profiles.join(', ')}); a baseline compares like with like`);
  const sorted = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const ids: string[] = [];
  const meta = new Map<string, Figure>();
  for (const r of sorted) {
    for (const f of r.figures) {
      if (!meta.has(f.id)) ids.push(f.id);
      meta.set(f.id, f);
    }
  }
  const figures: Record<string, BaselineFigure> = {};
  for (const id of ids) {
    const f = meta.get(id)!;
    const values = sorted.map((r) => r.figures.find((x) => x.id === id)?.value ?? null);
    figures[id] = {
      label: f.label,
      unit: f.unit,
      side: f.side,
      source: f.source,
      higherIsBetter: f.higherIsBetter,
      environment: f.environment,
      target: f.target,
      ...spreadOf(values),
      values,
    };
  }
  return {
    schema: BASELINE_SCHEMA,
    createdAt: new Date().toISOString(),
    profile: profiles[0],
    runs: sorted.map((r) => ({ runId: r.runId, profile: r.profile, startedAt: r.startedAt, engine: r.engine })),
    figures,
  };
}

/** Reads and checks a baseline file's text; throws an Error naming the problem. */
export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON: ${(e as Error).message}`);
  }
  const b = data as Partial<Baseline>;
  if (b?.schema !== BASELINE_SCHEMA)
    throw new Error(
      `${file} is not an acgs-load baseline (schema '${String(b?.schema)}', expected '${BASELINE_SCHEMA}')`,
    );
  if (!b.figures || typeof b.figures !== 'object' || !Array.isArray(b.runs))
    throw new Error(`${file} has no figures/runs`);
  return b as Baseline;
}

/** True for a Baseline (as opposed to a run.json). */
export function isBaseline(x: unknown): x is Baseline {
  return (x as { schema?: unknown })?.schema === BASELINE_SCHEMA;
}
