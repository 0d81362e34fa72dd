/**
 * report/compare: comparing a run with a baseline of several runs (or with
 * one earlier run), a run being the unit: each figure's value in this run
 * against its values in the reference's runs (docs/comparing.md).
 */
export { compareRuns, DEFAULT_ALPHA, DEFAULT_FAIL_FACTOR, type CompareOptions } from './compare.ts';
export type { Comparison, FigureChange, KindPrior, StatTest, Verdict } from './types.ts';
export { VERDICTS } from './types.ts';
export { judgeValues, kindOf, type JudgeContext, type ReferenceFigure } from './judge.ts';
export { bandFactor, countP, formatP, predictionP } from './stats.ts';
export { fitPrior, moderate, trigammaInverse, type Prior } from './moderate.ts';
export {
  scaleOf,
  toScale,
  fromScale,
  effectText,
  COMPLEMENT_FLOOR,
  type FigureScale,
  type ScaleKind,
} from './scale.ts';
export { scopeOf, sameScope } from './scope.ts';
export { comparisonTable, comparisonMarkdown, formatChange, formatEvidence } from './render.ts';
export {
  buildBaseline,
  parseBaseline,
  isBaseline,
  spreadOf,
  BASELINE_SCHEMA,
  MIN_BASELINE_RUNS,
  RECOMMENDED_BASELINE_RUNS,
  type Baseline,
  type BaselineFigure,
} from './baseline.ts';
export { directionOf, type Direction } from './direction.ts';
export { readRun, readReference, readBaseline, runJsonPath } from './read.ts';
