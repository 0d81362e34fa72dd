/**
 * The per-query-type and cache targets are judged on the measured-load
 * scenarios merged (an HDR merge of their k6 streams), never on the first
 * scenario that has the metric, and never on smoke unless smoke is all the
 * run has.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../config/index.ts';
import { writeFixtureRun, writeStream, type StreamSpec } from '../../test/helpers/ndjson-fixtures.ts';
import { tempDir } from '../../test/helpers/temp.ts';
import type { RunJson } from '../run-json.ts';
import { metricLine, pointLine } from '../ndjson/k6-records.ts';
import { mergeInstances, readJudgedSamples, readK6Records, readRunSeries, runFromMerged } from '../ndjson/index.ts';
import { TrendSink } from '../../engine/metrics/index.ts';

const T0 = Date.parse('2026-11-27T21:00:00Z');
const nightly = loadConfig({ profile: 'nightly', env: {} });

const spec = (tag: string, o: Partial<StreamSpec> & { rps: number; seconds?: number }): StreamSpec => ({
  startMs: T0,
  seed: tag.length * 7 + o.rps,
  steps: [{ tag, startS: 0, durationS: o.seconds ?? 20, rps: o.rps, medianMs: 5 }],
  hitRate: o.hitRate,
  dbFactor: o.dbFactor,
});

const fig = (run: RunJson, id: string) => {
  const f = run.figures.find((x) => x.id === id);
  if (!f) throw new Error(`no figure ${id}`);
  return f;
};

/** k6's percentile (linear between the two closest ranks) of the exact values. */
function exactPercentile(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  const i = p * (v.length - 1);
  const lo = Math.floor(i);
  return v[lo] + (v[Math.ceil(i)] - v[lo]) * (i - lo);
}

async function valuesOf(file: string, metric: string, tags: Record<string, string>): Promise<number[]> {
  const out: number[] = [];
  for await (const r of readK6Records(file))
    if ('point' in r && r.point.metric === metric && Object.entries(tags).every(([k, v]) => r.point.tags[k] === v))
      out.push(r.point.value);
  return out;
}

/** smoke fast and all hits; query-mix and user-journey slow (x100, x20) and half misses. */
async function mixedRun(config: Readonly<Config>, smokeSlow = false): Promise<{ run: RunJson; dir: string }> {
  const dir = tempDir('acgs-judged-');
  const slow = smokeSlow ? 1 : 100;
  const run = await writeFixtureRun(
    dir,
    [
      { name: 'smoke', spec: spec('smoke', { rps: 5, dbFactor: smokeSlow ? 100 : 1, hitRate: smokeSlow ? 0.5 : 1 }) },
      { name: 'query-mix', spec: spec('query-mix', { rps: 60, dbFactor: slow, hitRate: smokeSlow ? 1 : 0.5 }) },
      {
        name: 'user-journey',
        spec: spec('user-journey', { rps: 25, dbFactor: smokeSlow ? 1 : 20, hitRate: smokeSlow ? 1 : 0.5 }),
      },
    ],
    { config, judge: true },
  );
  return { run, dir };
}

