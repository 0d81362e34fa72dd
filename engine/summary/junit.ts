/**
 * JUnit XML of the thresholds, like jslib k6-summary `jUnit(data, options)`
 * (grafana/k6-jslib-summary junit.js): one testcase per threshold,
 * `<failure>` with the metric's values when it failed. The odd closing tags
 * (`</testsuite >`) are kept byte for byte, as tools already parse them.
 */
import type { SummaryData } from './types.ts';

const REPLACEMENTS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&#39;', '"': '&quot;' };

function escapeHTML(s: string): string {
  return s.replace(/[&<>'"]/g, (c) => REPLACEMENTS[c]);
}

function failureMessage(type: string, v: Record<string, number>): string {
  switch (type) {
    case 'counter':
      return `failed, count: ${v.count}, rate: ${v.rate}`;
    case 'gauge':
      return `failed, value: ${v.value}, min: ${v.min}, max: ${v.max}`;
    case 'rate':
      return `failed, number of fails: ${v.fails}, number of passes: ${v.passes}, rate: ${v.rate}`;
    case 'trend':
      return `failed, average value: ${v.avg}, min value: ${v.min}, mean value: ${v.med}, max value: ${v.max}`;
    default:
      return 'failed';
  }
}

/** The JUnit document; `options.name` names the suite (default "k6 thresholds"). */
export function junitXml(data: SummaryData, options: { name?: string } = {}): string {
  let failures = 0;
  const cases: string[] = [];
  for (const [metricName, metric] of Object.entries(data.metrics)) {
    for (const [expr, t] of Object.entries(metric.thresholds ?? {})) {
      const name = `${escapeHTML(metricName)} - ${escapeHTML(expr)}`;
      if (t.ok) cases.push(`<testcase name="${name}" />`);
      else {
        failures++;
        cases.push(
          `<testcase name="${name}"><failure message="${failureMessage(metric.type, metric.values)}"/></testcase>`,
        );
      }
    }
  }
  const suite = options.name ? escapeHTML(options.name) : 'k6 thresholds';
  return (
    `<?xml version="1.0"?>\n<testsuites tests="${cases.length}" failures="${failures}">\n` +
    `<testsuite name="${suite}" tests="${cases.length}" failures="${failures}">` +
    cases.join('\n') +
    '\n</testsuite >\n</testsuites >'
  );
}
