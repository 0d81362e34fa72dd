/**
 * Public API of report/: run.json and its figures (every number with its
 * source), the figure builders (report/figures/), Markdown, HTML with charts,
 * JUnit, comparison with a run or a baseline, and the readers of k6's
 * documented outputs (handleSummary data, summary export, NDJSON metric
 * stream) including the merge of k6-operator instances.
 */
export {
  judge,
  missedTargetReason,
  formatValue,
  formatTarget,
  verdict,
  indexFigures,
  type Figure,
  type Target,
  type Unit,
} from './figure.ts';
export { renderCell, type Cell, type Table } from './tables.ts';
export {
  RUN_SCHEMA,
  parseRunJson,
  type RunJson,
  type RunScenario,
  type RunEnvironment,
  type PoolSample,
} from './run-json.ts';
export { metric, value, thresholds, normaliseSummary, type K6Metric, type K6SummaryData } from './k6-summary.ts';
export { markdownReport, markdownTable, type ReportHeader } from './markdown.ts';
export { junitXml, junitFromVerdicts, junitOfRun, escapeXml, type JunitChecker } from './junit.ts';
export {
  runVerdicts,
  verdictExit,
  type Verdict,
  type VerdictChecker,
  type VerdictInputs,
  type VerdictSuite,
} from './verdicts.ts';
export * from './figures/index.ts';
export * from './compare/index.ts';
export * from './html/index.ts';
export * from './ndjson/index.ts';
export * from './history/index.ts';
