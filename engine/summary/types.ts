/**
 * The handleSummary data object in k6's shape (docs "End-of-test summary" >
 * "Custom summary" > summary data; k6 js/summary.go
 * `summarizeMetricsToObject`, `exportGroup`):
 *
 * ```
 * { root_group: { name, path, id, groups: [...], checks: [{ name, path, id, passes, fails }] },
 *   options: { summaryTrendStats, summaryTimeUnit, noColor },
 *   state: { isStdOutTTY, isStdErrTTY, testRunDurationMs },
 *   metrics: { <name>: { type, contains, values: {...}, thresholds?: { <expr>: { ok } } } } }
 * ```
 */
import type { MetricType, ValueType } from '../metrics/index.ts';

/** `data.state`. */
export interface SummaryState {
  testRunDurationMs: number;
  isStdOutTTY: boolean;
  isStdErrTTY: boolean;
}

/** One check of a group, with its pass and fail counts. */
export interface CheckData {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

/** A group (the root group has name '' and path ''). */
export interface GroupData {
  name: string;
  path: string;
  id: string;
  groups: GroupData[];
  checks: CheckData[];
}

/** `data.metrics[name]`. */
export interface SummaryMetric {
  type: MetricType;
  contains: ValueType;
  values: Record<string, number>;
  /** Present only when the metric has thresholds: expression -> { ok }. */
  thresholds?: Record<string, { ok: boolean }>;
}

/** `data.options`. */
export interface SummaryOptions {
  summaryTrendStats: string[];
  /** '' (auto), 's', 'ms' or 'us'. */
  summaryTimeUnit: string;
  noColor: boolean;
}

/** The whole handleSummary argument; extra top-level keys (e.g. `engine`) may be added. */
export interface SummaryData {
  root_group: GroupData;
  options: SummaryOptions;
  state: SummaryState;
  metrics: Record<string, SummaryMetric>;
  [extra: string]: unknown;
}
