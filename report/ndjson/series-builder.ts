/**
 * The pure core of readRunSeries: takes metric-stream Points one at a time
 * and pool samples, and returns the downsampled RunSeries. Memory is bounded
 * by maxPoints × (query types + 2) small HDR histograms, whatever the run's
 * length or request rate.
 */
import type { Histogram } from 'hdr-histogram-js';
import {
  Buckets,
  latencyKind,
  newLatencyHistogram,
  percentileMs,
  recordMs,
  sumKind,
  US_PER_MS,
  type BucketKind,
  type SumAgg,
} from './buckets.ts';
import type { Point } from './k6-records.ts';
import {
  hdrPercentiles,
  type LadderStep,
  type LatencyPoint,
  type PoolPoint,
  type RunSeries,
  type ScenarioSeries,
} from './run-series.ts';

interface HttpAgg {
  hist: Histogram;
  reqs: number;
}
const httpKind: BucketKind<HttpAgg> = {
  create: () => ({ hist: newLatencyHistogram(2), reqs: 0 }),
  merge: (into, from) => {
    into.hist.add(from.hist);
    into.reqs += from.reqs;
  },
};

interface StepAgg {
  hist: Histogram;
  reqs: number;
  first: number;
  last: number;
  failed: SumAgg;
}

interface PoolAgg {
  n: number;
  inUse: number;
  idle: number;
  waiting: number;
  max: number;
  hits: number;
  misses: number;
}
const poolKind: BucketKind<PoolAgg> = {
  create: () => ({ n: 0, inUse: 0, idle: 0, waiting: 0, max: 0, hits: 0, misses: 0 }),
  merge: (a, b) => {
    a.n += b.n;
    a.inUse += b.inUse;
    a.idle += b.idle;
    a.waiting = Math.max(a.waiting, b.waiting);
    a.max = Math.max(a.max, b.max);
    a.hits += b.hits;
    a.misses += b.misses;
  },
};

/** One scenario's requests and failures in a bucket. */
interface ReqAgg {
  reqs: number;
  failed: number;
}
const reqKind: BucketKind<ReqAgg> = {
  create: () => ({ reqs: 0, failed: 0 }),
  merge: (into, from) => {
    into.reqs += from.reqs;
    into.failed += from.failed;
  },
};

/** k6's vus gauge in a bucket, per stream: a gauge of several k6 instances adds up across them, not within one. */
type VusAgg = Map<number, { sum: number; n: number }>;
const vusKind: BucketKind<VusAgg> = {
  create: () => new Map(),
  merge: (into, from) => {
    for (const [k, v] of from) {
      const cur = into.get(k);
      if (cur) {
        cur.sum += v.sum;
        cur.n += v.n;
      } else into.set(k, { ...v });
    }
  },
};

interface ScenarioAgg {
  req: Buckets<ReqAgg>;
  vus: Buckets<VusAgg>;
  first: number;
  last: number;
}

/** One per-second sample of the target's pool and cache counters (run.json timeSeries.pool). */
export type { PoolSample } from '../run-json.ts';
import type { PoolSample } from '../run-json.ts';

const LADDER_TAG = /^users_(\d+)$/;

/** Builds a RunSeries from Points (any order) and pool samples. */
export class SeriesBuilder {
  private readonly queries = new Map<string, Buckets<Histogram>>();
  private readonly http: Buckets<HttpAgg>;
  private readonly cache: Buckets<SumAgg>;
  private readonly pool: Buckets<PoolAgg>;
  private readonly steps = new Map<string, StepAgg>();
  private readonly dbAll: Buckets<Histogram>;
  private readonly scenarios = new Map<string, ScenarioAgg>();
  private readonly all = newLatencyHistogram(3);
  readonly totals: Record<string, number> = {};

  constructor(
    readonly startMs: number,
    private readonly widthMs: number,
    private readonly maxPoints: number,
    /**
     * The scenarios whose query and cache samples the judged figures count
     * (report/figures/inputs.ts judgedScenarioNames); the charts count the same.
     * Absent: every scenario.
     */
    private readonly judged?: { queries: ReadonlySet<string>; cache: ReadonlySet<string> },
  ) {
    this.http = new Buckets(httpKind, startMs, widthMs, maxPoints);
    this.cache = new Buckets(sumKind, startMs, widthMs, maxPoints);
    this.pool = new Buckets(poolKind, startMs, widthMs, maxPoints);
    this.dbAll = new Buckets(latencyKind(2), startMs, widthMs, maxPoints);
  }

