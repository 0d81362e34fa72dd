/**
 * junit.xml for CI: one test case per verdict of the run (report/verdicts.ts):
 * the run itself, each scenario (it ran; its k6 thresholds held), each judged
 * figure (a target of the profile), each consistency checker, and the
 * comparison with a baseline. The exit code is read from the same verdicts,
 * so a failing case and a non-zero exit code always go together. A missed
 * target, a crossed threshold, NO DATA or a checker with violations is a
 * <failure> whose message says what was measured and where. Format: the
 * de-facto JUnit XML schema that CI systems read (testsuites > testsuite >
 * testcase > failure).
 */
import type { Figure } from './figure.ts';
import type { RunJson } from './run-json.ts';
import { runVerdicts, type Verdict, type VerdictChecker, type VerdictInputs, type VerdictSuite } from './verdicts.ts';

/** A checker's result as junit.xml reads it. */
export type JunitChecker = VerdictChecker;

export function escapeXml(s: string): string {
  return (
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // characters XML 1.0 cannot carry at all
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
  );
}

function testcase(classname: string, name: string, seconds: number, failure: string | null): string {
  const head = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(name)}" time="${seconds.toFixed(3)}"`;
  if (failure === null) return `${head}/>`;
  return `${head}>\n      <failure message="${escapeXml(failure)}" type="failure">${escapeXml(failure)}</failure>\n    </testcase>`;
}

/** The suites in the document's order; `targets` and `consistency` are written even when empty. */
const SUITES: ReadonlyArray<{ suite: VerdictSuite; always: boolean }> = [
  { suite: 'run', always: false },
  { suite: 'scenarios', always: false },
  { suite: 'targets', always: true },
  { suite: 'consistency', always: true },
  { suite: 'comparison', always: false },
];

/** The JUnit document of a run's verdicts. */
export function junitFromVerdicts(runId: string, verdicts: readonly Verdict[]): string {
  const suite = (name: string, cases: readonly Verdict[]) =>
    `  <testsuite name="${escapeXml(name)}" tests="${cases.length}" failures="${cases.filter((c) => c.failure !== null).length}" errors="0">\n${cases.map((c) => testcase(c.suite, c.name, c.seconds, c.failure)).join('\n')}\n  </testsuite>`;
  const suites = SUITES.map(({ suite: name, always }) => ({
    name,
    always,
    cases: verdicts.filter((v) => v.suite === name),
  }))
    .filter((x) => x.always || x.cases.length > 0)
    .map((x) => suite(x.name, x.cases));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="acgs-load ${escapeXml(runId)}" tests="${verdicts.length}" failures="${verdicts.filter((v) => v.failure !== null).length}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * The JUnit document for one run, from what its exit code is judged on:
 * figures, checkers, and (`extra`) the scenarios' k6 exit codes, the abort
 * and the comparison. Equivalent to junitFromVerdicts(runId, runVerdicts(...)).
 */
export function junitXml(
  runId: string,
  figures: readonly Figure[],
  checkers: readonly JunitChecker[],
  extra: Partial<Pick<VerdictInputs, 'scenarios' | 'aborted' | 'comparison'>> = {},
): string {
  return junitFromVerdicts(runId, runVerdicts({ ...extra, figures, checkers, scenarios: extra.scenarios ?? [] }));
}

/**
 * junit.xml of a run.json: from the verdicts its exit code was read from
 * (`run.verdicts`); for a run.json written before they were kept, from its
 * figures, checkers and scenarios' exit codes.
 */
export function junitOfRun(run: RunJson): string {
  if (run.verdicts) return junitFromVerdicts(run.runId, run.verdicts);
  const checkers = (run.checks as { checkers?: JunitChecker[] } | null)?.checkers ?? [];
  return junitXml(run.runId, run.figures, checkers, { scenarios: run.scenarios });
}
