/**
 * What a comparison returns (and `compare --json` writes): per figure the
 * change, the verdict and the statistics it rests on.
 */
import type { Figure, Unit } from '../figure.ts';
import type { Direction } from './direction.ts';
import type { ScaleKind } from './scale.ts';

/**
 * regression / improvement: worse / better beyond the minimum effect and the noise;
 * noise: beyond the minimum effect, inside the spread of the baseline's runs;
 * unverified: beyond the minimum effect, with one run a side (nothing tells noise from change);
 * changed: a figure without a better side moved; incomparable: measured on other scenarios (or in another unit);
 * new / missing: on one side only; unchanged: within the minimum effect.
 */
export type Verdict =
  'regression' | 'improvement' | 'unchanged' | 'noise' | 'unverified' | 'new' | 'missing' | 'changed' | 'incomparable';

export const VERDICTS: readonly Verdict[] = [
  'regression',
  'improvement',
  'changed',
  'unverified',
  'noise',
  'incomparable',
  'new',
  'missing',
  'unchanged',
];

/** The statistics behind a verdict (JSON output; the table shows it in short). */
export interface StatTest {
  /** What was done, in words. */
  method: string;
  /** The scale the figure was judged on (scale.ts) and that scale in words. */
  scale: ScaleKind;
  scaleText: string;
  /** The move on that scale as a factor (×1.25, failures ×100); null on the linear scale. */
  factor: number | null;
  /** The smallest factor that can be a change (1 + tolerance). */
  minFactor: number;
  /** Runs a side: the reference's runs with a value, and 1. */
  n: { reference: number; current: number };
  /** The reference runs' standard deviation on the scale, and after moderation (moderate.ts); null with one run. */
  sd: number | null;
  sdModerated: number | null;
  /** Degrees of freedom of sdModerated (null: infinite, the kind's figures share one spread), and the prior's share. */
  df: number | null;
  priorDf: number | null;
  /** Two-sided p of the run against the reference runs (max with the count test for counts of events). */
  p: number | null;
  /** The count test's p alone (counts of events). */
  countP: number | null;
  /** p × family (Bonferroni), what is compared with alpha. */
  pAdjusted: number | null;
  family: number | null;
  alpha: number | null;
  /** Values inside this band (the figure's unit) are noise: the prediction interval at alpha / family. */
  interval: [number, number] | null;
  /** One run a side: a figure with a target worse by this factor or more is a regression anyway. */
  failFactor: number | null;
}

export interface FigureChange {
  id: string;
  label: string;
  unit: Unit;
  side: Figure['side'];
  direction: Direction;
  /** The reference value: the earlier run's, or the baseline runs' centre on the figure's scale (e.g. geometric mean). */
  reference: number | null;
  current: number | null;
  /** current − reference. */
  delta: number | null;
  /** delta ÷ |reference|; ±Infinity when the reference is 0 and the current value is not. */
  change: number | null;
  /** The baseline's values in the figure's unit, when the reference is a baseline. */
  spread: { n: number; min: number; max: number; stddev: number } | null;
  /** The scenarios the figure was measured on, here and in the reference (null: not recorded). */
  judgedOn: { current: string[]; reference: string[] | null };
  verdict: Verdict;
  /** One line saying why the verdict is what it is. */
  why: string;
  /** The statistics the verdict rests on; null for new, missing, incomparable and unvalued figures. */
  test: StatTest | null;
}

/** One kind of figures whose spreads were moderated together (moderate.ts). */
export interface KindPrior {
  kind: string;
  figures: number;
  /** The prior's degrees of freedom; null: infinite (the kind's figures share one spread). 0: not moderated. */
  d0: number | null;
  /** The prior's standard deviation on the scale. */
  s0: number;
}

export interface Comparison {
  current: { runId: string; profile: string; startedAt: string };
  reference: { kind: 'run' | 'baseline'; label: string; profile: string; runs: string[] };
  /** The minimum effect, a fraction (0.1: a figure must move by ×1.1 on its scale). */
  tolerance: number;
  /** Family-wise significance level over the baseline's judged figures. */
  alpha: number;
  /** The figures alpha is shared by (Bonferroni); 0 run against run. */
  family: number;
  /** One run a side: the factor beyond which a figure with a target is a regression. */
  failFactor: number;
  kinds: KindPrior[];
  /** How the figures were judged, one line each (shown above the table). */
  methods: string[];
  rows: FigureChange[];
  counts: Record<Verdict, number>;
  /** True when at least one figure regressed. */
  regressed: boolean;
  /** Set when the two sides ran different profiles or scenarios (figures may not be comparable). */
  warnings: string[];
}
