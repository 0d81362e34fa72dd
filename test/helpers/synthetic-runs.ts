/**
 * Synthetic run.json files for the comparison's statistics: each figure is
 * one value per run, drawn (seeded) around a level with a run-to-run spread
 * of its kind, plus one machine factor per run that moves every latency of
 * that run together (a busy moment slows everything a little). Figures and
 * ids are those of a real run (query types, per-scenario breakdowns, cache
 * operations, ladder steps, rates, counts of events), about 160 of them with
 * a better side, so the family size is realistic. Slowdowns are applied to
 * the true levels, so a slowed run is as noisy as any other.
 */
import { createRng } from '../../scenarios/lib/random.ts';
import type { Figure, Unit } from '../../report/figure.ts';
import { RUN_SCHEMA, type RunJson } from '../../report/run-json.ts';

export const QUERY_TYPES = ['simple', 'join', 'aggregation', 'complex', 'index_scan'] as const;
export const SCENARIOS = ['smoke', 'user-journey', 'query-mix', 'cache-ops', 'ladder', 'write-contention'] as const;

/** Run-to-run spread (log scale) by statistic: tails vary more than medians. */
export const SPREAD = { avg: 0.05, p50: 0.04, p95: 0.08, p99: 0.15 } as const;
type Stat = keyof typeof SPREAD;

export interface SyntheticOptions {
  seed: number;
  runId?: string;
  profile?: string;
  /** Scenarios the run ran (default SCENARIOS); targets.judgedOn is fixed to the measured-load ones. */
  scenarios?: readonly string[];
  /** Multiplies the true level of one query type's figures, per statistic (e.g. { p99: 3 } for a tail-only slowdown). */
  slow?: { type: string; factor: Partial<Record<Stat, number>> };
  /** Multiplies the spread of every figure (default 1). */
  noise?: number;
  /** The machine factor's spread (default 0.03). */
  machine?: number;
  /** Failure share of ladder step 100 (default about 0.1 %). */
  failures100?: number;
  /** Violations the consistency checkers find (default 0). */
  violations?: number;
}

/** A standard normal deviate from two uniforms (Box–Muller). */
function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** A Poisson count by inversion (small means). */
function poisson(r: () => number, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const u = r();
  while (u > s && k < 1000) ((p *= mean / ++k), (s += p));
  return k;
}

const LEVEL: Record<Stat, number> = { avg: 2, p50: 1.5, p95: 5, p99: 9 };
const JUDGED = ['user-journey', 'query-mix', 'cache-ops', 'ladder'];

/** One synthetic run (see the file comment). */
export function syntheticRun(o: SyntheticOptions): RunJson {
  const r = createRng(o.seed * 7919 + 13);
  const noise = o.noise ?? 1;
  const machine = Math.exp((o.machine ?? 0.03) * normal(r));
  const ran = o.scenarios ?? SCENARIOS;
  const figures: Figure[] = [];
  const add = (id: string, unit: Unit, value: number, extra: Partial<Figure> = {}) =>
    figures.push({ id, label: id, unit, value, source: 'synthetic', side: 'client', ...extra });
  const latency = (id: string, level: number, stat: Stat, factor = 1, extra: Partial<Figure> = {}) =>
    add(id, 'ms', level * factor * machine * Math.exp(SPREAD[stat] * noise * normal(r)), extra);
  QUERY_TYPES.forEach((qt, i) => {
    const f = (s: Stat) => (o.slow?.type === qt ? (o.slow.factor[s] ?? 1) : 1);
    for (const s of Object.keys(SPREAD) as Stat[]) {
      const target =
        s === 'p95' ? { op: '<=' as const, value: 100 } : s === 'p99' ? { op: '<=' as const, value: 200 } : undefined;
      latency(`query.${qt}.${s}`, LEVEL[s] * (1 + i / 4), s, f(s), target ? { target, pass: true } : {});
    }
    add(`query.${qt}.count`, 'count', 400 + Math.round(20 * normal(r)));
    for (const sc of ran)
      for (const s of ['p50', 'p95', 'p99'] as Stat[])
        latency(
          `query.scenario.${sc}.${qt}.${s}`,
          LEVEL[s] * (1 + i / 4),
          s,
          f(s) * Math.exp(SPREAD[s] * noise * normal(r)),
        );
  });
  for (const op of ['get', 'set', 'del', 'exists']) {
    latency(`cache.${op}.avg`, 0.8, 'avg');
    latency(`cache.${op}.p95`, 2.5, 'p95');
  }
  add('cache.hitRate', 'ratio', 1 - 0.1 * Math.exp(0.03 * normal(r)), {
    higherIsBetter: true,
    target: { op: '>=', value: 0.8 },
  });
  for (const u of [10, 25, 50, 100]) {
    latency(`ladder.${u}.avg`, 5 + u / 5, 'avg');
    latency(`ladder.${u}.p95`, 20 + u, 'p95');
    latency(`ladder.${u}.p99`, 40 + 2 * u, 'p99');
    const fails = u === 100 ? (o.failures100 ?? 0.001) : 0.0005;
    add(`ladder.${u}.success`, 'ratio', 1 - fails * Math.exp(0.3 * normal(r)), { higherIsBetter: true });
    add(`ladder.${u}.rps`, 'req/s', 2 * u * Math.exp(0.01 * normal(r)), { higherIsBetter: true });
  }
  for (const sc of ran) {
    latency(`scenario.${sc}.avg`, 8, 'avg');
    latency(`scenario.${sc}.p95`, 30, 'p95');
    latency(`scenario.${sc}.p99`, 60, 'p99');
    add(`scenario.${sc}.requests`, 'count', 1000 + Math.round(30 * normal(r)));
  }
  for (const c of [
    'cache-db-sync',
    'referential-integrity',
    'transaction-isolation',
    'data-types',
    'concurrent-access',
  ])
    add(`consistency.${c}.violations`, 'count', c === 'cache-db-sync' ? (o.violations ?? 0) : 0, {
      target: { op: '==', value: 0 },
    });
  add('pg.deadlocks', 'count', poisson(r, 0.3));
  add('infra.pg.rtt', 'ms', 0.2 * Math.exp(0.5 * normal(r)), { environment: true });
  return {
    schema: RUN_SCHEMA,
    runId: o.runId ?? `synthetic-${o.seed}`,
    profile: o.profile ?? 'nightly',
    startedAt: new Date(Date.UTC(2026, 10, 1) + o.seed * 86_400_000).toISOString(),
    finishedAt: new Date(Date.UTC(2026, 10, 1) + o.seed * 86_400_000 + 600_000).toISOString(),
    durationS: 600,
    exitCode: 0,
    verdict: 'PASS',
    reasons: [],
    engine: 'embedded',
    config: { targets: { judgedOn: { queryTypes: JUDGED, cache: JUDGED } } },
    environment: {} as RunJson['environment'],
    stages: [],
    figures,
    tables: [],
    scenarios: ran.map((name) => ({
      name,
      exitCode: 0,
      engine: 'embedded',
      engineLimited: false,
      durationS: 60,
      startedAt: '',
      files: { summaryExport: '', summaryData: '', metrics: '' },
    })),
    timeSeries: { pool: [] },
    checks: null,
    plans: [],
    slowQueries: [],
  };
}

/** Runs of one build: seeds `from` … `from + count − 1`. */
export function syntheticRuns(from: number, count: number, o: Omit<SyntheticOptions, 'seed'> = {}): RunJson[] {
  return Array.from({ length: count }, (_, i) => syntheticRun({ ...o, seed: from + i }));
}
