/**
 * Text for the seed, warm and db commands: the summary table and lines.
 * Pure functions returning strings; the commands print them. (Progress lines
 * are in progress.ts, with their printers.)
 */
import type { SeedSummary } from '../seed/index.ts';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The table of what a seed loaded (or that it kept the existing data). */
export function seedSummaryText(s: SeedSummary): string {
  if (s.skipped) {
    return `dataset ${s.fingerprint} already loaded (${fmt(s.totalRows)} rows): kept it; pass --fresh to reload (checked in ${fmt(s.totalMs)} ms)`;
  }
  const lines = [`${'table'.padEnd(20)} ${'rows'.padStart(11)} ${'rows/s'.padStart(11)} ${'ms'.padStart(8)}`];
  for (const t of s.tables)
    lines.push(
      `${t.table.padEnd(20)} ${fmt(t.rows).padStart(11)} ${fmt(t.rowsPerSec).padStart(11)} ${fmt(t.ms).padStart(8)}`,
    );
  const rate = s.totalMs > 0 ? (s.totalRows * 1000) / s.totalMs : 0;
  lines.push(
    `${'total'.padEnd(20)} ${fmt(s.totalRows).padStart(11)} ${fmt(rate).padStart(11)} ${fmt(s.totalMs).padStart(8)}`,
  );
  lines.push(`(total includes keys, indexes, foreign-key validation and ANALYZE; fingerprint ${s.fingerprint})`);
  return lines.join('\n');
}

/** One line about a cache warm. */
export function warmSummaryText(
  w: { keys: number; byFamily: Record<string, number>; ms: number },
  prefix: string,
): string {
  const fams = Object.entries(w.byFamily)
    .map(([f, n]) => `${f} ${fmt(n)}`)
    .join(', ');
  return `warmed ${fmt(w.keys)} keys under '${prefix}' in ${fmt(w.ms)} ms (${fams})`;
}

/** Turns a numeric flag into a number, or leaves the text for the config validator to report. */
export function numericFlag(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : v;
}
