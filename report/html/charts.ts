/**
 * The report's charts, from the run's figures and its downsampled series:
 * latency percentiles over time per query type, throughput and latency over
 * time, the ladder's steps, the HDR percentile distribution, cache hit rate,
 * the pool over time, and the consistency checkers.
 */
import { formatValue, indexFigures, type Figure } from '../figure.ts';
import type { RunJson } from '../run-json.ts';
import type { RunSeries } from '../ndjson/run-series.ts';
import { barChart, lineChart, shareChart, COLORS, type ShareRow } from './svg-chart.ts';

const ms = (v: number) => `${Number(v.toPrecision(3))} ms`;
const pct = (v: number) => `${Number((v * 100).toPrecision(3))}%`;

/** Seconds since the run started, for a bucket time. */
const since = (s: RunSeries, t: number) => (t - s.startMs) / 1000;

/** One chart per query type: p50, p95, p99 of db_query_duration per interval. */
export function queryLatencyCharts(s: RunSeries): string[] {
  return Object.entries(s.queryLatency).map(([qt, pts]) =>
    lineChart({
      id: `query-latency-${qt}`,
      title: `${qt} queries: database time over the run`,
      caption: `k6 db_query_duration{query_type:${qt}} (Server-Timing, per response), percentiles per ${s.intervalMs / 1000} s interval; ${pts.reduce((a, p) => a + p.count, 0)} samples.`,
      x: { kind: 'time' },
      xLabel: 'time since the load started',
      yLabel: 'ms',
      yFormat: ms,
      series: [
        { name: 'p50', points: pts.map((p) => [since(s, p.t), p.p50]) },
        { name: 'p95', points: pts.map((p) => [since(s, p.t), p.p95]) },
        { name: 'p99', points: pts.map((p) => [since(s, p.t), p.p99]), dashed: true },
      ],
    }),
  );
}

/** Requests per second and the request p95 over time, all scenarios together. */
export function throughputCharts(s: RunSeries): string[] {
  const t = s.throughput;
  return [
    lineChart({
      id: 'throughput',
      title: 'Throughput over the run',
      caption: `k6 http_reqs per ${s.intervalMs / 1000} s interval ÷ interval length; ${s.totals.http_reqs ?? 0} requests.`,
      x: { kind: 'time' },
      xLabel: 'time since the load started',
      yLabel: 'req/s',
      series: [{ name: 'requests per second', points: t.map((p) => [since(s, p.t), p.rps]) }],
    }),
    lineChart({
      id: 'request-latency',
      title: 'Request latency p95 over the run',
      caption: `k6 http_req_duration (client side), p95 per ${s.intervalMs / 1000} s interval.`,
      x: { kind: 'time' },
      xLabel: 'time since the load started',
      yLabel: 'ms',
      yFormat: ms,
      series: [{ name: 'p95', points: t.map((p) => [since(s, p.t), p.p95]), color: COLORS[3] }],
    }),
  ];
}

/**
 * The ladder: throughput and p95 per user count. The run's ladder figures
 * (the numbers of the Load ladder table) are drawn when present; otherwise
 * the steps found in the metric stream.
 */
export function ladderCharts(run: RunJson, s: RunSeries): string[] {
  const figs = indexFigures(run.figures);
  const users = [
    ...new Set([
      ...run.figures
        .map((f) => /^ladder\.(\d+)\.p95$/.exec(f.id)?.[1])
        .filter(Boolean)
        .map(Number),
      ...s.ladder.map((l) => l.users),
    ]),
  ].sort((a, b) => a - b);
  const fromFig = (u: number, k: string): number | null => figs.get(`ladder.${u}.${k}`)?.value ?? null;
  const step = (u: number) => s.ladder.find((l) => l.users === u);
  const rps = users.map((u) => fromFig(u, 'rps') ?? step(u)?.rps ?? null);
  const p95 = users.map((u) => fromFig(u, 'p95') ?? step(u)?.p95 ?? null);
  const p99 = users.map((u) => fromFig(u, 'p99') ?? step(u)?.p99 ?? null);
  const fromFigures = users.some((u) => fromFig(u, 'p95') !== null);
  const src = fromFigures
    ? 'run.json ladder figures (k6 http_reqs and http_req_duration{scenario:users_N})'
    : 'the metric stream (k6 http_reqs and http_req_duration tagged scenario users_N)';
  const labels = users.map(String);
  return [
    barChart({
      id: 'ladder-throughput',
      title: 'Load ladder: throughput per step',
      caption: `Requests per second per user count, from ${src}.`,
      labels,
      xLabel: 'concurrent users',
      yLabel: 'req/s',
      values: rps,
      yFormat: (v) => (v >= 100 ? String(Math.round(v)) : v.toFixed(1)),
    }),
    lineChart({
      id: 'ladder-latency',
      title: 'Load ladder: latency per step',
      caption: `Request duration per user count, from ${src}.`,
      x: { kind: 'category', labels },
      xLabel: 'concurrent users',
      yLabel: 'ms',
      yFormat: ms,
      series: [
        { name: 'p95', points: p95.map((v, i) => [i, v]), markers: true, color: COLORS[3] },
        { name: 'p99', points: p99.map((v, i) => [i, v]), markers: true, dashed: true, color: COLORS[4] },
      ],
    }),
  ];
}

