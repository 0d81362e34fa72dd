/**
 * Inline SVG charts drawn when the report is built (no script or library is
 * loaded when it is viewed): a line chart with linear, category or
 * percentile ("nines") x axis, and bar charts. Each returns a <figure> with
 * the SVG, a legend and a caption naming where the numbers come from.
 */
import { clock, linearScale, niceTicks, ninesX, NINES_TICKS, shortNumber, timeTicks, type Scale } from './axes.ts';
import { esc, num } from './escape.ts';
import { pathData, splitAtGaps } from './paths.ts';

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
  /** Break the line where two points are further apart than this (x units): no line across a stretch without samples. */
  maxGap?: number;
}

/** A shaded stretch of x on a time chart: a scenario's phase or a fault window. */
export interface Band {
  kind: 'phase' | 'fault';
  label: string;
  from: number;
  to: number;
  /** Colour of the phase's strip (its scenario's colour in the other charts). */
  color?: string;
  /** Tooltip text. */
  title?: string;
  /** A shorter name for when the label does not fit (a fault's kind). */
  short?: string;
}

/** A horizontal reference line, e.g. a target: drawn dashed and labelled `${name} ${yFormat(value)}`. */
export interface RefLine {
  name: string;
  value: number;
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
  /** Whole things (VUs, connections): no tick between two integers. */
  yInteger?: boolean;
}

export interface LineChartSpec extends ChartFrame {
  x:
    | { kind: 'time'; domain?: [number, number] }
    | { kind: 'nines' }
    | { kind: 'category'; labels: string[] }
    | { kind: 'linear'; format?: (v: number) => string };
  xLabel: string;
  series: LineSeries[];
  /** Shaded phases and fault windows (time charts). */
  bands?: Band[];
  /** Target lines. */
  refLines?: RefLine[];
}

const W = 560;
const H = 250;
// Left margin: room for a tick label such as "1500 ms" beside the rotated axis label.
const M = { top: 14, right: 16, bottom: 40, left: 74 };
/** Height of one lane of the phase and fault strip above a time chart's plot. */
const LANE = 14;
/**
 * A target is drawn inside the plot when it is at most this many times the
 * largest value; further up it would flatten the data into the bottom rows,
 * so the legend says it is above the chart instead.
 */
const TARGET_HEADROOM = 2;

/** Where the plot is inside the SVG. */
interface Geom {
  top: number;
  bottom: number;
  height: number;
}
const PLAIN: Geom = { top: M.top, bottom: H - M.bottom, height: H };

interface LegendKey {
  name: string;
  color: string;
  dashed?: boolean;
  kind?: 'line' | 'swatch' | 'target';
  attrs?: string;
}

function frame(spec: ChartFrame, svgBody: string, legend: LegendKey[], empty: boolean, height = H): string {
  const leg = legend
    .map((l) => {
      const icon =
        l.kind === 'swatch'
          ? `<rect x="0" y="0" width="18" height="10" fill="${l.color}" fill-opacity="0.25" stroke="${l.color}" stroke-opacity="0.6"/>`
          : `<line x1="0" y1="5" x2="18" y2="5" stroke="${l.color}" stroke-width="${l.kind === 'target' ? 1.5 : 3}"${l.dashed ? ` stroke-dasharray="${l.kind === 'target' ? '5 3' : '4 3'}"` : ''}/>`;
      return `<span class="key${l.kind === 'target' ? ' target' : ''}"${l.attrs ?? ''}><svg width="18" height="10" aria-hidden="true">${icon}</svg>${esc(l.name)}</span>`;
    })
    .join('');
  const svg = empty
    ? `<p class="empty">No samples for this chart in this run.</p>`
    : `<svg class="plot" viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(spec.title)}">${svgBody}</svg>`;
  return `<figure class="chart" data-chart="${esc(spec.id)}" data-empty="${empty}"><figcaption><strong>${esc(spec.title)}</strong></figcaption>${svg}<div class="legend">${leg}</div><p class="source">${esc(spec.caption)}</p></figure>`;
}

function yAxis(spec: ChartFrame, values: number[], g: Geom = PLAIN): { y: Scale; svg: string } {
  const lo = spec.yFromZero === false && values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  // A little room above the highest value, so a plateau at the top is not drawn on the plot's edge.
  if (spec.yMax !== undefined) hi = Math.min(Math.max(hi, lo + 1e-9), spec.yMax);
  else if (hi > lo) hi += (hi - lo) * 0.04;
  const ticks = niceTicks(lo, hi, 5, spec.yInteger ? 1 : 0);
  const y = linearScale(ticks[0], ticks.at(-1)!, g.bottom, g.top);
  const fmt = spec.yFormat ?? shortNumber;
  const svg = ticks
    .map(
      (t) =>
        `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${num(y(t))}" y2="${num(y(t))}"/><text class="tick y" data-value="${t}" x="${M.left - 6}" y="${num(y(t) + 4)}" text-anchor="end">${esc(fmt(t))}</text>`,
    )
    .join('');
  const label = `<text class="axis-label" transform="translate(12 ${(g.top + g.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`;
  return { y, svg: svg + label };
}

