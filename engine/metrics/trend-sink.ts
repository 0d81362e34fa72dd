/**
 * The Trend sink: exact count, sum, min and max, plus an HDR histogram for
 * percentiles, so memory stays bounded however many samples arrive.
 *
 * Percentile method. k6 (metrics/sink.go before v1, `TrendSink.P`) sorts all
 * values and interpolates linearly between the two closest ranks:
 *   i = p * (n - 1);  P = v[floor(i)] + (v[ceil(i)] - v[floor(i)]) * (i - floor(i))
 * with P = 0 for no samples and P = min for one. This sink applies the same
 * formula, reading v[r] (the r-th smallest value) from the histogram.
 *
 * How close it gets. Values are recorded as integers at a fixed resolution
 * of 0.001 (microseconds for time metrics, as k6 v1's own HDR sink,
 * internal/ds/histogram/hdr.go, `defaultMinimumResolution = .001`), with 3
 * significant digits (hdr-histogram-js): a bucket is at most 1/1024 of its
 * value wide, and v[r] is taken as the bucket's middle, so each v[r] is
 * within 1/2048 relative (and 0.0005 absolute) of the true value. v[0] and
 * v[n-1] are the exact min and max, and every result is clamped to them.
 * Negative values go into a mirrored histogram, so they are supported too.
 * Non-finite values (NaN, Infinity) are ignored.
 */
import * as hdr from 'hdr-histogram-js';
import type { JsHistogram } from 'hdr-histogram-js';
import { parsePercentileStat } from './trend-stats.ts';
import { DEFAULT_TREND_STATS, type Sink, type SinkValuesOptions } from './types.ts';
import { sameType } from './simple-sinks.ts';

/** Recorded integer units per value unit (0.001 resolution). */
export const TREND_SCALE = 1000;

function newHistogram(): JsHistogram {
  // 32-bit counts: 4 bytes per bucket; autoResize grows the bucket array with
  // the largest value (logarithmically), never with the sample count.
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  }) as unknown as JsHistogram;
}

/** Serialised form of a {@link TrendSink}. */
export interface TrendSinkJSON {
  type: 'trend';
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  scale: number;
  /** hdr-histogram-js compressed base64 of the values >= 0. */
  pos: string;
  /** The same for the magnitudes of negative values; null when none. */
  neg: string | null;
}

