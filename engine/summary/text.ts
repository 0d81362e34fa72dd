/**
 * The end-of-test text summary in k6's classic layout (k6 js/summary.js as
 * shipped up to v0.5x, = jslib k6-summary 0.0.x `textSummary`):
 *
 * ```
 *      █ group name
 *
 *        ✓ check that passed
 *        ✗ check that failed
 *         ↳  66% — ✓ 2 / ✗ 1
 *
 *      checks.........................: 66.66% ✓ 2        ✗ 1
 *    ✓ http_req_duration..............: avg=1.2ms   min=1ms med=1.1ms max=3ms p(90)=2ms p(95)=2.5ms
 *        { expected_response:true }...: avg=...
 * ```
 * Thresholds mark their metric ✓ (all passed) or ✗ (any failed); metric
 * names are sorted, sub-metrics under their parent; values are aligned in
 * columns.
 */
import { humanizeValue } from './humanize.ts';
import type { CheckData, GroupData, SummaryData, SummaryMetric } from './types.ts';

const PALETTE = { bold: 1, faint: 2, red: 31, green: 32, cyan: 36 } as const;
const GROUP_PREFIX = '█';
const DETAILS_PREFIX = '↳';
const SUCC = '✓';
const FAIL = '✗';

type Decorate = (text: string, color: number, ...more: number[]) => string;

/** Display width: code points after NFKC, ANSI escape sequences excluded (k6 `strWidth`). */
export function strWidth(s: string): number {
  let width = 0;
  let inEsc = false;
  let inLongEsc = false;
  for (const ch of s.normalize('NFKC')) {
    const code = ch.charCodeAt(0);
    if (ch === '\x1b') {
      inEsc = true;
      continue;
    }
    if (inEsc && ch === '[') {
      inLongEsc = true;
      continue;
    }
    if (inEsc && inLongEsc && code >= 0x40 && code <= 0x7e) {
      inEsc = inLongEsc = false;
      continue;
    }
    if (inEsc && !inLongEsc && code >= 0x40 && code <= 0x5f) {
      inEsc = false;
      continue;
    }
    if (!inEsc && !inLongEsc) width++;
  }
  return width;
}

function summarizeCheck(indent: string, check: CheckData, decorate: Decorate): string {
  if (check.fails === 0) return decorate(`${indent}${SUCC} ${check.name}`, PALETTE.green);
  const succPercent = Math.floor((100 * check.passes) / (check.passes + check.fails));
  return decorate(
    `${indent}${FAIL} ${check.name}\n${indent} ${DETAILS_PREFIX}  ${succPercent}% — ${SUCC} ${check.passes} / ${FAIL} ${check.fails}`,
    PALETTE.red,
  );
}

function summarizeGroup(indent: string, group: GroupData, decorate: Decorate): string[] {
  const result: string[] = [];
  if (group.name !== '') {
    result.push(`${indent}${GROUP_PREFIX} ${group.name}\n`);
    indent += '  ';
  }
  for (const c of group.checks) result.push(summarizeCheck(indent, c, decorate));
  if (group.checks.length > 0) result.push('');
  for (const g of group.groups) result.push(...summarizeGroup(indent, g, decorate));
  return result;
}

const displayName = (name: string) => {
  const i = name.indexOf('{');
  return i >= 0 ? `{ ${name.substring(i + 1, name.length - 1)} }` : name;
};
const indentFor = (name: string) => (name.includes('{') ? '  ' : '');

/** The first column (value) and the extras of a non-trend metric (k6 `nonTrendMetricValueForSum`). */
function nonTrendValues(m: SummaryMetric, timeUnit: string): string[] {
  const v = m.values;
  switch (m.type) {
    case 'counter':
      return [humanizeValue(v.count, m, timeUnit), `${humanizeValue(v.rate, m, timeUnit)}/s`];
    case 'gauge':
      return [
        humanizeValue(v.value, m, timeUnit),
        `min=${humanizeValue(v.min, m, timeUnit)}`,
        `max=${humanizeValue(v.max, m, timeUnit)}`,
      ];
    case 'rate':
      return [humanizeValue(v.rate, m, timeUnit), `${SUCC} ${v.passes}`, `${FAIL} ${v.fails}`];
    default:
      return ['[no data]'];
  }
}

