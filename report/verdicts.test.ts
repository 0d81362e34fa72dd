/**
 * junit.xml and the exit code are read from one verdict list, so they agree:
 * a failed figure, NO DATA, a crossed k6 threshold, a scenario that could not
 * run, a consistency violation, an abort and a regression are each a failing
 * test case and a non-zero exit code; a run with none of them has neither.
 * Each case is broken on purpose, and a property test tries every mix.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../config/index.ts';
import { runExitCode } from '../run/write-results.ts';
import type { ChecksResult } from '../checks/index.ts';
import { judge, type Figure } from './figure.ts';
import { junitFromVerdicts, junitOfRun, junitXml } from './junit.ts';
import type { RunJson } from './run-json.ts';
import { runVerdicts, verdictExit, type VerdictChecker, type VerdictInputs } from './verdicts.ts';

const fig = (id: string, value: number | null, target = 100, note?: string): Figure =>
  judge(
    { id, label: id, value, unit: 'ms', source: 'test source', side: 'client', ...(note ? { note } : {}) },
    { op: '<=', value: target },
  );
const checker = (name: string, violations: Record<string, number> = {}, noData?: string): VerdictChecker => ({
  name,
  checked: 10,
  violations,
  durationMs: 5,
  ...(noData ? { noData } : {}),
});
const checks = (c: VerdictChecker[]): ChecksResult =>
  ({
    ok: c.every((x) => Object.values(x.violations).every((n) => n === 0)),
    checkers: c,
    startedAt: '',
    durationMs: 0,
  }) as unknown as ChecksResult;

/** junit.xml's total failures, from its <testsuites> element. */
const failures = (xml: string) => Number(/<testsuites [^>]*failures="(\d+)"/.exec(xml)![1]);
const failingCases = (xml: string) =>
  [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"[^/]*?>\s*<failure message="([^"]*)"/g)].map(
    (m) => `${m[1]}: ${m[2]}: ${m[3]}`,
  );

/** The exit code (as the pipeline decides it) and junit.xml (as it writes it) of the same inputs. */
function both(o: VerdictInputs) {
  const judged = runExitCode({
    scenarios: o.scenarios,
    checks: o.checkers ? checks([...o.checkers]) : null,
    figures: o.figures,
    aborted: o.aborted,
    comparison: o.comparison,
  });
  return { ...judged, xml: junitFromVerdicts('r', runVerdicts(o)) };
}

describe('junit.xml and the exit code agree', () => {
  const passing = { figures: [fig('a', 10)], scenarios: [{ name: 'smoke', exitCode: 0 }], checkers: [checker('x')] };

  it('a run that meets everything: exit 0 and no failing case', () => {
    const r = both(passing);
    expect(r.exitCode).toBe(0);
    expect(r.reasons).toEqual([]);
    expect(failures(r.xml)).toBe(0);
    expect(r.xml).toContain('<testcase classname="scenarios" name="smoke k6 thresholds"');
  });

  it('broken on purpose: a failed figure is a failing testcase and exit 4', () => {
    const r = both({ ...passing, figures: [fig('a', 250)] });
    expect(r.exitCode).toBe(4);
    expect(failingCases(r.xml)).toEqual([
      'targets: a ≤ 100.0 ms: measured 250.0 ms (test source, client side), target ≤ 100.0 ms',
    ]);
  });

  it('broken on purpose: NO DATA is a failing testcase too, with the value when there is one', () => {
    const r = both({
      ...passing,
      figures: [fig('a', null, 100, 'no stream'), { ...fig('p99', 5), pass: null, note: '2 samples' }],
    });
    expect(r.exitCode).toBe(4);
    expect(failingCases(r.xml)).toEqual([
      'targets: a ≤ 100.0 ms: NO DATA: no stream',
      'targets: p99 ≤ 100.0 ms: NO DATA: measured 5.00 ms, but 2 samples',
    ]);
  });

  it('broken on purpose: a scenario whose k6 thresholds were crossed is a failing case naming them, exit 4', () => {
    const r = both({
      ...passing,
      scenarios: [{ name: 'user-journey', exitCode: 99, crossed: ['cache_hit rate>=0.995'] }],
    });
    expect(r.exitCode).toBe(4);
    expect(r.reasons).toEqual(['scenario user-journey: k6 thresholds crossed: cache_hit rate>=0.995']);
    expect(failingCases(r.xml)).toEqual([
      'scenarios: user-journey k6 thresholds: k6 thresholds crossed: cache_hit rate&gt;=0.995',
    ]);
    // Before, junit.xml had no case for a scenario: this run's junit.xml passed while it exited 4.
    expect(failures(junitXml('r', passing.figures, passing.checkers))).toBe(0);
  });

  it('broken on purpose: a scenario that could not run is a failing case, exit 5', () => {
    const r = both({ ...passing, scenarios: [{ name: 'smoke', exitCode: 107 }] });
    expect(r.exitCode).toBe(ExitCode.INFRASTRUCTURE);
    expect(failingCases(r.xml)).toEqual([
      'scenarios: smoke ran: k6 exit code 107: the scenario did not run to the end, its load is not trustworthy',
    ]);
  });

  it('broken on purpose: a violation (exit 3) and a checker without data (exit 4) both fail their case', () => {
    const v = both({ ...passing, checkers: [checker('cache-db-sync', { stale: 2 })] });
    expect(v.exitCode).toBe(3);
    expect(failingCases(v.xml)).toEqual(['consistency: cache-db-sync: 2 stale of 10 checked']);
    const n = both({ ...passing, checkers: [checker('concurrent-access', {}, 'stream missing')] });
    expect(failingCases(n.xml)).toEqual(['consistency: concurrent-access: NO DATA: stream missing']);
  });

  it('broken on purpose: an aborted run and a regression are failing cases, with their exit codes', () => {
    const a = both({ ...passing, aborted: 'SIGINT during scenarios' });
    expect(a.exitCode).toBe(ExitCode.ABORTED);
    expect(failingCases(a.xml)).toEqual(['run: completed: aborted by SIGINT during scenarios']);
    const g = both({ ...passing, comparison: { baseline: 'base.json', regressions: 2 } });
    expect(g.exitCode).toBe(ExitCode.REGRESSION);
    expect(failingCases(g.xml)).toEqual([
      'comparison: no regression against base.json: 2 figure(s) worse beyond tolerance and noise (comparison.md)',
    ]);
    // A regression does not hide a more serious problem; both are failing cases.
    const both2 = both({ ...passing, figures: [fig('a', 250)], comparison: { baseline: 'base.json', regressions: 1 } });
    expect(both2.exitCode).toBe(4);
    expect(failures(both2.xml)).toBe(2);
  });

  it('property: the exit code is 0 exactly when junit.xml has no failure, and one reason per failing case', () => {
    const figure = fc.oneof(
      fc.constant(fig('pass', 10)),
      fc.constant(fig('fail', 500)),
      fc.constant(fig('nodata', null)),
      fc.constant({ ...fig('few', 5), pass: null }),
      fc.constant({ id: 'shown', label: 'shown', value: 1, unit: 'ms', source: 's', side: 'client' } as Figure),
    );
    const scenario = fc.record({ name: fc.constantFrom('a', 'b', 'c'), exitCode: fc.constantFrom(0, 0, 99, 107, 108) });
    const chk = fc.oneof(
      fc.constant(checker('ok')),
      fc.constant(checker('bad', { stale: 1 })),
      fc.constant(checker('none', {}, 'why')),
    );
    fc.assert(
      fc.property(
        fc.array(figure, { maxLength: 6 }),
        fc.array(scenario, { maxLength: 3 }),
        fc.option(fc.array(chk, { maxLength: 3 })),
        fc.option(fc.constant('SIGTERM during scenarios')),
        fc.option(fc.record({ baseline: fc.constant('b.json'), regressions: fc.nat(3) })),
        (figures, scenarios, checkers, aborted, comparison) => {
          const o = { figures, scenarios, checkers, aborted, comparison };
          const r = both(o);
          const n = failures(r.xml);
          expect(r.exitCode === 0).toBe(n === 0);
          // Each failing case has a reason line, but a checker's NO DATA, whose line is its figure's.
          const v = runVerdicts(o).filter((x) => x.failure !== null);
          expect(n).toBe(v.length);
          expect(r.reasons.length).toBe(v.filter((x) => x.reason !== null).length);
          expect(verdictExit(runVerdicts(o)).exitCode).toBe(r.exitCode);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("junitOfRun writes run.json's own verdicts (as `acgs-load report --merge` rewrites junit.xml)", () => {
    const verdicts = runVerdicts({ ...passing, figures: [fig('a', 250)] });
    const run = { runId: 'r', figures: [], scenarios: [], checks: null, verdicts } as unknown as RunJson;
    expect(failingCases(junitOfRun(run))).toHaveLength(1);
    // Without verdicts (a run.json from before), from its figures and scenarios' exit codes.
    const old = { runId: 'r', figures: [fig('a', 10)], scenarios: [{ name: 's', exitCode: 99 }], checks: null };
    expect(failingCases(junitOfRun(old as unknown as RunJson))).toEqual([
      'scenarios: s k6 thresholds: k6 thresholds crossed (k6 exit code 99)',
    ]);
  });
});
