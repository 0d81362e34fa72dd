/**
 * The shapes of k6's metrics model, shared by the registry, the sinks, the
 * thresholds and the summary writers.
 *
 * k6 docs "Metrics" (https://grafana.com/docs/k6/latest/using-k6/metrics/):
 * four metric types - Counter (sums values), Gauge (keeps the last value),
 * Rate (percentage of non-zero values), Trend (statistics: min, max, average,
 * percentiles) - and a value type (`contains`) that tells the summary how to
 * print a value: `time` (milliseconds), `data` (bytes) or `default`.
 * k6 source: metrics/metric_type.go, metrics/value_type.go, metrics/sink.go.
 */

/** k6's metric types (metrics/metric_type.go serialises them in lower case). */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

/** k6's value types (metrics/value_type.go): how a value is humanised. */
export type ValueType = 'default' | 'time' | 'data';

/** Tags of one sample: k6 tags are string to string. */
export type Tags = Record<string, string>;

/** One measured value of one metric, as k6's `metrics.Sample`. */
export interface Sample {
  metric: string;
  value: number;
  tags: Tags;
  /** Milliseconds since the Unix epoch (may carry a fraction). */
  time: number;
}

/** Options every sink understands when it reports its values. */
export interface SinkValuesOptions {
  /** Test run duration so far, for a counter's per-second `rate`. */
  durationMs: number;
  /** Trend columns (k6 `summaryTrendStats`); default avg,min,med,max,p(90),p(95). */
  trendStats?: string[];
}

/**
 * An aggregate of a metric's samples (k6 `metrics.Sink`). It serialises
 * (`toJSON`, read back with `sinkFromJSON`) and merges, so the results of
 * several engine instances can be combined after the fact.
 */
export interface Sink {
  /** The metric type this sink aggregates. */
  readonly type: MetricType;
  add(value: number, time: number): void;
  /** k6's summary values for this metric type (see each sink's doc). */
  values(opts: SinkValuesOptions): Record<string, number>;
  toJSON(): unknown;
  /** Add another sink of the same type into this one. */
  merge(other: Sink): void;
  /** Number of samples added (0 = k6's `IsEmpty()`), not a counter's sum. */
  get count(): number;
}

/** A registered metric (k6 `metrics.Metric`). */
export interface Metric {
  name: string;
  type: MetricType;
  contains: ValueType;
  sink: Sink;
  submetrics: Submetric[];
}

/**
 * A filtered view of a parent metric (k6 `metrics.Submetric`): it receives
 * only the samples whose tags include all of its tags.
 */
export interface Submetric {
  /** Parent name plus the selector as written, e.g. `http_req_duration{status:200}`. */
  name: string;
  /** The selector between the braces, trimmed (k6 `Submetric.Suffix`). */
  suffix: string;
  parent: string;
  tags: Tags;
  sink: Sink;
}

/** The trend columns k6 prints when `summaryTrendStats` is not set (k6 lib/options.go). */
export const DEFAULT_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
