/** HTML text and attribute escaping for the report writer. */

/** Escapes text for element content and double-quoted attributes. */
export function esc(s: string | number): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A number as SVG coordinates want it: short, no exponent. */
export function num(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}
