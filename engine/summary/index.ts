/**
 * engine/summary: the end-of-test outputs in k6's formats - handleSummary
 * data, the classic text summary, the legacy --summary-export JSON, the
 * --out json NDJSON lines and JUnit XML. Pure: everything returns strings
 * or objects; the caller writes them.
 */
export type { SummaryData, SummaryMetric, SummaryOptions, SummaryState, GroupData, CheckData } from './types.ts';
export { buildSummaryData } from './build.ts';
export { textSummary, strWidth } from './text.ts';
export { humanizeValue, humanizeBytes, humanizeDuration, humanizeGenericDuration } from './humanize.ts';
export { summaryExport, summaryExportJson, defaultHandleSummary, type ExportGroup } from './export.ts';
export { ndjsonMetricLine, ndjsonPointLine, NdjsonPointFormatter, rfc3339, goDuration } from './ndjson.ts';
export { junitXml } from './junit.ts';
export { k6PathId } from './path-id.ts';