function xAxis(spec: LineChartSpec, xs: number[], g: Geom): { x: Scale; svg: string } {
  let ticks: Array<[number, string]>;
  let x: Scale;
  let grid = false;
  if (spec.x.kind === 'nines') {
    x = linearScale(0, 5, M.left, W - M.right);
    ticks = NINES_TICKS;
  } else if (spec.x.kind === 'category') {
    const n = spec.x.labels.length;
    x = linearScale(-0.5, n - 0.5, M.left, W - M.right);
    ticks = spec.x.labels.map((l, i) => [i, l]);
  } else if (spec.x.kind === 'time') {
    const [lo, hi] = spec.x.domain ?? [xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1];
    x = linearScale(lo, hi > lo ? hi : lo + 1, M.left, W - M.right);
    const hours = hi >= 3600;
    ticks = timeTicks(lo, hi > lo ? hi : lo + 1).ticks.map((v) => [v, clock(v, hours)]);
    grid = true;
  } else {
    const lo = xs.length ? Math.min(...xs) : 0;
    const hi = xs.length ? Math.max(...xs) : 1;
    const t = niceTicks(lo, hi, 6).filter((v) => v >= lo - 1e-9 && v <= hi + 1e-9);
    x = linearScale(lo, hi === lo ? lo + 1 : hi, M.left, W - M.right);
    const fmt = spec.x.format ?? shortNumber;
    ticks = t.map((v) => [v, fmt(v)]);
  }
  const base = g.bottom;
  const svg =
    ticks
      .map(([v, l]) => {
        // A label at the right edge is right-aligned so it is not cut off.
        const anchor = x(v) > W - M.right - 16 ? 'end' : 'middle';
        const line = grid ? `<line class="grid" x1="${num(x(v))}" x2="${num(x(v))}" y1="${g.top}" y2="${base}"/>` : '';
        return `${line}<line class="axis" x1="${num(x(v))}" x2="${num(x(v))}" y1="${base}" y2="${base + 4}"/><text class="tick x" data-value="${v}" x="${num(x(v))}" y="${base + 16}" text-anchor="${anchor}">${esc(l)}</text>`;
      })
      .join('') +
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${base}" y2="${base}"/>` +
    `<text class="axis-label" x="${(M.left + W - M.right) / 2}" y="${g.height - 6}" text-anchor="middle">${esc(spec.xLabel)}</text>`;
  return { x, svg };
}

/** Lanes for the phases: each phase in the first lane where it overlaps no other. */
function laneOf(bands: Band[]): number[] {
  const ends: number[] = [];
  return bands.map((b) => {
    let i = ends.findIndex((e) => e <= b.from);
    if (i < 0) i = ends.push(b.to) - 1;
    else ends[i] = b.to;
    return i;
  });
}

/** Text that fits `px` pixels at the strip's font size (about 5.6 px a character), with an ellipsis when cut. */
function fitText(text: string, px: number): string {
  const n = Math.floor(px / 5.6);
  if (text.length <= n) return text;
  return n >= 3 ? `${text.slice(0, n - 1)}…` : '';
}

/**
 * The strip above the plot (a lane per overlapping phase, one or two for
 * faults) naming each phase and fault, and the shading of their stretch over
 * the plot's whole height.
 */
