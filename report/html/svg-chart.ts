/**
 * Inline SVG charts drawn when the report is built (no script or library is
 * loaded when it is viewed): a line chart with linear, category or
 * percentile ("nines") x axis, and bar charts. Each returns a <figure> with
 * the SVG, a legend and a caption naming where the numbers come from.
 */
import { clock, linearScale, niceTicks, ninesX, NINES_TICKS, shortNumber, type Scale } from './axes.ts';
import { esc, num } from './escape.ts';

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
export const COLORS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000'];

export interface LineSeries {
  name: string;
  /** [x, y]; a null y breaks the line (no data in that interval). */
  points: Array<[number, number | null]>;
  color?: string;
  dashed?: boolean;
  /** Draw a dot at each point (few points, e.g. ladder steps). */
  markers?: boolean;
}

export interface ChartFrame {
  /** Stable id (data-chart attribute; the browser test finds charts by it). */
  id: string;
  title: string;
  /** Where the numbers come from, shown under the chart. */
  caption: string;
  yLabel: string;
  yFormat?: (v: number) => string;
  /** Fix the y axis minimum at 0 (default) or let it follow the data. */
  yFromZero?: boolean;
  /** Upper bound of the y axis (e.g. 1 for ratios). */
  yMax?: number;
}

export interface LineChartSpec extends ChartFrame {
  x:
    | { kind: 'time' }
    | { kind: 'nines' }
    | { kind: 'category'; labels: string[] }
    | { kind: 'linear'; format?: (v: number) => string };
  xLabel: string;
  series: LineSeries[];
}

const W = 560;
const H = 250;
// Left margin: room for a tick label such as "1500 ms" beside the rotated axis label.
const M = { top: 14, right: 16, bottom: 40, left: 74 };

function frame(
  spec: ChartFrame,
  svgBody: string,
  legend: Array<{ name: string; color: string; dashed?: boolean }>,
  empty: boolean,
): string {
  const leg = legend
    .map(
      (l) =>
        `<span class="key"><svg width="18" height="10" aria-hidden="true"><line x1="0" y1="5" x2="18" y2="5" stroke="${l.color}" stroke-width="3"${l.dashed ? ' stroke-dasharray="4 3"' : ''}/></svg>${esc(l.name)}</span>`,
    )
    .join('');
  const svg = empty
    ? `<p class="empty">No samples for this chart in this run.</p>`
    : `<svg class="plot" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(spec.title)}">${svgBody}</svg>`;
  return `<figure class="chart" data-chart="${esc(spec.id)}" data-empty="${empty}"><figcaption><strong>${esc(spec.title)}</strong></figcaption>${svg}<div class="legend">${leg}</div><p class="source">${esc(spec.caption)}</p></figure>`;
}

function yAxis(spec: ChartFrame, values: number[]): { y: Scale; svg: string } {
  const lo = spec.yFromZero === false && values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (spec.yMax !== undefined) hi = Math.min(Math.max(hi, lo + 1e-9), spec.yMax);
  const ticks = niceTicks(lo, hi, 5);
  const y = linearScale(ticks[0], ticks.at(-1)!, H - M.bottom, M.top);
  const fmt = spec.yFormat ?? shortNumber;
  const svg = ticks
    .map(
      (t) =>
        `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${num(y(t))}" y2="${num(y(t))}"/><text class="tick" x="${M.left - 6}" y="${num(y(t) + 4)}" text-anchor="end">${esc(fmt(t))}</text>`,
    )
    .join('');
  const label = `<text class="axis-label" transform="translate(12 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`;
  return { y, svg: svg + label };
}

function xAxis(spec: LineChartSpec, xs: number[]): { x: Scale; svg: string } {
  let ticks: Array<[number, string]>;
  let x: Scale;
  if (spec.x.kind === 'nines') {
    x = linearScale(0, 5, M.left, W - M.right);
    ticks = NINES_TICKS;
  } else if (spec.x.kind === 'category') {
    const n = spec.x.labels.length;
    x = linearScale(-0.5, n - 0.5, M.left, W - M.right);
    ticks = spec.x.labels.map((l, i) => [i, l]);
  } else {
    const lo = xs.length ? Math.min(...xs) : 0;
    const hi = xs.length ? Math.max(...xs) : 1;
    const t = niceTicks(lo, hi, 6).filter((v) => v >= lo - 1e-9 && v <= hi + 1e-9);
    x = linearScale(lo, hi === lo ? lo + 1 : hi, M.left, W - M.right);
    const fmt = spec.x.kind === 'time' ? clock : (spec.x.format ?? shortNumber);
    ticks = t.map((v) => [v, fmt(v)]);
  }
  const base = H - M.bottom;
  const svg =
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${base}" y2="${base}"/>` +
    ticks
      .map(([v, l]) => {
        // A label at the right edge is right-aligned so it is not cut off.
        const anchor = x(v) > W - M.right - 16 ? 'end' : 'middle';
        return `<line class="axis" x1="${num(x(v))}" x2="${num(x(v))}" y1="${base}" y2="${base + 4}"/><text class="tick" x="${num(x(v))}" y="${base + 16}" text-anchor="${anchor}">${esc(l)}</text>`;
      })
      .join('') +
    `<text class="axis-label" x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">${esc(spec.xLabel)}</text>`;
  return { x, svg };
}