  private scenario(name: string): ScenarioAgg {
    let s = this.scenarios.get(name);
    if (!s)
      this.scenarios.set(
        name,
        (s = {
          req: new Buckets(reqKind, this.startMs, this.widthMs, this.maxPoints),
          vus: new Buckets(vusKind, this.startMs, this.widthMs, this.maxPoints),
          first: Infinity,
          last: -Infinity,
        }),
      );
    return s;
  }

  /**
   * Adds one Point of the metric stream. `scenario` names the run.json
   * scenario whose stream it came from (k6's vus gauge carries no scenario
   * tag: it counts the VUs of the whole k6 process), `stream` which of its
   * streams (k6 instances) it is.
   */
  add(p: Point, scenario = 'run', stream = 0): void {
    this.totals[p.metric] = (this.totals[p.metric] ?? 0) + 1;
    const sc = this.scenario(scenario);
    sc.first = Math.min(sc.first, p.time);
    sc.last = Math.max(sc.last, p.time);
    switch (p.metric) {
      case 'vus': {
        const m = sc.vus.at(p.time);
        const cur = m.get(stream);
        if (cur) {
          cur.sum += p.value;
          cur.n++;
        } else m.set(stream, { sum: p.value, n: 1 });
        return;
      }
      case 'db_query_duration': {
        if (this.judged && !this.judged.queries.has(scenario)) return;
        const qt = p.tags.query_type ?? 'untagged';
        let b = this.queries.get(qt);
        if (!b) this.queries.set(qt, (b = new Buckets(latencyKind(2), this.startMs, this.widthMs, this.maxPoints)));
        recordMs(b.at(p.time), p.value);
        recordMs(this.dbAll.at(p.time), p.value);
        return;
      }
      case 'http_req_duration':
        recordMs(this.http.at(p.time).hist, p.value);
        recordMs(this.all, p.value);
        if (this.step(p)) recordMs(this.step(p)!.hist, p.value);
        return;
      case 'http_reqs': {
        this.http.at(p.time).reqs += p.value;
        sc.req.at(p.time).reqs += p.value;
        const s = this.step(p);
        if (s) {
          s.reqs += p.value;
          s.first = Math.min(s.first, p.time);
          s.last = Math.max(s.last, p.time);
        }
        return;
      }
      case 'http_req_failed': {
        if (p.value !== 0) sc.req.at(p.time).failed++;
        else sc.req.at(p.time);
        const s = this.step(p);
        if (s) {
          s.failed.count++;
          if (p.value !== 0) s.failed.sum++;
        }
        return;
      }
      case 'cache_hit': {
        // as the judged hit rate: only the reads where the scenarios' cache model expected a hit
        if (this.judged && (!this.judged.cache.has(scenario) || p.tags.cache_expect !== 'hit')) return;
        const a = this.cache.at(p.time);
        a.count++;
        if (p.value !== 0) a.sum++;
        return;
      }
    }
  }

  private step(p: Point): StepAgg | null {
    const sc = p.tags.scenario;
    if (!sc || !LADDER_TAG.test(sc)) return null;
    let s = this.steps.get(sc);
    if (!s)
      this.steps.set(
        sc,
        (s = { hist: newLatencyHistogram(3), reqs: 0, first: Infinity, last: -Infinity, failed: { count: 0, sum: 0 } }),
      );
    return s;
  }

  /** Adds the pipeline's per-second pool samples; cache counters are cumulative, so deltas go to the later sample's bucket. */
  addPool(samples: readonly PoolSample[]): void {
    const sorted = [...samples].sort((a, b) => a.t - b.t);
    sorted.forEach((s, i) => {
      const a = this.pool.at(s.t);
      a.n++;
      a.inUse += s.inUse;
      a.idle += s.idle;
      a.waiting = Math.max(a.waiting, s.waiting);
      a.max = Math.max(a.max, s.max);
      const prev = sorted[i - 1];
      // A counter that went down means the target restarted: skip that step.
      if (prev && s.cacheHits >= prev.cacheHits && s.cacheMisses >= prev.cacheMisses) {
        a.hits += s.cacheHits - prev.cacheHits;
        a.misses += s.cacheMisses - prev.cacheMisses;
      }
    });
  }

