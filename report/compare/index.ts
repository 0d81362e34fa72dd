/**
 * report/compare: comparing a run with an earlier run or with a baseline of
 * several runs, with verdicts that account for run-to-run noise.
 */
export {
  compareRuns,
  compareRunDirs,
  judgeChange,
  DEFAULT_ALPHA,
  MIN_SAMPLES,
  type Comparison,
  type CompareOptions,
  type Evidence,
  type FigureChange,
  type StatTest,
  type Verdict,
} from './compare.ts';
export { mannWhitney, predictionFactor, formatP, MANN_WHITNEY, type RankTest } from './stats.ts';
export { readRunSamples, sampleKeyOf, MAX_SAMPLES, type RunSamples, type SampleSet } from './samples.ts';
export { comparisonTable, comparisonMarkdown, formatChange, formatEvidence } from './render.ts';
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
