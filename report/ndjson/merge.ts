/**
 * mergeInstances: combines the outputs of several k6 instances of one run
 * (k6-operator's parallel pods, or several machines running execution
 * segments) into one summary per scenario. Streams every instance's NDJSON;
 * counts add up, trends are recomputed from all samples, thresholds are
 * evaluated again.
 */
import { readFileSync } from 'node:fs';
import { AcgsError } from '../../config/index.ts';
import type { K6SummaryData } from '../k6-summary.ts';
import { instanceFiles, type InstanceScenarioFiles } from './instance-files.ts';
import { readK6Records, type ReadStats } from './read-lines.ts';
import { SummaryMerger, type InstanceSummary } from './summary-merger.ts';
import { addJudgedPoint, declareJudged, emptyJudgedSamples, type ScenarioSamples } from './judged-samples.ts';

/** One scenario over all instances. */
export interface MergedScenario {
  name: string;
  /** Instances that had a metric stream for this scenario. */
  instances: number;
  /** handleSummary-shaped data recomputed from all streams. */
  summary: K6SummaryData;
  /** Points read per metric, over all instances. */
  samples: Record<string, number>;
  /** The streams read (absolute paths), for readRunSeries. */
  metricsFiles: string[];
  badLines: number;
  /** First and last sample of any instance (epoch ms), null when the streams were empty. */
  span: { first: number; last: number } | null;
  /**
   * The engine as the instances' summaries name it (the embedded engine's
   * handleSummary data carries `engine: { name, limited }`; k6's does not):
   * the names stated (an instance that states none counts as "n/a"), null
   * when no instance states one; `limited` true when any instance says so,
   * false when every instance says it was not, null otherwise.
   */
  engine: { name: string | null; limited: boolean | null };
  /** Origins (scheme://host:port) of the requests, from the `url` tag of every stream's http_reqs points. */
  targets: string[];
  /** The samples the per-query-type and cache targets are judged on, over all instances (judged-samples.ts). */
  judged: ScenarioSamples;
}

export interface MergedRun {
  dirs: string[];
  scenarios: MergedScenario[];
}

/** What one instance's summary says about its engine, if anything. */
function engineOf(...summaries: Array<InstanceSummary | null>): { name: string | null; limited: boolean | null } {
  let name: string | null = null;
  let limited: boolean | null = null;
  for (const s of summaries) {
    const e = (s as { engine?: { name?: unknown; limited?: unknown } } | null)?.engine;
    if (name === null && typeof e?.name === 'string' && e.name) name = e.name;
    if (limited === null && typeof e?.limited === 'boolean') limited = e.limited;
  }
  return { name, limited };
}

const ORIGIN_RE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+/i;

function readSummary(file: string | null): InstanceSummary | null {
  if (!file) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as InstanceSummary;
  } catch (e) {
    throw new AcgsError('RESULTS_ERROR', `${file} is not a k6 summary JSON: ${(e as Error).message}`, {
      hint: 'pass the file k6 wrote with --summary-export or handleSummary, unchanged',
    });
  }
}

/** Merges one scenario's outputs from several instances. */
export async function mergeScenario(
  name: string,
  parts: InstanceScenarioFiles[],
  dirs: string[],
): Promise<MergedScenario> {
  const merger = new SummaryMerger();
  const engines: Array<{ name: string | null; limited: boolean | null }> = [];
  for (const p of parts) {
    const data = readSummary(p.summaryData);
    const exported = readSummary(p.summaryExport);
    merger.addSummary(data);
    merger.addSummary(exported);
    engines.push(engineOf(data, exported));
  }
  const stats: ReadStats = { lines: 0, badLines: 0 };
  const metricsFiles = parts.map((p) => p.metrics).filter((f): f is string => f !== null);
  const targets = new Set<string>();
  const judged = emptyJudgedSamples(metricsFiles);
  for (const file of metricsFiles) {
    for await (const rec of readK6Records(file, stats)) {
      if ('metric' in rec) {
        merger.declare(rec.metric);
        declareJudged(judged, rec.metric);
      } else {
        merger.add(rec.point);
        addJudgedPoint(judged, rec.point);
        const url = rec.point.metric === 'http_reqs' ? rec.point.tags.url : undefined;
        const origin = url ? ORIGIN_RE.exec(url)?.[0] : undefined;
        if (origin) targets.add(origin);
      }
    }
  }
  const summary = merger.finish({ merged: { instances: metricsFiles.length, dirs } });
  return {
    name,
    instances: metricsFiles.length,
    summary,
    samples: merger.samples,
    metricsFiles,
    badLines: stats.badLines,
    span: merger.span(),
    engine: {
      name: engines.some((e) => e.name !== null) ? [...new Set(engines.map((e) => e.name ?? 'n/a'))].join(', ') : null,
      limited: engines.some((e) => e.limited === true)
        ? true
        : engines.length > 0 && engines.every((e) => e.limited === false)
          ? false
          : null,
    },
    targets: [...targets].sort(),
    judged: { ...judged, badLines: stats.badLines },
  };
}

/**
 * Merges the outputs of several k6 instances of one run, scenario by
 * scenario (matched by name). Each folder is a results folder (run.json) or a
 * plain k6 output folder (see instance-files.ts).
 */
export async function mergeInstances(dirs: string[]): Promise<MergedRun> {
  if (dirs.length === 0)
    throw new AcgsError('RESULTS_ERROR', 'no instance folders to merge', {
      hint: 'acgs-load report RESULTS_DIR --merge DIR2 [DIR3 ...]',
    });
  const byName = new Map<string, InstanceScenarioFiles[]>();
  for (const dir of dirs) for (const f of instanceFiles(dir)) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  const scenarios: MergedScenario[] = [];
  for (const [name, parts] of byName) scenarios.push(await mergeScenario(name, parts, dirs));
  return { dirs, scenarios };
}
