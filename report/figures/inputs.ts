/**
 * Everything a run measured, as handed from the pipeline to the figure
 * builders. Each builder turns part of it into figures (with sources) and the
 * table that shows them.
 */
import type { Config } from '../../config/index.ts';
import type { CheckerResult } from '../../checks/index.ts';
import type { K6SummaryData } from '../k6-summary.ts';
import { mergeJudged, type ScenarioSamples } from '../ndjson/judged-samples.ts';
import {
  histogramDelta,
  type HistogramDelta,
  type PgDelta,
  type PromSample,
  type RedisDelta,
} from '../../measure/index.ts';

export interface ScenarioOutcome {
  name: string;
  summary: K6SummaryData | null;
  exitCode: number;
  engine: string;
  engineLimited: boolean | null;
  durationS: number;
}

/** A checker's result, as checks/ produces it (and `acgs-load check --json` writes it). */
export type CheckerOutcome = CheckerResult;

export interface PlanOutcome {
  queryType: string;
  sql: string;
  usesIndex: boolean;
  executionMs: number | null;
  plan: string;
  /** The tables the query type declares its plan must read through an index, and why; absent: not declared. */
  requires?: { tables: string[]; reason: string };
  /** Whether the plan met `requires`; null when no plan was captured (NO DATA). */
  verdict?: { ok: boolean; reads: string[]; missing: string[] } | null;
  /** Why no plan was captured (EXPLAIN failed, the stage was skipped). */
  error?: string;
}

/** The ladder's steps as the script names them (`users_<N>`) and each step's duration. */
export interface LadderPlan {
  steps: Array<{ name: string; users: number }>;
  stepSeconds: number;
}

export interface RunInputs {
  config: Readonly<Config>;
  scenarios: ScenarioOutcome[];
  pg: PgDelta | null;
  redis: RedisDelta | null;
  target: {
    before: PromSample[] | null;
    after: PromSample[] | null;
    utilisation: { mean: number | null; peak: number | null; peakWaiting: number };
  } | null;
  infra: {
    pgVersion: string;
    redisVersion: string;
    pgRttMs: number | null;
    redisRttMs: number | null;
    targetHealthMs: number | null;
    targetUrl: string;
  };
  checks: { ok: boolean; checkers: CheckerOutcome[] } | null;
  plans: PlanOutcome[];
  /** Set when the run includes the ladder scenario. */
  ladder: LadderPlan | null;
  /**
   * Each scenario's judged samples from its k6 metric stream(s), by scenario
   * name (report/ndjson readJudgedSamples; the instance merge keeps them as
   * MergedScenario.judged). Absent: only the summaries are known, and a
   * target judged on several scenarios has no value (summaries do not merge).
   */
  samples?: Readonly<Record<string, ScenarioSamples>> | null;
}

/** The targets judged on merged scenarios (config targets.judgedOn). */
export type JudgedTarget = 'queryTypes' | 'cache';

/**
 * The scenarios of this run a target is judged on, in run order: the
 * profile's targets.judgedOn, else every scenario but smoke. Smoke judges
 * correctness (2 VUs, misses on purpose), so its handful of samples would
 * say nothing about latency under load; when smoke is the only scenario (the
 * smoke profile) it is all there is, and it is judged.
 */
export function judgedScenarios(inputs: RunInputs, target: JudgedTarget): string[] {
  return judgedScenarioNames(
    inputs.scenarios.map((s) => s.name),
    inputs.config.targets.judgedOn?.[target],
  );
}

/**
 * The rule behind judgedScenarios, on names alone (report.html's charts apply
 * it to run.json so they count the samples the tables judge): the scenarios the
 * profile names, else every scenario that ran except smoke, else smoke.
 */
export function judgedScenarioNames(ran: readonly string[], named: readonly string[] | undefined): string[] {
  if (named) return ran.filter((n) => named.includes(n));
  const measured = ran.filter((n) => n !== 'smoke');
  return measured.length ? [...measured] : [...ran];
}

