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

export interface RunSeries {
  /** Run start (epoch ms); charts show seconds from here. */
  startMs: number;
  intervalMs: number;
  /** db_query_duration per query_type tag. */
  queryLatency: Record<string, LatencyPoint[]>;
  /** All requests over time: http_reqs per second and http_req_duration p95. */
  throughput: ThroughputPoint[];
  ladder: LadderStep[];
  /** http_req_duration's percentile distribution over the whole run. */
  hdr: { count: number; points: Array<{ percentile: number; ms: number }> } | null;
  /** cache_hit over time (client side, X-Cache). */
  cacheHitRate: RatePoint[];
  /** Pool and cache counters of the target, sampled once a second by the pipeline. */
  pool: PoolPoint[];
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
