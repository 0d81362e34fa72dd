/**
 * Folding merged instance outputs back into a run: the figures that come
 * from k6 summaries (source "k6 ...": query, cache, ladder and scenario
 * figures) are rebuilt with the real builders from the merged summaries;
 * server-side figures (PostgreSQL, Redis, the target, the checkers) were
 * measured once for the whole run and stay as they were.
 *
 * Every fact of a merged run comes from the instances' files: a scenario's
 * exit code from its merged thresholds (crossed -> k6's 99), the engine from
 * what the summaries say, the target from the streams' request URLs. What no
 * file records (the machines the instances ran on, the servers' versions) is
 * "n/a", or null where run.json holds a number.
 */
import { configSchema, ExitCode, redactConfig, type Config } from '../../config/index.ts';
import { K6_EXIT_CODES } from '../../engine/index.ts';
import { buildFigures, type LadderPlan, type RunInputs } from '../figures/index.ts';
import type { Figure } from '../figure.ts';
import { thresholds, type K6SummaryData } from '../k6-summary.ts';
import { RUN_SCHEMA, type RunEnvironment, type RunJson } from '../run-json.ts';
import { runVerdicts, verdictExit, type Verdict, type VerdictChecker, type VerdictInputs } from '../verdicts.ts';
import type { MergedRun, MergedScenario } from './merge.ts';

const NA = 'n/a';

/** The merged thresholds a scenario crossed, as `metric expr`. */
function crossedThresholds(summary: K6SummaryData | null): string[] {
  return thresholds(summary)
    .filter((t) => !t.ok)
    .map((t) => `${t.metric} ${t.expr}`);
}

/** k6's exit code for the merged scenario: 99 when a merged threshold is crossed, else 0 (k6 exit codes). */
function mergedExitCode(s: MergedScenario): number {
  return crossedThresholds(s.summary).length ? K6_EXIT_CODES.THRESHOLDS_HAVE_FAILED : K6_EXIT_CODES.OK;
}

/** A merged scenario as its verdicts read it: the merged thresholds it crossed, and how they were judged. */
function mergedVerdictScenario(s: MergedScenario, exitCode: number): VerdictInputs['scenarios'][number] {
  return {
    name: s.name,
    exitCode,
    crossed: crossedThresholds(s.summary),
    judgedHow: `merged over ${s.instances} instance${s.instances === 1 ? '' : 's'}`,
  };
}

/** The checkers' results a run.json holds, as the verdicts read them; null when the checkers did not run. */
function checkersOf(checks: unknown): VerdictChecker[] | null {
  return (checks as { checkers?: VerdictChecker[] } | null)?.checkers ?? null;
}

/**
 * The verdicts of `run` that a merge does not change: the run's own (aborted)
 * and the comparison with a baseline. From run.verdicts; a run.json written
 * before verdicts were kept has them only as its exit code and reason lines.
 */
function keptVerdicts(run: RunJson): { before: Verdict[]; after: Verdict[] } {
  if (run.verdicts)
    return {
      before: run.verdicts.filter((v) => v.suite === 'run'),
      after: run.verdicts.filter((v) => v.suite === 'comparison'),
    };
  const line = (prefix: string) => run.reasons.find((r) => r.startsWith(prefix)) ?? null;
  const legacy = (suite: Verdict['suite'], exitCode: number, reason: string | null): Verdict[] =>
    run.exitCode === exitCode ? [{ suite, name: suite, failure: reason ?? suite, exitCode, reason, seconds: 0 }] : [];
  return {
    before: legacy('run', ExitCode.ABORTED, line('aborted by ')),
    after: legacy('comparison', ExitCode.REGRESSION, line('regression against ')),
  };
}

/** The merge line every merged run's reasons end with. */
function mergedLine(merged: MergedRun): string {
  return `merged the outputs of ${merged.dirs.length} k6 instances (${merged.scenarios.map((s) => `${s.name}: ${s.instances}`).join(', ')})`;
}

/**
 * The environment of a run no `acgs-load run` wrapped: no instance file
 * records the machine, so its facts are null or "n/a", never a made-up 0.
 */
function unrecordedEnvironment(target: string, notes: string[]): RunEnvironment {
  return {
    node: NA,
    platform: NA,
    cpus: null,
    cpuModel: NA,
    memoryBytes: null,
    loadavgStart: [],
    loadavgEnd: [],
    pgVersion: NA,
    redisVersion: NA,
    services: { postgres: NA, redis: NA, target: NA },
    targetUrl: target,
    notes,
  };
}