  /** The downsampled series. */
  finish(): Omit<RunSeries, 'files' | 'badLines' | 'phases' | 'faultWindows' | 'endMs'> {
    const latency = (h: Histogram, t: number): LatencyPoint => ({
      t,
      count: h.totalCount,
      mean: h.mean / US_PER_MS,
      p50: percentileMs(h, 50),
      p95: percentileMs(h, 95),
      p99: percentileMs(h, 99),
    });
    const queryLatency: Record<string, LatencyPoint[]> = {};
    const queryWidths: Record<string, number> = {};
    for (const [qt, b] of [...this.queries.entries()].sort((x, y) => x[0].localeCompare(y[0]))) {
      queryLatency[qt] = b.entries().map(({ t, agg }) => latency(agg, t));
      queryWidths[qt] = b.widthMs;
    }
    const scenarios: ScenarioSeries[] = [...this.scenarios.entries()].map(([name, s]) => ({
      name,
      intervalMs: s.req.widthMs,
      vusIntervalMs: s.vus.widthMs,
      requests: s.req.entries().map(({ t, agg }) => ({
        t,
        requests: agg.reqs,
        failed: agg.failed,
        rps: agg.reqs / (s.req.widthMs / 1000),
        errorsPerS: agg.failed / (s.req.widthMs / 1000),
      })),
      vus: s.vus.entries().map(({ t, agg }) => ({
        t,
        vus: [...agg.values()].reduce((a, v) => a + v.sum / v.n, 0),
      })),
      span: s.first <= s.last ? { first: s.first, last: s.last } : null,
    }));
    const throughput = this.http.entries().map(({ t, agg }) => ({
      t,
      count: agg.reqs,
      rps: agg.reqs / (this.http.widthMs / 1000),
      p95: agg.hist.totalCount ? percentileMs(agg.hist, 95) : null,
    }));
    const ladder: LadderStep[] = [...this.steps.entries()]
      .map(([scenario, s]) => {
        const spanS = s.reqs > 0 ? (s.last - s.first) / 1000 : 0;
        const has = s.hist.totalCount > 0;
        return {
          scenario,
          users: Number(LADDER_TAG.exec(scenario)![1]),
          requests: s.reqs,
          spanS,
          rps: spanS > 0 ? s.reqs / spanS : null,
          p50: has ? percentileMs(s.hist, 50) : null,
          p95: has ? percentileMs(s.hist, 95) : null,
          p99: has ? percentileMs(s.hist, 99) : null,
          failedRate: s.failed.count ? s.failed.sum / s.failed.count : null,
        };
      })
      .sort((a, b) => a.users - b.users);
    const hdr = this.all.totalCount
      ? {
          count: this.all.totalCount,
          points: hdrPercentiles().map((p) => ({ percentile: p, ms: percentileMs(this.all, p) })),
        }
      : null;
    const cacheHitRate = this.cache.entries().map(({ t, agg }) => ({ t, count: agg.count, rate: agg.sum / agg.count }));
    const pool: PoolPoint[] = this.pool.entries().map(({ t, agg: a }) => ({
      t,
      inUse: a.inUse / a.n,
      idle: a.idle / a.n,
      waiting: a.waiting,
      max: a.max,
      hitRate: a.hits + a.misses > 0 ? a.hits / (a.hits + a.misses) : null,
    }));
    return {
      startMs: this.startMs,
      intervalMs: this.http.widthMs,
      widths: {
        throughput: this.http.widthMs,
        cacheHitRate: this.cache.widthMs,
        pool: this.pool.widthMs,
        queryLatencyAll: this.dbAll.widthMs,
        queryLatency: queryWidths,
      },
      queryLatency,
      queryLatencyAll: this.dbAll.entries().map(({ t, agg }) => latency(agg, t)),
      scenarios,
      throughput,
      ladder,
      hdr,
      cacheHitRate,
      pool,
      totals: this.totals,
    };
  }
}
