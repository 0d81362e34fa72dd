/**
 * report/ndjson: reading k6's JSON metric stream (`--out json=`) without
 * loading whole files, downsampling it into the time series the HTML report
 * draws, and merging the outputs of several k6 instances of one run.
 */
export { readRunSeries, DEFAULT_MAX_POINTS, type ReadSeriesOptions } from './read-run-series.ts';
export type {
  RunSeries,
  LatencyPoint,
  ThroughputPoint,
  RatePoint,
  LadderStep,
  PoolPoint,
  ScenarioSeries,
  ScenarioRatePoint,
  VusPoint,
  TimeWindow,
  FaultWindow,
} from './run-series.ts';
export { faultWindows, measuredFaultWindows, plannedFaultWindows } from './fault-windows.ts';
export { hdrPercentiles } from './run-series.ts';
export { SeriesBuilder, type PoolSample } from './series-builder.ts';
export { mergeInstances, mergeScenario, type MergedRun, type MergedScenario } from './merge.ts';
export { instanceFiles, type InstanceScenarioFiles } from './instance-files.ts';
export { SummaryMerger } from './summary-merger.ts';
export { readK6Records, type ReadStats } from './read-lines.ts';
export { classify, pointLine, metricLine, type Point, type K6MetricRecord } from './k6-records.ts';
export { applyMerge, configOfRun, runFromMerged } from './merge-run.ts';
export {
  readJudgedSamples,
  mergeJudged,
  judgedMerger,
  queryKey,
  cacheOpKey,
  CACHE_OPS,
  type ScenarioSamples,
} from './judged-samples.ts';