/** Sort names, keeping sub-metrics right after their parent (k6's comparator). */
function sortMetricNames(names: string[]): string[] {
  return names.sort((a, b) => {
    const pa = a.split('{', 1)[0];
    const pb = b.split('{', 1)[0];
    return pa.localeCompare(pb) || a.substring(pa.length).localeCompare(b.substring(pb.length));
  });
}

function summarizeMetrics(indentBase: string, data: SummaryData, decorate: Decorate): string[] {
  const indent = indentBase + '  ';
  const { summaryTrendStats: stats, summaryTimeUnit: timeUnit } = data.options;
  const names = sortMetricNames(Object.keys(data.metrics));
  const nameLenMax = Math.max(0, ...names.map((n) => strWidth(indentFor(n) + displayName(n))));
  const trendCols = new Map<string, string[]>();
  const nonTrend = new Map<string, string[]>();
  const trendColMax = new Array<number>(stats.length).fill(0);
  let valueMax = 0;
  const extraMax = [0, 0];
  for (const name of names) {
    const m = data.metrics[name];
    if (m.type === 'trend') {
      const cols = stats.map((s) => (s === 'count' ? String(m.values[s]) : humanizeValue(m.values[s], m, timeUnit)));
      cols.forEach((c, i) => (trendColMax[i] = Math.max(trendColMax[i], strWidth(c))));
      trendCols.set(name, cols);
      continue;
    }
    const vals = nonTrendValues(m, timeUnit);
    nonTrend.set(name, vals);
    valueMax = Math.max(valueMax, strWidth(vals[0]));
    for (let i = 1; i < vals.length; i++) extraMax[i - 1] = Math.max(extraMax[i - 1] ?? 0, strWidth(vals[i]));
  }
  const pad = (s: string, w: number) => ' '.repeat(Math.max(0, w - strWidth(s)));
  const cells = (name: string): string => {
    const cols = trendCols.get(name);
    if (cols) return cols.map((c, i) => `${stats[i]}=${decorate(c, PALETTE.cyan)}${pad(c, trendColMax[i])}`).join(' ');
    const [value, ...extras] = nonTrend.get(name)!;
    let out = decorate(value, PALETTE.cyan) + pad(value, valueMax);
    if (extras.length === 1) out += ' ' + decorate(extras[0], PALETTE.cyan, PALETTE.faint);
    else if (extras.length > 1) {
      out += ' ' + extras.map((e, i) => decorate(e, PALETTE.cyan, PALETTE.faint) + pad(e, extraMax[i])).join(' ');
    }
    return out;
  };
  return names.map((name) => {
    const m = data.metrics[name];
    let mark = ' ';
    let markColor = (t: string) => t;
    if (m.thresholds) {
      const failed = Object.values(m.thresholds).some((t) => !t.ok);
      mark = failed ? FAIL : SUCC;
      markColor = (t) => decorate(t, failed ? PALETTE.red : PALETTE.green);
    }
    const fmtIndent = indentFor(name);
    const shown = displayName(name);
    const dots = '.'.repeat(Math.max(0, nameLenMax - strWidth(shown) - strWidth(fmtIndent) + 3)) + ':';
    return `${indent}${fmtIndent}${markColor(mark)} ${shown}${decorate(dots, PALETTE.faint)} ${cells(name)}`;
  });
}

/**
 * Render the summary. Defaults follow what `k6 run` prints: indent ' ', and
 * colours only when `!options.noColor && state.isStdOutTTY`. k6 writes
 * `'\n' + textSummary(...) + '\n\n'` to stdout (see defaultHandleSummary).
 */
export function textSummary(data: SummaryData, opts: { indent?: string; enableColors?: boolean } = {}): string {
  const indent = opts.indent ?? ' ';
  const colors = opts.enableColors ?? (!data.options.noColor && data.state.isStdOutTTY);
  const decorate: Decorate = colors
    ? (text, color, ...more) => `\x1b[${[color, ...more].join(';')}m${text}\x1b[0m`
    : (text) => text;
  return [
    ...summarizeGroup(indent + '    ', data.root_group, decorate),
    ...summarizeMetrics(indent, data, decorate),
  ].join('\n');
}
