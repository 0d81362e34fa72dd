/**
 * Durations for `delayAbortEval`, as k6 reads them (k6 lib/types
 * `NullDuration.UnmarshalJSON`): a number is milliseconds; a string is a Go
 * duration (`time.ParseDuration`: a sequence of decimal numbers with units
 * ns, us, µs, ms, s, m, h, e.g. "300ms", "1m30s", "1.5h") or k6's extension
 * with days ("2d").
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Milliseconds for a duration value, or null when it is not one. Negative durations are refused. */
export function parseDurationMs(input: unknown): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : null;
  if (typeof input !== 'string') return null;
  const s = input.trim();
  if (s === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  for (let m = part.exec(s); m; m = part.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = part.lastIndex;
  }
  return pos > 0 && pos === s.length ? total : null;
}
