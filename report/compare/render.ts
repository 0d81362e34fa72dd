/**
 * The comparison as text: an aligned table for the terminal, and Markdown
 * for a pull-request comment or $GITHUB_STEP_SUMMARY. Both list what moved
 * first (regressions, improvements, changes, noise, new, missing); the
 * terminal hides unchanged figures unless asked, Markdown folds them away.
 */
import { formatValue } from '../figure.ts';
import { formatP } from './stats.ts';
import { VERDICTS as ORDER, type Comparison, type FigureChange, type Verdict } from './types.ts';

/** The evidence of a row in short: the band of the baseline's runs and its p, or "effect only". */
export function formatEvidence(r: FigureChange): string {
  const t = r.test;
  if (!t) return '';
  if (t.interval && t.pAdjusted !== null)
    return `band ${formatValue(t.interval[0], r.unit)} … ${formatValue(t.interval[1], r.unit)} (${t.n.reference} runs, p×${t.family} ${formatP(t.pAdjusted)})`;
  return `${t.n.reference} reference run${t.n.reference === 1 ? '' : 's'}: effect only`;
}

function sorted(rows: FigureChange[]): FigureChange[] {
  return [...rows].sort(
    (a, b) =>
      ORDER.indexOf(a.verdict) - ORDER.indexOf(b.verdict) ||
      Math.abs(b.change ?? 0) - Math.abs(a.change ?? 0) ||
      a.id.localeCompare(b.id),
  );
}

/** A relative change as text: +12.3 %, −4.0 %, +∞ (from zero). */
export function formatChange(c: number | null): string {
  if (c === null) return '';
  if (!Number.isFinite(c)) return c > 0 ? '+∞' : '−∞';
  const s = (c * 100).toFixed(1);
  return `${c >= 0 ? '+' : '−'}${s.replace('-', '')} %`;
}

function countsLine(c: Comparison): string {
  const n = c.counts;
  const part = (k: Verdict, word: string) => `${n[k]} ${word}`;
  return [
    part('regression', n.regression === 1 ? 'regression' : 'regressions'),
    part('improvement', n.improvement === 1 ? 'improvement' : 'improvements'),
    part('noise', 'within noise'),
    part('unverified', 'beyond the minimum effect but unverified (one run a side)'),
    part('changed', 'changed (no better side)'),
    part('incomparable', 'incomparable (other scenarios)'),
    part('unchanged', 'unchanged'),
    part('new', 'new'),
    part('missing', 'missing'),
  ].join(', ');
}

function title(c: Comparison): string {
  const alpha = c.family ? `, family-wise α ${c.alpha} over ${c.family} figures` : `, fail factor ×${c.failFactor}`;
  return `run ${c.current.runId} (profile ${c.current.profile}) against ${c.reference.label}, minimum effect ${(c.tolerance * 100).toFixed(1)} %${alpha}`;
}

/** The comparison for a terminal; `all` also lists unchanged figures. */
export function comparisonTable(c: Comparison, opts: { all?: boolean } = {}): string {
  const rows = sorted(c.rows).filter((r) => opts.all || r.verdict !== 'unchanged');
  const cells = rows.map((r) => [
    r.verdict.toUpperCase(),
    r.label,
    formatValue(r.reference, r.unit),
    formatValue(r.current, r.unit),
    formatChange(r.change),
    formatEvidence(r),
    r.why,
  ]);
  const head = ['verdict', 'figure', 'reference', 'current', 'change', 'evidence', 'why'];
  const width = head.map((h, i) => Math.min(i === 6 ? 240 : 48, Math.max(h.length, ...cells.map((r) => r[i].length))));
  const line = (r: string[]) =>
    r
      .map((v, i) => (i >= 2 && i <= 4 ? v.padStart(width[i]) : v.padEnd(width[i])))
      .join('  ')
      .trimEnd();
  const out = [
    `acgs-load compare: ${title(c)}`,
    `${c.regressed ? 'REGRESSION' : 'no regression'}: ${countsLine(c)}`,
    ...c.warnings.map((w) => `warning: ${w}`),
    ...c.methods.map((m) => `method: ${m}`),
    '',
  ];
  if (rows.length) out.push(line(head), line(width.map((w) => '-'.repeat(w))), ...cells.map(line));
  else out.push('Every figure is within the minimum effect.');
  if (!opts.all && c.counts.unchanged)
    out.push('', `(${c.counts.unchanged} unchanged figures not shown; --all lists them)`);
  return out.join('\n') + '\n';
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mdTable(rows: FigureChange[]): string[] {
  const out = [
    '| verdict | figure | reference | current | change | evidence | why |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const r of rows) {
    const v =
      r.verdict === 'regression' ? '**REGRESSION**' : r.verdict === 'improvement' ? '**improvement**' : r.verdict;
    out.push(
      `| ${v} | ${mdEscape(r.label)} | ${formatValue(r.reference, r.unit)} | ${formatValue(r.current, r.unit)} | ${formatChange(r.change)} | ${mdEscape(formatEvidence(r))} | ${mdEscape(r.why)} |`,
    );
  }
  return out;
}

/** The comparison as GitHub-flavoured Markdown (PR comment, $GITHUB_STEP_SUMMARY). */
export function comparisonMarkdown(c: Comparison): string {
  const all = sorted(c.rows);
  const moved = all.filter((r) => r.verdict !== 'unchanged');
  const out = [
    `### acgs-load: ${c.regressed ? `❌ ${c.counts.regression} regression${c.counts.regression === 1 ? '' : 's'}` : '✅ no regression'}`,
    '',
    `${title(c)}.`,
    '',
    `${countsLine(c)}.`,
    '',
    ...c.warnings.map((w) => `> **Warning:** ${w}`),
    ...(c.warnings.length ? [''] : []),
    'A change is a regression only when it is larger than the minimum effect and the statistics say it is not noise:',
    '',
    ...c.methods.map((m) => `- ${m}`),
    '',
  ];
  if (moved.length) out.push(...mdTable(moved), '');
  else out.push('Every figure is within the minimum effect.', '');
  out.push(`<details><summary>All ${all.length} figures</summary>`, '', ...mdTable(all), '', '</details>', '');
  return out.join('\n');
}
