/**
 * report.html, when the HTML writer (report/html) is present: renders run.json
 * with the time series read from the run's NDJSON streams.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunJson, htmlReport, readRunSeries } from '../report/index.ts';

export async function renderHtml(dir: string, run: RunJson): Promise<void> {
  const series = await readRunSeries(dir, run);
  writeFileSync(join(dir, 'report.html'), htmlReport(run, series));
}
