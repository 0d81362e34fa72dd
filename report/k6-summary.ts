/**
 * Reading k6's handleSummary data object (the same shape from real k6 and the
 * embedded engine): `metrics[name] = { type, contains, values, thresholds? }`,
 * where sub-metrics appear as `name{tag:value}` when a threshold selects them.
 * Docs: k6 "Custom summary" (handleSummary data), "Built-in metrics".
 */
import { parseThresholdExpression } from '../engine/index.ts';

export interface K6Metric {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6SummaryData {
  metrics: Record<string, K6Metric>;
  state?: { testRunDurationMs?: number };
  root_group?: unknown;
  [k: string]: unknown;
}

/** A metric or sub-metric: `metric(s, 'http_req_duration', { scenario: 'users_10' })`. */
export function metric(s: K6SummaryData | null, name: string, tags?: Record<string, string>): K6Metric | undefined {
  if (!s) return undefined;
  if (!tags) return s.metrics[name];
  const want = Object.entries(tags).map(([k, v]) => `${k}:${v}`);
  // k6 keeps the selector text as written in the threshold; match tag sets regardless of order/spacing.
  for (const [key, m] of Object.entries(s.metrics)) {
    const open = key.indexOf('{');
    if (open < 0 || key.slice(0, open) !== name) continue;
    const parts = key
      .slice(open + 1, -1)
      .split(',')
      .map((p) => p.replace(/\s+/g, '').replace(/["']/g, ''));
    if (parts.length === want.length && want.every((w) => parts.includes(w))) return m;
  }
  return undefined;
}

/**
 * A value of a metric (`avg`, `p(95)`, `rate`, `count`...), or null when the
 * metric had no samples. k6 reports an empty metric as zeros, and a zero
 * passes targets without a single measurement:
 *  - a trend with no samples (`count` 0) reports 0 for every statistic
 *    (k6 metrics/sink.go `TrendSink.P` and `Avg` return 0 when empty);
 *  - a rate with no samples reports `rate` 0 (k6 metrics/sink.go
 *    `RateSink.Format`: `var rate float64; if r.Total > 0 { rate = Trues/Total }`),
 *    with `passes` 0 and `fails` 0 (js/summary.go `metricValueGetter`), so an
 *    `http_req_failed` of a scenario that sent no request reads as 100 %
 *    success. Its `rate` is null here; `passes` and `fails` stay (0 is their count).
 */
export function value(m: K6Metric | undefined, key: string): number | null {
  if (m?.type === 'trend' && key !== 'count' && m.values.count === 0) return null;
  if (m?.type === 'rate' && key !== 'passes' && key !== 'fails' && rateSamples(m) === 0) return null;
  const v = m?.values[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Samples of a rate (`passes` + `fails`), or null when the summary does not give them. */
function rateSamples(m: K6Metric): number | null {
  const { passes, fails } = m.values;
  return typeof passes === 'number' && typeof fails === 'number' ? passes + fails : null;
}

/** One threshold of a summary and k6's verdict on it. */
export interface SummaryThreshold {
  metric: string;
  expr: string;
  ok: boolean;
  /**
   * The expression holds whatever the samples (see `cannotFail`): a
   * threshold set only so that k6 lists a sub-metric in the summary, such as
   * `max>=0`. Its pass says nothing; reports count it apart.
   */
  cannotFail: boolean;
}

/** Every threshold of a summary with its verdict: `[{ metric, expr, ok, cannotFail }]`. */
export function thresholds(s: K6SummaryData | null): SummaryThreshold[] {
  if (!s) return [];
  const out: SummaryThreshold[] = [];
  for (const [name, m] of Object.entries(s.metrics)) {
    for (const [expr, t] of Object.entries(m.thresholds ?? {}))
      out.push({ metric: name, expr, ok: t.ok, cannotFail: cannotFail(m.type, expr) });
  }
  return out;
}

/**
 * Whether a threshold expression holds for every value its aggregation can
 * take, so it cannot fail. k6 lists a sub-metric in the summary only when a
 * threshold names it (docs "Thresholds"), so scripts add always-true ones
 * (`max>=0`, `count>=0`, `rate>=0`) to show a figure without judging it.
 *
 * The ranges: a Rate's `rate` is a share, 0..1 (k6 metrics/sink.go
 * `RateSink.Format`). A Counter's `count` and `rate`, and a Trend's statistics,
 * are taken as >= 0: k6 does not refuse a negative sample
 * (js/modules/k6/metrics `Add`), but counters here count events and trends hold
 * durations. Gauges hold any value and are never called always-true. A
 * threshold marked so that did fail is still a failure wherever it is counted.
 */
export function cannotFail(type: K6Metric['type'] | undefined, expr: string): boolean {
  let e: ReturnType<typeof parseThresholdExpression>;
  try {
    e = parseThresholdExpression(expr);
  } catch {
    return false;
  }
  const range: [number, number] | null =
    type === 'rate' && e.aggregation === 'rate'
      ? [0, 1]
      : type === 'counter' && (e.aggregation === 'count' || e.aggregation === 'rate')
        ? [0, Infinity]
        : type === 'trend' && e.aggregation !== 'count' && e.aggregation !== 'rate' && e.aggregation !== 'value'
          ? [0, Infinity]
          : null;
  if (!range) return false;
  const [lo, hi] = range;
  switch (e.op) {
    case '>=':
      return lo >= e.value;
    case '>':
      return lo > e.value;
    case '<=':
      return hi <= e.value;
    case '<':
      return hi < e.value;
    case '!=':
      return e.value < lo || e.value > hi;
    default:
      return false; // == and === pin one value: they can fail
  }
}

/**
 * The handleSummary shape from either shape k6 writes. Real k6 run by
 * `--engine k6` hands back its legacy `--summary-export` JSON (k6
 * js/summary-wrapper.js oldJSONSummary): each metric's values flat, a rate's
 * `rate` renamed `value`, `thresholds: { expr: failed }`, and no `type`. The
 * type is inferred from the value keys each type has (k6 docs, "Metric types").
 */
export function normaliseSummary(data: unknown): K6SummaryData | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as { metrics?: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  if (!d.metrics) return null;
  const first = Object.values(d.metrics)[0];
  if (!first || 'values' in first) return d as unknown as K6SummaryData; // already handleSummary data
  const metrics: Record<string, K6Metric> = {};
  for (const [name, flat] of Object.entries(d.metrics)) {
    const { thresholds, ...rest } = flat as { thresholds?: Record<string, boolean> } & Record<string, number>;
    let type: K6Metric['type'];
    const values: Record<string, number> = { ...rest };
    if ('passes' in rest && 'fails' in rest) {
      type = 'rate';
      values.rate = rest.value;
      delete values.value;
    } else if ('avg' in rest || 'med' in rest) type = 'trend';
    else if ('count' in rest) type = 'counter';
    else type = 'gauge';
    const m: K6Metric = { type, values };
    if (thresholds)
      m.thresholds = Object.fromEntries(Object.entries(thresholds).map(([expr, failed]) => [expr, { ok: !failed }]));
    metrics[name] = m;
  }
  return { ...d, metrics } as K6SummaryData;
}
