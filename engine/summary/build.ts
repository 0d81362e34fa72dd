/**
 * Building the handleSummary data object from the registry and the final
 * threshold results (k6 js/summary.go `summarizeMetricsToObject`).
 *
 * Which metrics appear: those with samples, and those with thresholds (and,
 * for a sub-metric with thresholds, its parent) even without samples - k6
 * metrics/engine/engine.go marks them "observed" so they show in the summary.
 */
import { DEFAULT_TREND_STATS, type Metric, type Registry, type Submetric } from '../metrics/index.ts';
import type { ThresholdResult } from '../thresholds/index.ts';
import type { GroupData, SummaryData, SummaryMetric, SummaryState } from './types.ts';

/** Build k6's summary data; `extra` adds top-level keys (never replacing k6's own). */
export function buildSummaryData(
  registry: Registry,
  thresholds: ThresholdResult[],
  rootGroup: GroupData,
  options: { summaryTrendStats: string[]; summaryTimeUnit?: string; noColor?: boolean },
  state: SummaryState,
  extra?: Record<string, unknown>,
): SummaryData {
  const trendStats = options.summaryTrendStats?.length ? options.summaryTrendStats : [...DEFAULT_TREND_STATS];
  const byMetric = new Map<string, Record<string, { ok: boolean }>>();
  for (const r of thresholds) {
    const t = byMetric.get(r.def.metric) ?? {};
    t[r.def.expr.source] = { ok: r.ok };
    byMetric.set(r.def.metric, t);
  }
  const entries: Array<[string, SummaryMetric]> = [];
  const entry = (name: string, m: Metric, target: Metric | Submetric) => {
    const values = target.sink.values({ durationMs: state.testRunDurationMs, trendStats });
    const sm: SummaryMetric = { type: m.type, contains: m.contains, values };
    const t = byMetric.get(name);
    if (t) sm.thresholds = t;
    entries.push([name, sm]);
  };
  for (const m of registry.metrics()) {
    const subs = m.submetrics.filter((s) => s.sink.count > 0 || byMetric.has(s.name));
    const subThresholds = m.submetrics.some((s) => byMetric.has(s.name));
    if (m.sink.count > 0 || byMetric.has(m.name) || subThresholds) entry(m.name, m, m);
    for (const s of subs) entry(s.name, m, s);
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const data: SummaryData = {
    root_group: rootGroup,
    options: {
      summaryTrendStats: trendStats,
      summaryTimeUnit: options.summaryTimeUnit ?? '',
      noColor: options.noColor ?? false,
    },
    state: { ...state },
    metrics: Object.fromEntries(entries),
  };
  for (const [k, v] of Object.entries(extra ?? {})) if (!(k in data)) data[k] = v;
  return data;
}
