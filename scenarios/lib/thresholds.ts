/**
 * k6 thresholds from the run's targets (config `targets`, passed as the TARGETS
 * env JSON by run/scenario-env.ts). Defaults are the report's stated goals, so
 * a script run by hand with plain `k6 run` judges the same targets.
 *
 * Threshold grammar (k6 docs, "Thresholds"): `<aggregation> <op> <value>`,
 * e.g. `avg<=200`, `p(95)<=100`, `rate>=0.995`; a sub-metric selector
 * `metric{tag:value}` judges only samples carrying that tag.
 */
import { QUERY_TYPES, type QueryType } from './server-timing.ts';

/** Latency target of one query type. */
export interface LatencyTarget {
  p95Ms: number;
  p99Ms: number;
}

/** The targets a run is judged against (the subset of config `targets` scripts use). */
export interface Targets {
  avgQueryMs: number;
  cacheHitRate: number;
  redisOpMs: number;
  successRate: number;
  queryTypes: Record<QueryType, LatencyTarget>;
  /** false: no p95/p99 threshold per query type (a profile whose load cannot support them, config targets.percentiles). */
  percentiles: boolean;
}

/**
 * The report's targets: the defaults of config/schema.ts `targets`, written
 * into the bundle at build time (esbuild `define` in engine/k6-bundle-options.ts;
 * vitest.config.ts for tests), so a script run by hand with plain `k6 run`
 * judges the same targets without a second copy of the numbers here.
 */
declare const __ACGS_REPORT_TARGETS__: Targets;
export const REPORT_TARGETS: Targets = __ACGS_REPORT_TARGETS__;

function finite(v: unknown, def: number, name: string): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (typeof v === 'boolean' || !Number.isFinite(n) || n < 0)
    throw new Error(`TARGETS.${name} must be a number >= 0, got '${JSON.stringify(v)}'`);
  return n;
}

/** Parses the TARGETS JSON; missing keys take the report's values; unknown keys are ignored (e.g. poolEfficiency, judged outside k6). */
export function parseTargets(raw: string | undefined): Targets {
  if (raw === undefined || raw === '') return REPORT_TARGETS;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(raw);
  } catch {
    throw new Error(`TARGETS must be JSON like {"avgQueryMs":200,"cacheHitRate":0.995}, got '${raw}'`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new Error(`TARGETS must be a JSON object, got '${raw}'`);
  const qt = (o.queryTypes ?? {}) as Record<string, Record<string, unknown>>;
  const queryTypes = {} as Record<QueryType, LatencyTarget>;
  for (const t of QUERY_TYPES) {
    const d = REPORT_TARGETS.queryTypes[t];
    queryTypes[t] = {
      p95Ms: finite(qt[t]?.p95Ms, d.p95Ms, `queryTypes.${t}.p95Ms`),
      p99Ms: finite(qt[t]?.p99Ms, d.p99Ms, `queryTypes.${t}.p99Ms`),
    };
  }
  return {
    avgQueryMs: finite(o.avgQueryMs, REPORT_TARGETS.avgQueryMs, 'avgQueryMs'),
    cacheHitRate: finite(o.cacheHitRate, REPORT_TARGETS.cacheHitRate, 'cacheHitRate'),
    redisOpMs: finite(o.redisOpMs, REPORT_TARGETS.redisOpMs, 'redisOpMs'),
    successRate: finite(o.successRate, REPORT_TARGETS.successRate, 'successRate'),
    queryTypes,
    percentiles: o.percentiles === undefined ? REPORT_TARGETS.percentiles : o.percentiles !== false,
  };
}

/** A number as k6's threshold parser reads it: plain decimal, never `1e-7`. */
export function fmt(n: number): string {
  const rounded = Math.round(n * 1e9) / 1e9;
  if (rounded !== 0 && Math.abs(rounded) < 1e-6) return rounded.toFixed(9).replace(/0+$/, '');
  return String(rounded);
}

/**
 * The judged cache hit rate: reads where the VU's cache model expected a hit
 * (lib/cache-model.ts). A miss on a key never warmed and never read before,
 * expired by its TTL policy or invalidated by a write is not a cache defect;
 * a miss where a hit was expected is. The report judges the same selector.
 */
export const JUDGED_CACHE_HIT = 'cache_hit{cache_expect:hit}';

/** The miss causes the cache model tags (`miss_cause`). */
export const MISS_CAUSES = ['never_warmed', 'first_read', 'expired', 'invalidated', 'unexpected'] as const;

/** What a scenario wants judged. */
export interface ThresholdChoice {
  /** Query types this scenario exercises: p95/p99 per type (default all). */
  queryTypes?: readonly QueryType[];
  /** Judge the cache hit rate on expected-hit reads ({@link JUDGED_CACHE_HIT}). */
  cacheHit?: boolean;
  /** Judge average query time and Redis operation time (default true). */
  timing?: boolean;
}

/** Thresholds judging the report's targets. */
export function reportThresholds(t: Targets, choice: ThresholdChoice = {}): Record<string, string[]> {
  const out: Record<string, string[]> = {
    http_req_failed: [`rate<=${fmt(1 - t.successRate)}`],
    checks: [`rate>=${fmt(t.successRate)}`],
  };
  if (choice.timing !== false) {
    out.db_query_duration = [`avg<=${fmt(t.avgQueryMs)}`];
    out.cache_op_duration = [`avg<=${fmt(t.redisOpMs)}`];
    for (const q of choice.queryTypes ?? QUERY_TYPES) {
      const lt = t.queryTypes[q];
      // percentiles false: the sub-metric is still listed in the summary (a threshold that cannot fail), not judged
      out[`db_query_duration{query_type:${q}}`] =
        t.percentiles === false ? ['max>=0'] : [`p(95)<=${fmt(lt.p95Ms)}`, `p(99)<=${fmt(lt.p99Ms)}`];
    }
  }
  Object.assign(out, cacheShownThresholds());
  if (choice.cacheHit) out[JUDGED_CACHE_HIT] = [`rate>=${fmt(t.cacheHitRate)}`];
  return out;
}

/**
 * Shown, not judged: the overall hit rate, the expected-hit reads (judged
 * where the scenario judges the cache), the reads where no hit was expected,
 * and each miss cause (its sample count is the number of such misses). k6
 * lists a sub-metric in the summary only when a threshold names it, so these
 * always-true ones expose them to `k6 run` and the report.
 */
export function cacheShownThresholds(): Record<string, string[]> {
  const out: Record<string, string[]> = {
    cache_hit: ['rate>=0'],
    [JUDGED_CACHE_HIT]: ['rate>=0'],
    'cache_hit{cache_expect:miss}': ['rate>=0'],
  };
  for (const c of MISS_CAUSES) out[`cache_hit{miss_cause:${c}}`] = ['rate>=0'];
  return out;
}

/** Redis time per cache operation (`cache_op_duration{op:...}`), each judged against the Redis operation target. */
export function cacheOpThresholds(t: Targets): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const op of ['get', 'set', 'del', 'exists']) out[`cache_op_duration{op:${op}}`] = [`avg<=${fmt(t.redisOpMs)}`];
  return out;
}

/** Trend statistics shown in the summary: p(99) is a report figure, so it is always there. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];