describe('targets judged on the measured-load scenarios merged', () => {
  it('smoke passes, the others fail: the verdict follows the merged measured-load scenarios', async () => {
    const { run, dir } = await mixedRun(nightly);
    const simpleP95 = fig(run, 'query.simple.p95');
    expect(simpleP95.pass).toBe(false);
    expect(fig(run, 'cache.hitRate').pass).toBe(false);
    expect(run.exitCode).toBe(4);
    // The source names the merged scenarios (not smoke) and the count is the sum of their samples.
    const counts = await Promise.all(
      ['query-mix', 'user-journey'].map(
        async (s) =>
          (await valuesOf(join(dir, `k6/${s}.metrics.ndjson`), 'db_query_duration', { query_type: 'simple' })).length,
      ),
    );
    const sum = counts[0] + counts[1];
    expect(fig(run, 'query.simple.count').value).toBe(sum);
    expect(simpleP95.source).toBe(
      `k6 db_query_duration{query_type:simple} from Server-Timing, merged HDR of scenarios query-mix, user-journey (${sum.toLocaleString('en-US')} samples)`,
    );
    expect(simpleP95.source).not.toContain('smoke');
    const hits = (
      await Promise.all(
        ['query-mix', 'user-journey'].map(async (s) => valuesOf(join(dir, `k6/${s}.metrics.ndjson`), 'cache_hit', {})),
      )
    ).flat();
    expect(fig(run, 'cache.hitRate').value).toBeCloseTo(hits.filter((v) => v !== 0).length / hits.length, 12);
    expect(fig(run, 'cache.hitRate').source).toContain(
      `merged HDR of scenarios query-mix, user-journey (${hits.length.toLocaleString('en-US')} samples)`,
    );
    expect(fig(run, 'cache.get.p95').source).toContain('scenarios query-mix, user-journey');
    expect(fig(run, 'query.all.avg').source).toContain('scenarios query-mix, user-journey');
  });

  it("report.html's query and hit-rate charts count the samples the tables judge (smoke left out)", async () => {
    const { run, dir } = await mixedRun(nightly);
    const series = await readRunSeries(dir, run);
    expect(series.judgedScenarios).toEqual({
      queries: ['query-mix', 'user-journey'],
      cache: ['query-mix', 'user-journey'],
    });
    const charted = (series.queryLatency.simple ?? []).reduce((a, p) => a + p.count, 0);
    expect(charted).toBe(fig(run, 'query.simple.count').value);
    const all = series.queryLatencyAll.reduce((a, p) => a + p.count, 0);
    const judgedAll = ['simple', 'join', 'aggregation', 'complex', 'index_scan']
      .map((t) => run.figures.find((f) => f.id === `query.${t}.count`)?.value ?? 0)
      .reduce((a, b) => a + b, 0);
    expect(all).toBe(judgedAll);
    const hits = series.cacheHitRate.reduce((a, p) => a + p.count, 0);
    const judgedHits = /\(([\d,]+) samples\)/.exec(fig(run, 'cache.hitRate').source)![1];
    expect(hits).toBe(Number(judgedHits.replace(/,/g, '')));
  });

  it('smoke fails, the others pass: the run passes the per-type and hit-rate targets', async () => {
    const { run } = await mixedRun(nightly, true);
    for (const qt of ['simple', 'join', 'aggregation', 'complex', 'index_scan']) {
      expect(fig(run, `query.${qt}.p95`).pass, qt).toBe(true);
      expect(fig(run, `query.${qt}.p99`).pass, qt).toBe(true);
    }
    expect(fig(run, 'cache.hitRate').pass).toBe(true);
  });

  it('merged p95 is the p95 of the union of samples (within HDR precision), not the average of p95s', async () => {
    const { run, dir } = await mixedRun(nightly);
    const per = await Promise.all(
      ['query-mix', 'user-journey'].map((s) =>
        valuesOf(join(dir, `k6/${s}.metrics.ndjson`), 'db_query_duration', { query_type: 'join' }),
      ),
    );
    const union = exactPercentile(per.flat(), 0.95);
    const averaged = (exactPercentile(per[0], 0.95) + exactPercentile(per[1], 0.95)) / 2;
    const merged = fig(run, 'query.join.p95').value!;
    // TrendSink: each value within 1/2048 relative of the true one (engine/metrics/trend-sink.ts).
    expect(Math.abs(merged - union) / union).toBeLessThan(1 / 1000);
    expect(Math.abs(merged - averaged) / union).toBeGreaterThan(0.1);
    // The same as one HDR sink fed every sample.
    const sink = new TrendSink();
    for (const v of per.flat()) sink.add(v);
    expect(merged).toBeCloseTo(sink.percentile(0.95), 9);
  });

  it('targets.judgedOn narrows the judged scenarios; the source and count follow', async () => {
    const config = loadConfig({
      profile: 'nightly',
      env: {},
      flags: { targets: { judgedOn: { queryTypes: ['user-journey'], cache: ['smoke'] } } },
    });
    const { run, dir } = await mixedRun(config);
    const uj = await valuesOf(join(dir, 'k6/user-journey.metrics.ndjson'), 'db_query_duration', {
      query_type: 'simple',
    });
    expect(fig(run, 'query.simple.count').value).toBe(uj.length);
    expect(fig(run, 'query.simple.p95').source).toContain(`scenario user-journey (${uj.length} samples)`);
    // smoke named explicitly: all hits.
    expect(fig(run, 'cache.hitRate').value).toBe(1);
    expect(fig(run, 'cache.hitRate').source).toContain('scenario smoke (');
  });

  it('the smoke profile (smoke alone) still judges smoke', async () => {
    const dir = tempDir('acgs-judged-smoke-');
    const smoke = loadConfig({ profile: 'smoke', env: {} });
    const run = await writeFixtureRun(dir, [{ name: 'smoke', spec: spec('smoke', { rps: 5 }) }], { config: smoke });
    const n = (await valuesOf(join(dir, 'k6/smoke.metrics.ndjson'), 'db_query_duration', { query_type: 'simple' }))
      .length;
    expect(n).toBeGreaterThan(0);
    expect(fig(run, 'query.simple.p95').value).not.toBeNull();
    expect(fig(run, 'query.simple.p95').source).toBe(
      `k6 db_query_duration{query_type:simple} from Server-Timing, scenario smoke (${n} samples)`,
    );
    expect(fig(run, 'cache.hitRate').value).not.toBeNull();
  });

  it('adds "Query latency by scenario": one row per scenario × query type, counts adding up to the headline', async () => {
    const { run } = await mixedRun(nightly);
    const t = run.tables.find((x) => x.title === 'Query latency by scenario');
    expect(t).toBeDefined();
    expect(t!.rows).toHaveLength(3 * 5);
    expect(t!.columns).toEqual(['scenario', 'query type', 'p50', 'p95', 'p99', 'queries', 'judged']);
    expect(t!.rows.map((r) => `${r[0]}/${r[1]}`)).toContain('smoke/index_scan');
    for (const qt of ['simple', 'join', 'aggregation', 'complex', 'index_scan']) {
      const judged = ['query-mix', 'user-journey'].map((s) => fig(run, `query.scenario.${s}.${qt}.count`).value!);
      expect(judged[0] + judged[1]).toBe(fig(run, `query.${qt}.count`).value);
      expect(fig(run, `query.scenario.smoke.${qt}.p95`).value).not.toBeNull();
    }
    expect(t!.rows.find((r) => r[0] === 'smoke')![6]).toBe('no');
    expect(t!.rows.find((r) => r[0] === 'query-mix')![6]).toBe('yes');
  });

  it('keeps the expected-hit reads, the overall rate and each miss cause apart in the merged samples', async () => {
    const dir = tempDir('acgs-judged-expect-');
    const file = join(dir, 'cache-ops.metrics.ndjson');
    const lines = [metricLine('cache_hit', 'rate')];
    for (let i = 0; i < 10; i++) lines.push(pointLine('cache_hit', T0 + i, 1, { cache_expect: 'hit' }));
    lines.push(pointLine('cache_hit', T0, 0, { cache_expect: 'hit', miss_cause: 'unexpected' }));
    for (let i = 0; i < 30; i++)
      lines.push(pointLine('cache_hit', T0 + i, 0, { cache_expect: 'miss', miss_cause: 'never_warmed' }));
    writeFileSync(file, lines.join('\n') + '\n');
    const m = (await readJudgedSamples([file])).merger.finish().metrics;
    expect(m['cache_hit{cache_expect:hit}'].values).toMatchObject({ passes: 10, fails: 1 });
    expect(m.cache_hit.values).toMatchObject({ passes: 10, fails: 31 });
    expect(m['cache_hit{miss_cause:never_warmed}'].values.fails).toBe(30);
    expect(m['cache_hit{miss_cause:unexpected}'].values.fails).toBe(1);
    expect(m['cache_hit{miss_cause:expired}']?.values.fails ?? 0).toBe(0); // no sample: not in the summary
  });

  it("acgs-load report --merge judges the same way: the instance merge carries each scenario's samples", async () => {
    const pods = ['pod-a', 'pod-b'].map((p) => tempDir(`acgs-judged-${p}-`));
    for (const [i, pod] of pods.entries()) {
      await writeStream(join(pod, 'smoke.metrics.ndjson'), { ...spec('smoke', { rps: 5 }), seed: 1 + i });
      await writeStream(join(pod, 'query-mix.metrics.ndjson'), { ...spec('query-mix', { rps: 40 }), seed: 3 + i });
    }
    const merged = await mergeInstances(pods);
    const run = runFromMerged(merged, nightly, { runId: 'r', checks: null, ladder: null });
    let n = 0;
    for (const pod of pods)
      n += (await valuesOf(join(pod, 'query-mix.metrics.ndjson'), 'db_query_duration', { query_type: 'simple' }))
        .length;
    expect(fig(run, 'query.simple.count').value).toBe(n);
    expect(fig(run, 'query.simple.p95').source).toContain(`scenario query-mix (${n} samples)`);
  });
});

