/**
 * Execution segments (k6 lib/execution_segment.go): how several instances
 * split one test, each running its share of the VUs, iterations and arrival
 * rate, as `k6 run --execution-segment` and the k6-operator do.
 *
 * Grammar (k6 `ExecutionSegment.UnmarshalText`, `stringToRat`):
 *
 *   segment  := value | value ":" value     ("1/4:1/2", "25%:50%", "0.25:0.5")
 *               a single value v means 0:v; "" means 0:1 (the whole test)
 *   sequence := value ("," value)+           ("0,1/4,1/2,1": segments 0:1/4, 1/4:1/2, 1/2:1)
 *   value    := integer "%" | fraction a/b | decimal
 *
 * with 0 <= from < to <= 1. Values are exact rationals (BigInt), as k6's
 * big.Rat, so a third is a third. The striping (which global VU or iteration
 * index belongs to which segment) and the scaling of integers follow k6's
 * `NewExecutionSegmentSequenceWrapper`, `ScaleInt64`, `GetStripedOffsets`,
 * `GetNewExecutionTupleFromValue` and `SegmentedIndex` line by line, so the
 * shares of all instances add up to the whole test exactly.
 */

import type { BaseConfig } from './executors/base-config.ts';
import type { SharedIterationsConfig } from './executors/shared-iterations.ts';
import type { ConstantVusConfig } from './executors/constant-vus.ts';
import type { RampingVusConfig } from './executors/ramping-vus.ts';
import type { ConstantArrivalRateConfig } from './executors/constant-arrival-rate.ts';
import type { RampingArrivalRateConfig } from './executors/ramping-arrival-rate.ts';

