/**
 * bench:compare's table and JSON line, from the runs and comparisons it made:
 * which figures each comparison flagged (sorted into the slowed query type,
 * another query type, figures pooled over every type, anything else), the
 * slowed type's figures with their bands, the false-alarm count, and the
 * run-to-run spread the bands rest on. Returns strings; the bench prints them.
 */
import { cpus } from 'node:os';
import { QUERY_TYPES } from '../config/index.ts';
import { median, POOLED, queryTypeOf, type Compared, type ComparedRow, type DoneRun } from './compare-runs.ts';

/** Verdicts of a figure judged against the baseline (not new, missing, incomparable, or without a better side). */
const JUDGED = new Set(['regression', 'improvement', 'unchanged', 'noise']);
/** Samples a query type needs in a run for its p99 to rest on more than a handful of values. */
export const MIN_SAMPLES = 200;

/** What the bench was asked to do. */
export interface Settings {
  type: string;
  factor: number;
  tailRate: number;
  tailTimes: number;
  scale: number;
  durationFactor: number;
}

/** What one comparison flagged, sorted. */
export interface Flagged {
  all: string[];
  onType: string[];
  otherTypes: string[];
  pooled: string[];
  other: string[];
  /** Figures judged against the baseline in this comparison. */
  compared: number;
}

/** Everything the bench measured. */
export interface Outcome {
  baselineRuns: DoneRun[];
  same: Array<{ run: DoneRun; c: Compared }>;
  slow: { run: DoneRun; c: Compared };
  tail: { run: DoneRun; c: Compared };
  /** The baseline runs' median p50 and p99 of the slowed type, and the tail delay chosen from them. */
  p50: number;
  p99: number;
  tailMs: number;
  dir: string;
}

export function flagged(c: Compared, type: string): Flagged {
  const all = c.rows.filter((r) => r.verdict === 'regression').map((r) => r.id);
  const t = queryTypeOf;
  return {
    all,
    onType: all.filter((id) => t(id) === type),
    otherTypes: all.filter((id) => t(id) !== null && t(id) !== type),
    pooled: all.filter((id) => t(id) === null && POOLED.test(id)),
    other: all.filter((id) => t(id) === null && !POOLED.test(id)),
    compared: c.rows.filter((r) => JUDGED.has(r.verdict)).length,
  };
}

/** The fewest samples any query type had in a run's judged query figures. */
function fewestSamples(r: DoneRun): { type: string; n: number } {
  const counts = QUERY_TYPES.map((t) => ({ type: t as string, n: r.figures.get(`query.${t}.count`) ?? 0 }));
  return counts.reduce((a, b) => (b.n < a.n ? b : a));
}

const num = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
const r3 = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 1000) / 1000);
const list = (ids: string[], max = 6) =>
  ids.length === 0 ? '-' : ids.slice(0, max).join(', ') + (ids.length > max ? `, … (+${ids.length - max})` : '');

/** The slowed type's headline figures in one comparison: baseline centre, this run, factor, band, verdict. */
function typeRows(c: Compared, type: string): ComparedRow[] {
  return ['p50', 'p95', 'p99', 'avg'].map(
    (s) => c.rows.find((r) => r.id === `query.${type}.${s}`) ?? { id: `query.${type}.${s}`, verdict: 'absent' },
  );
}
function typeTable(label: string, c: Compared, type: string): string[] {
  return [
    `  ${label}: figure, baseline centre → this run (factor), band of one more run, baseline spread s̃ (log), verdict`,
    ...typeRows(c, type).map(
      (r) =>
        `    ${r.id.padEnd(26)} ${num(r.reference).padStart(8)} → ${num(r.current).padStart(8)} ms (×${num(r.test?.factor)})` +
        `  band ${num(r.test?.interval?.[0])}–${num(r.test?.interval?.[1])}  s̃ ${num(r.test?.sdModerated, 3)}  ${r.verdict}`,
    ),
  ];
}

/** The run-to-run spread of the latency figures the bands rest on (log scale), from one comparison. */
function latencySpread(c: Compared): { median: number | null; n: number } {
  const sds = c.rows.filter((r) => r.unit === 'ms' && JUDGED.has(r.verdict)).map((r) => r.test?.sdModerated ?? null);
  return { median: median(sds), n: sds.filter((x) => x !== null).length };
}

