/**
 * report/compare: comparing a run with an earlier run or with a baseline of
 * several runs, with verdicts that account for run-to-run noise.
 */
export { compareRuns, judgeChange, type Comparison, type FigureChange, type Verdict } from './compare.ts';
export { comparisonTable, comparisonMarkdown, formatChange } from './render.ts';
export {
  buildBaseline,
  parseBaseline,
  isBaseline,
  spreadOf,
  BASELINE_SCHEMA,
  type Baseline,
  type BaselineFigure,
} from './baseline.ts';
export { directionOf, type Direction } from './direction.ts';
export { readRun, readReference, readBaseline, runJsonPath } from './read.ts';
