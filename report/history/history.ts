/**
 * The history of judged figures across runs: the runs in start order (each
 * with its commit, date and profile), each selected figure's value per run,
 * and the change points E-divisive means finds in it (report/history/
 * e-divisive.ts) with the mean before and after and whether that is worse.
 * Pure: runs in, a History out; rendering is render.ts and html.ts.
 */
import { AcgsError } from '../../config/index.ts';
import type { Figure, Target, Unit } from '../figure.ts';
import { runLabel, type HistoryRun } from './collect.ts';
import { DEFAULT_ALPHA, eDivisive, type ChangePointTest, type TestedSplit } from './e-divisive.ts';

/** What `acgs-load history` shows and how it tests (its flags). */
export interface HistoryOptions {
  /** Figure ids or globs (`query.*.p99`; an id prefix such as `query.join` takes its figures). */
  figures?: string[];
  /** Every figure with a value, not only the judged ones (those with a target). */
  all?: boolean;
  /** Only runs of this profile; required when the runs are of several. */
  profile?: string;
  alpha?: number;
  permutations?: number;
  seed?: number;
  test?: ChangePointTest;
}

/** One run of the history, as its tables name it. */
export interface HistoryRunRow {
  /** 1-based position in start order, as the tables and charts name runs. */
  n: number;
  runId: string;
  startedAt: string;
  profile: string;
  /** The commit the run was made from (run.json environment.git), null when not recorded. */
  commit: string | null;
  dirty: boolean | null;
  verdict: string;
  dir: string;
}

/** A figure's better side: `higher`, `lower`, `target` (closer to it), or `none` (no better side). */
export type HistoryDirection = 'higher' | 'lower' | 'target' | 'none';

/** A change point placed on the runs: where, the levels either side, whether worse, and its test. */
export interface ChangePointRow extends Omit<TestedSplit, 'index' | 'significant'> {
  /** Index into History.runs of the first run of the new level. */
  run: number;
  before: number;
  after: number;
  /** (after − before) / |before|; null when before is 0. */
  change: number | null;
  /** In the figure's worse direction; null when it has none. */
  worse: boolean | null;
}

/** One figure across the runs, with its change points. */
export interface FigureHistory {
  id: string;
  label: string;
  unit: Unit;
  source: string;
  target?: Target;
  direction: HistoryDirection;
  /** One per run (History.runs order); null where the run has no value. */
  values: Array<number | null>;
  changePoints: ChangePointRow[];
  /** The strongest split that was not significant, for "why no change point". */
  rejected: (ChangePointRow & { significant: false }) | null;
  /** Why nothing could be tested (fewer than 3 values). */
  note?: string;
}

/** What `acgs-load history` prints, charts and writes as JSON. */
export interface History {
  runs: HistoryRunRow[];
  figures: FigureHistory[];
  method: { name: 'E-divisive means'; alpha: number; permutations: number; seed: number; test: ChangePointTest };
  /** Runs and folders left out, with why. */
  leftOut: string[];
}

const isAborted = (r: HistoryRun) => r.run.exitCode === 8 || /^ABORTED/.test(r.run.verdict ?? '');

/** Runs of one profile, aborted ones left out, in start order. */
function chooseRuns(all: readonly HistoryRun[], profile: string | undefined, leftOut: string[]): HistoryRun[] {
  const profiles = new Map<string, number>();
  for (const r of all) profiles.set(r.run.profile, (profiles.get(r.run.profile) ?? 0) + 1);
  if (profile === undefined && profiles.size > 1) {
    const list = [...profiles].map(([p, n]) => `${p} (${n})`).join(', ');
    throw new AcgsError('BAD_FLAG', `the runs are of ${profiles.size} profiles: ${list}`, {
      hint: `a history compares runs of one profile: add --profile ${[...profiles.keys()][0]}`,
    });
  }
  const runs = all.filter((r) => {
    if (profile !== undefined && r.run.profile !== profile) return false;
    if (isAborted(r)) leftOut.push(`${runLabel(r)}: ${r.run.verdict} (an aborted run holds part of a run)`);
    return !isAborted(r);
  });
  if (runs.length < 2)
    throw new AcgsError(
      'RESULTS_ERROR',
      `history needs at least 2 runs${profile ? ` of profile ${profile}` : ''}; found ${runs.length}`,
      {
        hint: 'pass the results folder of several runs, e.g. acgs-load history results/',
      },
    );
  return runs.sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt) || a.run.runId.localeCompare(b.run.runId));
}

function globToRegExp(p: string): RegExp {
  const body = p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return p.includes('*') ? new RegExp(`^${body}$`) : new RegExp(`^${body}(\\..+)?$`);
}

