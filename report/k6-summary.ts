/**
 * Reading k6's handleSummary data object (the same shape from real k6 and the
 * embedded engine): `metrics[name] = { type, contains, values, thresholds? }`,
 * where sub-metrics appear as `name{tag:value}` when a threshold selects them.
 * Docs: k6 "Custom summary" (handleSummary data), "Built-in metrics".
 */

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
 * A value of a metric (`avg`, `p(95)`, `rate`, `count`...), or null. A trend
 * with no samples is null, not 0: k6 prints an empty sub-metric as zeros, and
 * a zero would pass every latency target without a single measurement.
 */
export function value(m: K6Metric | undefined, key: string): number | null {
  if (m?.type === 'trend' && key !== 'count' && m.values.count === 0) return null;
  const v = m?.values[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Every threshold of a summary with its verdict: `[{ metric, expr, ok }]`. */
export function thresholds(s: K6SummaryData | null): Array<{ metric: string; expr: string; ok: boolean }> {
  if (!s) return [];
  const out: Array<{ metric: string; expr: string; ok: boolean }> = [];
  for (const [name, m] of Object.entries(s.metrics)) {
    for (const [expr, t] of Object.entries(m.thresholds ?? {})) out.push({ metric: name, expr, ok: t.ok });
  }
  return out;
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