/** A non-negative rational number n/d in lowest terms (d > 0). */
export class Rat {
  readonly n: bigint;
  readonly d: bigint;
  constructor(n: bigint, d: bigint = 1n) {
    if (d < 0n) [n, d] = [-n, -d];
    const g = gcdBig(n < 0n ? -n : n, d) || 1n;
    this.n = n / g;
    this.d = d / g;
  }
  cmp(o: Rat): number {
    const a = this.n * o.d;
    const b = o.n * this.d;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  sub(o: Rat): Rat {
    return new Rat(this.n * o.d - o.n * this.d, this.d * o.d);
  }
  /** k6 `RatString`: "1/3", or "1" for an integer. */
  toString(): string {
    return this.d === 1n ? String(this.n) : `${this.n}/${this.d}`;
  }
}

function gcdBig(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** A problem with a segment or sequence value; the message says which and why. */
export class SegmentError extends Error {}

/** k6 `stringToRat`: "25%", "1/4", "0.25". */
export function parseRat(s: string): Rat {
  const t = s.trim();
  if (t.endsWith('%')) {
    if (!/^[+-]?\d+$/.test(t.slice(0, -1))) throw new SegmentError(`'${s}' is not a valid percentage`);
    return new Rat(BigInt(t.slice(0, -1)), 100n);
  }
  let m = /^([+-]?\d+)\/(\d+)$/.exec(t);
  if (m && BigInt(m[2]) !== 0n) return new Rat(BigInt(m[1]), BigInt(m[2]));
  m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (m && (m[2] || m[3])) {
    const frac = m[3] ?? '';
    const n = BigInt((m[2] || '0') + frac) * (m[1] === '-' ? -1n : 1n);
    return new Rat(n, 10n ** BigInt(frac.length));
  }
  throw new SegmentError(`'${s}' is not a valid percentage, decimal, fraction or interval value`);
}

/** One (from, to] share of the test. */
export class ExecutionSegment {
  readonly length: Rat;
  constructor(
    readonly from: Rat,
    readonly to: Rat,
  ) {
    this.length = to.sub(from);
  }
  static readonly FULL = new ExecutionSegment(new Rat(0n), new Rat(1n));
  equals(o: ExecutionSegment): boolean {
    return this.from.cmp(o.from) === 0 && this.to.cmp(o.to) === 0;
  }
  toString(): string {
    return `${this.from}:${this.to}`;
  }
}

/** k6 `NewExecutionSegment`: 0 <= from < to <= 1. */
function newSegment(from: Rat, to: Rat): ExecutionSegment {
  const fl = (r: Rat) => (Number(r.n) / Number(r.d)).toFixed(2);
  if (from.cmp(new Rat(0n)) < 0) throw new SegmentError(`segment start value should be at least 0 but was ${fl(from)}`);
  if (from.cmp(to) >= 0) throw new SegmentError(`segment start(${fl(from)}) should be less than its end(${fl(to)})`);
  if (to.cmp(new Rat(1n)) > 0) throw new SegmentError(`segment end value shouldn't be more than 1 but was ${fl(to)}`);
  return new ExecutionSegment(from, to);
}

/** Parses `--execution-segment` (see the grammar above). */
export function parseSegment(text: string): ExecutionSegment {
  let toStr = text.trim() === '' ? '1' : text;
  let from = new Rat(0n);
  const i = toStr.indexOf(':');
  if (i >= 0) {
    from = parseRat(toStr.slice(0, i));
    toStr = toStr.slice(i + 1);
  }
  return newSegment(from, parseRat(toStr));
}

/** Parses `--execution-segment-sequence`; "" is no sequence (null). */
export function parseSequence(text: string): ExecutionSegment[] | null {
  if (text.trim() === '') return null;
  const points = text.split(',');
  if (points.length < 2)
    throw new SegmentError(`at least 2 points are needed for an execution segment sequence, ${points.length} given`);
  const rats = points.map(parseRat);
  const out: ExecutionSegment[] = [];
  for (let k = 1; k < rats.length; k++) out.push(newSegment(rats[k - 1], rats[k]));
  return out;
}

/** k6 `GetFilledExecutionSegmentSequence`: the sequence (or the segment) padded to cover 0..1. */
function filledSequence(sequence: ExecutionSegment[] | null, segment: ExecutionSegment): ExecutionSegment[] {
  let result: ExecutionSegment[];
  if (!sequence || sequence.length === 0) {
    if (segment.length.cmp(new Rat(1n)) === 0) return [ExecutionSegment.FULL];
    result = [segment];
  } else result = [...sequence];
  const zero = new Rat(0n);
  const one = new Rat(1n);
  if (result[0].from.cmp(zero) !== 0) result.unshift(new ExecutionSegment(zero, result[0].from));
  if (result[result.length - 1].to.cmp(one) !== 0) result.push(new ExecutionSegment(result[result.length - 1].to, one));
  return result;
}

/** k6 `ExecutionSegmentSequenceWrapper`: the striped offsets of every segment, computed once. */
class SequenceWrapper {
  readonly lcd: number;
  /** Per segment: [first index, then the gaps between its indexes over one lcd cycle]. */
  readonly offsets: number[][];
  constructor(readonly segments: ExecutionSegment[]) {
    let lcd = Number(segments[0].length.d);
    for (const s of segments.slice(1)) {
      const n = Number(s.length.d);
      if (lcd % n !== 0) lcd *= n / gcd(lcd, n);
    }
    this.lcd = lcd;
    const sorted = segments
      .map((s, i) => ({ norm: Number(s.length.n) * (lcd / Number(s.length.d)), index: i }))
      .sort((a, b) => b.norm - a.norm); // stable: equal lengths keep their order (Go sort.SliceStable)
    const offsets: number[][] = segments.map(() => []);
    const prev = segments.map(() => 0);
    const chosen = segments.map(() => 0);
    const save = (it: number, index: number, numerator: number): void => {
      offsets[index].push(it - prev[index]);
      prev[index] = it;
      if (offsets[index].length === numerator) offsets[index].push(offsets[index][0] + lcd - it);
    };
    for (let i = 0; i < lcd; i++) {
      for (let k = 0; k < chosen.length; k++) {
        const num = chosen[k] * lcd;
        const denom = sorted[k].norm;
        const q = Math.floor(num / denom);
        if (i > q || (i === q && num % denom === 0)) {
          chosen[k]++;
          save(i, sorted[k].index, denom);
          break;
        }
      }
    }
    this.offsets = offsets;
  }

  scaleInt64(index: number, value: number): number {
    const start = this.offsets[index][0];
    const offs = this.offsets[index].slice(1);
    let result = Math.floor(value / this.lcd) * offs.length;
    const rem = value % this.lcd;
    for (let gi = 0, i = start; i < rem; i += offs[gi], gi++) result++;
    return result;
  }
}

/** Where one instance's work starts and how its share is striped (k6 `GetStripedOffsets`). */
export interface Stride {
  /** The first global index (from 0) that belongs to this instance. */
  start: number;
  /** The gaps to the next indexes of this instance, repeating. */
  offsets: number[];
}

/** A segment within its sequence (k6 `ExecutionTuple`). */
export class ExecutionTuple {
  private constructor(
    private readonly wrapper: SequenceWrapper,
    readonly index: number,
  ) {}

  /** k6 `NewExecutionTuple`; throws SegmentError when the segment is not one of the sequence's. */
  static of(segment: ExecutionSegment = ExecutionSegment.FULL, sequence: ExecutionSegment[] | null = null) {
    const seq = filledSequence(sequence, segment);
    const wrapper = new SequenceWrapper(seq);
    const index = seq.findIndex((s) => s.equals(segment));
    if (index < 0)
      throw new SegmentError(`couldn't find segment ${segment} in sequence ${seq[0].from},${seq.map((s) => s.to)}`);
    return new ExecutionTuple(wrapper, index);
  }

  get segment(): ExecutionSegment {
    return this.wrapper.segments[this.index];
  }

  /** true when this instance runs the whole test (no segmentation). */
  get isFull(): boolean {
    return this.wrapper.segments.length === 1;
  }

  /** This instance's share of an integer (k6 `ExecutionTuple.ScaleInt64`). */
  scale(value: number): number {
    return this.isFull ? value : this.wrapper.scaleInt64(this.index, value);
  }

  stride(): Stride & { lcd: number } {
    const o = this.wrapper.offsets[this.index];
    return { start: o[0], offsets: o.slice(1), lcd: this.wrapper.lcd };
  }

  /**
   * k6 `GetNewExecutionTupleFromValue`: the sequence re-cut so each segment
   * has exactly its scaled share of `value` (how arrival-rate executors stripe
   * iterations by maxVUs, and shared-iterations by VUs). Null when this
   * instance gets nothing of `value`.
   */
  fromValue(value: number): ExecutionTuple | null {
    if (value < 1) return null;
    if (value % this.wrapper.lcd === 0) return this;
    const segs: ExecutionSegment[] = [];
    let newIndex = -1;
    let prev = 0;
    this.wrapper.segments.forEach((_, i) => {
      const v = this.wrapper.scaleInt64(i, value);
      if (v === 0) return;
      if (i === this.index) newIndex = segs.length;
      segs.push(new ExecutionSegment(new Rat(BigInt(prev), BigInt(value)), new Rat(BigInt(prev + v), BigInt(value))));
      prev += v;
    });
    return newIndex < 0 ? null : new ExecutionTuple(new SequenceWrapper(segs), newIndex);
  }
}

/** k6 `SegmentedIndex`: walks this instance's VUs (scaled, from 1) and their global numbers (unscaled). */
export class SegmentedIndex {
  scaled = 0;
  unscaled = 0;
  private readonly start: number;
  private readonly offsets: number[];
  private readonly lcd: number;
  constructor(t: ExecutionTuple) {
    ({ start: this.start, offsets: this.offsets, lcd: this.lcd } = t.stride());
  }
  next(): void {
    if (this.scaled === 0) this.unscaled += this.start + 1;
    else this.unscaled += this.offsets[(this.scaled - 1) % this.offsets.length];
    this.scaled++;
  }
  prev(): void {
    if (this.scaled === 1) this.unscaled -= this.start + 1;
    else this.unscaled -= this.offsets[(this.scaled - 2) % this.offsets.length];
    this.scaled--;
  }
  /** The most VUs of this instance whose global number is <= value. */
  goTo(value: number): void {
    const whole = Math.floor(value / this.lcd);
    this.scaled = whole * this.offsets.length;
    this.unscaled = whole * this.lcd + this.start + 1;
    let gi = 0;
    for (let i = this.start; i < value % this.lcd; i += this.offsets[gi], gi++) {
      this.scaled++;
      this.unscaled += this.offsets[gi];
    }
    if (gi > 0) this.unscaled -= this.offsets[gi - 1];
    else if (this.scaled > 0) this.unscaled -= this.offsets[this.offsets.length - 1];
    if (this.scaled === 0) this.unscaled = 0;
  }
}

/** A point where this instance's planned VUs change. */
export interface SegmentStep {
  atMs: number;
  vus: number;
}

/**
 * ramping-vus steps for one instance (k6 `RampingVUsConfig.getRawExecutionSteps`
 * with zeroEnd): each global VU is added (removed) at the moment the whole
 * test's ramp reaches (leaves) it, and this instance acts only for the global
 * VUs that are its own, so all instances together draw the original shape.
 * Offsets are computed in integer nanoseconds with Go's truncating division.
 */
export function rampingVusSegmentSteps(
  startVUs: number,
  stages: Array<{ durationMs: number; target: number }>,
  t: ExecutionTuple,
): SegmentStep[] {
  const index = new SegmentedIndex(t);
  index.goTo(startVUs);
  const steps: SegmentStep[] = [{ atMs: 0, vus: index.scaled }];
  const add = (ns: bigint, vus: number): void => {
    if (steps[steps.length - 1].vus !== vus) steps.push({ atMs: Number(ns) / 1e6, vus });
  };
  let from = startVUs;
  let tillEnd = 0n;
  for (const st of stages) {
    const end = st.target;
    const d = BigInt(Math.round(st.durationMs * 1e6));
    tillEnd += d;
    const diff = BigInt(end - from);
    if (diff === 0n) continue;
    if (d === 0n) {
      index.goTo(end);
      add(tillEnd, index.scaled);
      from = end;
      continue;
    }
    if (index.unscaled > end) {
      for (; index.unscaled > end; index.prev())
        add(tillEnd - (d * BigInt(end - index.unscaled + 1)) / diff, index.scaled - 1);
    } else {
      for (; index.unscaled <= end; index.next())
        add(tillEnd - (d * BigInt(end - index.unscaled)) / diff, index.scaled);
    }
    from = end;
  }
  if (steps[steps.length - 1].vus !== 0) steps.push({ atMs: Number(tillEnd) / 1e6, vus: 0 });
  return steps;
}

/** What one instance runs of the scenarios: the configs with work, and the scenarios left without any. */
export interface SegmentedScenarios {
  scenarios: BaseConfig[];
  /** k6 logs "Executor '<name>' is disabled for segment <s> due to lack of work!" for each. */
  disabled: string[];
}

/**
 * Each scenario's share for this instance, per its executor (k6 lib/executor
 * `GetVUs`, `GetIterations`, `GetPreAllocatedVUs`, `GetMaxVUs`, `HasWork`, `Init`):
 * VUs (and pre-allocated/max VUs) scaled by the tuple; shared-iterations'
 * iterations scaled by the tuple re-cut by VUs; arrival-rate iterations striped
 * by the tuple re-cut by maxVUs (iteration i of the whole test starts at the
 * same moment on whichever instance owns it); ramping-vus by its own steps.
 */
export function segmentScenarios(configs: BaseConfig[], t: ExecutionTuple): SegmentedScenarios {
  if (t.isFull) return { scenarios: configs, disabled: [] };
  const scenarios: BaseConfig[] = [];
  const disabled: string[] = [];
  for (const c of configs) {
    const s = segmentOne(c, t);
    if (s) scenarios.push(s);
    else disabled.push(c.name);
  }
  return { scenarios, disabled };
}

function segmentOne(c: BaseConfig, t: ExecutionTuple): BaseConfig | null {
  switch (c.type) {
    case 'shared-iterations': {
      const x = c as SharedIterationsConfig;
      const vus = t.scale(x.vus);
      if (vus === 0 || t.scale(x.iterations) === 0) return null;
      const byVus = t.fromValue(x.vus);
      return byVus ? ({ ...x, vus, iterations: byVus.scale(x.iterations) } as SharedIterationsConfig) : null;
    }
    case 'per-vu-iterations':
    case 'constant-vus': {
      const vus = t.scale((c as ConstantVusConfig).vus);
      return vus > 0 ? ({ ...c, vus } as BaseConfig) : null;
    }
    case 'ramping-vus': {
      const x = c as RampingVusConfig;
      const segmentSteps = rampingVusSegmentSteps(x.startVUs, x.stages, t);
      if (Math.max(...segmentSteps.map((s) => s.vus)) === 0) return null;
      return { ...x, startVUs: t.scale(x.startVUs), segmentSteps } as RampingVusConfig;
    }
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const x = c as ConstantArrivalRateConfig | RampingArrivalRateConfig;
      const maxVUs = t.scale(x.maxVUs);
      const byMax = t.fromValue(x.maxVUs);
      if (maxVUs === 0 || !byMax) return null;
      const { start, offsets } = byMax.stride();
      const out: ConstantArrivalRateConfig | RampingArrivalRateConfig = {
        ...x,
        preAllocatedVUs: t.scale(x.preAllocatedVUs),
        maxVUs,
        stride: { start, offsets },
      };
      return out;
    }
  }
}