function bandsSvg(bands: Band[], x: Scale, g: Geom, stripTop: number): { under: string; strip: string } {
  const [d0, d1] = x.domain;
  const clampX = (v: number) => x(Math.min(d1, Math.max(d0, v)));
  const phases = bands.filter((b) => b.kind === 'phase').sort((a, b) => a.from - b.from);
  const faults = bands.filter((b) => b.kind === 'fault').sort((a, b) => a.from - b.from);
  const lanes = laneOf(phases);
  const nLanes = phases.length ? Math.max(...lanes) + 1 : 0;
  let under = '';
  let strip = '';
  phases.forEach((b, i) => {
    const x0 = clampX(b.from);
    const x1 = Math.max(x0 + 1, clampX(b.to));
    const tip = `<title>${esc(b.title ?? b.label)}</title>`;
    under += `<rect class="phase" data-phase="${esc(b.label)}" x="${num(x0)}" y="${g.top}" width="${num(x1 - x0)}" height="${num(g.bottom - g.top)}" fill="#5b6474" fill-opacity="${i % 2 ? 0.07 : 0.035}">${tip}</rect>`;
    const ly = stripTop + lanes[i] * LANE;
    const text = fitText(b.label, x1 - x0 - 6);
    strip += `<g class="phase-label" data-phase="${esc(b.label)}"><rect x="${num(x0)}" y="${ly}" width="${num(x1 - x0)}" height="${LANE - 2}" rx="2" fill="${b.color ?? '#5b6474'}" fill-opacity="0.22" stroke="${b.color ?? '#5b6474'}" stroke-opacity="0.5">${tip}</rect>${text ? `<text class="strip" x="${num(x0 + 4)}" y="${ly + 9.5}">${esc(text)}${tip}</text>` : ''}</g>`;
  });
  const placed = faultLabels(faults, x);
  faults.forEach((b, i) => {
    const { x0, x1, lane, label, anchorEnd } = placed[i];
    const fy = stripTop + (nLanes + lane) * LANE;
    const tip = `<title>${esc(b.title ?? b.label)}</title>`;
    under += `<rect class="fault" data-fault="${esc(b.label)}" x="${num(x0)}" y="${g.top}" width="${num(x1 - x0)}" height="${num(g.bottom - g.top)}" fill="#D55E00" fill-opacity="0.14">${tip}</rect>`;
    const text = label
      ? `<text class="strip fault" x="${num(anchorEnd ? x0 - 3 : x1 + 3)}" y="${fy + 9.5}"${anchorEnd ? ' text-anchor="end"' : ''}>${esc(label)}${tip}</text>`
      : '';
    strip += `<g class="fault-label" data-fault="${esc(b.label)}"><rect x="${num(x0)}" y="${fy}" width="${num(x1 - x0)}" height="${LANE - 2}" fill="#D55E00" fill-opacity="0.75">${tip}</rect>${text}</g>`;
  });
  return { under, strip };
}

/** At most this many lanes of fault names; a fault whose name fits in none is named by its kind, or in its tooltip only. */
const FAULT_LANES = 2;

/**
 * Where each fault's window and name go in the strip: the name right of the
 * window, else left of it, in the first lane where it runs into no other
 * window or name; else its kind (`short`) the same way; else no name (about
 * 5.8 px a bold character).
 */
function faultLabels(
  faults: Band[],
  x: Scale,
): Array<{ x0: number; x1: number; lane: number; label: string; anchorEnd: boolean }> {
  const [d0, d1] = x.domain;
  const clampX = (v: number) => x(Math.min(d1, Math.max(d0, v)));
  const windows = faults.map((b) => {
    const x0 = clampX(b.from);
    return { x0, x1: Math.max(x0 + 2, clampX(b.to)) };
  });
  // Taken stretches of each lane, [from, to] in pixels, with the fault they belong to; every window is in every lane.
  const taken: Array<Array<[number, number, number]>> = Array.from({ length: FAULT_LANES }, () =>
    windows.map((w, i) => [w.x0, w.x1, i] as [number, number, number]),
  );
  // A name keeps 3 px from its own window and 6 px from anything else.
  const free = (lane: number, a: number, b: number, own: number) =>
    a >= 2 && b <= W - 2 && taken[lane].every(([p, q, i]) => i === own || b + 6 <= p || a >= q + 6);
  return faults.map((b, i) => {
    const { x0, x1 } = windows[i];
    for (const label of [b.label, ...(b.short ? [b.short] : [])]) {
      const w = label.length * 5.8;
      for (let lane = 0; lane < FAULT_LANES; lane++) {
        for (const anchorEnd of [false, true]) {
          const [a, c] = anchorEnd ? [x0 - 3 - w, x0 - 3] : [x1 + 3, x1 + 3 + w];
          if (free(lane, a, c, i)) {
            taken[lane].push([a, c, i]);
            return { x0, x1, lane, label, anchorEnd };
          }
        }
      }
    }
    return { x0, x1, lane: 0, label: '', anchorEnd: false };
  });
}

/** Rows of strip above the plot for these bands (the fault lanes depend on where the names fit). */
function stripLanes(bands: Band[], x: Scale): number {
  const phases = bands.filter((b) => b.kind === 'phase').sort((a, b) => a.from - b.from);
  const faults = bands.filter((b) => b.kind === 'fault').sort((a, b) => a.from - b.from);
  const lanes = phases.length ? Math.max(...laneOf(phases)) + 1 : 0;
  return lanes + (faults.length ? Math.max(...faultLabels(faults, x).map((f) => f.lane)) + 1 : 0);
}

/**
 * A line chart; series points with a null y, or further apart than the
 * series' maxGap, leave a gap. Time charts can carry shaded phases and fault
 * windows, and any chart target lines.
 */
