/**
 * Validating the `thresholds` option against the metric registry, before the
 * test starts (k6 metrics/thresholds.go `Thresholds.Validate`,
 * metrics/engine/engine.go `initSubMetricsAndThresholds`; docs "Thresholds").
 *
 * Shape: `{ "<metric>[{tag:value,...}]": [ "<expr>" | { threshold: "<expr>",
 * abortOnFail?: boolean, delayAbortEval?: "<duration>" } , ... ] }`.
 * Every problem is collected and reported in one {@link ThresholdError}.
 */
import { parseMetricSelector, type Registry, type MetricType } from '../metrics/index.ts';
import { parseDuration } from '../../config/index.ts';
import { ThresholdError } from './errors.ts';
import { parseThresholdExpression, type ThresholdExpr } from './expression.ts';

/** One threshold, ready to evaluate. */
export interface ThresholdDef {
  /** The metric or sub-metric name as registered, e.g. `http_req_duration{status:200}`. */
  metric: string;
  expr: ThresholdExpr;
  abortOnFail: boolean;
  /** Minimum test time before a failure may abort; 0 = at once (k6 `delayAbortEval` unset). */
  delayAbortEvalMs: number;
}

/** Aggregation methods per metric type (k6 metrics/metric_type.go `supportedAggregationMethods`). */
export const AGGREGATIONS: Record<MetricType, readonly string[]> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};

/**
 * Parse and validate all thresholds; creates the sub-metrics they select in
 * `registry`. Throws one ThresholdError listing every problem: unknown metric,
 * malformed selector or expression, aggregation the metric type lacks, bad
 * long-form entry.
 */
export function parseThresholds(thresholds: Record<string, unknown>, registry: Registry): ThresholdDef[] {
  const problems: string[] = [];
  const defs: ThresholdDef[] = [];
  for (const [key, list] of Object.entries(thresholds ?? {})) {
    const metric = resolveMetric(key, registry, problems);
    if (!Array.isArray(list)) {
      problems.push(
        `thresholds on ${key} must be an array of expressions, got ${JSON.stringify(list)}; write ['p(95)<500']`,
      );
      continue;
    }
    for (const entry of list) {
      const def = parseEntry(key, entry, problems);
      if (!def || !metric) continue;
      const method = def.expr.percentile === undefined ? def.expr.aggregation : 'p(N)';
      if (!AGGREGATIONS[metric.type].includes(method)) {
        problems.push(
          `invalid threshold "${def.expr.source}" applied on metric ${key}; reason: unsupported aggregation method ` +
            `${def.expr.aggregation} on metric of type ${metric.type}. supported aggregation methods for this metric are: ` +
            AGGREGATIONS[metric.type].join(', '),
        );
        continue;
      }
      defs.push({ ...def, metric: metric.name });
    }
  }
  if (problems.length > 0) throw new ThresholdError(problems);
  return defs;
}

/** The registered metric or sub-metric a threshold key names, creating the sub-metric. */
function resolveMetric(key: string, registry: Registry, problems: string[]): { name: string; type: MetricType } | null {
  let parsed;
  try {
    parsed = parseMetricSelector(key);
  } catch (e) {
    problems.push(`invalid threshold defined on ${key}; reason: ${(e as Error).message}`);
    return null;
  }
  const metric = registry.get(parsed.name);
  if (!metric) {
    problems.push(`invalid threshold defined on ${key}; reason: no metric name "${key}" found`);
    return null;
  }
  if (parsed.suffix === '') return metric;
  return { name: registry.addSubmetric(key).name, type: metric.type };
}

/** One list entry: a string, or k6's long form `{ threshold, abortOnFail, delayAbortEval }`. */
function parseEntry(key: string, entry: unknown, problems: string[]): Omit<ThresholdDef, 'metric'> | null {
  let src: unknown = entry;
  let abortOnFail = false;
  let delayAbortEvalMs = 0;
  if (entry !== null && typeof entry === 'object') {
    const o = entry as Record<string, unknown>;
    src = o.threshold;
    if (o.abortOnFail !== undefined && typeof o.abortOnFail !== 'boolean') {
      problems.push(
        `threshold ${JSON.stringify(src)} on ${key}: abortOnFail must be true or false, got ${JSON.stringify(o.abortOnFail)}`,
      );
      return null;
    }
    abortOnFail = o.abortOnFail === true;
    if (o.delayAbortEval !== undefined && o.delayAbortEval !== null) {
      const ms = parseDuration(o.delayAbortEval, { bareString: 'refuse' }); // k6 NullDuration: a Go duration
      if (ms === null) {
        problems.push(
          `threshold ${JSON.stringify(src)} on ${key}: delayAbortEval ${JSON.stringify(o.delayAbortEval)} is not a duration; ` +
            "write e.g. '10s' or '1m30s'",
        );
        return null;
      }
      delayAbortEvalMs = ms;
    }
  }
  if (typeof src !== 'string') {
    problems.push(
      `threshold on ${key} must be a string or { threshold: '<expr>', abortOnFail, delayAbortEval }, got ${JSON.stringify(entry)}`,
    );
    return null;
  }
  try {
    return { expr: parseThresholdExpression(src), abortOnFail, delayAbortEvalMs };
  } catch (e) {
    problems.push(`invalid threshold on ${key}: ${(e as Error).message}`);
    return null;
  }
}
