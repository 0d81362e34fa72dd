/**
 * Text for the seed, warm and db commands: progress lines and the summary
 * table. Pure functions returning strings; the commands print them.
 */
import type { SeedProgressEvent, SeedSummary } from '../seed/index.ts';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** One plain progress line (non-TTY output): a table finished loading. */
export function progressLine(e: SeedProgressEvent): string {
  return `loaded ${e.table.padEnd(19)} ${fmt(e.rows).padStart(11)} rows  ${fmt(e.rowsPerSec).padStart(10)} rows/s`;
}

/** The live status line (TTY): every table still loading, with its rows/s. */
export function liveLine(active: Map<string, SeedProgressEvent>, doneRows: number): string {
  const parts = [...active.values()].map(
    (e) => `${e.table} ${Math.floor((100 * e.rows) / Math.max(1, e.totalRows))}% ${fmt(e.rowsPerSec)}/s`,
  );
  return `seeding: ${fmt(doneRows)} rows done | ${parts.join(' | ')}`;
}

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