/** A k6 Trend: values `{ avg, min, med, max, p(N)..., count }` per the trend stats asked. */
export class TrendSink implements Sink {
  readonly type = 'trend' as const;
  private n = 0;
  sum = 0;
  min = 0;
  max = 0;
  private pos: JsHistogram = newHistogram();
  private neg: JsHistogram | null = null;

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.n === 0 || value < this.min) this.min = value;
    if (this.n === 0 || value > this.max) this.max = value;
    this.n++;
    this.sum += value;
    const scaled = Math.min(Math.round(Math.abs(value) * TREND_SCALE), Number.MAX_SAFE_INTEGER);
    if (value >= 0 || scaled === 0) this.pos.recordValue(scaled);
    else (this.neg ??= newHistogram()).recordValue(scaled);
  }

  get count(): number {
    return this.n;
  }

  /** Bytes held by the histograms (hdr-histogram-js estimate); independent of the sample count. */
  get footprintBytes(): number {
    return this.pos.estimatedFootprintInBytes + (this.neg?.estimatedFootprintInBytes ?? 0);
  }

  /** Mean of all values; 0 when empty (k6 `TrendSink.Avg`). */
  get avg(): number {
    return this.n === 0 ? 0 : this.sum / this.n;
  }

  /** k6's percentile of the fraction `p` in [0, 1] (see the file comment). */
  percentile(p: number): number {
    return this.percentiles([p])[0];
  }

  /** Several percentiles in one pass over the histogram. */
  percentiles(ps: readonly number[]): number[] {
    if (this.n === 0) return ps.map(() => 0);
    if (this.n === 1) return ps.map(() => this.min);
    const ranks = new Set<number>();
    const plan = ps.map((p) => {
      const i = Math.min(Math.max(p, 0), 1) * (this.n - 1);
      const lo = Math.floor(i);
      const hi = Math.ceil(i);
      ranks.add(lo).add(hi);
      return { lo, hi, f: i - lo };
    });
    const at = this.valuesAtRanks([...ranks].sort((a, b) => a - b));
    return plan.map(({ lo, hi, f }) => at.get(lo)! + (at.get(hi)! - at.get(lo)!) * f);
  }

  /** The r-th smallest values for sorted ranks r, read from the buckets. */
  private valuesAtRanks(ranks: number[]): Map<number, number> {
    const out = new Map<number, number>();
    let k = 0;
    let seen = 0; // samples in the buckets already passed
    const visit = (index: number, h: JsHistogram, sign: 1 | -1): boolean => {
      const c = h.getCountAtIndex(index);
      if (c === 0) return false;
      const mid = (sign * h.medianEquivalentValue(h.valueFromIndex(index))) / TREND_SCALE;
      while (k < ranks.length && ranks[k] < seen + c) {
        const r = ranks[k++];
        const v = r === 0 ? this.min : r === this.n - 1 ? this.max : mid;
        out.set(r, Math.min(Math.max(v, this.min), this.max));
      }
      seen += c;
      return k >= ranks.length;
    };
    const neg = this.neg;
    if (neg) for (let i = neg.countsArrayLength - 1; i >= 0; i--) if (visit(i, neg, -1)) return out;
    for (let i = 0; i < this.pos.countsArrayLength; i++) if (visit(i, this.pos, 1)) return out;
    for (; k < ranks.length; k++) out.set(ranks[k], this.max); // unreachable unless counts disagree
    return out;
  }

  /** One value per trend stat; unknown stats are skipped (validate with validateTrendStats). */
  values(opts: SinkValuesOptions): Record<string, number> {
    const stats = opts.trendStats ?? DEFAULT_TREND_STATS;
    const out: Record<string, number> = {};
    const pct: Array<[string, number]> = [];
    for (const s of stats) {
      if (s === 'avg') out[s] = this.avg;
      else if (s === 'min') out[s] = this.n ? this.min : 0;
      else if (s === 'max') out[s] = this.n ? this.max : 0;
      else if (s === 'count') out[s] = this.n;
      else if (s === 'med') pct.push([s, 0.5]);
      else {
        const p = parsePercentileStat(s);
        if (p !== null) pct.push([s, p]);
      }
    }
    const vals = this.percentiles(pct.map(([, p]) => p));
    pct.forEach(([s], i) => (out[s] = vals[i]));
    // Keep the order of the stats asked, as k6's summary iterates them.
    return Object.fromEntries(stats.filter((s) => s in out).map((s) => [s, out[s]]));
  }

  toJSON(): TrendSinkJSON {
    return {
      type: 'trend',
      count: this.n,
      sum: this.sum,
      min: this.n ? this.min : null,
      max: this.n ? this.max : null,
      scale: TREND_SCALE,
      pos: hdr.encodeIntoCompressedBase64(this.pos),
      neg: this.neg ? hdr.encodeIntoCompressedBase64(this.neg) : null,
    };
  }

  merge(other: Sink): void {
    const o = sameType(this, other);
    if (o.n === 0) return;
    this.min = this.n === 0 ? o.min : Math.min(this.min, o.min);
    this.max = this.n === 0 ? o.max : Math.max(this.max, o.max);
    this.n += o.n;
    this.sum += o.sum;
    this.pos.add(o.pos);
    if (o.neg) (this.neg ??= newHistogram()).add(o.neg);
  }

  /** Rebuild a sink from {@link TrendSink.toJSON} output. */
  static fromJSON(j: TrendSinkJSON): TrendSink {
    if (j.scale !== TREND_SCALE) {
      throw new Error(`trend sink recorded at scale ${j.scale} cannot be read at scale ${TREND_SCALE}`);
    }
    const s = new TrendSink();
    s.n = j.count;
    s.sum = j.sum;
    s.min = j.min ?? 0;
    s.max = j.max ?? 0;
    s.pos = decode(j.pos);
    s.neg = j.neg === null ? null : decode(j.neg);
    return s;
  }
}

function decode(b64: string): JsHistogram {
  const h = newHistogram();
  // Decoded histograms are sized to their content; adding into a fresh
  // auto-resizing one keeps later recording and merging unbounded in range.
  h.add(hdr.decodeFromCompressedBase64(b64, 32, false) as unknown as JsHistogram);
  return h;
}