/** The run's configuration from run.json (secrets were removed, which the schema accepts), or null. */
export function configOfRun(run: RunJson): Readonly<Config> | null {
  const parsed = configSchema.safeParse(run.config);
  return parsed.success ? parsed.data : null;
}

/** Same wording as the pipeline's target summary (report/figures/index.ts). */
function summaryIntro(figures: Figure[]): string {
  const judged = figures.filter((f) => f.target);
  return `${judged.filter((f) => f.pass === true).length} of ${judged.length} targets met (${judged.filter((f) => f.pass === null).length} without data).`;
}

/**
 * A copy of `run` whose k6-derived figures come from the merged summaries.
 * `summaryFile(name)` is where the caller wrote each merged summary
 * (relative to the results folder).
 */
export function applyMerge(
  run: RunJson,
  merged: MergedRun,
  config: Readonly<Config>,
  summaryFile: (name: string) => string,
  ladder: LadderPlan | null,
): RunJson {
  const byName = new Map(merged.scenarios.map((s) => [s.name, s]));
  // A scenario's threshold verdict is the merged one; any other exit code (a script error,
  // an abort) is what that instance's run recorded, and stands.
  const exitOf = (s: RunJson['scenarios'][number]): number => {
    const m = byName.get(s.name);
    const judgedOnThresholds = s.exitCode === K6_EXIT_CODES.OK || s.exitCode === K6_EXIT_CODES.THRESHOLDS_HAVE_FAILED;
    return m && judgedOnThresholds ? mergedExitCode(m) : s.exitCode;
  };
  const runScenarios = run.scenarios.map((s) => ({ ...s, exitCode: exitOf(s) }));
  const scenarios: RunInputs['scenarios'] = runScenarios.map((s) => ({
    name: s.name,
    summary: byName.get(s.name)?.summary ?? null,
    exitCode: s.exitCode,
    engine: s.engine,
    engineLimited: s.engineLimited,
    durationS: s.durationS,
  }));
  const inputs: RunInputs = {
    config,
    scenarios,
    pg: null,
    redis: null,
    target: null,
    infra: {
      pgVersion: run.environment?.pgVersion ?? '',
      redisVersion: run.environment?.redisVersion ?? '',
      pgRttMs: null,
      redisRttMs: null,
      targetHealthMs: null,
      targetUrl: '',
    },
    checks: null,
    plans: [],
    ladder,
    samples: Object.fromEntries(merged.scenarios.map((s) => [s.name, s.judged])),
  };
  const rebuilt = new Map(
    buildFigures(inputs)
      .figures.filter((f) => f.source.startsWith('k6 '))
      .map((f) => [f.id, f]),
  );
  const n = merged.dirs.length;
  const mark = (f: Figure): Figure => ({ ...f, source: `${f.source}, merged from ${n} k6 instances` });
  const figures = run.figures.map((f) => (rebuilt.has(f.id) ? mark(rebuilt.get(f.id)!) : f));
  for (const [id, f] of rebuilt) if (!run.figures.some((x) => x.id === id)) figures.push(mark(f));
  const tables = run.tables.map((t) =>
    t.title === 'Target achievement summary' ? { ...t, intro: summaryIntro(figures) } : t,
  );
  // One verdict list gives the exit code, the reasons and junit.xml (report/verdicts.ts): the
  // scenarios' threshold verdicts are the merged ones; a scenario that did not run, the checkers,
  // the abort and the comparison stand as the run recorded them.
  const kept = keptVerdicts(run);
  const verdicts = [
    ...kept.before,
    ...runVerdicts({
      figures,
      scenarios: runScenarios.map((s) =>
        byName.has(s.name) ? mergedVerdictScenario(byName.get(s.name)!, s.exitCode) : s,
      ),
      checkers: checkersOf(run.checks),
    }),
    ...kept.after,
  ];
  const { exitCode, reasons } = verdictExit(verdicts);
  reasons.push(mergedLine(merged));
  return {
    ...run,
    figures,
    tables,
    verdicts,
    reasons,
    exitCode,
    // An unchanged exit code keeps its verdict (ABORTED stays ABORTED).
    verdict: exitCode === run.exitCode ? run.verdict : exitCode === ExitCode.OK ? 'PASS' : `FAIL (exit ${exitCode})`,
    scenarios: runScenarios.map((s) =>
      byName.has(s.name) ? { ...s, files: { ...s.files, summaryData: summaryFile(s.name) } } : s,
    ),
  };
}

