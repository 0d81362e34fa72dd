/**
 * report.html: one self-contained page (inline CSS and SVG, no script or
 * resource loaded from anywhere) with the same tables as report.md, each
 * followed by the charts that show the same measurements over time.
 * Returns a string; only cli/ writes files.
 */
import { indexFigures, type Figure } from '../figure.ts';
import type { RunSeries } from '../ndjson/run-series.ts';
import type { RunJson } from '../run-json.ts';
import { renderCell, type Cell, type Table } from '../tables.ts';
import {
  cacheChart,
  checksChart,
  hdrChart,
  ladderCharts,
  poolChart,
  queryLatencyCharts,
  targetsOf,
  throughputCharts,
  timeFrame,
  vusChart,
} from './charts.ts';
import { esc } from './escape.ts';
import { formatReason } from './format.ts';
import { environmentLines, planHeading } from './run-header.ts';
import { CSS } from './style.ts';

/** Inline `code` in table intros and notes (they are written for Markdown). */
function inline(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function slug(title: string): string {
  return (
    't-' +
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
  );
}

function cellHtml(cell: Cell, figures: Map<string, Figure>): string {
  const text = renderCell(cell, figures);
  if (typeof cell === 'string') return `<td>${inline(text)}</td>`;
  const show = cell.show ?? 'value';
  const cls =
    show === 'source'
      ? 'src'
      : show === 'verdict'
        ? text === 'PASS'
          ? 'pass'
          : text === 'FAIL'
            ? 'fail'
            : text
              ? 'nodata'
              : ''
        : 'num';
  const note = show === 'value' ? figures.get(cell.figure)?.note : undefined;
  return `<td class="${cls}" data-figure="${esc(cell.figure)}" data-show="${show}"${note ? ` title="${esc(note)}"` : ''}>${esc(text)}</td>`;
}

/** One table of run.json as HTML, cells resolved with report/tables.ts renderCell. */
export function htmlTable(t: Table, figures: Map<string, Figure>): string {
  const head = `<tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c) => cellHtml(c, figures)).join('')}</tr>`).join('\n');
  const notes = t.notes?.length ? `<ul class="notes">${t.notes.map((n) => `<li>${inline(n)}</li>`).join('')}</ul>` : '';
  return `<h2>${esc(t.title)}</h2>${t.intro ? `<p class="intro">${inline(t.intro)}</p>` : ''}<div class="table-wrap"><table>${head}\n${body}</table></div>${notes}`;
}

/** Which charts go under which table (by title); charts of a missing table get a section of their own. */
function chartsByTable(run: RunJson, s: RunSeries): Array<{ after: string; title: string; charts: string[] }> {
  // Every time chart shares the x range, the shaded phases and fault windows, and the scenario colours.
  const f = timeFrame(s);
  const targets = targetsOf(run);
  return [
    {
      after: 'Query performance by type',
      title: 'Query latency over time',
      charts: queryLatencyCharts(s, f, targets),
    },
    { after: 'Cache effectiveness', title: 'Cache hit rate over time', charts: [cacheChart(s, f, targets)] },
    { after: 'Connection pool', title: 'Connection pool over time', charts: [poolChart(s, f)] },
    { after: 'Load ladder', title: 'Load ladder', charts: ladderCharts(run, s) },
    { after: 'Data consistency validation', title: 'Data consistency', charts: [checksChart(run)] },
    {
      after: 'Scenarios',
      title: 'Load over time',
      charts: [vusChart(s, f), ...throughputCharts(s, f), hdrChart(s)],
    },
  ];
}

function header(run: RunJson): string {
  const ok = run.exitCode === 0;
  const facts = `profile <code>${esc(run.profile)}</code> · started ${esc(run.startedAt)} · ${esc(run.durationS.toFixed(1))} s · engine ${esc(run.engine)} · exit code ${esc(run.exitCode)}`;
  const env = environmentLines(run).map((l) => `<li>${inline(l)}</li>`);
  const reasons = (run.reasons ?? []).map((r) => `<li class="reason">${esc(formatReason(r, run.figures))}</li>`);
  return `<header class="top"><h1>acgs-load run ${esc(run.runId)} <span class="badge ${ok ? 'pass' : 'fail'}">${esc(run.verdict)}</span></h1><p class="facts">${facts}</p><p class="facts">Every figure was measured in this run; its source is named beside it (client side: the load generator; server side: PostgreSQL, Redis or the target).</p><ul class="env">${[...reasons, ...env].join('')}</ul></header>`;
}

