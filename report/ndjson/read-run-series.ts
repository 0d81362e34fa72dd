/**
 * readRunSeries: the I/O shell around SeriesBuilder. Streams each scenario's
 * metric file listed in run.json (never a whole file in memory) and the
 * pool samples, and returns the downsampled series the HTML report draws,
 * with each scenario's phase and the fault windows (faults.json beside
 * run.json, else the configuration's plan).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { RunJson } from '../run-json.ts';
import { niceWidthMs } from './buckets.ts';
import { faultWindows } from './fault-windows.ts';
import { readK6Records, type ReadStats } from './read-lines.ts';
import type { RunSeries, TimeWindow } from './run-series.ts';
import { SeriesBuilder } from './series-builder.ts';
import { judgedScenarioNames } from '../figures/inputs.ts';

/** Default number of time buckets per series: 10 s buckets for a one-hour run. */
export const DEFAULT_MAX_POINTS = 360;

export interface ReadSeriesOptions {
  /** Most buckets per time series (default {@link DEFAULT_MAX_POINTS}). */
  maxPoints?: number;
  /** Metric files to read instead of run.scenarios[].files.metrics (e.g. after a merge). */
  metricsFiles?: string[];
}

/**
 * The time span the charts show (epoch ms): from the first scenario's start
 * to the last one's end, as the load ran then (preflight, seeding and checks
 * before and after would only add empty space); run.json's start and end
 * when it lists no scenario.
 */
function runSpan(run: RunJson): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const s of run.scenarios ?? []) {
    const b = Date.parse(s.startedAt);
    if (!Number.isFinite(b)) continue;
    start = Math.min(start, b);
    end = Math.max(end, b + s.durationS * 1000);
  }
  if (!Number.isFinite(start)) {
    start = Date.parse(run.startedAt);
    end = Date.parse(run.finishedAt);
  }
  if (!Number.isFinite(start)) start = 0;
  if (!Number.isFinite(end) || end <= start) end = start + Math.max(1, run.durationS ?? 1) * 1000;
  return { start, end };
}

/** The scenarios the run's query and cache targets are judged on, from run.json's configuration. */
function judgedSets(run: RunJson): { queries: Set<string>; cache: Set<string> } {
  const ran = (run.scenarios ?? []).map((s) => s.name);
  const judgedOn = (run.config as { targets?: { judgedOn?: { queryTypes?: string[]; cache?: string[] } } } | null)
    ?.targets?.judgedOn;
  return {
    queries: new Set(judgedScenarioNames(ran, judgedOn?.queryTypes)),
    cache: new Set(judgedScenarioNames(ran, judgedOn?.cache)),
  };
}

/** The k6 stream names of the pipeline and of k6-operator instances: `<scenario>.metrics.ndjson[.gz]`. */
const METRICS_RE = /^(.+?)(\.metrics)?\.ndjson(\.gz)?$/;

/**
 * The run.json scenario a metric file belongs to: the one listing it (or a
 * file of the same name, as merged instances' streams are), else the name in
 * the file name.
 */
function scenarioOf(run: RunJson, rel: string): string {
  const scenarios = run.scenarios ?? [];
  const listed =
    scenarios.find((s) => s.files?.metrics === rel) ??
    scenarios.find((s) => s.files?.metrics && basename(s.files.metrics) === basename(rel));
  return listed?.name ?? METRICS_RE.exec(basename(rel))?.[1] ?? rel;
}

/** faults.json beside run.json (the injectors' FaultResult[]); undefined when absent or unreadable. */
function readFaultsJson(resultsDir: string): unknown {
  const file = join(resultsDir, 'faults.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Streams the run's metric files and returns its time series. Missing files
 * are skipped and left out of `files` (a scenario that failed to start has
 * none); the caller can compare `files` with run.json to say so.
 */
export async function readRunSeries(
  resultsDir: string,
  run: RunJson,
  opts: ReadSeriesOptions = {},
): Promise<RunSeries> {
  const maxPoints = Math.max(10, opts.maxPoints ?? DEFAULT_MAX_POINTS);
  const { start, end } = runSpan(run);
  const judged = judgedSets(run);
  const builder = new SeriesBuilder(start, niceWidthMs(end - start, maxPoints), maxPoints, judged);
  const listed =
    opts.metricsFiles ?? (run.scenarios ?? []).map((s) => s.files?.metrics).filter((f): f is string => Boolean(f));
  const stats: ReadStats = { lines: 0, badLines: 0 };
  const files: string[] = [];
  for (const [i, rel] of listed.entries()) {
    const file = isAbsolute(rel) ? rel : join(resultsDir, rel);
    if (!existsSync(file)) continue;
    files.push(rel);
    const scenario = scenarioOf(run, rel);
    for await (const rec of readK6Records(file, stats)) if ('point' in rec) builder.add(rec.point, scenario, i);
  }
  builder.addPool(run.timeSeries?.pool ?? []);
  const built = builder.finish();
  // Phases: each scenario's start and duration as run.json has them; its samples when it has no start.
  const phases: TimeWindow[] = [];
  for (const s of run.scenarios ?? []) {
    const b = Date.parse(s.startedAt);
    const span = built.scenarios.find((x) => x.name === s.name)?.span;
    if (Number.isFinite(b)) phases.push({ label: s.name, startMs: b, endMs: b + Math.max(0, s.durationS) * 1000 });
    else if (span) phases.push({ label: s.name, startMs: span.first, endMs: span.last });
  }
  const lastSample = Math.max(...built.scenarios.map((s) => s.span?.last ?? -Infinity));
  return {
    ...built,
    endMs: Math.max(end, Number.isFinite(lastSample) ? lastSample : end),
    phases,
    faultWindows: faultWindows(run, readFaultsJson(resultsDir), start),
    judgedScenarios: { queries: [...judged.queries], cache: [...judged.cache] },
    files,
    badLines: stats.badLines,
  };
}