/** The merged samples of the scenarios a target is judged on. */
export interface JudgedSamples {
  scenarios: string[];
  /** handleSummary-shaped data of the merged samples; null when there is nothing to read. */
  summary: K6SummaryData | null;
  /** `streams`: merged from the scenarios' metric streams; `summary`: one scenario's own summary. */
  from: 'streams' | 'summary' | null;
  /** Judged scenarios whose stream was not there (a scenario that failed to start). */
  withoutStream: string[];
  /**
   * Why the judged samples are unknown though streams were read: a judged
   * scenario's stream is missing, naming it. Then `summary` is null: the
   * other scenarios' samples are not the ones the target is judged on.
   */
  noData: string | null;
}

/**
 * Merges the samples of the scenarios `target` is judged on (HDR histograms
 * merged bucket by bucket: report/ndjson SummaryMerger.mergeFrom). A judged
 * scenario that ran but left no stream makes the merge NO DATA naming it: a
 * value from the other scenarios would be judged on samples the profile did
 * not name. Without streams, one judged scenario's own summary holds exactly
 * its samples; several have no merged value.
 */
export function judgedSamples(inputs: RunInputs, target: JudgedTarget): JudgedSamples {
  const scenarios = judgedScenarios(inputs, target);
  const samples = inputs.samples;
  if (samples) {
    const parts = scenarios.map((n) => samples[n]).filter((s): s is ScenarioSamples => s !== undefined);
    const withoutStream = scenarios.filter((n) => !samples[n] || samples[n].files.length === 0);
    const { merger } = mergeJudged(parts);
    const any = parts.some((p) => p.files.length > 0);
    const missing = any && withoutStream.length > 0;
    return {
      scenarios,
      summary: any && !missing ? merger.finish() : null,
      from: any && !missing ? 'streams' : null,
      withoutStream,
      noData: missing
        ? `no metrics stream from judged scenario${withoutStream.length === 1 ? '' : 's'} ${withoutStream.join(', ')}: ${withoutStream.length === 1 ? 'its' : 'their'} samples are unknown`
        : null,
    };
  }
  const only = scenarios.length === 1 ? inputs.scenarios.find((s) => s.name === scenarios[0]) : undefined;
  return {
    scenarios,
    summary: only?.summary ?? null,
    from: only?.summary ? 'summary' : null,
    withoutStream: scenarios,
    noData: null,
  };
}

/** Samples of a summary metric: a trend's count, a rate's passes + fails; null when it is not there. */
export function sampleCount(m: { type: string; values: Record<string, number> } | undefined): number | null {
  if (!m) return null;
  if (m.type === 'rate') return (m.values.passes ?? 0) + (m.values.fails ?? 0);
  return typeof m.values.count === 'number' ? m.values.count : null;
}

/**
 * Where a judged figure comes from: the metric, the scenarios whose samples
 * were merged, and how many samples, e.g. "k6 db_query_duration{query_type:simple}
 * (Server-Timing), merged HDR of scenarios query-mix, user-journey (3,274 samples)".
 */
export function judgedSource(metricText: string, j: JudgedSamples, count: number | null): string {
  const n = `${(count ?? 0).toLocaleString('en-US')} samples`;
  if (j.scenarios.length === 0) return `${metricText}, no scenario of this run to judge on`;
  if (j.noData) return `${metricText}, scenarios ${j.scenarios.join(', ')}: ${j.noData}`;
  if (j.from === null)
    return `${metricText}, scenario${j.scenarios.length === 1 ? '' : 's'} ${j.scenarios.join(', ')}: ${j.scenarios.length === 1 ? 'no summary' : 'no metric streams to merge'}`;
  const what =
    j.scenarios.length === 1 ? `scenario ${j.scenarios[0]}` : `merged HDR of scenarios ${j.scenarios.join(', ')}`;
  return `${metricText}, ${what} (${n})`;
}

/** A histogram of the API's /metrics over the run (the after scrape minus the before), or null without both. */
export function apiHistogram(
  inputs: RunInputs,
  name: string,
  labels: Record<string, string> = {},
): HistogramDelta | null {
  const t = inputs.target;
  return t?.before && t.after ? histogramDelta(t.before, t.after, name, labels) : null;
}
