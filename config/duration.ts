/**
 * Durations, as k6 reads them: the one duration grammar of the suite (k6
 * options, thresholds' delayAbortEval, `--fault`, `--grace`, `--duration`).
 *
 * Grammar (k6 `lib/types` ParseExtendedDuration over Go `time.ParseDuration`):
 *   duration := number            a bare number in JSON options = milliseconds
 *             | "0"
 *             | string of one or more `<decimal><unit>`, unit one of
 *               d, h, m, s, ms, us, µs (or μs), ns   e.g. "1m30s", "1.5s", "500ms", "2d"
 *             | bare numeric string ("10")   seconds, as k6's command line reads it;
 *               refused where k6 reads a Go duration only (`{ bareString: 'refuse' }`,
 *               k6 `NullDuration.UnmarshalJSON` for delayAbortEval)
 *   Negative durations are refused.
 */
const UNIT_MS: Record<string, number> = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  μs: 0.001,
  ns: 0.000001,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(d|h|ms|m|s|us|µs|μs|ns)/y;

export interface DurationOptions {
  /** What a unit-less numeric string means: seconds (k6's CLI, the default) or not a duration (Go). */
  bareString?: 'seconds' | 'refuse';
}

/** Parses a k6 duration into milliseconds; returns null when it is not one. */
export function parseDuration(input: unknown, opts: DurationOptions = {}): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : null;
  if (typeof input !== 'string') return null;
  const s = input.trim();
  if (s === '') return null;
  if (s === '0') return 0;
  if (/^\d+(\.\d+)?$/.test(s)) return opts.bareString === 'refuse' ? null : Number(s) * 1000;
  let total = 0;
  let i = 0;
  while (i < s.length) {
    PART.lastIndex = i;
    const m = PART.exec(s);
    if (!m) return null;
    total += Number(m[1]) * UNIT_MS[m[2]];
    i = PART.lastIndex;
  }
  return total;
}

/** Formats milliseconds as k6 prints durations in its banner ("1m30s", "500ms"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${Number(s.toFixed(3))}s`;
}
