/**
 * The pure helpers of scenarios/lib: Server-Timing parsing, the seeded PRNG
 * and zipfian sampler, id sets and partitions, settings from __ENV and the
 * thresholds built from targets. They run in k6 and import nothing from it,
 * so Node tests check them directly.
 */
import { describe, expect, it } from 'vitest';
import { ACK_KINDS } from '../schema/description.ts';
import { QUERY_TYPES as CONFIG_QUERY_TYPES, configSchema } from '../config/schema.ts';
import { cacheOpOf, parseServerTiming, QUERY_TYPES } from '../scenarios/lib/server-timing.ts';
import { createRng, mixSeed, ZipfSampler } from '../scenarios/lib/random.ts';
import { normalizeCatalog, normalizeIdSet, nth, partitionMember, sizeOf, ZipfPicker } from '../scenarios/lib/ids.ts';
import { durationToSeconds, readSettings, scaled } from '../scenarios/lib/settings.ts';
import { fmt, parseTargets, REPORT_TARGETS, reportThresholds } from '../scenarios/lib/thresholds.ts';
import { readFileSync } from 'node:fs';

describe('parseServerTiming', () => {
  const cases: Array<[string, Array<{ name: string; dur?: number; desc?: string }>]> = [
    [
      'db;dur=1.7;desc="join", cache;dur=0.21;desc="get-hit"',
      [
        { name: 'db', dur: 1.7, desc: 'join' },
        { name: 'cache', dur: 0.21, desc: 'get-hit' },
      ],
    ],
    ['db;desc="simple";dur=3', [{ name: 'db', dur: 3, desc: 'simple' }]],
    ['cache;dur=0.5;desc=set', [{ name: 'cache', dur: 0.5, desc: 'set' }]],
    [
      'x;desc="a, b; c";dur=2, y;dur=1',
      [
        { name: 'x', dur: 2, desc: 'a, b; c' },
        { name: 'y', dur: 1 },
      ],
    ],
    ['db;dur=abc;desc="join"', [{ name: 'db', desc: 'join' }]],
    ['db;dur=1;dur=2', [{ name: 'db', dur: 1 }]],
    ['  , db ; dur = 4 ; desc = "index_scan" ,', [{ name: 'db', dur: 4, desc: 'index_scan' }]],
    ['"bad name";dur=1, ok', [{ name: 'ok' }]],
    ['x;desc="say \\"hi\\""', [{ name: 'x', desc: 'say "hi"' }]],
    ['', []],
  ];
  it.each(cases)('%s', (header, want) => {
    const got = parseServerTiming(header).map((e) => {
      const o: { name: string; dur?: number; desc?: string } = { name: e.name };
      if (e.dur !== undefined) o.dur = e.dur;
      if (e.desc !== undefined) o.desc = e.desc;
      return o;
    });
    expect(got).toEqual(want);
  });
  it('reads no header as no entries', () => {
    expect(parseServerTiming(undefined)).toEqual([]);
  });
  it('maps cache descs to ops', () => {
    expect(cacheOpOf('get-hit')).toEqual({ op: 'get', result: 'hit' });
    expect(cacheOpOf('get-miss')).toEqual({ op: 'get', result: 'miss' });
    expect(cacheOpOf('exists')).toEqual({ op: 'exists' });
    expect(cacheOpOf('get-error')).toBeUndefined();
  });
  it('knows the same query types as the configuration', () => {
    expect([...QUERY_TYPES]).toEqual([...CONFIG_QUERY_TYPES]);
  });
});

