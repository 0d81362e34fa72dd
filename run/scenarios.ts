/**
 * The scenarios stage: each scenario of the profile, one after another, by
 * real k6 when it is installed or the embedded engine otherwise (runK6 picks),
 * with the same arguments either way. Per scenario the results folder gets
 * k6/<name>.summary-export.json (k6 --summary-export), k6/<name>.summary.json
 * (the handleSummary data object) and k6/<name>.metrics.ndjson (--out json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/index.ts';
import { runK6, ensureScenarioBundle } from '../engine/index.ts';
import { scenarioEnv } from './scenario-env.ts';
import type { ResultsDir } from './results-dir.ts';
import { type RunScenario, normaliseSummary, type K6SummaryData } from '../report/index.ts';

/** Trend statistics every summary carries, so reports can show p50/p99 too. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

/** A scenario as run.json records it, plus its summary data. */
export interface ScenarioRun extends RunScenario {
  summary: K6SummaryData | null;
}

export async function runScenarios(o: {
  config: Readonly<Config>;
  runId: string;
  baseUrl: string;
  results: ResultsDir;
  quiet: boolean;
  /** Where the engine writes (default stdout). */
  stdout?: NodeJS.WritableStream;
  log: (line: string) => void;
  /** Aborted by Ctrl-C / SIGTERM: the running scenario stops gracefully, later ones do not start. */
  signal?: AbortSignal;
}): Promise<ScenarioRun[]> {
  const runs: ScenarioRun[] = [];
  for (const name of o.config.load.scenarios) {
    if (o.signal?.aborted) {
      o.log(`  scenario ${name} not started: the run was aborted`);
      continue;
    }
    const script = await ensureScenarioBundle(name);
    const files = {
      summaryExport: `k6/${name}.summary-export.json`,
      summaryData: `k6/${name}.summary.json`,
      metrics: `k6/${name}.metrics.ndjson`,
    };
    mkdirSync(dirname(o.results.file(files.metrics)), { recursive: true });
    o.log(`  scenario ${name} (${script})`);
    const startedAt = new Date();
    const t0 = performance.now();
    const r = await runK6(
      {
        script,
        env: scenarioEnv(o.config, { runId: o.runId, baseUrl: o.baseUrl }),
        summaryExport: o.results.file(files.summaryExport),
        out: [`json=${o.results.file(files.metrics)}`],
        summaryTrendStats: SUMMARY_TREND_STATS,
        quiet: o.quiet,
        stdout: o.stdout,
        signal: o.signal,
      },
      o.config.load.engine,
    );
    const durationS = (performance.now() - t0) / 1000;
    writeFileSync(o.results.file(files.summaryData), JSON.stringify(r.summary, null, 2));
    runs.push({
      name,
      exitCode: r.exitCode,
      engine: r.engine,
      engineLimited: r.engineLimited,
      durationS,
      startedAt: startedAt.toISOString(),
      // real k6 returns its legacy --summary-export shape; the embedded engine handleSummary data
      summary: normaliseSummary(r.summary) as K6SummaryData | null,
      files,
    });
  }
  return runs;
}
