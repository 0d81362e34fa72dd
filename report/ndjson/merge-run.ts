/**
 * Folding merged instance outputs back into a run: the figures that come
 * from k6 summaries (source "k6 ...": query, cache, ladder and scenario
 * figures) are rebuilt with the real builders from the merged summaries;
 * server-side figures (PostgreSQL, Redis, the target, the checkers) were
 * measured once for the whole run and stay as they were.
 */
import { configSchema, ExitCode, type Config } from '../../config/index.ts';
import { buildFigures, type RunInputs } from '../build/index.ts';
import type { Figure } from '../figures.ts';
import type { RunJson } from '../run-json.ts';
import type { MergedRun } from './merge.ts';

/** The run's configuration from run.json (secrets were removed, which the schema accepts), or null. */
export function configOfRun(run: RunJson): Readonly<Config> | null {
  const parsed = configSchema.safeParse(run.config);
  return parsed.success ? parsed.data : null;
}

/** Same wording as the pipeline's target summary (report/build/index.ts). */
function summaryIntro(figures: Figure[]): string {
  const judged = figures.filter((f) => f.target);
  return `${judged.filter((f) => f.pass === true).length} of ${judged.length} targets met (${judged.filter((f) => f.pass === null).length} without data).`;
}

/**
 * A copy of `run` whose k6-derived figures come from the merged summaries.
 * `summaryFile(name)` is where the caller wrote each merged summary
 * (relative to the results folder).
 */
export function applyMerge(run: RunJson, merged: MergedRun, config: Readonly<Config>, summaryFile: (name: string) => string): RunJson {
  const byName = new Map(merged.scenarios.map((s) => [s.name, s]));
  const scenarios: RunInputs['scenarios'] = run.scenarios.map((s) => ({ name: s.name, summary: byName.get(s.name)?.summary ?? null, exitCode: s.exitCode, engine: s.engine, engineLimited: s.engineLimited, durationS: s.durationS }));
  const inputs: RunInputs = {
    config,
    scenarios,
    pg: null,
    redis: null,
    target: null,
    infra: { pgVersion: run.environment?.pgVersion ?? '', redisVersion: run.environment?.redisVersion ?? '', pgRttMs: null, redisRttMs: null, targetHealthMs: null, targetUrl: '' },
    checks: null,
    plans: [],
  };
  const rebuilt = new Map(buildFigures(inputs).figures.filter((f) => f.source.startsWith('k6 ')).map((f) => [f.id, f]));
  const n = merged.dirs.length;
  const mark = (f: Figure): Figure => ({ ...f, source: `${f.source}, merged from ${n} k6 instances` });
  const figures = run.figures.map((f) => (rebuilt.has(f.id) ? mark(rebuilt.get(f.id)!) : f));
  for (const [id, f] of rebuilt) if (!run.figures.some((x) => x.id === id)) figures.push(mark(f));
  const tables = run.tables.map((t) => (t.title === 'Target achievement summary' ? { ...t, intro: summaryIntro(figures) } : t));
  const missed = figures.filter((f) => f.target && f.pass !== true);
  const reasons = [...run.reasons.filter((r) => !r.startsWith('target missed:')), ...missed.map((f) => `target missed: ${f.label} ${f.pass === null ? 'not measured' : `= ${f.value} (${f.source})`}`)];
  reasons.push(`merged the outputs of ${n} k6 instances (${merged.scenarios.map((s) => `${s.name}: ${s.instances}`).join(', ')})`);
  // Only the targets verdict can change with a merge; other exit reasons stand.
  let exitCode = run.exitCode;
  if (exitCode === ExitCode.OK && missed.length) exitCode = ExitCode.TARGETS_MISSED;
  if (exitCode === ExitCode.TARGETS_MISSED && missed.length === 0 && !reasons.some((r) => r.includes('thresholds crossed'))) exitCode = ExitCode.OK;
  return {
    ...run,
    figures,
    tables,
    reasons,
    exitCode,
    verdict: exitCode === ExitCode.OK ? 'PASS' : `FAIL (exit ${exitCode})`,
    scenarios: run.scenarios.map((s) => (byName.has(s.name) ? { ...s, files: { ...s.files, summaryData: summaryFile(s.name) } } : s)),
  };
}
