/**
 * `acgs-load history --html FILE`: one self-contained page (inline CSS and
 * SVG, the same chart helpers and stylesheet as report.html) with the runs,
 * the change points, and one chart per figure: its value per run, the level
 * (mean) of each stretch between change points as a dashed step, the first
 * run of each new level as a red dot, and the target. Returns a string.
 */
import { formatTarget, formatValue } from '../figure.ts';
import { esc } from '../html/escape.ts';
import { CSS } from '../html/style.ts';
import { COLORS, lineChart, type LineSeries } from '../html/svg-chart.ts';
import type { FigureHistory, History } from './history.ts';
import { cellValue, changeLine, formatSignificance } from './render.ts';

/** Up to this many runs every run is named on the x axis; more get a numbered linear axis. */
const NAMED_RUNS = 20;

function levels(f: FigureHistory, n: number): Array<[number, number | null]> {
  const cuts = [0, ...f.changePoints.map((c) => c.run), n];
  const pts: Array<[number, number | null]> = [];
  for (let s = 0; s + 1 < cuts.length; s++) {
    const vals = f.values.slice(cuts[s], cuts[s + 1]).filter((v): v is number => v !== null);
    const mean = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
    // A null half a run before each new level breaks the step there.
    if (s > 0) pts.push([cuts[s] - 0.5, null]);
    for (let i = cuts[s]; i < cuts[s + 1]; i++) pts.push([i, mean]);
  }
  return pts;
}

/** The chart of one figure over the runs. */
export function figureChart(f: FigureHistory, h: History): string {
  const n = h.runs.length;
  const fmt = (v: number) => formatValue(v, f.unit);
  const series: LineSeries[] = [
    { name: 'value per run', points: f.values.map((v, i) => [i, v]), markers: true, color: COLORS[0] },
    { name: 'level between change points', points: levels(f, n), dashed: true, color: COLORS[6] },
  ];
  if (f.changePoints.length)
    series.push({
      name: 'change point (first run of a new level)',
      points: f.changePoints.map((c) => [c.run, f.values[c.run]]),
      markers: true,
      color: COLORS[3],
    });
  const cps = f.changePoints.map(
    (c) => `run #${h.runs[c.run].n}: ${fmt(c.before)} → ${fmt(c.after)}, ${formatSignificance(c)}`,
  );
  return lineChart({
    id: `history-${f.id}`,
    title: `${f.label} across runs`,
    caption: `${f.id} from each run's run.json (${f.source}). ${cps.length ? `Change points: ${cps.join('; ')}.` : (f.note ?? 'No change point.')}`,
    x:
      n <= NAMED_RUNS
        ? { kind: 'category', labels: h.runs.map((r) => `#${r.n}`) }
        : { kind: 'linear', format: (v) => (Number.isInteger(v) ? `#${v + 1}` : '') },
    xLabel: 'run, in start order',
    yLabel: f.unit === 'ratio' ? '%' : f.unit,
    yFormat: f.unit === 'ratio' ? (v) => `${(v * 100).toPrecision(4)}` : undefined,
    yFromZero: false,
    refLines: f.target ? [{ name: `target ${formatTarget(f.target, f.unit)}`, value: f.target.value }] : [],
    series,
  });
}

const table = (header: string[], rows: string[][]) =>
  `<div class="table-wrap"><table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</table></div>`;

/** The whole page. */
export function historyHtml(h: History): string {
  const m = h.method;
  const changed = h.figures.filter((f) => f.changePoints.length);
  const ordered = [...changed, ...h.figures.filter((f) => !f.changePoints.length)];
  const lines = changed.flatMap((f) => f.changePoints.map((c) => `<li>${esc(changeLine(f, c, h.runs))}</li>`));
  const runs = table(
    ['run', 'started', 'commit', 'verdict', 'run id', 'folder'],
    h.runs.map((r) => [
      `#${r.n}`,
      r.startedAt,
      r.commit ? r.commit.slice(0, 12) + (r.dirty ? ' (changed files)' : '') : 'n/a',
      r.verdict,
      r.runId,
      r.dir,
    ]),
  );
  const values = table(
    ['figure', 'target', ...h.runs.map((r) => `#${r.n}`)],
    h.figures.map((f) => [f.label, formatTarget(f.target, f.unit), ...f.values.map((v) => cellValue(v, f.unit))]),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>acgs-load history: ${h.runs.length} runs of ${esc(h.runs[0].profile)}</title><style>${CSS}</style></head><body>
<header class="top"><h1>acgs-load history: ${h.runs.length} runs of profile ${esc(h.runs[0].profile)}</h1>
<p class="facts">Change points by ${m.name} (Matteson &amp; James 2014): α = ${m.alpha}, test ${esc(m.test)}, ${m.permutations} permutations, seed ${m.seed}. ${changed.length} of ${h.figures.length} figures changed.</p></header>
<main>
<section><h2>Change points</h2>${lines.length ? `<ul>${lines.join('')}</ul>` : '<p class="intro">No change point in any figure.</p>'}</section>
<section><h2>Runs</h2>${runs}${h.leftOut.length ? `<ul class="notes">${h.leftOut.map((l) => `<li>left out: ${esc(l)}</li>`).join('')}</ul>` : ''}</section>
<section><h2>Figures across runs</h2><div class="charts">${ordered.map((f) => figureChart(f, h)).join('\n')}</div></section>
<section><h2>Value per run</h2>${values}</section>
</main></body></html>
`;
}
