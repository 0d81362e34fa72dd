/**
 * The legacy `--summary-export` JSON (k6 js/summary-wrapper.js
 * `oldJSONSummary`), and the default handleSummary result k6 produces when
 * the script exports none.
 *
 * From the handleSummary data: `options` and `state` are dropped; each
 * metric becomes its flat `values`, plus `thresholds: { <expr>: <failed?> }`
 * (true means the threshold FAILED); a rate's `rate` is renamed `value`; in
 * `root_group`, `groups` and `checks` become objects keyed by name. k6
 * writes it as JSON.stringify(result, null, 4).
 */
import { textSummary } from './text.ts';
import type { GroupData, SummaryData } from './types.ts';

/** A group in the export format: sub-groups and checks keyed by name. */
export interface ExportGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, ExportGroup>;
  checks: Record<string, { name: string; path: string; id: string; passes: number; fails: number }>;
}

function transformGroup(group: GroupData): ExportGroup {
  return {
    ...structuredClone(group),
    groups: Object.fromEntries(group.groups.map((g) => [g.name, transformGroup(g)])),
    checks: Object.fromEntries(group.checks.map((c) => [c.name, { ...c }])),
  };
}

/** The `--summary-export` object (see the file comment). */
export function summaryExport(data: SummaryData): Record<string, unknown> {
  const { options: _o, state: _s, metrics, root_group, ...rest } = structuredClone(data);
  const out: Record<string, unknown> = {};
  // Keep k6's key order: the data's own keys in order, minus options and state.
  for (const key of Object.keys(data)) {
    if (key === 'options' || key === 'state') continue;
    if (key === 'root_group') out.root_group = transformGroup(root_group);
    else if (key === 'metrics') {
      const flat: Record<string, Record<string, unknown>> = {};
      for (const [name, m] of Object.entries(metrics)) {
        const v: Record<string, unknown> = { ...m.values };
        if (m.thresholds && Object.keys(m.thresholds).length > 0) {
          v.thresholds = Object.fromEntries(Object.entries(m.thresholds).map(([expr, t]) => [expr, !t.ok]));
        }
        if (m.type === 'rate' && 'rate' in v) {
          v.value = v.rate; // k6: "sigh..."
          delete v.rate;
        }
        flat[name] = v;
      }
      out.metrics = flat;
    } else out[key] = rest[key];
  }
  return out;
}

/** The export as k6 writes it to the file: 4-space indented JSON. */
export function summaryExportJson(data: SummaryData): string {
  return JSON.stringify(summaryExport(data), null, 4);
}

/**
 * What k6 writes when the script has no handleSummary (k6
 * js/summary-wrapper.js): the text summary on stdout, framed by newlines,
 * and the legacy export at `summaryExportPath` when one is given.
 */
export function defaultHandleSummary(data: SummaryData, summaryExportPath?: string): Record<string, string> {
  const result: Record<string, string> = { stdout: `\n${textSummary(data)}\n\n` };
  if (summaryExportPath) result[summaryExportPath] = summaryExportJson(data);
  return result;
}
