/**
 * The checks as a text table, like the report's "Data Consistency Validation"
 * table but with the counts this run measured. Returns a string; cli/ prints it.
 */
import type { ChecksResult } from './types.ts';

const TITLES: Record<string, string> = {
  'cache-db-sync': 'Cache-DB Sync',
  'referential-integrity': 'Referential Integrity',
  'transaction-isolation': 'Transaction Isolation',
  'data-types': 'Data Type Validation',
  'concurrent-access': 'Concurrent Access Safety',
};

/** Percent with enough digits that 99.99 % does not print as 100 %; n/a for no measurement. */
function pct(score: number | null): string {
  if (score === null) return 'n/a';
  if (score >= 1) return '100 %';
  const p = Math.floor(score * 10000) / 100;
  return `${p.toFixed(2)} %`;
}

/** Renders the results table plus violation lines and cache consistency in nines. */
export function formatChecksTable(r: ChecksResult): string {
  const rows = r.checkers.map((c) => {
    const violations = Object.values(c.violations).reduce((a, b) => a + b, 0);
    return [
      TITLES[c.name] ?? c.name,
      String(c.checked),
      String(violations),
      pct(c.score),
      violations > 0 ? 'FAIL' : c.noData ? 'NO DATA' : 'PASS',
      `${c.durationMs} ms`,
    ];
  });
  const head = ['Check', 'Checked', 'Violations', 'Score', 'Status', 'Duration'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  const out = [
    'Data Consistency Validation',
    line(head),
    '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|',
    ...rows.map(line),
  ];
  for (const c of r.checkers) {
    for (const [kind, n] of Object.entries(c.violations)) {
      if (n > 0)
        out.push(
          `  ${c.name}: ${kind} ${n}${c.examples[kind]?.length ? ` e.g. ${JSON.stringify(c.examples[kind][0])}` : ''}`,
        );
    }
    const strict = (c.extra?.strict as { violations?: Record<string, number> } | undefined)?.violations;
    if (strict) {
      const s = Object.entries(strict)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      if (s) out.push(`  ${c.name} strict (before grace): ${s}`);
    }
    const byType = c.extra?.byDataType as Record<string, { summary: string }> | undefined;
    if (byType) for (const [dt, s] of Object.entries(byType)) out.push(`  ${dt}: ${s.summary}`);
    if (c.noData) out.push(`  NO DATA (${c.name}): ${c.noData}`);
    for (const n of c.notes) out.push(`  note (${c.name}): ${n}`);
  }
  const noData = r.checkers.filter((c) => c.noData).map((c) => c.name);
  out.push(
    !r.ok
      ? 'Result: INCONSISTENT (violations remain after the grace period)'
      : noData.length
        ? `Result: NO DATA (${noData.join(', ')} not measured; no data is not a pass)`
        : 'Result: consistent (no violation after the grace period)',
  );
  return out.join('\n');
}
