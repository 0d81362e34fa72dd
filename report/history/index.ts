/**
 * report/history: every judged figure across runs, with the change points
 * E-divisive means finds in it (`acgs-load history`), so a step or a slow
 * drift that no night-over-night compare flags is seen.
 */
export { collectRuns, type CollectedRuns, type HistoryRun } from './collect.ts';
export {
  buildHistory,
  historyDirection,
  type ChangePointRow,
  type HistoryDirection,
  type FigureHistory,
  type History,
  type HistoryOptions,
  type HistoryRunRow,
} from './history.ts';
export {
  DEFAULT_ALPHA as HISTORY_ALPHA,
  eDivisive,
  type ChangePointTest,
  type EDivisiveOptions,
  type EDivisiveResult,
  type TestedSplit,
} from './e-divisive.ts';
export { bestSplit, qhat, type SplitCandidate } from './energy.ts';
export { permutationFloor, permutationTest, splitTTest } from './significance.ts';
export { historyText, historyMarkdown, changeLine, cellValue } from './render.ts';
export { historyHtml } from './html.ts';
