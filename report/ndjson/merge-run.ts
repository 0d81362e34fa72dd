/**
 * Folding merged instance outputs back into a run: the figures that come
 * from k6 summaries (source "k6 ...": query, cache, ladder and scenario
 * figures) are rebuilt with the real builders from the merged summaries;
 * server-side figures (PostgreSQL, Redis, the target, the checkers) were
 * measured once for the whole run and stay as they were.
 */
import { configSchema, ExitCode, redactConfig, type Config } from '../../config/index.ts';
import { buildFigures, type LadderPlan, type RunInputs } from '../figures/index.ts';
import { missedTargetReason, type Figure } from '../figure.ts';
import { RUN_SCHEMA, type RunJson } from '../run-json.ts';
import type { MergedRun } from './merge.ts';

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
  const scenarios: RunInputs['scenarios'] = run.scenarios.map((s) => ({
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
  const missed = figures.filter((f) => f.target && f.pass !== true);
  const reasons = [...run.reasons.filter((r) => !r.startsWith('target missed:')), ...missed.map(missedTargetReason)];
  reasons.push(
    `merged the outputs of ${n} k6 instances (${merged.scenarios.map((s) => `${s.name}: ${s.instances}`).join(', ')})`,
  );
  // Only the targets verdict can change with a merge; other exit reasons stand.
  let exitCode = run.exitCode;
  if (exitCode === ExitCode.OK && missed.length) exitCode = ExitCode.TARGETS_MISSED;
  if (
    exitCode === ExitCode.TARGETS_MISSED &&
    missed.length === 0 &&
    !reasons.some((r) => r.includes('thresholds crossed'))
  )
    exitCode = ExitCode.OK;
  return {
    ...run,
    figures,
    tables,
    reasons,
    exitCode,
    verdict: exitCode === ExitCode.OK ? 'PASS' : `FAIL (exit ${exitCode})`,
    scenarios: run.scenarios.map((s) =>
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
  const start = spans.length ? Math.min(...spans.map((s) => s.first)) : Date.now();
  const end = spans.length ? Math.max(...spans.map((s) => s.last)) : start;
  const scenarios: RunInputs['scenarios'] = merged.scenarios.map((s) => ({
    name: s.name,
    summary: s.summary,
    exitCode: 0,
    engine: 'k6',
    engineLimited: false,
    durationS: s.span ? (s.span.last - s.span.first) / 1000 : 0,
  }));
  const inputs: RunInputs = {
    config,
    scenarios,
    pg: null,
    redis: null,
    target: null,
    infra: {
      pgVersion: 'unknown',
      redisVersion: 'unknown',
      pgRttMs: null,
      redisRttMs: null,
      targetHealthMs: null,
      targetUrl: config.api.baseUrl ?? '',
    },
    checks: opts.checks,
    plans: [],
    ladder: opts.ladder,
  };
  const { figures, tables } = buildFigures(inputs);
  const missed = figures.filter((f) => f.target && f.pass !== true);
  const violated = opts.checks && !opts.checks.ok;
  const exitCode = violated ? ExitCode.CONSISTENCY : missed.length ? ExitCode.TARGETS_MISSED : ExitCode.OK;
  const reasons = [
    ...(violated
      ? opts
          .checks!.checkers.filter((c) => Object.values(c.violations).some((n) => n > 0))
          .map(
            (c) =>
              `consistency: ${c.name} found ${Object.values(c.violations).reduce((a, b) => a + b, 0)} violation(s)`,
          )
      : []),
    ...missed.map(missedTargetReason),
    `merged the outputs of ${merged.dirs.length} k6 instances (${merged.scenarios.map((s) => `${s.name}: ${s.instances}`).join(', ')})`,
  ];
  return {
    schema: RUN_SCHEMA,
    runId: opts.runId,
    profile: config.profile,
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(end).toISOString(),
    durationS: (end - start) / 1000,
    exitCode,
    verdict: exitCode === ExitCode.OK ? 'PASS' : `FAIL (exit ${exitCode})`,
    reasons,
    engine: `k6 (${merged.dirs.length} instances)`,
    config: redactConfig(config),
    environment: {
      node: 'n/a',
      platform: 'k6 instances (see each instance)',
      cpus: 0,
      cpuModel: 'n/a',
      memoryBytes: 0,
      loadavgStart: [],
      loadavgEnd: [],
      pgVersion: 'unknown',
      redisVersion: 'unknown',
      services: { postgres: 'not measured', redis: 'not measured', target: config.api.baseUrl ?? 'unknown' },
      notes: [
        'Merged from k6 instances that ran outside `acgs-load run`: no server-side snapshot was taken around the load, so PostgreSQL, Redis and pool figures are n/a.',
      ],
    },
    stages: [],
    figures,
    tables,
    scenarios: merged.scenarios.map((s) => ({
      name: s.name,
      exitCode: 0,
      engine: 'k6',
      engineLimited: false,
      durationS: s.span ? (s.span.last - s.span.first) / 1000 : 0,
      startedAt: new Date(s.span?.first ?? start).toISOString(),
      files: { summaryExport: '', summaryData: `merged/${s.name}.summary.json`, metrics: s.metricsFiles[0] ?? '' },
    })),
    timeSeries: { pool: [] },
    checks: opts.checks,
    plans: [],
    slowQueries: [],
  };
}
