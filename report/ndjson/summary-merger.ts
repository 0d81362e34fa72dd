/**
 * Recomputes a k6 summary (handleSummary's data shape) from the metric
 * streams of several instances of one run. Summaries themselves cannot be
 * merged (a p95 of p95s is not a p95), but the streams hold every sample, so
 * each metric and sub-metric is rebuilt with k6's sinks (engine/metrics:
 * counters add, rates pool their passes and fails, trends merge HDR
 * histograms, gauges keep the latest value) and thresholds are evaluated
 * again on the merged values.
 */
import {
  newSink,
  parseMetricSelector,
  tagsMatch,
  DEFAULT_TREND_STATS,
  type MetricType,
  type Sink,
  compare,
  parseThresholdExpression,
} from '../../engine/index.ts';
import type { K6Metric, K6SummaryData } from '../k6-summary.ts';
import type { K6MetricRecord, Point } from './k6-records.ts';

interface Tracked {
  key: string;
  parent: string;
  tags: Record<string, string>;
  sink: Sink | null;
}

/** Summaries of the instances: which keys (sub-metrics), stats and thresholds they reported. */
export interface InstanceSummary {
  metrics: Record<
    string,
    { type?: string; values?: Record<string, number>; thresholds?: Record<string, unknown> } & Record<string, unknown>
  >;
  state?: { testRunDurationMs?: number };
}

/** Merges Points from any number of instances into one summary. */
export class SummaryMerger {
  private readonly types = new Map<string, { type: MetricType; contains: string }>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly subs = new Map<string, Tracked[]>();
  private readonly statKeys = new Map<string, Set<string>>();
  private readonly thresholdExprs = new Map<string, Set<string>>();
  private durationMs = 0;
  private first = Infinity;
  private last = -Infinity;
  readonly samples: Record<string, number> = {};