describe('seeded randomness', () => {
  it('repeats a sequence for a seed and differs across seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(mixSeed(7, 2));
    const sa = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(sa);
    expect(Array.from({ length: 5 }, c)).not.toEqual(sa);
    for (const v of sa) expect(v >= 0 && v < 1).toBe(true);
  });

  it('draws zipfian ranks: rank 1 most often, frequencies near 1/k^s', () => {
    const n = 1000;
    const s = 1.0;
    const z = new ZipfSampler(n, s);
    const rng = createRng(42);
    const draws = 200_000;
    const counts = new Array(n + 1).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < draws; i++) {
      const k = z.sample(rng);
      if (k < 1 || k > n) outOfRange++;
      else counts[k]++;
    }
    expect(outOfRange).toBe(0);
    let h = 0;
    for (let k = 1; k <= n; k++) h += 1 / k ** s;
    for (const k of [1, 2, 5, 10]) {
      const expected = draws / (k ** s * h);
      expect(Math.abs(counts[k] - expected) / expected).toBeLessThan(0.05);
    }
    expect(counts[1]).toBeGreaterThan(counts[100] * 50);
  });

  it('handles n = 1 and huge n', () => {
    const rng = createRng(1);
    expect(new ZipfSampler(1, 0.99).sample(rng)).toBe(1);
    const big = new ZipfSampler(50_000_000, 0.99);
    for (let i = 0; i < 1000; i++) {
      const k = big.sample(rng);
      expect(k >= 1 && k <= 50_000_000).toBe(true);
    }
  });
});

describe('id sets', () => {
  it('normalises the target /ids shapes', () => {
    expect(normalizeIdSet({ min: 3, max: 9 })).toEqual({ kind: 'range', min: 3, max: 9 });
    expect(normalizeIdSet({ min: 2, max: 40, count: 3, sample: [2, 17, 40] })).toEqual({
      kind: 'list',
      ids: [2, 17, 40],
    });
    expect(sizeOf(normalizeIdSet(null))).toBe(0);
    expect(sizeOf(normalizeIdSet({ min: null, max: null, count: 0, sample: [] }))).toBe(0);
    const cat = normalizeCatalog({
      users: { min: 1, max: 10 },
      configKeys: ['a'],
      auditWindow: { from: 'F', to: 'T' },
    });
    expect(sizeOf(cat.users)).toBe(10);
    expect(sizeOf(cat.policies)).toBe(0);
    expect(cat.auditWindow).toEqual({ from: 'F', to: 'T' });
  });

  it('zipf picks hit the first ids most', () => {
    const set = normalizeIdSet({ min: 101, max: 200 });
    const zp = new ZipfPicker(createRng(3));
    const counts: Record<number, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const id = zp.pick(set) as number;
      counts[id] = (counts[id] ?? 0) + 1;
    }
    expect(counts[101]).toBeGreaterThan(counts[150] ?? 0);
    expect(Math.min(...Object.keys(counts).map(Number))).toBe(101);
    expect(Math.max(...Object.keys(counts).map(Number))).toBeLessThanOrEqual(200);
  });

  it('partitions never give two VUs the same id', () => {
    const set = normalizeIdSet({ min: 1, max: 1000 });
    const seen = new Map<number, number>();
    for (let vu = 1; vu <= 10; vu++) {
      for (let j = 0; j < 100; j++) {
        const { id, exclusive } = partitionMember(set, vu, 10, j);
        expect(exclusive).toBe(true);
        expect(seen.has(id as number)).toBe(false);
        seen.set(id as number, vu);
      }
    }
    expect(seen.size).toBe(1000);
    // The tail of the set comes first (the seed's coldest users).
    expect(partitionMember(set, 1, 10, 0).id).toBe(1000);
    expect(partitionMember(set, 1, 10, 100).exclusive).toBe(false);
    expect(nth(set, 1000)).toBe(1);
  });
});

