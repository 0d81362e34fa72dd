/**
 * RunSeries: what the HTML report draws over time, downsampled from the run's
 * metric stream (k6 NDJSON) and the target sampler's pool samples. Every
 * number here is computed from the samples; `totals` says how many fed it.
 */

/** A latency bucket: percentiles (ms) of the samples that fell into it. */
export interface LatencyPoint {
  /** Bucket start, epoch ms. */
  t: number;
  count: number;
  /** Mean of the bucket's samples (ms). */
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface ThroughputPoint {
  t: number;
  /** http_reqs samples in the bucket ÷ bucket width. */
  rps: number;
  /** http_req_duration p95 of the bucket (ms). */
  p95: number | null;
  count: number;
}

export interface RatePoint {
  t: number;
  count: number;
  /** Share of non-zero samples (k6 Rate). */
  rate: number;
}

export interface LadderStep {
  /** The k6 scenario tag, `users_<N>`. */
  scenario: string;
  users: number;
  requests: number;
  /** Seconds from the step's first to its last http_reqs sample. */
  spanS: number;
  rps: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** http_req_failed share. */
  failedRate: number | null;
}

export interface PoolPoint {
  t: number;
  /** Mean of the per-second samples in the bucket. */
  inUse: number;
  idle: number;
  /** Largest number of clients waiting for a connection in the bucket. */
  waiting: number;
  max: number;
  /** The target's cache lookups in the bucket: hits ÷ (hits + misses). */
  hitRate: number | null;
}

/** One scenario's requests in one bucket (the scenario is the run.json scenario whose stream the samples came from). */
export interface ScenarioRatePoint {
  t: number;
  /** http_reqs in the bucket ÷ bucket width. */
  rps: number;
  /** http_req_failed samples with a non-zero value (failed requests) ÷ bucket width. */
  errorsPerS: number;
  requests: number;
  failed: number;
}

export interface VusPoint {
  t: number;
  /** k6's `vus` gauge: mean of its samples in the bucket, summed over the scenario's streams (k6 instances). */
  vus: number;
}

/** The series of one run.json scenario (one k6 process, or several merged instances of it). */
export interface ScenarioSeries {
  name: string;
  /** Bucket widths (ms) of `requests` and `vus`. */
  intervalMs: number;
  vusIntervalMs: number;
  requests: ScenarioRatePoint[];
  vus: VusPoint[];
  /** First and last sample of any metric in the scenario's streams (epoch ms); null when they were empty. */
  span: { first: number; last: number } | null;
}

/** A stretch of the run (epoch ms): a scenario's phase or a fault window. */
export interface TimeWindow {
  label: string;
  startMs: number;
  endMs: number;
}

export interface FaultWindow extends TimeWindow {
  kind: string;
  /** True: the injector's own clock (faults.json startedAt/endedAt); false: as planned in the run's configuration. */
  measured: boolean;
}

export interface RunSeries {
  /** Run start (epoch ms); charts show seconds from here. */
  startMs: number;
  /** End of the load (epoch ms): the last scenario's end, or the last sample when later. */
  endMs: number;
  intervalMs: number;
  /**
   * Bucket width (ms) of each series. A bucket exists only where samples fell,
   * so the charts break a line where two points are more than two widths apart.
   */
  widths: {
    throughput: number;
    cacheHitRate: number;
    pool: number;
    queryLatencyAll: number;
    queryLatency: Record<string, number>;
  };
  /** The scenarios whose query and cache samples the charts count: those the targets are judged on. */
  judgedScenarios?: { queries: string[]; cache: string[] };
  /** db_query_duration per query_type tag. */
  queryLatency: Record<string, LatencyPoint[]>;
  /** db_query_duration of all query types together (what the profile's avgQueryMs target judges). */
  queryLatencyAll: LatencyPoint[];
  /** All requests over time: http_reqs per second and http_req_duration p95. */
  throughput: ThroughputPoint[];
  ladder: LadderStep[];
  /** http_req_duration's percentile distribution over the whole run. */
  hdr: { count: number; points: Array<{ percentile: number; ms: number }> } | null;
  /** cache_hit over time (client side, X-Cache). */
  cacheHitRate: RatePoint[];
  /** Pool and cache counters of the target, sampled once a second by the pipeline. */
  pool: PoolPoint[];
  /** Per run.json scenario (in the run's order): VUs, requests and failures over time. */
  scenarios: ScenarioSeries[];
  /** When each scenario ran (run.json scenarios[].startedAt + durationS; its samples when it has no start). */
  phases: TimeWindow[];
  /** Faults injected during the run (faults.json, or the configuration's plan); empty without faults. */
  faultWindows: FaultWindow[];
  /** Points read per metric. */
  totals: Record<string, number>;
  /** Files read (relative to the results folder) and lines that were not k6 records. */
  files: string[];
  badLines: number;
}

/**
 * Percentiles for the "hockey stick": evenly spaced on the axis
 * x = log10(1 / (1 - p)), from 0 (p = 0) to 5 (p = 99.999), as HdrHistogram's
 * percentile distribution plots them.
 */
export function hdrPercentiles(steps = 100): number[] {
  const out: number[] = [];
  for (let i = 0; i <= steps; i++) out.push(100 * (1 - 10 ** (-(5 * i) / steps)));
  return out;
}