  /** Declares the sub-metrics, trend stats and thresholds one instance's summary reported. */
  addSummary(s: InstanceSummary | null): void {
    if (!s?.metrics) return;
    this.durationMs = Math.max(this.durationMs, s.state?.testRunDurationMs ?? 0);
    for (const [key, m] of Object.entries(s.metrics)) {
      this.track(key);
      // handleSummary data keeps stats in `values`; --summary-export puts them on the metric itself.
      const vals = m.values ?? Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'number'));
      const keys = this.statKeys.get(key) ?? new Set<string>();
      for (const k of Object.keys(vals)) keys.add(k);
      this.statKeys.set(key, keys);
      const th = this.thresholdExprs.get(key) ?? new Set<string>();
      for (const expr of Object.keys(m.thresholds ?? {})) th.add(expr);
      this.thresholdExprs.set(key, th);
    }
  }

  private track(key: string): Tracked {
    let t = this.tracked.get(key);
    if (t) return t;
    const sel = parseMetricSelector(key);
    t = { key, parent: sel.name, tags: sel.tags, sink: null };
    this.tracked.set(key, t);
    if (sel.suffix) this.subs.set(sel.name, [...(this.subs.get(sel.name) ?? []), t]);
    return t;
  }

  /** A Metric line of a stream: its type (and thresholds, which apply to the merged values too). */
  declare(rec: K6MetricRecord): void {
    this.types.set(rec.metric, { type: rec.data.type, contains: rec.data.contains ?? 'default' });
    const th = this.thresholdExprs.get(rec.metric) ?? new Set<string>();
    for (const expr of rec.data.thresholds ?? []) th.add(expr);
    this.thresholdExprs.set(rec.metric, th);
  }

  /** A Point of any instance's stream. */
  add(p: Point): void {
    const type = this.types.get(p.metric)?.type;
    if (!type) return; // k6 declares every metric before its first Point; anything else is not a k6 stream
    this.samples[p.metric] = (this.samples[p.metric] ?? 0) + 1;
    this.first = Math.min(this.first, p.time);
    this.last = Math.max(this.last, p.time);
    const t = this.track(p.metric);
    (t.sink ??= newSink(type)).add(p.value, p.time);
    for (const s of this.subs.get(p.metric) ?? [])
      if (tagsMatch(s.tags, p.tags)) (s.sink ??= newSink(type)).add(p.value, p.time);
  }

  /**
   * Adds everything `other` holds into this merger, leaving `other` as it was:
   * trend sinks merge their HDR histograms bucket by bucket (engine/metrics
   * TrendSink.merge), so a merged percentile is the percentile of the union
   * of samples (within HDR precision), never an average of percentiles.
   * Both mergers must track the same sub-metric keys (declare them before the
   * first Point, as readJudgedSamples does): a sub-metric only one of them
   * tracked holds only that one's samples.
   */
  mergeFrom(other: SummaryMerger): void {
    this.durationMs = Math.max(this.durationMs, other.durationMs);
    this.first = Math.min(this.first, other.first);
    this.last = Math.max(this.last, other.last);
    for (const [k, v] of other.types) this.types.set(k, v);
    for (const [k, keys] of other.statKeys) this.statKeys.set(k, new Set([...(this.statKeys.get(k) ?? []), ...keys]));
    for (const [k, th] of other.thresholdExprs)
      this.thresholdExprs.set(k, new Set([...(this.thresholdExprs.get(k) ?? []), ...th]));
    for (const t of other.tracked.values()) {
      const mine = this.track(t.key);
      if (t.sink) (mine.sink ??= newSink(t.sink.type)).merge(t.sink);
    }
    for (const [k, n] of Object.entries(other.samples)) this.samples[k] = (this.samples[k] ?? 0) + n;
  }

  /** Samples added to the metric or sub-metric `key` (0 when it had none or is not tracked). */
  countOf(key: string): number {
    return this.tracked.get(key)?.sink?.count ?? 0;
  }

  /** First and last sample time (epoch ms); null before any sample. */
  span(): { first: number; last: number } | null {
    return this.first <= this.last ? { first: this.first, last: this.last } : null;
  }

  /** The merged summary in handleSummary's data shape (report/k6-summary.ts). */
  finish(extra: Record<string, unknown> = {}): K6SummaryData {
    // Instances run side by side: the run lasted as long as the longest one.
    const durationMs = this.durationMs || (this.last > this.first ? this.last - this.first : 0);
    const metrics: Record<string, K6Metric> = {};
    for (const t of [...this.tracked.values()].sort((a, b) => a.key.localeCompare(b.key))) {
      const decl = this.types.get(t.parent);
      if (!decl || !t.sink) continue;
      const thresholds = [...(this.thresholdExprs.get(t.key) ?? [])];
      const wanted = [...(this.statKeys.get(t.key) ?? this.statKeys.get(t.parent) ?? [])];
      const trendStats =
        decl.type === 'trend'
          ? unique([
              ...(wanted.length ? wanted : [...DEFAULT_TREND_STATS, 'p(99)', 'count']),
              ...thresholds.map(aggregationOf),
            ])
          : undefined;
      const values = t.sink.values({ durationMs, trendStats });
      const m: K6Metric = { type: decl.type, contains: decl.contains, values };
      if (thresholds.length) m.thresholds = Object.fromEntries(thresholds.map((e) => [e, { ok: evaluate(e, values) }]));
      metrics[t.key] = m;
    }
    return { metrics, state: { testRunDurationMs: durationMs }, ...extra };
  }
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.filter(Boolean))];
}

function aggregationOf(expr: string): string {
  try {
    return parseThresholdExpression(expr).aggregation;
  } catch {
    return '';
  }
}

/** k6 passes a threshold when its expression holds for the aggregated value. */
function evaluate(expr: string, values: Record<string, number>): boolean {
  try {
    const e = parseThresholdExpression(expr);
    const v = values[e.aggregation];
    return typeof v === 'number' && compare(v, e.op, e.value);
  } catch {
    return false;
  }
}