/** The ids to show, in the newest run's order (then ids only older runs have). */
function chooseFigures(runs: readonly HistoryRun[], opts: HistoryOptions): Figure[] {
  const byId = new Map<string, Figure>();
  for (const r of [...runs].reverse()) for (const f of r.run.figures) if (!byId.has(f.id)) byId.set(f.id, f);
  const judged = (id: string) => runs.some((r) => r.run.figures.some((f) => f.id === id && f.target));
  let chosen = [...byId.values()].filter((f) => (opts.all || opts.figures?.length ? !f.environment : judged(f.id)));
  if (opts.figures?.length) {
    const res = opts.figures.map(globToRegExp);
    chosen = chosen.filter((f) => res.some((re) => re.test(f.id)));
    if (chosen.length === 0)
      throw new AcgsError('BAD_FLAG', `--figure ${opts.figures.join(', ')} matches no figure of these runs`, {
        hint: `figure ids look like ${[...byId.keys()].slice(0, 4).join(', ')}; a * matches any text (query.*.p99)`,
      });
  }
  return chosen;
}

/** Which way is worse for a figure: its target's, else its declared direction, else lower for times. */
export function historyDirection(f: Pick<Figure, 'target' | 'higherIsBetter' | 'unit'>): HistoryDirection {
  if (f.target) return f.target.op === '>=' ? 'higher' : f.target.op === '<=' ? 'lower' : 'target';
  if (f.higherIsBetter === true) return 'higher';
  if (f.higherIsBetter === false || ['ms', 'us', 's'].includes(f.unit)) return 'lower';
  return 'none';
}

function isWorse(d: HistoryDirection, before: number, after: number, target?: Target): boolean | null {
  if (d === 'higher') return after < before;
  if (d === 'lower') return after > before;
  if (d === 'target' && target) return Math.abs(after - target.value) > Math.abs(before - target.value);
  return null;
}

/** The change points of one figure's values, placed on the runs and given their levels. */
function figureHistory(f: Figure, runs: readonly HistoryRun[], opts: HistoryOptions): FigureHistory {
  const values = runs.map((r) => {
    const v = r.run.figures.find((x) => x.id === f.id)?.value;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  });
  const at = values.flatMap((v, i) => (v === null ? [] : [i]));
  const present = at.map((i) => values[i]!);
  const direction = historyDirection(f);
  const base = { id: f.id, label: f.label, unit: f.unit, source: f.source, target: f.target, direction, values };
  if (present.length < 3)
    return {
      ...base,
      changePoints: [],
      rejected: null,
      note: `${present.length} run(s) with a value: nothing to test`,
    };
  const r = eDivisive(present, opts);
  const cuts = [0, ...r.changePoints.map((c) => c.index), present.length];
  const mean = (a: number, b: number) => present.slice(a, b).reduce((s, v) => s + v, 0) / (b - a);
  const row = (c: TestedSplit, a: number, b: number): ChangePointRow => {
    const { index, significant: _s, ...rest } = c;
    const before = mean(a, index);
    const after = mean(index, b);
    return {
      ...rest,
      run: at[index],
      before,
      after,
      change: before === 0 ? null : (after - before) / Math.abs(before),
      worse: isWorse(direction, before, after, f.target),
    };
  };
  const changePoints = r.changePoints.map((c, i) => row(c, cuts[i], cuts[i + 2]));
  let rejected: FigureHistory['rejected'] = null;
  if (r.rejected) {
    const k = cuts.findIndex((c) => c > r.rejected!.index);
    rejected = { ...row(r.rejected, cuts[k - 1], cuts[k]), significant: false };
  }
  return { ...base, changePoints, rejected };
}

/** The history of the chosen figures over the chosen runs. */
export function buildHistory(all: readonly HistoryRun[], opts: HistoryOptions = {}, leftOut: string[] = []): History {
  const out = [...leftOut];
  const runs = chooseRuns(all, opts.profile, out);
  const figures = chooseFigures(runs, opts).map((f) => figureHistory(f, runs, opts));
  return {
    runs: runs.map((r, i) => ({
      n: i + 1,
      runId: r.run.runId,
      startedAt: r.run.startedAt,
      profile: r.run.profile,
      commit: r.run.environment?.git?.commit ?? null,
      dirty: r.run.environment?.git?.dirty ?? null,
      verdict: r.run.verdict,
      dir: r.dir,
    })),
    figures,
    method: {
      name: 'E-divisive means',
      alpha: opts.alpha ?? DEFAULT_ALPHA,
      permutations: opts.permutations ?? 199,
      seed: opts.seed ?? 1,
      test: opts.test ?? 'auto',
    },
    leftOut: out,
  };
}