export function lineChart(spec: LineChartSpec): string {
  const domain = spec.x.kind === 'time' ? spec.x.domain : undefined;
  const inDomain = (px: number) => !domain || (px >= domain[0] - 1e-9 && px <= domain[1] + 1e-9);
  const series = spec.series.map((s, i) => ({
    ...s,
    color: s.color ?? COLORS[i % COLORS.length],
    points: s.points
      .map(([px, py]) => [spec.x.kind === 'nines' ? ninesX(px) : px, py] as [number, number | null])
      .filter(([px]) => inDomain(px)),
  }));
  const ys = series.flatMap((s) =>
    s.points.map((p) => p[1]).filter((v): v is number => v !== null && Number.isFinite(v)),
  );
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const empty = ys.length === 0;
  const fmt = spec.yFormat ?? shortNumber;

  // Targets inside the plot when they are near the data, else named in the legend as above it.
  const peak = ys.length ? Math.max(...ys) : 0;
  const refs = (spec.refLines ?? []).filter((r) => Number.isFinite(r.value));
  const onScale = (r: RefLine) =>
    spec.yMax !== undefined ? r.value <= spec.yMax : r.value <= Math.max(peak, 1e-12) * TARGET_HEADROOM;
  const shown = refs.filter(onScale);
  const above = refs.filter((r) => !onScale(r));

  const bands = spec.x.kind === 'time' ? (spec.bands ?? []) : [];
  // The x scale does not depend on the strip's height, so the strip can be laid out first.
  const lanes = bands.length ? stripLanes(bands, xAxis(spec, xs, PLAIN).x) : 0;
  const stripH = lanes ? lanes * LANE + 4 : 0;
  const g: Geom = { top: M.top + stripH, bottom: H + stripH - M.bottom, height: H + stripH };
  const { y, svg: ySvg } = yAxis(spec, [...ys, ...shown.map((r) => r.value)], g);
  const { x, svg: xSvg } = xAxis(spec, xs, g);
  const { under, strip } = bands.length ? bandsSvg(bands, x, g, M.top) : { under: '', strip: '' };

  const body = series
    .map((s) => {
      const d = pathData(splitAtGaps(s.points, s.maxGap ?? Infinity), x, y);
      const dots = s.markers
        ? s.points
            .filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]))
            .map(
              ([px, py]) =>
                `<circle class="point" cx="${num(x(px))}" cy="${num(y(py))}" r="3.5" fill="${s.color}"><title>${esc(`${s.name}: ${fmt(py)}`)}</title></circle>`,
            )
            .join('')
        : '';
      return `<g class="series" data-series="${esc(s.name)}"><path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>${dots}</g>`;
    })
    .join('');

  // Target lines over the data, each labelled at its right end (below the line when the one above is too close).
  let lastLabelY = -Infinity;
  const targets = [...shown]
    .sort((a, b) => b.value - a.value)
    .map((r) => {
      const ry = y(r.value);
      const label = `${r.name} ${fmt(r.value)}`;
      const below = ry - 4 - lastLabelY < 11 || ry - 4 < g.top + 8;
      const ty = below ? ry + 12 : ry - 4;
      lastLabelY = ty;
      // A pale box behind the label keeps it readable where the data runs through it (about 5.6 px a character).
      const boxW = label.length * 5.6 + 6;
      const box = `<rect x="${num(W - M.right - 4 - boxW + 3)}" y="${num(ty - 10)}" width="${num(boxW)}" height="13" rx="2" fill="#fff" fill-opacity="0.85"/>`;
      return `<g class="target" data-target="${esc(r.name)}" data-value="${r.value}"><line x1="${M.left}" x2="${W - M.right}" y1="${num(ry)}" y2="${num(ry)}" stroke="#1d2330" stroke-width="1.2" stroke-dasharray="6 4" stroke-opacity="0.75"/>${box}<text class="target-label" x="${W - M.right - 4}" y="${num(ty)}" text-anchor="end">${esc(label)}</text></g>`;
    })
    .join('');

  const legend: LegendKey[] = [
    ...series.map((s) => ({ name: s.name, color: s.color, dashed: s.dashed })),
    // Targets above the chart: one key naming them all, with the highest value drawn for comparison.
    ...(above.length
      ? [
          {
            name: `${above.length > 1 ? 'targets' : above[0].name} above the chart: ${above.map((r) => (above.length > 1 ? `${r.name.replace(/^target /, '')} ${fmt(r.value)}` : fmt(r.value))).join(', ')} (highest value drawn ${fmt(peak)})`,
            color: '#1d2330',
            dashed: true,
            kind: 'target' as const,
            attrs: ` data-off-scale="${esc(above.map((r) => `${r.name}=${r.value}`).join('; '))}"`,
          },
        ]
      : []),
    ...(bands.some((b) => b.kind === 'fault')
      ? [{ name: 'fault window', color: '#D55E00', kind: 'swatch' as const }]
      : []),
  ];
  return frame(spec, under + ySvg + xSvg + strip + body + targets, legend, empty, g.height);
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
