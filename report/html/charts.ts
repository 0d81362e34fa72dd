/**
 * The report's charts, from the run's figures and its downsampled series:
 * database time over time (all query types, then per type, with the
 * profile's targets), VUs, requests and failed requests per second per
 * scenario, request latency over time, the ladder's steps, the HDR
 * percentile distribution, cache hit rate, the pool over time, and the
 * consistency checkers. Every time chart shares one x range and shades each
 * scenario's phase and each fault window.
 */
import { formatValue, indexFigures, type Figure } from '../figure.ts';
import type { RunJson } from '../run-json.ts';
import type { RunSeries } from '../ndjson/run-series.ts';
import { clock } from './axes.ts';
import { fmtMs, fmtNumber, fmtRatio, fmtSeconds } from './format.ts';
import { barChart, lineChart, shareChart, COLORS, type Band, type LineSeries, type RefLine } from './svg-chart.ts';
import type { ShareRow } from './svg-chart.ts';

const ms = fmtMs;
const pct = fmtRatio;

/** Seconds since the run started, for a bucket time. */
const since = (s: RunSeries, t: number) => (t - s.startMs) / 1000;

/** Largest step between two points of a series that is still a line: two bucket widths (one empty bucket). */
const gapOf = (widthMs: number) => (2 * widthMs) / 1000;

/**
 * What every time chart of a run shares, so that they line up: the x range
 * (the load's start to its end, seconds), the shaded phases and fault
 * windows, and one colour per scenario (the same in the strip and the lines).
 */
export interface TimeFrame {
  domain: [number, number];
  bands: Band[];
  colors: Map<string, string>;
}

export function timeFrame(s: RunSeries): TimeFrame {
  const names = [...new Set([...s.phases.map((p) => p.label), ...s.scenarios.map((x) => x.name)])];
  const colors = new Map(names.map((n, i) => [n, COLORS[i % COLORS.length]]));
  const end = Math.max(s.endMs, ...s.phases.map((p) => p.endMs), ...s.faultWindows.map((f) => f.endMs));
  const domain: [number, number] = [0, Math.max(1, since(s, end))];
  const span = (a: number, b: number) => `${clock(since(s, a))}–${clock(since(s, b))} (${fmtSeconds((b - a) / 1000)})`;
  const bands: Band[] = [
    ...s.phases.map((p): Band => ({
      kind: 'phase',
      label: p.label,
      from: since(s, p.startMs),
      to: since(s, p.endMs),
      color: colors.get(p.label),
      title: `scenario ${p.label}: ${span(p.startMs, p.endMs)}`,
    })),
    ...s.faultWindows.map((f): Band => ({
      kind: 'fault',
      label: f.label,
      short: f.kind,
      from: since(s, f.startMs),
      to: since(s, f.endMs),
      title: `fault ${f.label}: ${span(f.startMs, f.endMs)}, ${f.measured ? "the injector's clock (faults.json)" : 'as planned (faults.json not found)'}`,
    })),
  ];
  return { domain, bands, colors };
}

const timeX = (f: TimeFrame) => ({ kind: 'time' as const, domain: f.domain });
const xLabel = (f: TimeFrame) => `time since the load started (${f.domain[1] >= 3600 ? 'h:mm:ss' : 'm:ss'})`;

/** The profile's targets as run.json's config holds them (each may be missing in an older or hand-made run.json). */
export interface ChartTargets {
  avgQueryMs: number | null;
  cacheHitRate: number | null;
  queryTypes: Record<string, { p95Ms: number | null; p99Ms: number | null }>;
}

export function targetsOf(run: RunJson): ChartTargets {
  const t = (run.config as { targets?: Record<string, unknown> } | null)?.targets ?? {};
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const qts = (t.queryTypes ?? {}) as Record<string, { p95Ms?: unknown; p99Ms?: unknown } | null>;
  return {
    avgQueryMs: n(t.avgQueryMs),
    cacheHitRate: n(t.cacheHitRate),
    queryTypes: Object.fromEntries(
      Object.entries(qts).map(([qt, v]) => [qt, { p95Ms: n(v?.p95Ms), p99Ms: n(v?.p99Ms) }]),
    ),
  };
}

const refs = (...r: Array<[string, number | null]>): RefLine[] =>
  r.filter((x): x is [string, number] => x[1] !== null).map(([name, value]) => ({ name, value }));

/**
 * Database time per query type (p50, p95, p99 per interval) with the
 * profile's p95 and p99 targets, after one chart of all types together (mean
 * and p95, with the target for the average).
 */
