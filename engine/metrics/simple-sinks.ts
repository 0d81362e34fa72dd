/**
 * The Counter, Gauge and Rate sinks (k6 metrics/sink.go). Each keeps O(1)
 * state, serialises to plain JSON and merges exactly.
 */
import type { Sink, SinkValuesOptions } from './types.ts';

/** k6 counter rate: sum per second of test run; 0 before any time has passed. */
function perSecond(value: number, durationMs: number): number {
  return durationMs > 0 ? value / (durationMs / 1000) : 0;
}

/**
 * Counter: the sum of all values. Values: `{ count, rate }`, where `rate` is
 * count per second over the test run duration (k6 js/summary.go
 * `metricValueGetter`; docs "Metric types": Counter).
 */
export class CounterSink implements Sink {
  readonly type = 'counter' as const;
  sum = 0;
  /** Time of the first sample (k6 `CounterSink.First`); NaN when empty. */
  first = Number.NaN;
  samples = 0;

  add(value: number, time: number): void {
    this.sum += value;
    if (this.samples === 0 || time < this.first) this.first = time;
    this.samples++;
  }
  values(opts: SinkValuesOptions): Record<string, number> {
    return { count: this.sum, rate: perSecond(this.sum, opts.durationMs) };
  }
  toJSON(): unknown {
    return { type: this.type, sum: this.sum, first: this.samples ? this.first : null, samples: this.samples };
  }
  merge(other: Sink): void {
    const o = sameType(this, other);
    if (o.samples === 0) return;
    if (this.samples === 0 || o.first < this.first) this.first = o.first;
    this.sum += o.sum;
    this.samples += o.samples;
  }
  get count(): number {
    return this.samples;
  }
  static fromJSON(j: { sum: number; first: number | null; samples: number }): CounterSink {
    const s = new CounterSink();
    s.sum = j.sum;
    s.first = j.first ?? Number.NaN;
    s.samples = j.samples;
    return s;
  }
}

/**
 * Gauge: the last value, with the smallest and largest seen. Values:
 * `{ value, min, max }` (k6 js/summary.go). k6 starts `max` at 0, so an
 * all-negative gauge reports max 0 there; here max is the true maximum.
 */
export class GaugeSink implements Sink {
  readonly type = 'gauge' as const;
  last = 0;
  lastTime = Number.NEGATIVE_INFINITY;
  min = 0;
  max = 0;
  samples = 0;

  add(value: number, time: number): void {
    // k6 keeps the value added last; "last" by time makes merges order-free.
    if (time >= this.lastTime) {
      this.last = value;
      this.lastTime = time;
    }
    if (this.samples === 0 || value < this.min) this.min = value;
    if (this.samples === 0 || value > this.max) this.max = value;
    this.samples++;
  }
  values(): Record<string, number> {
    return { value: this.last, min: this.min, max: this.max };
  }
  toJSON(): unknown {
    const { last, min, max, samples } = this;
    return { type: this.type, last, lastTime: samples ? this.lastTime : null, min, max, samples };
  }
  merge(other: Sink): void {
    const o = sameType(this, other);
    if (o.samples === 0) return;
    if (o.lastTime >= this.lastTime) {
      this.last = o.last;
      this.lastTime = o.lastTime;
    }
    this.min = this.samples === 0 ? o.min : Math.min(this.min, o.min);
    this.max = this.samples === 0 ? o.max : Math.max(this.max, o.max);
    this.samples += o.samples;
  }
  get count(): number {
    return this.samples;
  }
  static fromJSON(j: { last: number; lastTime: number | null; min: number; max: number; samples: number }): GaugeSink {
    const s = new GaugeSink();
    Object.assign(s, { last: j.last, min: j.min, max: j.max, samples: j.samples });
    s.lastTime = j.lastTime ?? Number.NEGATIVE_INFINITY;
    return s;
  }
}

/**
 * Rate: the share of non-zero values. Values: `{ rate, passes, fails }`
 * (k6 js/summary.go); an empty rate reports 0 (k6 `RateSink.Format`).
 */
export class RateSink implements Sink {
  readonly type = 'rate' as const;
  trues = 0;
  total = 0;

  add(value: number): void {
    this.total++;
    if (value !== 0) this.trues++;
  }
  values(): Record<string, number> {
    const rate = this.total > 0 ? this.trues / this.total : 0;
    return { rate, passes: this.trues, fails: this.total - this.trues };
  }
  toJSON(): unknown {
    return { type: this.type, trues: this.trues, total: this.total };
  }
  merge(other: Sink): void {
    const o = sameType(this, other);
    this.trues += o.trues;
    this.total += o.total;
  }
  get count(): number {
    return this.total;
  }
  static fromJSON(j: { trues: number; total: number }): RateSink {
    const s = new RateSink();
    s.trues = j.trues;
    s.total = j.total;
    return s;
  }
}

/** Narrow `other` to this sink's class, or explain why two sinks cannot merge. */
export function sameType<T extends Sink>(self: T, other: Sink): T {
  if (other.type !== self.type || other.constructor !== self.constructor) {
    throw new Error(`cannot merge a ${other.type} sink into a ${self.type} sink; merge only sinks of the same metric`);
  }
  return other as T;
}
