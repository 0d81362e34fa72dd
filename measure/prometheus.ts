/**
 * A reader for the Prometheus text exposition format (what the target's
 * /metrics serves) and the arithmetic the report needs on it: counter deltas
 * and histogram quantiles from bucket deltas, interpolated linearly inside a
 * bucket as Prometheus' histogram_quantile() does.
 * Spec: https://prometheus.io/docs/instrumenting/exposition_formats/
 */

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/;
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses exposition text into samples (comments and blank lines skipped). */
export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = SAMPLE_RE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) {
      for (const l of m[3].matchAll(LABEL_RE))
        labels[l[1]] = l[2].replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    }
    const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    out.push({ name: m[1], labels, value });
  }
  return out;
}

function matches(labels: Record<string, string>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}

/** Sum of every sample of `name` whose labels include `want`. */
export function sumOf(samples: PromSample[], name: string, want: Record<string, string> = {}): number {
  let total = 0;
  for (const s of samples) if (s.name === name && matches(s.labels, want)) total += s.value;
  return total;
}

/** Whether the exposition has any sample of `name`. */
export function has(samples: PromSample[], name: string): boolean {
  return samples.some((s) => s.name === name || s.name.startsWith(name + '_'));
}

export interface HistogramDelta {
  count: number;
  sum: number;
  buckets: Array<{ le: number; count: number }>;
}

/** The histogram `name` (summed over series matching `want`) between two scrapes. */
export function histogramDelta(
  before: PromSample[],
  after: PromSample[],
  name: string,
  want: Record<string, string> = {},
): HistogramDelta {
  const bucketTotals = (samples: PromSample[]) => {
    const m = new Map<number, number>();
    for (const s of samples) {
      if (s.name !== `${name}_bucket` || !matches(s.labels, want)) continue;
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      m.set(le, (m.get(le) ?? 0) + s.value);
    }
    return m;
  };
  const a = bucketTotals(after);
  const b = bucketTotals(before);
  const buckets = [...a.entries()].map(([le, c]) => ({ le, count: c - (b.get(le) ?? 0) })).sort((x, y) => x.le - y.le);
  return {
    count: sumOf(after, `${name}_count`, want) - sumOf(before, `${name}_count`, want),
    sum: sumOf(after, `${name}_sum`, want) - sumOf(before, `${name}_sum`, want),
    buckets,
  };
}

/**
 * The q-quantile (0..1) of a cumulative-bucket histogram, as Prometheus'
 * histogram_quantile(): linear interpolation inside the bucket that holds the
 * rank; the highest finite bound when the rank falls in +Inf. Null when empty.
 */
export function histogramQuantile(h: HistogramDelta, q: number): number | null {
  const total = h.buckets.length ? h.buckets[h.buckets.length - 1].count : 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const { le, count } of h.buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      const inBucket = count - prevCount;
      return inBucket > 0 ? prevLe + ((le - prevLe) * (rank - prevCount)) / inBucket : le;
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/** Share of observations at or below `bound` (exact when `bound` is a bucket edge). */
export function fractionAtOrBelow(h: HistogramDelta, bound: number): number | null {
  const total = h.buckets.length ? h.buckets[h.buckets.length - 1].count : 0;
  if (total <= 0) return null;
  const b = h.buckets.find((x) => x.le >= bound);
  return b ? b.count / total : 1;
}
