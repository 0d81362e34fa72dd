/**
 * The results stage: builds the figures from everything measured, writes
 * run.json, summary.json, report.md, report.html and junit.xml into
 * results/<run-id>/, points results/latest at it, and decides the exit code.
 *
 * Exit code (README, "Exit codes"): 8 when the run was aborted, else 5 when a
 * scenario could not run properly (engine exit other than 0 or 99: the load
 * itself is not trustworthy), else 3 when a checker found violations, else 4
 * when a target was missed, a k6 threshold crossed, or a judged figure had no
 * data (NO DATA, "not measured"), else 7 on a regression against --baseline;
 * 0 otherwise. Exit code, reasons and junit.xml are read from one verdict list
 * (report/verdicts.ts, kept in run.json as `verdicts`). See `runExitCode`.
 */
import os from 'node:os';
import { ExitCode, redactConfig, type Config } from '../config/index.ts';
import type { FaultResult } from '../faults/index.ts';
import {
  buildFigures,
  type Figure,
  type RunInputs,
  junitFromVerdicts,
  runVerdicts,
  thresholds,
  verdictExit,
  type VerdictInputs,
  markdownReport,
  RUN_SCHEMA,
  type RunJson,
  appendixLines,
  reportHeader,
  compareRuns,
  comparisonMarkdown,
  comparisonTable,
  readReference,
  readJudgedSamples,
  type ScenarioSamples,
} from '../report/index.ts';
import { ladderPlan } from './ladder-plan.ts';
import { withUncapturedPlans } from './representative-queries.ts';
import type { ChecksResult } from '../checks/index.ts';
import type { PgDelta, RedisDelta, ApiSampler } from '../measure/index.ts';
import type { Services } from '../services/index.ts';
import type { PlanResult } from './plans.ts';
import type { ServiceInfo } from './preflight.ts';
import { linkLatest, type ResultsDir } from './results-dir.ts';
import type { ScenarioRun } from './scenarios.ts';
import type { StageLog } from './stage.ts';
import { renderHtml } from './render-html.ts';
import { gitCommit } from './git-commit.ts';

export interface RunOutcome {
  runId: string;
  exitCode: number;
  reasons: string[];
  resultsPath: string;
  markdown: string;
}

const loadStart = os.loadavg();

/**
 * The exit code of a run and its reasons, from what it measured (README,
 * "Exit codes"; the order of precedence is the header's). A judged figure
 * without data (NO DATA: an empty k6 Rate, a checker that checked nothing or
 * could not see every acknowledged write) is a missed target, exit 4, with a
 * "not measured" reason: no data is never a pass. It is not exit 3, which
 * says a checker found violations; an unmeasured checker found none.
 */
export function runExitCode(o: {
  scenarios: ReadonlyArray<{ name: string; exitCode: number; crossed?: readonly string[] }>;
  checks: ChecksResult | null;
  figures: readonly Figure[];
  aborted?: string | null;
  comparison?: VerdictInputs['comparison'];
}): { exitCode: number; reasons: string[] } {
  // One verdict list (report/verdicts.ts) gives the exit code, the reasons and junit.xml.
  return verdictExit(runVerdicts(verdictInputs(o)));
}

/** What a run's verdicts are judged on (runExitCode's inputs as report/verdicts.ts takes them). */
function verdictInputs(o: Parameters<typeof runExitCode>[0]): VerdictInputs {
  return {
    figures: o.figures,
    scenarios: o.scenarios,
    checkers: o.checks?.checkers ?? null,
    aborted: o.aborted ?? null,
    comparison: o.comparison ?? null,
  };
}

