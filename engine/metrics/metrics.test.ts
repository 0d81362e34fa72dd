/**
 * Metrics conformance: k6's registry rules, sub-metric routing, the values
 * each sink type reports (docs "Metrics" > metric types; k6 js/summary.go),
 * Trend percentiles against k6's exact method, merging and bounded memory.
 */
import { describe, expect, it } from 'vitest';
import {
  CounterSink,
  GaugeSink,
  RateSink,
  Registry,
  TrendSink,
  defineBuiltinMetrics,
  sinkFromJSON,
  validateTrendStats,
} from './index.ts';

/** k6's pre-HDR percentile: linear interpolation between the closest ranks (metrics/sink.go). */
function exactPercentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  if (sorted.length === 1) return sorted[0];
  const i = p * (sorted.length - 1);
  const lo = sorted[Math.floor(i)];
  const hi = sorted[Math.ceil(i)];
  return lo + (hi - lo) * (i - Math.floor(i));
}

/** Deterministic PRNG (mulberry32) so the distributions are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const distributions: Array<[string, (r: () => number) => number]> = [
  ['uniform 0..1000 ms', (r) => r() * 1000],
  ['log-normal latency', (r) => Math.exp(Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()) * 0.8 + 2)],
  ['integers 1..50', (r) => 1 + Math.floor(r() * 50)],
  ['sub-millisecond', (r) => r() * 0.9],
  ['mixed sign', (r) => r() * 200 - 100],
  ['heavy tail', (r) => 1 / (1 - r() * 0.999)],
];

describe('Registry (k6 metrics/registry.go)', () => {
  it('addBatch records exactly what add() records for each sample, sub-metrics and listeners included', () => {
    const one = new Registry();
    const batch = new Registry();
    const seen: Record<string, string[]> = { one: [], batch: [] };
    for (const [r, k] of [
      [one, 'one'],
      [batch, 'batch'],
    ] as const) {
      defineBuiltinMetrics(r);
      r.addSubmetric('http_req_waiting{status:200}');
      r.addSubmetric('http_reqs{status:500}');
      r.onSample((s, m) => seen[k].push(`${m.name}=${s.metric} ${s.value} ${JSON.stringify(s.tags)} ${s.time}`));
    }
    const names = ['http_reqs', 'http_req_duration', 'http_req_waiting', 'http_req_failed'];
    const metrics = batch.resolve(names);
    const rnd = rng(7);
    for (let i = 0; i < 500; i++) {
      const tags = { status: rnd() < 0.7 ? '200' : '500', expected_response: String(rnd() < 0.7) };
      const values = [1, rnd() * 30, rnd() * 25, rnd() < 0.3 ? 1 : 0];
      const n = i % 5 === 0 ? 3 : 4; // a prefix only, as when http_req_failed is off
      for (let j = 0; j < n; j++) one.add({ metric: names[j], value: values[j], tags, time: 1000 + i });
      batch.addBatch(metrics, values, n, tags, 1000 + i);
    }
    expect(seen.batch).toEqual(seen.one);
    const dump = (r: Registry) =>
      r.metrics().map((m) => [m.name, m.sink.toJSON(), m.submetrics.map((sm) => [sm.name, sm.sink.toJSON()])]);
    expect(dump(batch)).toEqual(dump(one));
    expect(batch.lookup('http_reqs{status:500}')!.sink.count).toBeGreaterThan(0);
    expect(() => batch.resolve(['http_reqs', 'nope'])).toThrow(/metric 'nope' is not defined/);
  });

  it('accepts k6 metric names and rejects the rest with the rule in the message', () => {
    const r = new Registry();
    for (const ok of ['a', '_x', 'my_metric_1', 'A'.repeat(128)]) expect(() => r.define(ok, 'counter')).not.toThrow();
    for (const bad of ['', '1abc', 'with-dash', 'with space', 'é', 'A'.repeat(129)]) {
      expect(() => r.define(bad, 'counter')).toThrow(
        /Invalid metric name: '.*'\. Metric names should start with a letter/,
      );
    }
  });

  it('returns the same metric for the same definition and refuses a different one', () => {
    const r = new Registry();
    const m = r.define('latency', 'trend', 'time');
    expect(r.define('latency', 'trend', 'time')).toBe(m);
    expect(r.define('latency', 'trend')).toBe(m); // contains not given: not compared, as k6
    expect(() => r.define('latency', 'counter')).toThrow(
      "metric 'latency' already exists but with type trend, instead of counter",
    );
    expect(() => r.define('latency', 'trend', 'data')).toThrow(
      "metric 'latency' already exists but with a value type time, instead of data",
    );
    expect(r.define('plain', 'rate').contains).toBe('default');
  });

  it('defines the built-in metrics with k6 types and value types', () => {
    const r = new Registry();
    defineBuiltinMetrics(r);
    const shape = (n: string) => [r.get(n)?.type, r.get(n)?.contains];
    expect(shape('vus')).toEqual(['gauge', 'default']);
    expect(shape('vus_max')).toEqual(['gauge', 'default']);
    expect(shape('iterations')).toEqual(['counter', 'default']);
    expect(shape('iteration_duration')).toEqual(['trend', 'time']);
    expect(shape('dropped_iterations')).toEqual(['counter', 'default']);
    expect(shape('checks')).toEqual(['rate', 'default']);
    expect(shape('http_reqs')).toEqual(['counter', 'default']);
    expect(shape('http_req_failed')).toEqual(['rate', 'default']);
    for (const t of ['duration', 'blocked', 'connecting', 'tls_handshaking', 'sending', 'waiting', 'receiving']) {
      expect(shape(`http_req_${t}`)).toEqual(['trend', 'time']);
    }
    expect(shape('data_sent')).toEqual(['counter', 'data']);
    expect(shape('data_received')).toEqual(['counter', 'data']);
    expect(r.get('http_req_duration')?.submetrics.map((s) => s.name)).toEqual([
      'http_req_duration{expected_response:true}',
    ]);
    defineBuiltinMetrics(r); // idempotent
    expect(r.get('http_req_duration')?.submetrics).toHaveLength(1);
  });

  it('routes samples into sub-metrics only when every selector tag matches', () => {
    const r = new Registry();
    r.define('q', 'trend', 'time');
    const join = r.addSubmetric('q{query_type:join}');
    const both = r.addSubmetric('q{ query_type : "join" , cache:miss}');
    expect(r.addSubmetric("q{'query_type':'join'}")).toBe(join); // same tags -> same sub-metric
    expect(join.name).toBe('q{query_type:join}');
    expect(both.tags).toEqual({ query_type: 'join', cache: 'miss' });
    const t = 0;
    r.add({ metric: 'q', value: 10, tags: { query_type: 'join', cache: 'hit' }, time: t });
    r.add({ metric: 'q', value: 20, tags: { query_type: 'join', cache: 'miss' }, time: t });
    r.add({ metric: 'q', value: 30, tags: { query_type: 'point' }, time: t });
    r.add({ metric: 'q', value: 40, tags: {}, time: t });
    expect(r.get('q')!.sink.count).toBe(4);
    expect(join.sink.values({ durationMs: 1, trendStats: ['count', 'min', 'max'] })).toEqual({
      count: 2,
      min: 10,
      max: 20,
    });
    expect(both.sink.values({ durationMs: 1, trendStats: ['count', 'min'] })).toEqual({ count: 1, min: 20 });
    expect(r.lookup('q{cache:miss,query_type:join}')).toBe(both);
    expect(r.lookup('q')).toBe(r.get('q'));
  });

  it('rejects sub-metrics of unknown metrics and malformed selectors', () => {
    const r = new Registry();
    r.define('m', 'counter');
    expect(() => r.addSubmetric('nope{a:b}')).toThrow("metric 'nope' does not exist in the script");
    expect(() => r.addSubmetric('m{a:b')).toThrow(/unmatched/);
    expect(() => r.addSubmetric('m{a}')).toThrow(/tag expression 'a' is malformed/);
    expect(() => r.addSubmetric('m{a:}')).toThrow(/malformed/);
    expect(() => r.addSubmetric('m{a:b}x')).toThrow(/must end with its closing curly brace/);
    expect(() => r.addSubmetric('m{}')).toThrow(/malformed/);
    expect(() => r.add({ metric: 'ghost', value: 1, tags: {}, time: 0 })).toThrow(/undefined metric 'ghost'/);
  });

  it('notifies listeners of each sample until they unsubscribe', () => {
    const r = new Registry();
    r.define('c', 'counter');
    const seen: number[] = [];
    const off = r.onSample((s, m) => seen.push(s.value + (m.name === 'c' ? 0 : 1000)));
    r.add({ metric: 'c', value: 1, tags: {}, time: 0 });
    off();
    r.add({ metric: 'c', value: 2, tags: {}, time: 0 });
    expect(seen).toEqual([1]);
  });
});

describe('sink values (k6 js/summary.go metricValueGetter)', () => {
  it('counter: count and per-second rate over the test duration', () => {
    const c = new CounterSink();
    for (const v of [1, 2, 3, 4]) c.add(v, 1000);
    expect(c.values({ durationMs: 2000 })).toEqual({ count: 10, rate: 5 });
    expect(c.values({ durationMs: 0 })).toEqual({ count: 10, rate: 0 });
    expect(c.count).toBe(4);
  });

  it('gauge: last value, min and max', () => {
    const g = new GaugeSink();
    for (const [v, t] of [
      [3, 1],
      [9, 2],
      [-2, 3],
      [5, 4],
    ])
      g.add(v, t);
    expect(g.values()).toEqual({ value: 5, min: -2, max: 9 });
  });

  it('rate: share of non-zero values, passes and fails', () => {
    const r = new RateSink();
    for (const v of [1, 0, 1, 1, 0, 2, -1, 0]) r.add(v);
    expect(r.values()).toEqual({ rate: 5 / 8, passes: 5, fails: 3 });
    expect(new RateSink().values()).toEqual({ rate: 0, passes: 0, fails: 0 });
  });

  it('trend: the stats asked, in their order; k6 edge cases for 0 and 1 samples', () => {
    const t = new TrendSink();
    expect(t.values({ durationMs: 1 })).toEqual({ avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0 });
    t.add(7);
    expect(t.values({ durationMs: 1, trendStats: ['p(99)', 'count', 'avg'] })).toEqual({
      'p(99)': 7,
      count: 1,
      avg: 7,
    });
    expect(Object.keys(new TrendSink().values({ durationMs: 1 }))).toEqual([
      'avg',
      'min',
      'med',
      'max',
      'p(90)',
      'p(95)',
    ]);
    for (const v of [1, 2, 3, 4]) t.add(v);
    // sorted 1,2,3,4,7: med = 3; p(90): i = 0.9*4 = 3.6 -> 4 + 0.6*(7-4) = 5.8. min, max, avg and
    // the end ranks are exact; inner ranks are within the histogram's 1/1000.
    const v = t.values({ durationMs: 1, trendStats: ['min', 'med', 'p(90)', 'max', 'avg', 'p(0)', 'p(100)'] });
    expect(Object.keys(v)).toEqual(['min', 'med', 'p(90)', 'max', 'avg', 'p(0)', 'p(100)']);
    expect(v).toMatchObject({ min: 1, max: 7, avg: 17 / 5, 'p(0)': 1, 'p(100)': 7 });
    expect(Math.abs(v.med - 3)).toBeLessThanOrEqual(3e-3);
    expect(Math.abs(v['p(90)'] - 5.8)).toBeLessThanOrEqual(5.8e-3);
  });

  it('validates trend stats with k6 wording', () => {
    expect(validateTrendStats(['avg', 'min', 'med', 'max', 'count', 'p(99.9)', 'p(0)', 'p(100)'])).toEqual([]);
    expect(validateTrendStats(['mean', 'p(101)', 'p(x)'])).toEqual([
      "invalid trend stat 'mean', unknown format; use avg, min, med, max, count or p(N)",
      "invalid percentile trend stat value 'p(101)', provide a number between 0 and 100",
      "invalid percentile trend stat value 'p(x)', provide a number between 0 and 100",
    ]);
  });
});

describe('Trend percentiles vs exact k6 computation', () => {
  const ps = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];
  for (const [name, gen] of distributions) {
    it(`${name}: every percentile within HDR precision (1/1000 relative, 0.001 absolute)`, () => {
      const r = rng(42);
      const values = Array.from({ length: 20_000 }, () => gen(r));
      const t = new TrendSink();
      values.forEach((v) => t.add(v));
      const sorted = [...values].sort((a, b) => a - b);
      const got = t.percentiles(ps);
      ps.forEach((p, i) => {
        const exact = exactPercentile(sorted, p);
        expect(Math.abs(got[i] - exact), `p=${p} got ${got[i]} exact ${exact}`).toBeLessThanOrEqual(
          Math.max(Math.abs(exact) * 1e-3, 1e-3),
        );
      });
      expect(t.min).toBe(sorted[0]);
      expect(t.max).toBe(sorted[sorted.length - 1]);
      expect(t.avg).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
    });
  }

  it('a deliberately wrong percentile method (nearest rank, no interpolation) is caught by the same check', () => {
    // Guards the test itself: two values far apart make interpolation matter.
    const t = new TrendSink();
    t.add(100);
    t.add(200);
    expect(t.percentile(0.9)).toBeCloseTo(190, 6);
    const nearestRank = 200;
    expect(Math.abs(nearestRank - exactPercentile([100, 200], 0.9))).toBeGreaterThan(1e-3 * 190);
  });
});

describe('merge and serialisation', () => {
  it('merging two sinks equals one sink fed both streams, for every type', () => {
    const r = rng(7);
    const a = [new CounterSink(), new GaugeSink(), new RateSink(), new TrendSink()];
    const b = [new CounterSink(), new GaugeSink(), new RateSink(), new TrendSink()];
    const all = [new CounterSink(), new GaugeSink(), new RateSink(), new TrendSink()];
    for (let i = 0; i < 5000; i++) {
      const v = r() < 0.1 ? -r() * 50 : r() * 5000;
      const time = i;
      const side = r() < 0.5 ? a : b;
      for (let k = 0; k < 4; k++) {
        const val = k === 2 ? (v > 100 ? 1 : 0) : v;
        side[k].add(val, time);
        all[k].add(val, time);
      }
    }
    const opts = { durationMs: 5000, trendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99.9)', 'count'] };
    for (let k = 0; k < 4; k++) {
      a[k].merge(b[k]);
      const merged = a[k].values(opts);
      const single = all[k].values(opts);
      for (const key of Object.keys(single)) expect(merged[key], `${a[k].type}.${key}`).toBeCloseTo(single[key], 6);
      expect(a[k].count).toBe(all[k].count);
      // Round trip through JSON (as another instance would send it) keeps every value.
      const back = sinkFromJSON(JSON.parse(JSON.stringify(a[k].toJSON())));
      expect(back.values(opts)).toEqual(merged);
    }
  });

  it('refuses to merge sinks of different types', () => {
    expect(() => new CounterSink().merge(new RateSink())).toThrow(/cannot merge a rate sink into a counter sink/);
    expect(() => sinkFromJSON({ type: 'histogram' })).toThrow(/not a serialised sink/);
  });

  it('memory is bounded: footprint fixed by the value range, serialised size nearly flat in the sample count', () => {
    const after = (n: number) => {
      const r = rng(3);
      const t = new TrendSink();
      for (let i = 0; i < n; i++) t.add(1 + r() * 999);
      return { bytes: t.footprintBytes, json: JSON.stringify(t.toJSON()).length };
    };
    // 1..1000 ms at 0.001 resolution spans ~10k buckets: 2e5 samples fill them.
    const filled = after(200_000);
    const big = after(1_000_000);
    expect(big.bytes).toBe(filled.bytes);
    expect(big.bytes).toBeLessThan(128 * 1024);
    // Compressed counts grow by a byte or so as counts grow, not with each sample.
    expect(big.json).toBeLessThan(64 * 1024);
    expect(big.json).toBeLessThan(filled.json * 1.5);
  });
});