export function queryLatencyCharts(s: RunSeries, f: TimeFrame, targets: ChartTargets): string[] {
  const per = `${s.intervalMs / 1000} s`;
  const all = s.queryLatencyAll;
  const allGap = gapOf(s.widths.queryLatencyAll);
  const allChart = lineChart({
    id: 'query-latency-all',
    title: 'All query types: database time over the run',
    caption: `k6 db_query_duration (Server-Timing, per response), all query types: mean and p95 per ${per} interval; ${all.reduce((a, p) => a + p.count, 0)} samples${ofScenarios(s.judgedScenarios?.queries)}. The target is for the mean over the whole run; an interval above it shows when the mean was pulled up.`,
    x: timeX(f),
    xLabel: xLabel(f),
    yLabel: 'ms',
    yFormat: ms,
    bands: f.bands,
    refLines: refs(['target avg', targets.avgQueryMs]),
    series: [
      { name: 'mean', points: all.map((p) => [since(s, p.t), p.mean]), maxGap: allGap },
      { name: 'p95', points: all.map((p) => [since(s, p.t), p.p95]), maxGap: allGap, color: COLORS[1] },
    ],
  });
  return [
    allChart,
    ...Object.entries(s.queryLatency).map(([qt, pts]) => {
      const maxGap = gapOf(s.widths.queryLatency[qt] ?? s.intervalMs);
      const t = targets.queryTypes[qt];
      return lineChart({
        id: `query-latency-${qt}`,
        title: `${qt} queries: database time over the run`,
        caption: `k6 db_query_duration{query_type:${qt}} (Server-Timing, per response), percentiles per ${per} interval; ${pts.reduce((a, p) => a + p.count, 0)} samples${ofScenarios(s.judgedScenarios?.queries)}. Targets: the profile's p95 and p99 for ${qt} (run.json config.targets).`,
        x: timeX(f),
        xLabel: xLabel(f),
        yLabel: 'ms',
        yFormat: ms,
        bands: f.bands,
        refLines: refs(['target p95', t?.p95Ms ?? null], ['target p99', t?.p99Ms ?? null]),
        series: [
          { name: 'p50', points: pts.map((p) => [since(s, p.t), p.p50]), maxGap },
          { name: 'p95', points: pts.map((p) => [since(s, p.t), p.p95]), maxGap },
          { name: 'p99', points: pts.map((p) => [since(s, p.t), p.p99]), maxGap, dashed: true },
        ],
      });
    }),
  ];
}

/** One line per scenario, in the scenario's colour. */
function perScenario(
  s: RunSeries,
  f: TimeFrame,
  pick: (sc: RunSeries['scenarios'][number]) => { points: Array<[number, number]>; widthMs: number },
): LineSeries[] {
  return s.scenarios
    .map((sc) => ({ sc, ...pick(sc) }))
    .filter((x) => x.points.length > 0)
    .map(({ sc, points, widthMs }) => ({
      name: sc.name,
      points,
      color: f.colors.get(sc.name),
      maxGap: gapOf(widthMs),
    }));
}

/** Virtual users over time, one line per scenario (k6's vus gauge of each scenario's own k6 process). */
export function vusChart(s: RunSeries, f: TimeFrame): string {
  const series = perScenario(s, f, (sc) => ({
    points: sc.vus.map((p) => [since(s, p.t), p.vus]),
    widthMs: sc.vusIntervalMs,
  }));
  const peak = Math.max(0, ...s.scenarios.flatMap((sc) => sc.vus.map((p) => p.vus)));
  return lineChart({
    id: 'vus',
    title: 'Virtual users over the run',
    caption: `k6 vus gauge (active VUs, sampled by k6 once a second), mean per ${s.intervalMs / 1000} s interval, per scenario (the k6 process that ran it; several instances add up); ${s.totals.vus ?? 0} samples, highest ${fmtNumber(peak)}.`,
    x: timeX(f),
    xLabel: xLabel(f),
    yLabel: 'VUs',
    yFormat: fmtNumber,
    yInteger: true,
    bands: f.bands,
    series,
  });
}