/** A line chart; series points with a null y leave a gap. */
export function lineChart(spec: LineChartSpec): string {
  const series = spec.series.map((s, i) => ({
    ...s,
    color: s.color ?? COLORS[i % COLORS.length],
    points: s.points.map(([px, py]) => [spec.x.kind === 'nines' ? ninesX(px) : px, py] as [number, number | null]),
  }));
  const ys = series.flatMap((s) =>
    s.points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v)),
  );
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const empty = ys.length === 0;
  const { y, svg: ySvg } = yAxis(spec, ys);
  const { x, svg: xSvg } = xAxis(spec, xs);
  const body = series
    .map((s) => {
      let d = '';
      let pen = false;
      for (const [px, py] of s.points) {
        if (py === null || !Number.isFinite(py)) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${num(x(px))} ${num(y(py))}`;
        pen = true;
      }
      const fmt = spec.yFormat ?? shortNumber;
      const dots = s.markers
        ? s.points
            .filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]))
            .map(
              ([px, py]) =>
                `<circle class="point" cx="${num(x(px))}" cy="${num(y(py))}" r="3.5" fill="${s.color}"><title>${esc(`${s.name}: ${fmt(py)}`)}</title></circle>`,
            )
            .join('')
        : '';
      return `<g class="series" data-series="${esc(s.name)}"><path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>${dots}</g>`;
    })
    .join('');
  return frame(spec, ySvg + xSvg + body, series, empty);
}

export interface BarChartSpec extends ChartFrame {
  labels: string[];
  xLabel: string;
  values: Array<number | null>;
  color?: string;
}

/** Vertical bars, one per label (e.g. throughput per ladder step). */
export function barChart(spec: BarChartSpec): string {
  const vals = spec.values.filter((v): v is number => v !== null && Number.isFinite(v));
  const { y, svg: ySvg } = yAxis(spec, vals);
  const n = spec.labels.length;
  const x = linearScale(-0.5, n - 0.5, M.left, W - M.right);
  const bw = Math.min(60, ((W - M.left - M.right) / Math.max(1, n)) * 0.6);
  const fmt = spec.yFormat ?? shortNumber;
  const base = H - M.bottom;
  const bars = spec.values
    .map((v, i) =>
      v === null || !Number.isFinite(v)
        ? ''
        : `<rect class="bar" x="${num(x(i) - bw / 2)}" y="${num(y(v))}" width="${num(bw)}" height="${num(Math.max(0, base - y(v)))}" fill="${spec.color ?? COLORS[0]}"><title>${esc(`${spec.labels[i]}: ${fmt(v)}`)}</title></rect><text class="value" x="${num(x(i))}" y="${num(y(v) - 4)}" text-anchor="middle">${esc(fmt(v))}</text>`,
    )
    .join('');
  const xSvg =
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${base}" y2="${base}"/>` +
    spec.labels
      .map((l, i) => `<text class="tick" x="${num(x(i))}" y="${base + 16}" text-anchor="middle">${esc(l)}</text>`)
      .join('') +
    `<text class="axis-label" x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">${esc(spec.xLabel)}</text>`;
  return frame(
    spec,
    ySvg + xSvg + `<g class="series" data-series="${esc(spec.yLabel)}">${bars}</g>`,
    [{ name: spec.yLabel, color: spec.color ?? COLORS[0] }],
    vals.length === 0,
  );
}

export interface ShareRow {
  label: string;
  /** Items that passed and that violated; drawn as one 100 % bar. */
  ok: number;
  bad: number;
  note: string;
}

/** One horizontal 100 % bar per row: the passing share green, the violating share red. */
export function shareChart(spec: ChartFrame & { rows: ShareRow[] }): string {
  const rowH = 30;
  const h = M.top + spec.rows.length * rowH + 10;
  const left = 170;
  const right = W - 150;
  const bars = spec.rows
    .map((r, i) => {
      const total = r.ok + r.bad;
      const y0 = M.top + i * rowH;
      // Even one violation in a million stays visible: at least 3 px of red.
      const badW = r.bad > 0 ? Math.max(3, (right - left) * (r.bad / total)) : 0;
      return (
        `<text class="tick" x="${left - 8}" y="${y0 + 15}" text-anchor="end">${esc(r.label)}</text>` +
        `<rect class="bar ok" x="${left}" y="${y0 + 4}" width="${num(Math.max(0, right - left - badW))}" height="16" fill="${total > 0 ? '#009E73' : '#bbb'}"><title>${esc(`${r.label}: ${r.ok} without violation`)}</title></rect>` +
        (badW
          ? `<rect class="bar bad" x="${num(right - badW)}" y="${y0 + 4}" width="${num(badW)}" height="16" fill="#D55E00"><title>${esc(`${r.label}: ${r.bad} violations`)}</title></rect>`
          : '') +
        `<text class="value" x="${right + 8}" y="${y0 + 15}">${esc(r.note)}</text>`
      );
    })
    .join('');
  const svg = `<svg class="plot" viewBox="0 0 ${W} ${h}" role="img" aria-label="${esc(spec.title)}"><g class="series">${bars}</g></svg>`;
  const empty = spec.rows.length === 0;
  return `<figure class="chart" data-chart="${esc(spec.id)}" data-empty="${empty}"><figcaption><strong>${esc(spec.title)}</strong></figcaption>${empty ? '<p class="empty">The checkers did not run.</p>' : svg}<div class="legend"><span class="key"><svg width="18" height="10" aria-hidden="true"><rect width="18" height="10" fill="#009E73"/></svg>checked, no violation</span><span class="key"><svg width="18" height="10" aria-hidden="true"><rect width="18" height="10" fill="#D55E00"/></svg>violations</span></div><p class="source">${esc(spec.caption)}</p></figure>`;
}