/**
 * A run.json for instances that no `acgs-load run` wrapped (k6-operator
 * pods): client-side figures from the merged summaries, the checkers'
 * result when given (`acgs-load check --json`), and no server-side deltas
 * (no snapshot was taken around the load; those figures read n/a).
 */
export function runFromMerged(
  merged: MergedRun,
  config: Readonly<Config>,
  opts: { runId: string; checks: RunInputs['checks']; ladder: LadderPlan | null },
): RunJson {
  const spans = merged.scenarios.map((s) => s.span).filter((s): s is { first: number; last: number } => s !== null);
  const start = spans.length ? Math.min(...spans.map((s) => s.first)) : null;
  const end = spans.length ? Math.max(...spans.map((s) => s.last)) : null;
  // k6's own test-run duration when no stream held a sample (0 when no summary records one either).
  const recordedS = (s: MergedScenario) => (s.summary.state?.testRunDurationMs ?? 0) / 1000;
  const durationOf = (s: MergedScenario) => (s.span ? (s.span.last - s.span.first) / 1000 : recordedS(s));
  const engineOf = (s: MergedScenario) => s.engine.name ?? NA;
  const targets = [...new Set(merged.scenarios.flatMap((s) => s.targets))].sort();
  const target = targets.length ? targets.join(', ') : NA;
  const scenarios: RunInputs['scenarios'] = merged.scenarios.map((s) => ({
    name: s.name,
    summary: s.summary,
    exitCode: mergedExitCode(s),
    engine: engineOf(s),
    // Only an instance's own summary can say its engine limited the load.
    engineLimited: s.engine.limited === true,
    durationS: durationOf(s),
  }));
  const inputs: RunInputs = {
    config,
    scenarios,
    pg: null,
    redis: null,
    target: null,
    infra: {
      pgVersion: NA,
      redisVersion: NA,
      pgRttMs: null,
      redisRttMs: null,
      targetHealthMs: null,
      targetUrl: target,
    },
    checks: opts.checks,
    plans: [],
    ladder: opts.ladder,
    samples: Object.fromEntries(merged.scenarios.map((s) => [s.name, s.judged])),
  };
  const { figures, tables } = buildFigures(inputs);
  const verdicts = runVerdicts({
    figures,
    scenarios: merged.scenarios.map((s) => mergedVerdictScenario(s, mergedExitCode(s))),
    checkers: opts.checks?.checkers ?? null,
  });
  const { exitCode, reasons } = verdictExit(verdicts);
  reasons.push(mergedLine(merged));
  const engines = [...new Set(merged.scenarios.map(engineOf))].join(', ') || NA;
  return {
    schema: RUN_SCHEMA,
    runId: opts.runId,
    profile: config.profile,
    startedAt: start === null ? NA : new Date(start).toISOString(),
    finishedAt: end === null ? NA : new Date(end).toISOString(),
    durationS: start !== null && end !== null ? (end - start) / 1000 : Math.max(0, ...merged.scenarios.map(recordedS)),
    exitCode,
    verdict: exitCode === ExitCode.OK ? 'PASS' : `FAIL (exit ${exitCode})`,
    reasons,
    engine: `${engines} (${merged.dirs.length} instances)`,
    config: redactConfig(config),
    environment: unrecordedEnvironment(target, [
      'Merged from k6 instances that ran outside `acgs-load run`: no instance file records the machines they ran on (machine facts are n/a), and no server-side snapshot was taken around the load, so PostgreSQL, Redis and pool figures are n/a.',
    ]),
    stages: [],
    figures,
    tables,
    verdicts,
    scenarios: merged.scenarios.map((s) => ({
      name: s.name,
      exitCode: mergedExitCode(s),
      engine: engineOf(s),
      engineLimited: s.engine.limited,
      durationS: durationOf(s),
      startedAt: s.span ? new Date(s.span.first).toISOString() : NA,
      files: { summaryExport: '', summaryData: `merged/${s.name}.summary.json`, metrics: s.metricsFiles[0] ?? '' },
    })),
    timeSeries: { pool: [] },
    checks: opts.checks,
    plans: [],
    slowQueries: [],
  };
}
