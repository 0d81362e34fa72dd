/**
 * junit.xml for CI: one test case per judged figure (a target of the profile)
 * and one per consistency checker. A missed target or a checker with
 * violations is a <failure> whose message says what was measured and where.
 * Format: the de-facto JUnit XML schema that CI systems read (testsuites >
 * testsuite > testcase > failure).
 */
import { type Figure, formatTarget, formatValue } from './figure.ts';

export interface JunitChecker {
  name: string;
  checked: number;
  violations: Record<string, number>;
  durationMs: number;
  /** Why the checker could not measure (nothing checked, an input missing): NO DATA fails its case. */
  noData?: string | null;
}

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

/** The JUnit document for one run. */
export function junitXml(runId: string, figures: Figure[], checkers: JunitChecker[]): string {
  const targetCases = figures
    .filter((f) => f.target)
    .map((f) => {
      const measured = `${formatValue(f.value, f.unit)} (${f.source}, ${f.side} side)`;
      const failure =
        f.pass === true
          ? null
          : f.pass === null
            ? `no measurement: ${f.note ?? 'the source returned nothing'}`
            : `measured ${measured}, target ${formatTarget(f.target, f.unit)}`;
      return {
        xml: testcase('targets', `${f.label} ${formatTarget(f.target, f.unit)}`, 0, failure),
        failed: failure !== null,
      };
    });
  const checkerCases = checkers.map((c) => {
    const bad = Object.entries(c.violations).filter(([, n]) => n > 0);
    const failure = bad.length
      ? `${bad.map(([k, n]) => `${n} ${k}`).join(', ')} of ${c.checked} checked`
      : c.noData || c.checked === 0
        ? `NO DATA: ${c.noData ?? 'nothing was checked'}`
        : null;
    return { xml: testcase('consistency', c.name, c.durationMs / 1000, failure), failed: failure !== null };
  });
  const suite = (name: string, cases: Array<{ xml: string; failed: boolean }>) =>
    `  <testsuite name="${escapeXml(name)}" tests="${cases.length}" failures="${cases.filter((c) => c.failed).length}" errors="0">\n${cases.map((c) => c.xml).join('\n')}\n  </testsuite>`;
  const all = [...targetCases, ...checkerCases];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="acgs-load ${escapeXml(runId)}" tests="${all.length}" failures="${all.filter((c) => c.failed).length}">`,
    suite('targets', targetCases),
    suite('consistency', checkerCases),
    '</testsuites>',
    '',
  ].join('\n');
}
