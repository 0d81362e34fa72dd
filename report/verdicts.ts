/**
 * The one list of verdicts a run is judged by. The exit code, run.json's
 * reasons and junit.xml are all read from it, so they cannot disagree: a
 * failing verdict is a failing JUnit case and a reason for a non-zero exit
 * code, and a passing run has neither.
 *
 * One verdict each for: the run itself (aborted or not), every scenario (did
 * it run; were its k6 thresholds met), every consistency checker, every
 * figure with a target, and the comparison with a baseline when there was
 * one. A verdict that fails calls for an exit code (README, "Exit codes");
 * the run's exit code is the most serious one called for, in this order:
 * aborted (8) over a scenario that could not run (5) over a consistency
 * violation (3) over a missed target, crossed threshold or NO DATA (4) over a
 * regression (7). NO DATA fails like a missed target, in junit.xml as well.
 */
import { ExitCode } from '../config/index.ts';
import { type Figure, formatTarget, formatValue, missedTargetReason } from './figure.ts';

/** The JUnit suite a verdict is a case of. */
export type VerdictSuite = 'run' | 'scenarios' | 'consistency' | 'targets' | 'comparison';

/** One judged item of a run. */
export interface Verdict {
  suite: VerdictSuite;
  name: string;
  /** Why it failed (the JUnit failure message); null when it passed. */
  failure: string | null;
  /** The exit code a failure calls for. */
  exitCode: number;
  /** The line run.json's reasons give for the failure; null when another verdict gives it (a checker's NO DATA is its figure's). */
  reason: string | null;
  /** Seconds the checked thing took (JUnit `time`), 0 when not timed. */
  seconds: number;
}

/** A checker's result as the verdicts read it (checks/ CheckerResult, or run.json's copy). */
export interface VerdictChecker {
  name: string;
  checked: number;
  violations: Record<string, number>;
  durationMs: number;
  /** Why the checker could not measure (nothing checked, an input missing): NO DATA fails its case. */
  noData?: string | null;
}

export interface VerdictInputs {
  figures: readonly Figure[];
  /**
   * The scenarios that ran, with k6's exit code (99: thresholds crossed) and,
   * when known, the thresholds that failed (`metric expr`) and a note on how
   * they were judged ("merged over 2 instances").
   */
  scenarios: ReadonlyArray<{ name: string; exitCode: number; crossed?: readonly string[]; judgedHow?: string }>;
  /** null when the checkers did not run (an aborted run). */
  checkers: ReadonlyArray<VerdictChecker> | null;
  /** "SIGINT during scenarios" when Ctrl-C / SIGTERM stopped the run. */
  aborted?: string | null;
  /** The comparison with `--baseline`, when there was one. */
  comparison?: { baseline: string; regressions: number } | null;
}

/** k6's exit codes that mean the load ran: 0, and 99 (thresholds crossed). */
const K6_OK = 0;
const K6_THRESHOLDS = 99;

function scenarioVerdicts(s: VerdictInputs['scenarios'][number]): Verdict[] {
  const ran = s.exitCode === K6_OK || s.exitCode === K6_THRESHOLDS;
  const runFailure = ran
    ? null
    : `k6 exit code ${s.exitCode}: the scenario did not run to the end, its load is not trustworthy`;
  const out: Verdict[] = [
    {
      suite: 'scenarios',
      name: `${s.name} ran`,
      failure: runFailure,
      exitCode: ExitCode.INFRASTRUCTURE,
      reason: runFailure && `scenario ${s.name} ended with k6 exit code ${s.exitCode}`,
      seconds: 0,
    },
  ];
  const crossed = s.crossed ?? [];
  if (ran || crossed.length) {
    const failed = s.exitCode === K6_THRESHOLDS || crossed.length > 0;
    const which = crossed.length ? `: ${crossed.join(', ')}` : '';
    const how = s.judgedHow ? ` (${s.judgedHow})` : '';
    out.push({
      suite: 'scenarios',
      name: `${s.name} k6 thresholds`,
      failure: failed ? `k6 thresholds crossed${how}${which || ` (k6 exit code ${s.exitCode})`}` : null,
      exitCode: ExitCode.TARGETS_MISSED,
      reason: failed ? `scenario ${s.name}: k6 thresholds crossed${how}${which}` : null,
      seconds: 0,
    });
  }
  return out;
}