/** The HDR percentile distribution ("hockey stick") of request durations. */
export function hdrChart(s: RunSeries): string {
  const pts = s.hdr?.points ?? [];
  return lineChart({
    id: 'hdr-distribution',
    title: 'Request latency by percentile',
    caption: `k6 http_req_duration, all requests of the run (${s.hdr?.count ?? 0}), recorded in an HDR histogram (3 significant digits); x axis: percentile on a log scale of 1/(1 − p).`,
    x: { kind: 'nines' },
    xLabel: 'percentile',
    yLabel: 'ms',
    yFormat: ms,
    series: [{ name: 'http_req_duration', points: pts.map((p) => [p.percentile, p.ms]) }],
  });
}

/** Cache hit rate over time: responses (X-Cache) and the target's own lookups. */
export function cacheChart(s: RunSeries): string {
  return lineChart({
    id: 'cache-hit-rate',
    title: 'Cache hit rate over the run',
    caption:
      "k6 cache_hit (X-Cache HIT share of cacheable reads, client side) and the target's acgs_cache_lookups_total hit ÷ (hit + miss) from its /metrics, sampled each second.",
    x: { kind: 'time' },
    xLabel: 'time since the load started',
    yLabel: 'hit rate',
    yFormat: pct,
    yMax: 1,
    series: [
      { name: 'responses (X-Cache)', points: s.cacheHitRate.map((p) => [since(s, p.t), p.rate]) },
      { name: 'target lookups', points: s.pool.map((p) => [since(s, p.t), p.hitRate]), dashed: true },
    ],
  });
}

/** Pool connections in use, clients waiting for one, and the pool's maximum. */
export function poolChart(s: RunSeries): string {
  return lineChart({
    id: 'pool',
    title: 'Connection pool over the run',
    caption: `Target /metrics acgs_pool_connections{state="in_use"} (mean per ${s.intervalMs / 1000} s interval), acgs_pool_waiting (largest in the interval) and acgs_pool_max, sampled each second.`,
    x: { kind: 'time' },
    xLabel: 'time since the load started',
    yLabel: 'connections',
    series: [
      { name: 'in use', points: s.pool.map((p) => [since(s, p.t), p.inUse]) },
      { name: 'waiting', points: s.pool.map((p) => [since(s, p.t), p.waiting]), color: COLORS[3] },
      { name: 'maximum', points: s.pool.map((p) => [since(s, p.t), p.max]), dashed: true, color: '#888888' },
    ],
  });
}

interface CheckerLike {
  name: string;
  checked: number;
  violations: Record<string, number>;
}

/** The consistency checkers: per checker, items without violation and violations. */
export function checksChart(run: RunJson): string {
  const checkers = ((run.checks as { checkers?: CheckerLike[] } | null)?.checkers ?? []).filter(
    (c) => typeof c?.name === 'string',
  );
  const figs = indexFigures(run.figures);
  const rows: ShareRow[] = checkers.map((c) => {
    const bad = Object.values(c.violations ?? {}).reduce((a, b) => a + b, 0);
    const score: Figure | undefined = figs.get(`consistency.${c.name}.score`);
    return {
      label: c.name,
      ok: Math.max(0, c.checked - bad),
      bad,
      note: `${bad} violations / ${c.checked}${score ? ` · ${formatValue(score.value, score.unit)}` : ''}`,
    };
  });
  return shareChart({
    id: 'consistency',
    title: 'Data consistency checkers',
    caption:
      'Independent checkers reading PostgreSQL and Redis directly after the run: items checked and violations found (run.json checks).',
    yLabel: '',
    rows,
  });
}
