/**
 * engine/metrics: k6's metrics model for the embedded engine - metric types,
 * the registry with sub-metrics, and the sinks (Trend in an HDR histogram).
 * Pure: data in, data out; no I/O.
 */
export type { MetricType, ValueType, Tags, Sample, Metric, Submetric, Sink, SinkValuesOptions } from './types.ts';
export { DEFAULT_TREND_STATS } from './types.ts';
export { Registry, METRIC_NAME_RE } from './registry.ts';
export { defineBuiltinMetrics, BUILTIN_METRICS } from './builtin.ts';
export { CounterSink, GaugeSink, RateSink } from './simple-sinks.ts';
export { TrendSink, TREND_SCALE, type TrendSinkJSON } from './trend-sink.ts';
export { newSink, sinkFromJSON } from './sink-factory.ts';
export { parseMetricSelector, tagsMatch, tagsEqual, type ParsedSelector } from './selector.ts';
export { parsePercentileStat, validateTrendStats } from './trend-stats.ts';