function checkerVerdict(c: VerdictChecker): Verdict {
  const bad = Object.entries(c.violations).filter(([, n]) => n > 0);
  const n = bad.reduce((a, [, v]) => a + v, 0);
  const noData = c.noData || (c.checked === 0 ? 'nothing was checked' : null);
  const base = { suite: 'consistency' as const, name: c.name, seconds: c.durationMs / 1000 };
  if (bad.length)
    return {
      ...base,
      failure: `${bad.map(([k, v]) => `${v} ${k}`).join(', ')} of ${c.checked} checked`,
      exitCode: ExitCode.CONSISTENCY,
      reason: `consistency: ${c.name} found ${n} violation(s)`,
    };
  // NO DATA: no violation found, nothing proven. The reason line is its figure's (consistency.<name>.violations).
  return { ...base, failure: noData ? `NO DATA: ${noData}` : null, exitCode: ExitCode.TARGETS_MISSED, reason: null };
}

function targetVerdict(f: Figure): Verdict {
  const failure =
    f.pass === true
      ? null
      : f.pass === null || f.pass === undefined
        ? `NO DATA: ${f.value !== null && Number.isFinite(f.value) ? `measured ${formatValue(f.value, f.unit)}, but ` : ''}${f.note ?? 'the source returned nothing'}`
        : `measured ${formatValue(f.value, f.unit)} (${f.source}, ${f.side} side), target ${formatTarget(f.target, f.unit)}`;
  return {
    suite: 'targets',
    name: `${f.label} ${formatTarget(f.target, f.unit)}`,
    failure,
    exitCode: ExitCode.TARGETS_MISSED,
    reason: failure && missedTargetReason(f),
    seconds: 0,
  };
}

/** Every verdict of a run, in the order its reasons are listed. */
export function runVerdicts(o: VerdictInputs): Verdict[] {
  const out: Verdict[] = [];
  if (o.aborted !== undefined)
    out.push({
      suite: 'run',
      name: 'completed',
      failure: o.aborted ? `aborted by ${o.aborted}` : null,
      exitCode: ExitCode.ABORTED,
      reason: o.aborted
        ? `aborted by ${o.aborted}: the figures hold what was measured until then; the checkers did not run`
        : null,
      seconds: 0,
    });
  const scenarios = o.scenarios.flatMap(scenarioVerdicts);
  out.push(...scenarios.filter((v) => v.exitCode === ExitCode.INFRASTRUCTURE));
  out.push(...(o.checkers ?? []).map(checkerVerdict));
  out.push(...scenarios.filter((v) => v.exitCode !== ExitCode.INFRASTRUCTURE));
  out.push(...o.figures.filter((f) => f.target).map(targetVerdict));
  if (o.comparison) {
    const n = o.comparison.regressions;
    out.push({
      suite: 'comparison',
      name: `no regression against ${o.comparison.baseline}`,
      failure: n > 0 ? `${n} figure(s) worse beyond tolerance and noise (comparison.md)` : null,
      exitCode: ExitCode.REGRESSION,
      reason:
        n > 0
          ? `regression against ${o.comparison.baseline}: ${n} figure(s) worse beyond tolerance and noise (comparison.md)`
          : null,
      seconds: 0,
    });
  }
  return out;
}

/** The order of precedence of the exit codes a failing verdict calls for (most serious first). */
const PRECEDENCE: number[] = [
  ExitCode.ABORTED,
  ExitCode.INFRASTRUCTURE,
  ExitCode.CONSISTENCY,
  ExitCode.TARGETS_MISSED,
  ExitCode.REGRESSION,
];

/** The exit code and reasons of a list of verdicts: 0 exactly when none failed. */
export function verdictExit(verdicts: readonly Verdict[]): { exitCode: number; reasons: string[] } {
  const failed = verdicts.filter((v) => v.failure !== null);
  const called = new Set(failed.map((v) => v.exitCode));
  const exitCode = PRECEDENCE.find((c) => called.has(c)) ?? (failed.length ? failed[0].exitCode : ExitCode.OK);
  return { exitCode, reasons: failed.map((v) => v.reason).filter((r): r is string => r !== null) };
}
