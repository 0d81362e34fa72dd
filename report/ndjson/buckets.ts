/**
 * Time buckets for downsampling a metric stream: samples fall into buckets of
 * a fixed width from a fixed origin; when more buckets than `maxPoints` are in
 * use the width doubles and neighbouring buckets merge. So memory and output
 * size depend on `maxPoints`, never on the run length or the sample rate, and
 * a single pass suffices even when the run length was not known in advance.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** Aggregates per bucket: how to make an empty one and how to merge two. */
export interface BucketKind<A> {
  create(): A;
  merge(into: A, from: A): void;
}

/** A widening set of time buckets holding one aggregate each. */
export class Buckets<A> {
  private readonly map = new Map<number, A>();
  private lo = Infinity;
  private hi = -Infinity;

  constructor(
    private readonly kind: BucketKind<A>,
    readonly originMs: number,
    public widthMs: number,
    private readonly maxPoints: number,
  ) {}

  /** The aggregate of the bucket holding time `t` (epoch ms). */
  at(t: number): A {
    let i = Math.floor((t - this.originMs) / this.widthMs);
    while (Math.max(this.hi, i) - Math.min(this.lo, i) + 1 > this.maxPoints) {
      this.widen();
      i = Math.floor((t - this.originMs) / this.widthMs);
    }
    let a = this.map.get(i);
    if (!a) {
      a = this.kind.create();
      this.map.set(i, a);
      if (i < this.lo) this.lo = i;
      if (i > this.hi) this.hi = i;
    }
    return a;
  }

  private widen(): void {
    const old = [...this.map.entries()];
    this.map.clear();
    this.widthMs *= 2;
    this.lo = Infinity;
    this.hi = -Infinity;
    for (const [i, a] of old) {
      const j = Math.floor(i / 2);
      const cur = this.map.get(j);
      if (cur) this.kind.merge(cur, a);
      else this.map.set(j, a);
      if (j < this.lo) this.lo = j;
      if (j > this.hi) this.hi = j;
    }
  }

  /** Buckets in time order with their start time (epoch ms). */
  entries(): Array<{ t: number; agg: A }> {
    return [...this.map.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([i, agg]) => ({ t: this.originMs + i * this.widthMs, agg }));
  }
}

/** Latency values are recorded as integer microseconds (0.001 ms resolution, as k6's HDR sink). */
export const US_PER_MS = 1000;

/** A small HDR histogram (hdr-histogram-js, pure JS, auto-resizing) of millisecond values. */
export function newLatencyHistogram(significantDigits: 1 | 2 | 3 = 2): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: significantDigits,
    useWebAssembly: false,
  });
}

/** Records a millisecond value (negative and non-finite values are dropped: a duration cannot be either). */
export function recordMs(h: Histogram, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) return;
  h.recordValue(Math.round(ms * US_PER_MS));
}

/** The value at a percentile (0..100) in milliseconds. */
export function percentileMs(h: Histogram, p: number): number {
  return h.getValueAtPercentile(p) / US_PER_MS;
}

/** Latency aggregate of one bucket. */
export const latencyKind = (digits: 1 | 2 | 3 = 2): BucketKind<Histogram> => ({
  create: () => newLatencyHistogram(digits),
  merge: (into, from) => into.add(from),
});

/** Count and sum aggregate (counters, rates). */
export interface SumAgg {
  count: number;
  sum: number;
}
export const sumKind: BucketKind<SumAgg> = {
  create: () => ({ count: 0, sum: 0 }),
  merge: (into, from) => {
    into.count += from.count;
    into.sum += from.sum;
  },
};

/** A bucket width for a span: the next "round" width at or above span/maxPoints, at least 1 s. */
export function niceWidthMs(spanMs: number, maxPoints: number): number {
  const raw = Math.max(1000, spanMs / Math.max(1, maxPoints));
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
  for (const s of steps) if (s * 1000 >= raw) return s * 1000;
  return Math.ceil(raw / 3_600_000) * 3_600_000;
}
