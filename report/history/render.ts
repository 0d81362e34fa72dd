/**
 * The history as text for the terminal and as Markdown (a CI step summary):
 * the runs (number, start, commit, verdict), the change points found with
 * their levels before and after and their significance, then every figure's
 * value per run with the first run of each new level marked. Returns strings.
 */
import { formatTarget, formatValue, type Unit } from '../figure.ts';
import type { ChangePointRow, FigureHistory, History, HistoryRunRow } from './history.ts';

/** A value as a table cell: short, its unit in the row's own column. */
export function cellValue(v: number | null, unit: Unit): string {
  if (v === null) return '–';
  if (unit === 'ratio') return `${(v * 100).toFixed(v >= 0.999 && v < 1 ? 3 : 2)}%`;
  if (unit === 'count') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

const shortCommit = (r: HistoryRunRow) => (r.commit ? `${r.commit.slice(0, 7)}${r.dirty ? '+' : ''}` : 'n/a');
const date = (iso: string) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, '');

/** "permutation test p = 0.005 (0 of 199 permutations as large)" or "Student's t p = …". */
export function formatSignificance(c: Pick<ChangePointRow, 'test' | 'pValue' | 'permutations' | 'asLarge'>): string {
  const p = c.pValue < 0.001 ? c.pValue.toExponential(1) : c.pValue.toFixed(3);
  return c.test === 'permutation'
    ? `permutation test p = ${p} (${c.asLarge} of ${c.permutations} permutations as large)`
    : `Student's t p = ${p} (Bonferroni over the split's places)`;
}

/** One change point in a sentence. */
export function changeLine(f: FigureHistory, c: ChangePointRow, runs: readonly HistoryRunRow[]): string {
  const r = runs[c.run];
  const pct = c.change === null ? '' : `${c.change >= 0 ? '+' : '−'}${Math.abs(c.change * 100).toFixed(1)} %, `;
  const how = c.worse === null ? 'changed' : c.worse ? 'worse' : 'better';
  return `${f.label} (${f.id}): from run #${r.n} (${r.runId}, commit ${shortCommit(r)}) ${formatValue(c.before, f.unit)} → ${formatValue(c.after, f.unit)} (${pct}${how}); ${formatSignificance(c)}`;
}

function methodLine(h: History): string {
  const m = h.method;
  const test =
    m.test === 'auto'
      ? "each split by the permutation test where its sizes let it reach α/2, else by Student's t"
      : m.test === 't'
        ? "Student's t"
        : 'the permutation test';
  return `Change points by ${m.name} (Matteson & James 2014), α = ${m.alpha}, ${test} (${m.permutations} permutations, seed ${m.seed}).`;
}

/** Rows of the per-figure table: id, target, then one cell per run (▲/▼ where a new level starts). */
function figureRows(h: History): string[][] {
  return h.figures.map((f) => {
    const marks = new Map(f.changePoints.map((c) => [c.run, c.after > c.before ? '▲' : '▼']));
    return [
      f.id,
      formatTarget(f.target, f.unit),
      ...f.values.map((v, i) => `${marks.get(i) ?? ''}${cellValue(v, f.unit)}`),
    ];
  });
}

function runRows(h: History): string[][] {
  return h.runs.map((r) => [`#${r.n}`, date(r.startedAt), shortCommit(r), r.verdict, r.runId]);
}

function changeLines(h: History): string[] {
  const lines = h.figures.flatMap((f) => f.changePoints.map((c) => changeLine(f, c, h.runs)));
  const none = h.figures.filter((f) => f.changePoints.length === 0).length;
  if (lines.length === 0) return [`No change point in any of the ${h.figures.length} figures.`];
  return none ? [...lines, `No change point in the other ${none} figure(s).`] : lines;
}

/** An aligned table: the first `left` columns flush left (names), the others right (numbers). */
function padTable(header: string[], rows: string[][], left = header.length): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i < left ? c.padEnd(w[i]) : c.padStart(w[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The history for a terminal. */
export function historyText(h: History): string {
  const runsHeader = ['run', 'started (UTC)', 'commit', 'verdict', 'run id'];
  const runs = padTable(runsHeader, runRows(h)).replace(/^/gm, '  ');
  const figs = padTable(['figure', 'target', ...h.runs.map((r) => `#${r.n}`)], figureRows(h), 2);
  return [
    `History of ${h.runs.length} runs of profile ${h.runs[0].profile}. ${methodLine(h)}`,
    '',
    runs,
    '',
    'Change points:',
    ...changeLines(h).map((l) => `  ${l}`),
    '',
    'Value per run (▲/▼: the first run of a new level):',
    figs,
    ...(h.leftOut.length ? ['', 'Left out:', ...h.leftOut.map((l) => `  ${l}`)] : []),
    '',
  ].join('\n');
}

const md = (c: string) => c.replace(/\|/g, '\\|');
const mdTable = (header: string[], rows: string[][]) =>
  [header, header.map(() => '---'), ...rows].map((r) => `| ${r.map(md).join(' | ')} |`).join('\n');

/** The history as Markdown (a CI step summary, a pull-request comment). */
export function historyMarkdown(h: History): string {
  return [
    `### acgs-load history: ${h.runs.length} runs of profile ${h.runs[0].profile}`,
    '',
    methodLine(h),
    '',
    ...changeLines(h).map((l) => `- ${l}`),
    '',
    mdTable(['run', 'started (UTC)', 'commit', 'verdict', 'run id'], runRows(h)),
    '',
    '<details><summary>Value per run (▲/▼: the first run of a new level)</summary>',
    '',
    mdTable(['figure', 'target', ...h.runs.map((r) => `#${r.n}`)], figureRows(h)),
    '',
    '</details>',
    ...(h.leftOut.length ? ['', ...h.leftOut.map((l) => `- left out: ${l}`)] : []),
    '',
  ].join('\n');
}