function appendix(run: RunJson, s: RunSeries): string {
  const slow = run.slowQueries?.length
    ? `<table><tr><th>calls</th><th>mean</th><th>total</th><th>statement</th></tr>${run.slowQueries.map((q) => `<tr><td class="num">${q.calls}</td><td class="num">${q.meanMs.toFixed(3)} ms</td><td class="num">${q.totalMs.toFixed(1)} ms</td><td><code>${esc(q.query.replace(/\s+/g, ' ').slice(0, 300))}</code></td></tr>`).join('')}</table>`
    : '<p class="intro">Not available in this run (see the query table notes).</p>';
  const plans = (run.plans ?? [])
    .map(
      (p) =>
        `<details><summary><strong>${esc(planHeading(p))}</strong></summary><pre>${esc(p.sql)}</pre><pre>${esc(p.plan)}</pre></details>`,
    )
    .join('');
  const stages = (run.stages ?? [])
    .map(
      (st) =>
        `<tr><td>${esc(st.name)}</td><td class="num">${(st.ms / 1000).toFixed(2)} s</td><td class="${st.ok ? 'pass' : 'fail'}">${st.ok ? 'ok' : 'failed'}</td><td>${esc(st.detail ?? '')}</td></tr>`,
    )
    .join('');
  const data = `Time series from ${s.files.length} metric stream(s) (${s.files.map(esc).join(', ') || 'none'}), ${Object.values(s.totals).reduce((a, b) => a + b, 0)} samples${s.badLines ? `, ${s.badLines} unreadable line(s) skipped` : ''}; ${s.intervalMs / 1000} s intervals.`;
  return `<section id="appendix-slow"><h2>Slow queries (pg_stat_statements, by total time)</h2>${slow}</section><section id="appendix-plans"><h2>Query plans (EXPLAIN ANALYZE, BUFFERS)</h2>${plans || '<p class="intro">No plans in this run.</p>'}</section><section id="appendix-stages"><h2>Stages</h2><table><tr><th>stage</th><th>duration</th><th>result</th><th>detail</th></tr>${stages}</table><p class="intro">${data}</p></section>`;
}

/** The whole report.html for a run and its series (see readRunSeries). */
export function htmlReport(run: RunJson, series: RunSeries): string {
  const figures = indexFigures(run.figures);
  const groups = chartsByTable(run, series);
  const placed = new Set<string>();
  const sections: string[] = [];
  const toc: string[] = [];
  for (const t of run.tables) {
    const id = slug(t.title);
    toc.push(`<a href="#${id}">${esc(t.title)}</a>`);
    const charts = groups.filter((g) => g.after === t.title);
    charts.forEach((g) => placed.add(g.after));
    const chartHtml = charts.length ? `<div class="charts">${charts.flatMap((g) => g.charts).join('\n')}</div>` : '';
    sections.push(`<section id="${id}">${htmlTable(t, figures)}${chartHtml}</section>`);
  }
  // Charts whose table is not in this run get a section of their own, unless none of them has data.
  for (const g of groups.filter(
    (x) => !placed.has(x.after) && x.charts.some((c) => c.includes('data-empty="false"')),
  )) {
    const id = slug(g.title);
    toc.push(`<a href="#${id}">${esc(g.title)}</a>`);
    sections.push(
      `<section id="${id}"><h2>${esc(g.title)}</h2><div class="charts">${g.charts.join('\n')}</div></section>`,
    );
  }
  toc.push(
    '<a href="#appendix-slow">Slow queries</a>',
    '<a href="#appendix-plans">Plans</a>',
    '<a href="#appendix-stages">Stages</a>',
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>acgs-load ${esc(run.runId)} — ${esc(run.verdict)}</title>
<style>${CSS}</style>
</head>
<body>
${header(run)}
<nav class="toc">${toc.join(' ')}</nav>
<main>
${sections.join('\n')}
${appendix(run, series)}
</main>
</body>
</html>
`;
}
