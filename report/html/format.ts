/**
 * Numbers as report.html shows them in chart labels, legends and the
 * header's reasons: a few significant digits and the unit, never a raw
 * double such as 0.8269230769230769. Tables use report/figure.ts
 * formatValue (the same text as report.md).
 */
import { formatTarget, formatValue, type Figure } from '../figure.ts';

/** `v` with `digits` significant digits, without trailing zeros or an exponent for everyday magnitudes. */
export function sig(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const r = Number(v.toPrecision(digits));
  // Below 1e-6, toString would use an exponent; such values are not shown in a chart of ms, %, req/s.
  return Math.abs(r) < 1e-6 ? '0' : String(r);
}

/** Milliseconds with 2-3 significant digits: 0.403 ms, 12.3 ms, 123 ms, 1.23 s. */
export function fmtMs(v: number): string {
  const a = Math.abs(v);
  if (a >= 1000) return `${sig(v / 1000, 3)} s`;
  if (a >= 100) return `${Math.round(v)} ms`;
  return `${sig(v, 3)} ms`;
}

/** A ratio (0..1) as a percentage: 82.7 %, 99.95 % (near 100 % the decimals matter), 100 %, 0.12 %. */
export function fmtRatio(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  const p = v * 100;
  const decimals = p >= 99 && p < 100 ? 2 : Math.abs(p) < 1 && p !== 0 ? 2 : 1;
  let t = p.toFixed(decimals);
  // 99.999 % rounds to "100.00" with 2 decimals: say it is below 100.
  if (p < 100 && Number(t) >= 100) t = '99.99';
  return `${t.includes('.') ? t.replace(/\.?0+$/, '') : t} %`;
}

/** A rate or a count: 3 significant digits, k and M for large values (12.3, 450, 1.2k). */
export function fmtNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${sig(v / 1e6, 3)}M`;
  if (a >= 1e4) return `${sig(v / 1e3, 3)}k`;
  if (a >= 100) return String(Math.round(v));
  return sig(v, 3);
}

/** Seconds as "12 s", "1.5 s", "2 min 5 s". */
export function fmtSeconds(v: number): string {
  if (v >= 60) {
    const m = Math.floor(v / 60);
    const s = Math.round(v - m * 60);
    return s ? `${m} min ${s} s` : `${m} min`;
  }
  return `${sig(v, 3)} s`;
}

/** Decimal numbers with more than 4 decimals in free text, shortened to 4 significant digits. */
export function shortenFloats(text: string): string {
  return text.replace(/-?\d+\.\d{5,}(?:e[+-]?\d+)?/gi, (m) => sig(Number(m), 4));
}

/**
 * One of run.json's reasons as the header shows it. The pipeline writes a
 * missed target as `target missed: LABEL = VALUE (SOURCE)` with the raw value;
 * the figure with that label gives the unit, so the value reads as the tables
 * show it, followed by the target it missed. Other long decimals are shortened.
 */
export function formatReason(reason: string, figures: readonly Figure[]): string {
  const m = /^target missed: (.+) = (\S+) \((.*)\)$/s.exec(reason);
  if (m) {
    const f = figures.find((x) => x.label === m[1] && String(x.value) === m[2]);
    if (f) {
      const target = f.target ? `, target ${formatTarget(f.target, f.unit)}` : '';
      return `target missed: ${f.label} = ${formatValue(f.value, f.unit)}${target} (${shortenFloats(m[3])})`;
    }
  }
  return shortenFloats(reason);
}
