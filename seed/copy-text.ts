/**
 * Formatting of values for PostgreSQL's COPY text format: columns separated
 * by a tab, rows by a newline, NULL as `\N`, and backslash, newline, carriage
 * return and tab escaped with a backslash (PostgreSQL manual, COPY, "Text
 * Format"). Values are formatted exactly as PostgreSQL prints them back where
 * that matters (numeric scale, UTC timestamps), so a row read back compares
 * equal to the generated text.
 */

const NEEDS_ESCAPE = /[\\\n\r\t]/;

/** Escapes one text value for COPY text format. */
export function copyEscape(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return out;
}

/** The COPY text for NULL. */
export const NULL = '\\N';

/** A JSON value as a COPY-escaped jsonb literal. */
export function copyJson(value: unknown): string {
  return copyEscape(JSON.stringify(value));
}

/** Epoch milliseconds as an ISO-8601 UTC timestamp with milliseconds. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A fixed-point number as PostgreSQL's numeric text: `fixed(12500, 3)` ->
 * "12.500". Integer arithmetic, so no float rounding ever shows.
 */
export function fixed(units: number, scale: number): string {
  const neg = units < 0;
  const abs = Math.abs(units);
  const div = 10 ** scale;
  const int = Math.floor(abs / div);
  const frac = String(abs - int * div).padStart(scale, '0');
  return (neg ? '-' : '') + String(int) + (scale > 0 ? '.' + frac : '');
}

/** Joins already-escaped cells into one COPY line (without the newline). */
export function copyLine(cells: readonly string[]): string {
  return cells.join('\t');
}
