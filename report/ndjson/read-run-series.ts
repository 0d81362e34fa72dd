/**
 * readRunSeries: the I/O shell around SeriesBuilder. Streams each scenario's
 * metric file listed in run.json (never a whole file in memory) and the
 * pool samples, and returns the downsampled series the HTML report draws.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { RunJson } from '../run-json.ts';
import { niceWidthMs } from './buckets.ts';
import { readK6Records, type ReadStats } from './read-lines.ts';
import type { RunSeries } from './run-series.ts';
import { SeriesBuilder } from './series-builder.ts';

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
  const builder = new SeriesBuilder(start, niceWidthMs(end - start, maxPoints), maxPoints);
  const listed =
    opts.metricsFiles ?? (run.scenarios ?? []).map((s) => s.files?.metrics).filter((f): f is string => Boolean(f));
  const stats: ReadStats = { lines: 0, badLines: 0 };
  const files: string[] = [];
  for (const rel of listed) {
    const file = isAbsolute(rel) ? rel : join(resultsDir, rel);
    if (!existsSync(file)) continue;
    files.push(rel);
    for await (const rec of readK6Records(file, stats)) if ('point' in rec) builder.add(rec.point);
  }
  builder.addPool(run.timeSeries?.pool ?? []);
  return { ...builder.finish(), files, badLines: stats.badLines };
}