/** The printed table and the JSON line. */
export function renderReport(o: Outcome, s: Settings): { text: string; json: string } {
  const T = s.type;
  const same = o.same.map((x) => ({ ...x, f: flagged(x.c, T) }));
  const slowF = flagged(o.slow.c, T);
  const tailF = flagged(o.tail.c, T);
  const all = [...o.baselineRuns, ...o.same.map((x) => x.run), o.slow.run, o.tail.run];
  const fewest = all.map(fewestSamples).reduce((a, b) => (b.n < a.n ? b : a));
  const spread = latencySpread(o.same[0]?.c ?? o.slow.c);
  const row = (label: string, r: DoneRun, f: Flagged | null, c: Compared | null) =>
    `${label.padEnd(18)} ${String(r.exitCode).padStart(4)} ${r.seconds.toFixed(0).padStart(5)} ${r.load.toFixed(1).padStart(5)} ${String(c?.exitCode ?? '-').padStart(7)} ` +
    `${String(f?.compared ?? '-').padStart(8)} ${String(f?.all.length ?? '-').padStart(7)}  ${f ? list(f.all) : 'baseline'}`;
  const runsFlagged = same.filter((x) => x.f.all.length > 0).length;
  const figuresFlagged = same.reduce((a, x) => a + x.f.all.length, 0);
  const figuresCompared = same.reduce((a, x) => a + x.f.compared, 0);
  const p99Flagged = tailF.onType.includes(`query.${T}.p99`);
  const lines = [
    '',
    `${'run'.padEnd(18)} ${'exit'.padStart(4)} ${'s'.padStart(5)} ${'load'.padStart(5)} ${'compare'.padStart(7)} ${'judged'.padStart(8)} ${'flagged'.padStart(7)}  figures called a regression`,
    ...o.baselineRuns.map((r) => row(r.label, r, null, null)),
    ...same.map((x) => row(x.run.label, x.run, x.f, x.c)),
    row(`${T} ×${s.factor}`, o.slow.run, slowF, o.slow.c),
    row(`${T} tail`, o.tail.run, tailF, o.tail.c),
    '',
    `false alarms: ${runsFlagged} of ${same.length} runs of the same build called a regression; ${figuresFlagged} of ${figuresCompared} judged figure comparisons flagged`,
    `spread of the baseline's runs: median s̃ ${num(spread.median, 3)} (log scale) over ${spread.n} latency figures`,
    `${T} ×${s.factor} (slowQueryFactor): compare exit ${o.slow.c.exitCode}; flagged on ${T}: ${list(slowF.onType, 12)}`,
    `  on another query type: ${list(slowF.otherTypes, 12)}; pooled figures: ${list(slowF.pooled)}; other: ${list(slowF.other)}`,
    ...typeTable(`${T} ×${s.factor}`, o.slow.c, T),
    `${T} tail: ${num(o.tailMs)} ms more on ${s.tailRate * 100} % of its queries (${s.tailTimes} × baseline p99 ${num(o.p99)} ms − p50 ${num(o.p50)} ms); ` +
      `compare exit ${o.tail.c.exitCode}; p99 flagged: ${p99Flagged ? 'yes' : 'NO'}; flagged on ${T}: ${list(tailF.onType, 12)}`,
    `  on another query type: ${list(tailF.otherTypes, 12)}; pooled figures: ${list(tailF.pooled)}; other: ${list(tailF.other)}`,
    ...typeTable(`${T} tail`, o.tail.c, T),
    `samples: the fewest of any query type in any run: ${fewest.n} (${fewest.type})` +
      (fewest.n < MIN_SAMPLES
        ? ` — BELOW ${MIN_SAMPLES}: p99 rests on too few; raise --scale or --duration-factor`
        : ''),
    `run wall time: median ${num(median(all.map((r) => r.seconds)), 0)} s; machine load (1-min average at each run's end, ${cpus().length} cores): ` +
      `median ${num(median(all.map((r) => r.load)), 1)}, max ${num(Math.max(...all.map((r) => r.load)), 1)}; results in ${o.dir}`,
    '',
  ];
  const json = {
    bench: 'compare',
    profile: 'nightly',
    scale: s.scale,
    durationFactor: s.durationFactor,
    baselineRuns: o.baselineRuns.length,
    runs: same.length,
    runSecondsMedian: r3(median(all.map((r) => r.seconds))),
    loadMedian: r3(median(all.map((r) => r.load))),
    cores: cpus().length,
    fewestSamples: fewest,
    latencySpreadMedian: r3(spread.median),
    falseAlarms: { runsFlagged, figuresFlagged, figuresCompared, perRun: same.map((x) => x.f.all) },
    relative: { type: T, factor: s.factor, compareExit: o.slow.c.exitCode, flagged: slowF, figures: slim(o.slow.c, T) },
    tail: {
      type: T,
      rate: s.tailRate,
      ms: r3(o.tailMs),
      baseline: { p50: r3(o.p50), p99: r3(o.p99) },
      compareExit: o.tail.c.exitCode,
      p99Flagged,
      flagged: tailF,
      figures: slim(o.tail.c, T),
    },
  };
  return { text: lines.join('\n'), json: JSON.stringify(json) };
}

function slim(c: Compared, type: string) {
  return typeRows(c, type).map((r) => ({
    id: r.id,
    reference: r3(r.reference),
    current: r3(r.current),
    factor: r3(r.test?.factor),
    band: r.test?.interval?.map(r3) ?? null,
    verdict: r.verdict,
  }));
}
