/**
 * The raw samples the report's per-query-type and cache targets are judged
 * on, read from a scenario's k6 metric stream(s): db_query_duration per
 * query_type, cache_op_duration per op, and cache_hit. Each scenario gets a
 * SummaryMerger holding only these metrics; the figure builders merge the
 * scenarios a target is judged on (SummaryMerger.mergeFrom: HDR histograms
 * merged bucket by bucket) and read the merged summary. A summary cannot be
 * merged (a p95 of p95s is not a p95); the streams hold every sample.
 *
 * Each scenario's requests are also timed per k6 `scenario` tag (http_reqs
 * Points: first and last time, count), so a ladder step's throughput divides
 * by the window its requests were measured in, not the configured step.
 *
 * cache_hit keeps every sample (the overall hit rate) and the sub-metrics
 * of the scenarios' cache model (scenarios/lib/cache-model.ts): the judged
 * `cache_hit{cache_expect:hit}`, the reads where no hit was expected, and one
 * per miss cause, whose sample count is the number of such misses.
 */
import { existsSync } from 'node:fs';
import { QUERY_TYPES } from '../../config/index.ts';
import type { K6MetricRecord, Point } from './k6-records.ts';
import { readK6Records, type ReadStats } from './read-lines.ts';
import { SummaryMerger, type InstanceSummary } from './summary-merger.ts';

export const QUERY_METRIC = 'db_query_duration';
export const CACHE_OP_METRIC = 'cache_op_duration';
export const CACHE_HIT_METRIC = 'cache_hit';
/** The Redis operations the report times (Server-Timing `cache` entries). */
export const CACHE_OPS = ['get', 'set', 'del', 'exists'] as const;
/** The miss causes the scenarios tag (`miss_cause` on cache_hit). */
export const MISS_CAUSES = ['never_warmed', 'first_read', 'expired', 'invalidated', 'unexpected'] as const;
/** The judged hit rate's sub-metric: reads where a hit was expected. */
export const JUDGED_CACHE_HIT = `${CACHE_HIT_METRIC}{cache_expect:hit}`;
/** The summary key of a miss cause's sub-metric: `cache_hit{miss_cause:expired}`. */
export const missCauseKey = (cause: string): string => `${CACHE_HIT_METRIC}{miss_cause:${cause}}`;

const METRICS = [QUERY_METRIC, CACHE_OP_METRIC, CACHE_HIT_METRIC];
/** k6's per-request counter: one Point per request, tagged with the request's scenario. */
const REQUESTS_METRIC = 'http_reqs';
const READ_METRICS = [...METRICS, REQUESTS_METRIC];
const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

/** The summary key of a query type's sub-metric, as k6 writes it: `db_query_duration{query_type:simple}`. */
export const queryKey = (qt: string): string => `${QUERY_METRIC}{query_type:${qt}}`;
/** The summary key of a cache operation's sub-metric: `cache_op_duration{op:get}`. */
export const cacheOpKey = (op: string): string => `${CACHE_OP_METRIC}{op:${op}}`;

/** One scenario's judged samples. */
export interface ScenarioSamples {
  /** Only the judged metrics and their sub-metrics; merge copies with `mergeFrom` into a new merger. */
  merger: SummaryMerger;
  /** The streams read. */
  files: string[];
  badLines: number;
  /** By k6 `scenario` tag (a ladder step is `users_N`): the first and last request's time (epoch ms) and how many. */
  windows: Record<string, RequestWindow>;
}

/** When the requests of one k6 scenario tag were measured. */
export interface RequestWindow {
  first: number;
  last: number;
  requests: number;
}

