/**
 * report/html: report.html, one self-contained page with the run's tables
 * and charts. `readRunSeries` (report/ndjson) reads the series it draws.
 */
export { htmlReport, htmlTable } from './page.ts';
export { reportHeader, environmentLines, appendixLines } from './run-header.ts';
export { readRunSeries, type RunSeries } from '../ndjson/index.ts';