describe('settings from __ENV', () => {
  it('has defaults', () => {
    const s = readSettings({});
    expect(s.baseUrl).toBe('http://127.0.0.1:8080');
    expect(s.ladderUsers).toEqual([10, 25, 50, 100]);
    expect(s.targets).toEqual(REPORT_TARGETS);
    expect(s.targetsGiven).toBe(false);
    expect(scaled(s, 60)).toBe('60s');
  });
  it('reads every variable', () => {
    const s = readSettings({
      BASE_URL: 'http://h:1/',
      RUN_ID: 'r1',
      SEED: '9',
      THINK_MIN_MS: '0',
      THINK_MAX_MS: '5',
      DURATION_FACTOR: '0.05',
      LADDER_USERS: '1, 2',
      LADDER_STEP_SECONDS: '2',
      QUERY_MIX_RATE: '3',
      VUS: '4',
      DURATION_SECONDS: '10',
      STAGES: '[{"durationSeconds":5,"target":2},{"duration":"1m","target":0}]',
      TARGETS: '{"avgQueryMs":1}',
    });
    expect(s.baseUrl).toBe('http://h:1');
    expect(s.runId).toBe('r1');
    expect(s.ladderUsers).toEqual([1, 2]);
    expect(s.stages).toEqual([
      { durationSeconds: 5, target: 2 },
      { durationSeconds: 60, target: 0 },
    ]);
    expect(s.targets.avgQueryMs).toBe(1);
    expect(s.targets.cacheHitRate).toBe(0.995);
    expect(s.targetsGiven).toBe(true);
    expect(scaled(s, 60)).toBe('3s');
    expect(scaled(s, 1)).toBe('1s');
  });
  it.each([
    ['THINK_MIN_MS', 'abc'],
    ['LADDER_USERS', '10,x'],
    ['VUS', '0'],
    ['STAGES', '{'],
    ['TARGETS', '[1'],
    ['BASE_URL', 'ftp://x'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => readSettings({ [name]: value })).toThrow(name);
  });
  it('parses k6 durations', () => {
    expect(durationToSeconds('1h30m')).toBe(5400);
    expect(durationToSeconds('500ms')).toBe(0.5);
    expect(() => durationToSeconds('5 minutes')).toThrow();
  });
});

describe('thresholds from targets', () => {
  it('defaults to the report targets, as the configuration does', () => {
    const cfg = configSchema.parse({}).targets;
    const t = parseTargets(JSON.stringify(cfg));
    expect(t).toEqual(REPORT_TARGETS);
    const th = reportThresholds(t, { cacheHit: true });
    expect(th.db_query_duration).toEqual(['avg<=200']);
    // Judged on the reads where a hit was expected; the overall rate is shown, not judged.
    expect(th['cache_hit{cache_expect:hit}']).toEqual(['rate>=0.995']);
    expect(th.cache_hit).toEqual(['rate>=0']);
    expect(th.cache_op_duration).toEqual(['avg<=10']);
    expect(th.http_req_failed).toEqual(['rate<=0.01']);
    expect(th.checks).toEqual(['rate>=0.99']);
    expect(th['db_query_duration{query_type:join}']).toEqual(['p(95)<=100', 'p(99)<=200']);
  });
  it('judges a subset of query types, and the hit rate only when asked', () => {
    const th = reportThresholds(REPORT_TARGETS, { queryTypes: ['simple'] });
    expect(th['cache_hit{cache_expect:hit}']).toEqual(['rate>=0']); // shown, not judged
    expect(th['cache_hit{miss_cause:unexpected}']).toEqual(['rate>=0']);
    expect(Object.keys(th).filter((k) => k.includes('query_type'))).toEqual(['db_query_duration{query_type:simple}']);
  });
  it('judges no per-query-type p95/p99 when the targets say percentiles false (the smoke profile)', () => {
    const t = parseTargets(JSON.stringify({ percentiles: false }));
    expect(REPORT_TARGETS.percentiles).toBe(true);
    const th = reportThresholds(t, {});
    // listed in the summary by a threshold that cannot fail, not judged
    for (const [k, v] of Object.entries(th).filter(([k]) => k.includes('query_type'))) expect(v, k).toEqual(['max>=0']);
    expect(th['db_query_duration{query_type:complex}']).toEqual(['max>=0']);
    expect(th.db_query_duration).toEqual(['avg<=200']);
  });
  it('writes numbers k6 can parse', () => {
    expect(fmt(0.0001)).toBe('0.0001');
    expect(fmt(1e-7)).toBe('0.0000001');
    expect(fmt(1 - 0.99)).toBe('0.01');
  });
  it('rejects a bad target', () => {
    expect(() => parseTargets('{"avgQueryMs":"fast"}')).toThrow('TARGETS.avgQueryMs');
  });
});

describe('acknowledged write kinds', () => {
  it('are the kinds the checkers know (schema/description.ts ACK_KINDS)', () => {
    const src = readFileSync(new URL('../scenarios/lib/metrics.ts', import.meta.url), 'utf8');
    const m = /ACK_KIND_NAMES = \[([^\]]+)\]/.exec(src);
    const names = (m?.[1] ?? '')
      .split(',')
      .map((s) => s.trim().replace(/'/g, ''))
      .filter(Boolean);
    expect(names.sort()).toEqual(Object.keys(ACK_KINDS).sort());
  });
});