/** The sub-metrics every judged merger tracks, declared up front so that merged mergers hold the same keys. */
function declaration(): InstanceSummary {
  const trend = { values: Object.fromEntries(TREND_STATS.map((k) => [k, 0])) };
  const rate = { values: { rate: 0, passes: 0, fails: 0 } };
  const metrics: InstanceSummary['metrics'] = {
    [QUERY_METRIC]: trend,
    [CACHE_OP_METRIC]: trend,
    [CACHE_HIT_METRIC]: rate,
    [JUDGED_CACHE_HIT]: rate,
    [`${CACHE_HIT_METRIC}{cache_expect:miss}`]: rate,
  };
  for (const qt of QUERY_TYPES) metrics[queryKey(qt)] = trend;
  for (const op of CACHE_OPS) metrics[cacheOpKey(op)] = trend;
  for (const c of MISS_CAUSES) metrics[missCauseKey(c)] = rate;
  return { metrics };
}

/** An empty merger tracking the judged metrics. */
export function judgedMerger(): SummaryMerger {
  const m = new SummaryMerger();
  m.addSummary(declaration());
  return m;
}

/**
 * Whether a k6 JSON line may be about a judged metric (and, with `requests` true,
 * about http_reqs): a substring test before any parse. Every record names its
 * metric as `"metric":"<name>"` (k6 output/json); a line that mentions a name
 * elsewhere only costs a parse, as the metric is checked again on the parsed
 * record.
 */
function lineFilter(requests: boolean): (line: string) => boolean {
  const names = (requests ? READ_METRICS : METRICS).map((m) => `"${m}"`);
  return (line) => names.some((n) => line.includes(n));
}

/** An empty ScenarioSamples, for callers that stream the files themselves (addJudgedPoint, declareJudged). */
export function emptyJudgedSamples(files: string[] = []): ScenarioSamples {
  return { merger: judgedMerger(), files, badLines: 0, windows: {} };
}

/**
 * Reads one scenario's judged samples from its streams (several when k6
 * instances of the scenario ran side by side). A file that does not exist
 * (a scenario that failed to start) contributes nothing. `requestWindows`
 * also reads every http_reqs Point for `windows` (one more parse per
 * request, so only for the scenario whose steps need it: the ladder).
 */
export async function readJudgedSamples(
  files: string[],
  opts: { requestWindows?: boolean } = {},
): Promise<ScenarioSamples> {
  const out = emptyJudgedSamples();
  const stats: ReadStats = { lines: 0, badLines: 0 };
  out.files = files.filter((f) => existsSync(f));
  const filter = lineFilter(opts.requestWindows === true);
  for (const file of out.files)
    for await (const rec of readK6Records(file, stats, filter)) {
      if ('metric' in rec) declareJudged(out, rec.metric);
      else addJudgedPoint(out, rec.point);
    }
  out.badLines = stats.badLines;
  return out;
}

/** Adds one Point to a scenario's judged samples (for callers that already stream the file, as the instance merge does). */
export function addJudgedPoint(s: ScenarioSamples, p: Point): void {
  if (p.metric === REQUESTS_METRIC) addRequest(s, p);
  else if (METRICS.includes(p.metric)) s.merger.add(p);
}

/** Widens the window of the request's scenario tag. */
function addRequest(s: ScenarioSamples, p: Point): void {
  const tag = p.tags.scenario;
  if (tag === undefined) return;
  const w = s.windows[tag];
  if (!w) s.windows[tag] = { first: p.time, last: p.time, requests: 1 };
  else {
    if (p.time < w.first) w.first = p.time;
    if (p.time > w.last) w.last = p.time;
    w.requests++;
  }
}

/** Declares a Metric line to a scenario's judged samples (see addJudgedPoint). */
export function declareJudged(s: ScenarioSamples, rec: K6MetricRecord): void {
  if (METRICS.includes(rec.metric)) s.merger.declare(rec);
}

/** Merges the judged samples of several scenarios into a new merger (the inputs are left as they were). */
export function mergeJudged(parts: ScenarioSamples[]): { merger: SummaryMerger } {
  const merger = judgedMerger();
  for (const p of parts) merger.mergeFrom(p.merger);
  return { merger };
}