export async function writeResults(o: {
  config: Readonly<Config>;
  runId: string;
  startedAt: Date;
  results: ResultsDir;
  stages: StageLog;
  info: ServiceInfo;
  targetUrl: string;
  healthMs: number | null;
  services: Services;
  scenarios: ScenarioRun[];
  pg: PgDelta;
  redis: RedisDelta;
  sampler: ApiSampler;
  /** null when the checkers did not run (an aborted run). */
  checks: ChecksResult | null;
  plans: PlanResult[];
  /** Faults: each injected fault's effect; adds a table per fault and faults.json. */
  faults?: FaultResult[];
  /** Set when Ctrl-C / SIGTERM stopped the run ("SIGINT during scenarios"): the results are marked ABORTED. */
  aborted?: string | null;
  /** `--baseline`, read and validated in preflight. */
  reference?: ReturnType<typeof readReference> | null;
}): Promise<RunOutcome> {
  const inputs: RunInputs = {
    config: o.config,
    scenarios: o.scenarios.map((s) => ({
      name: s.name,
      summary: s.summary,
      exitCode: s.exitCode,
      engine: s.engine,
      engineLimited: s.engineLimited,
      durationS: s.durationS,
    })),
    pg: o.pg,
    redis: o.redis,
    target: { before: o.sampler.first, after: o.sampler.last, utilisation: o.sampler.utilisation() },
    infra: {
      pgVersion: o.info.pgVersion,
      redisVersion: o.info.redisVersion,
      pgRttMs: o.info.pgRttMs,
      redisRttMs: o.info.redisRttMs,
      targetHealthMs: o.healthMs,
      targetUrl: o.targetUrl,
    },
    checks: o.checks,
    // a declared query type without a plan (the stage skipped) is NO DATA, not left out
    plans: withUncapturedPlans(o.plans, 'no plan captured: the plans stage did not run'),
    ladder: ladderPlan(o.config),
    // Each scenario's raw samples of the judged metrics, from its k6 stream: the per-query-type and
    // cache targets are judged on the measured-load scenarios merged (report/figures/inputs.ts).
    samples: Object.fromEntries(
      await Promise.all(
        o.scenarios.map(async (s): Promise<[string, ScenarioSamples]> => [
          s.name,
          // The ladder's steps also need their requests' windows (report/figures/ladder.ts throughput).
          await readJudgedSamples(s.files.metrics ? [o.results.file(s.files.metrics)] : [], {
            requestWindows: s.name === 'ladder',
          }),
        ]),
      ),
    ),
  };
  const { figures, tables } = buildFigures(inputs, o.faults ?? []);

  // The thresholds each scenario crossed, named in its verdict (k6 exit code 99 says only that some were).
  const scenarioVerdicts = o.scenarios.map((s) => ({
    name: s.name,
    exitCode: s.exitCode,
    crossed: thresholds(s.summary)
      .filter((t) => !t.ok)
      .map((t) => `${t.metric} ${t.expr}`),
  }));
  const judgedOn = { scenarios: scenarioVerdicts, checks: o.checks, figures, aborted: o.aborted ?? null };
  let verdicts = runVerdicts(verdictInputs(judgedOn));
  const judged = verdictExit(verdicts);
  let reasons = judged.reasons;
  let exitCode = judged.exitCode;
  const verdict = o.aborted
    ? `ABORTED (exit ${exitCode})`
    : exitCode === ExitCode.OK
      ? 'PASS'
      : `FAIL (exit ${exitCode})`;
  const finishedAt = new Date();
  const durationS = (finishedAt.getTime() - o.startedAt.getTime()) / 1000;
  const engines = [...new Set(o.scenarios.map((s) => s.engine))].join(', ') || 'none';

  const run: RunJson = {
    schema: RUN_SCHEMA,
    runId: o.runId,
    profile: o.config.profile,
    startedAt: o.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS,
    exitCode,
    verdict,
    reasons,
    engine: engines,
    config: redactConfig(o.config),
    environment: {
      node: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryBytes: os.totalmem(),
      loadavgStart: loadStart,
      loadavgEnd: os.loadavg(),
      pgVersion: o.info.pgVersion,
      redisVersion: o.info.redisVersion,
      services: {
        postgres: o.services.source.postgres,
        redis: o.services.source.redis,
        target: o.config.api.baseUrl ? 'base URL' : 'started by the run',
      },
      targetUrl: o.targetUrl,
      git: gitCommit(),
      notes: [
        'The load generator, the target, PostgreSQL and Redis share this machine unless --base-url and service URLs point elsewhere.',
        'Redis INFO figures are server-wide and pg_stat_database figures database-wide: other clients in the same window are included.',
      ],
    },
    stages: o.stages.records,
    figures,
    tables,
    scenarios: o.scenarios.map((s) => ({
      name: s.name,
      exitCode: s.exitCode,
      engine: s.engine,
      engineLimited: s.engineLimited,
      durationS: s.durationS,
      startedAt: s.startedAt,
      files: s.files,
    })),
    timeSeries: { pool: o.sampler.points },
    checks: o.checks,
    plans: o.plans,
    slowQueries: o.pg.statements.available
      ? o.pg.statements.rows
          .slice(0, 10)
          .map((r) => ({ query: r.query, calls: r.calls, meanMs: r.meanMs, totalMs: r.totalMs }))
      : [],
  };

  // --baseline: a regression only counts when the run is otherwise a pass, so the
  // exit code keeps naming the most serious problem (README, "Exit codes").
  let comparison: string | null = null;
  if (o.config.results.baseline && o.reference) {
    // A run is the unit: each figure against the spread of the baseline's runs (report/compare).
    const c = compareRuns(run, o.reference, {
      tolerance: o.config.results.regressionTolerance,
      alpha: o.config.results.regressionAlpha,
    });
    comparison = comparisonMarkdown(c);
    o.results.write('comparison.md', comparison);
    o.results.write('comparison.txt', comparisonTable(c));
    // The comparison is one more verdict: exit 7 only when nothing more serious failed (verdicts.ts).
    verdicts = runVerdicts(
      verdictInputs({
        ...judgedOn,
        comparison: {
          baseline: o.config.results.baseline,
          regressions: c.regressed ? Math.max(1, c.counts.regression) : 0,
        },
      }),
    );
    ({ exitCode, reasons } = verdictExit(verdicts));
    run.exitCode = exitCode;
    run.reasons = reasons;
    if (!o.aborted) run.verdict = exitCode === ExitCode.OK ? 'PASS' : `FAIL (exit ${exitCode})`;
  }
  run.verdicts = verdicts;
  const markdown = markdownReport(reportHeader(run), figures, tables, appendixLines(run));
  o.results.write('run.json', JSON.stringify(run, null, 2));
  const summaries: Record<string, unknown> = {};
  for (const s of o.scenarios) summaries[s.name] = s.summary;
  o.results.write('summary.json', JSON.stringify(summaries, null, 2));
  o.results.write('report.md', markdown);
  if (o.faults?.length) o.results.write('faults.json', JSON.stringify(o.faults, null, 2));
  o.results.write('junit.xml', junitFromVerdicts(o.runId, verdicts));
  await renderHtml(o.results.path, run);
  linkLatest(o.config.results.dir, o.runId);
  return {
    runId: o.runId,
    exitCode,
    reasons,
    resultsPath: o.results.path,
    markdown: comparison ? `${markdown}\n${comparison}` : markdown,
  };
}