describe('targets.judgedOn in the configuration', () => {
  it('broken on purpose: a profile naming a scenario it does not run is refused, with a hint', () => {
    const dir = tempDir('acgs-judged-profile-');
    const file = join(dir, 'mine.json');
    writeFileSync(
      file,
      JSON.stringify({
        load: { scenarios: ['query-mix', 'user-journey'] },
        targets: { judgedOn: { cache: ['cache-ops'] } },
      }),
    );
    let err: unknown;
    try {
      loadConfig({ profile: file, env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ kind: 'BAD_CONFIG' });
    expect(String((err as Error).message)).toContain(
      "targets.judgedOn.cache names scenario 'cache-ops', which profile",
    );
    expect(String((err as Error).message)).toContain('load.scenarios: query-mix, user-journey');
    expect((err as { hint?: string }).hint).toMatch(/name only scenarios of load.scenarios/);
    expect(() =>
      loadConfig({ profile: 'load', env: {}, flags: { targets: { judgedOn: { queryTypes: ['smoke'] } } } }),
    ).toThrow(/targets\.judgedOn\.queryTypes names scenario 'smoke'/);
    // A name that is no scenario at all is refused by the schema.
    expect(() =>
      loadConfig({ profile: 'load', env: {}, flags: { targets: { judgedOn: { cache: ['smokey'] } } } }),
    ).toThrow(/targets\.judgedOn\.cache/);
  });

  it('every shipped profile loads, and judges its scenarios but smoke by default', () => {
    for (const p of ['smoke', 'load', 'nightly', 'release', 'soak', 'spike', 'chaos'])
      expect(() => loadConfig({ profile: p, env: {} }), p).not.toThrow();
  });
});