/** Requests per second per scenario, and all scenarios together when more than one ran; the request p95. */
export function throughputCharts(s: RunSeries, f: TimeFrame): string[] {
  const t = s.throughput;
  const gap = gapOf(s.widths.throughput);
  const lines = perScenario(s, f, (sc) => ({
    points: sc.requests.filter((p) => p.requests > 0).map((p) => [since(s, p.t), p.rps]),
    widthMs: sc.intervalMs,
  }));
  // The sum only says something the lines do not when scenarios ran at the same time.
  const overlap = s.phases.some((a, i) => s.phases.some((b, j) => j > i && a.startMs < b.endMs && b.startMs < a.endMs));
  if (lines.length > 1 && overlap)
    lines.push({
      name: 'all scenarios',
      points: t.map((p) => [since(s, p.t), p.rps]),
      color: '#5b6474',
      dashed: true,
      maxGap: gap,
    });
  const failed = s.scenarios.reduce((a, sc) => a + sc.requests.reduce((b, p) => b + p.failed, 0), 0);
  const checked = s.totals.http_req_failed ?? 0;
  const errLines = perScenario(s, f, (sc) => ({
    points: sc.requests.map((p) => [since(s, p.t), p.errorsPerS]),
    widthMs: sc.intervalMs,
  }));
  return [
    lineChart({
      id: 'throughput',
      title: 'Requests per second over the run',
      caption: `k6 http_reqs per ${s.intervalMs / 1000} s interval ÷ interval length, per scenario; ${s.totals.http_reqs ?? 0} requests.`,
      x: timeX(f),
      xLabel: xLabel(f),
      yLabel: 'req/s',
      yFormat: fmtNumber,
      bands: f.bands,
      series: lines,
    }),
    lineChart({
      id: 'errors-per-second',
      title: 'Failed requests per second over the run',
      caption: `k6 http_req_failed Points with value 1 per ${s.intervalMs / 1000} s interval ÷ interval length, per scenario; ${failed} of ${checked} requests failed (${checked ? fmtRatio(failed / checked) : 'n/a'}).`,
      x: timeX(f),
      xLabel: xLabel(f),
      yLabel: 'failed/s',
      yFormat: fmtNumber,
      bands: f.bands,
      series: errLines,
    }),
    lineChart({
      id: 'request-latency',
      title: 'Request latency p95 over the run',
      caption: `k6 http_req_duration (client side), p95 per ${s.intervalMs / 1000} s interval, all scenarios.`,
      x: timeX(f),
      xLabel: xLabel(f),
      yLabel: 'ms',
      yFormat: ms,
      bands: f.bands,
      series: [{ name: 'p95', points: t.map((p) => [since(s, p.t), p.p95]), color: COLORS[3], maxGap: gap }],
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
      yFormat: fmtNumber,
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
export function cacheChart(s: RunSeries, f: TimeFrame, targets: ChartTargets): string {
  return lineChart({
    id: 'cache-hit-rate',
    title: 'Cache hit rate over the run',
    caption: `k6 cache_hit{cache_expect:hit} (X-Cache HIT share of the reads where the scenarios' cache model expected a hit, client side${ofScenarios(s.judgedScenarios?.cache)}: the judged rate) and the target's acgs_cache_lookups_total hit ÷ (hit + miss) from its /metrics, over every lookup, sampled each second.`,
    x: timeX(f),
    xLabel: xLabel(f),
    yLabel: 'hit rate',
    yFormat: pct,
    yMax: 1,
    bands: f.bands,
    refLines: refs(['target hit rate', targets.cacheHitRate]),
    series: [
      {
        name: 'responses (X-Cache)',
        points: s.cacheHitRate.map((p) => [since(s, p.t), p.rate]),
        maxGap: gapOf(s.widths.cacheHitRate),
      },
      {
        name: 'target lookups',
        points: s.pool.map((p) => [since(s, p.t), p.hitRate]),
        dashed: true,
        maxGap: gapOf(s.widths.pool),
      },
    ],
  });
}

/** Pool connections in use, clients waiting for one, and the pool's maximum. */
export function poolChart(s: RunSeries, f: TimeFrame): string {
  const gap = gapOf(s.widths.pool);
  return lineChart({
    id: 'pool',
    title: 'Connection pool over the run',
    caption: `Target /metrics acgs_pool_connections{state="in_use"} (mean per ${s.intervalMs / 1000} s interval), acgs_pool_waiting (largest in the interval) and acgs_pool_max, sampled each second.`,
    x: timeX(f),
    xLabel: xLabel(f),
    yLabel: 'connections',
    yFormat: fmtNumber,
    yInteger: true,
    bands: f.bands,
    series: [
      { name: 'in use', points: s.pool.map((p) => [since(s, p.t), p.inUse]), maxGap: gap },
      { name: 'waiting', points: s.pool.map((p) => [since(s, p.t), p.waiting]), color: COLORS[3], maxGap: gap },
      {
        name: 'maximum',
        points: s.pool.map((p) => [since(s, p.t), p.max]),
        dashed: true,
        color: '#888888',
        maxGap: gap,
      },
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

/** ", of scenarios a, b (the samples the table judges)" — the charts count what the verdicts count. */
function ofScenarios(names: string[] | undefined): string {
  return names?.length
    ? ` of scenario${names.length === 1 ? '' : 's'} ${names.join(', ')} (the samples the tables judge)`
    : '';
}
