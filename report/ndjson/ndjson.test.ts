import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { metric, value } from '../k6-summary.ts';
import {
  fixtureFaultResult,
  ladderSteps,
  stepVus,
  writeFixtureRun,
  writeStream,
  summarySkeleton,
  type StreamSpec,
} from '../../test/helpers/ndjson-fixtures.ts';
import { mergeInstances, readK6Records, readRunSeries } from './index.ts';
import { measuredFaultWindows, plannedFaultWindows } from './fault-windows.ts';

const tmp = mkdtempSync(join(tmpdir(), 'acgs-ndjson-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const T0 = Date.parse('2026-11-27T21:00:00Z');

describe('readRunSeries', () => {
  it('downsamples the stream into per-interval buckets whose counts add up to the samples', async () => {
    const dir = join(tmp, 'series');
    const run = await writeFixtureRun(dir, [{ name: 'ladder', spec: { startMs: T0, seed: 1, steps: ladderSteps(5) } }]);
    const series = await readRunSeries(dir, run, { maxPoints: 10 });
    const requests = value(
      metric(
        run.scenarios.length ? JSON.parse(readFileSync(join(dir, run.scenarios[0].files.summaryData), 'utf8')) : null,
        'http_reqs',
      ),
      'count',
    );
    expect(series.totals.http_reqs).toBe(requests);
    expect(series.throughput.length).toBeLessThanOrEqual(10);
    expect(series.throughput.reduce((a, p) => a + p.count, 0)).toBe(requests);
    expect(Object.keys(series.queryLatency).sort()).toEqual(['aggregation', 'complex', 'index_scan', 'join', 'simple']);
    const dbCount = Object.values(series.queryLatency)
      .flat()
      .reduce((a, p) => a + p.count, 0);
    expect(dbCount).toBe(series.totals.db_query_duration);
    // The ladder: one step per users_N tag, with the requests of that step.
    expect(series.ladder.map((s) => s.users)).toEqual([10, 25, 50, 100]);
    expect(series.ladder.map((s) => s.requests)).toEqual([100, 250, 500, 1000]);
    for (const s of series.ladder) expect(s.p95!).toBeGreaterThan(s.p50!);
    // The hockey stick rises and ends at the largest sample's bucket.
    const hdr = series.hdr!;
    expect(hdr.count).toBe(requests);
    expect(hdr.points[0].percentile).toBe(0);
    expect(hdr.points.at(-1)!.percentile).toBeCloseTo(99.999, 3);
    for (let i = 1; i < hdr.points.length; i++) expect(hdr.points[i].ms).toBeGreaterThanOrEqual(hdr.points[i - 1].ms);
    // Cache hits over time and the pool samples.
    expect(series.cacheHitRate.reduce((a, p) => a + p.count, 0)).toBe(series.totals.cache_hit);
    expect(series.pool.length).toBeGreaterThan(0);
    expect(series.pool.length).toBeLessThanOrEqual(10);
    expect(series.files).toEqual(['k6/ladder.metrics.ndjson']);
  });

  it('counts a truncated or foreign line instead of failing, and reads gzipped streams', async () => {
    const file = join(tmp, 'bad.metrics.ndjson');
    await writeStream(file, {
      startMs: T0,
      seed: 2,
      steps: [{ tag: 'users_10', startS: 0, durationS: 1, rps: 3, medianMs: 1 }],
    });
    appendFileSync(file, 'not json\n{"type":"Point","data":{"time":"2026-11-27T21:00:0');
    const stats = { lines: 0, badLines: 0 };
    let points = 0;
    for await (const r of readK6Records(file, stats)) if ('point' in r) points++;
    // 3 requests × 6 metrics, and k6's vus gauge once for the one second.
    expect(points).toBe(3 * 6 + 1);
    expect(stats.badLines).toBe(2);
    const gz = join(tmp, 'bad.metrics.ndjson.gz');
    writeFileSync(gz, gzipSync(readFileSync(file)));
    let gzPoints = 0;
    for await (const r of readK6Records(gz)) if ('point' in r) gzPoints++;
    expect(gzPoints).toBe(points);
  });
});

describe('readRunSeries per scenario', () => {
  it('gives each run.json scenario its VUs, requests and failures over time, and its phase', async () => {
    const dir = join(tmp, 'per-scenario');
    const steps = ladderSteps(4);
    const run = await writeFixtureRun(dir, [
      { name: 'ladder', spec: { startMs: T0, seed: 5, steps } },
      {
        name: 'mix',
        spec: {
          startMs: T0 + 20_000,
          seed: 6,
          failRate: 0.2,
          steps: [{ tag: 'mix', startS: 0, durationS: 10, rps: 20, medianMs: 3, vus: 7 }],
        },
      },
    ]);
    const series = await readRunSeries(dir, run);
    expect(series.scenarios.map((s) => s.name)).toEqual(['ladder', 'mix']);
    const [ladder, mix] = series.scenarios;
    // Requests and failures add up to the stream's samples, scenario by scenario.
    const sum = (s: typeof ladder, k: 'requests' | 'failed') => s.requests.reduce((a, p) => a + p[k], 0);
    expect(sum(ladder, 'requests') + sum(mix, 'requests')).toBe(series.totals.http_reqs);
    expect(sum(ladder, 'requests')).toBe(steps.reduce((a, st) => a + st.rps * st.durationS, 0));
    expect(sum(mix, 'failed')).toBeGreaterThan(0.1 * sum(mix, 'requests'));
    for (const p of mix.requests) expect(p.errorsPerS).toBeCloseTo(p.failed / (mix.intervalMs / 1000), 9);
    // VUs: each ladder step's users, the mix's 7, in the buckets where they ran.
    expect([...new Set(ladder.vus.map((p) => p.vus))]).toEqual(steps.map(stepVus));
    expect(mix.vus.every((p) => p.vus === 7)).toBe(true);
    expect(mix.vus[0].t).toBe(T0 + 20_000);
    // Phases from run.json; the load ends with the last scenario.
    expect(series.phases).toEqual([
      { label: 'ladder', startMs: T0, endMs: T0 + 16_000 },
      { label: 'mix', startMs: T0 + 20_000, endMs: T0 + 30_000 },
    ]);
    expect(series.endMs).toBe(T0 + 30_000);
    expect(series.faultWindows).toEqual([]);
  });

  it('adds up the vus gauge of several k6 instances of one scenario (a gauge per process)', async () => {
    const dir = join(tmp, 'vus-instances');
    const spec = (seed: number, vus: number): StreamSpec => ({
      startMs: T0,
      seed,
      steps: [{ tag: 'soak', startS: 0, durationS: 5, rps: 4, medianMs: 2, vus }],
    });
    await writeStream(join(dir, 'a', 'soak.metrics.ndjson'), spec(1, 3));
    await writeStream(join(dir, 'b', 'soak.metrics.ndjson'), spec(2, 5));
    const run = await writeFixtureRun(join(dir, 'run'), [{ name: 'soak', spec: spec(1, 3) }]);
    const series = await readRunSeries(join(dir, 'run'), run, {
      metricsFiles: [join(dir, 'a', 'soak.metrics.ndjson'), join(dir, 'b', 'soak.metrics.ndjson')],
    });
    expect(series.scenarios.map((s) => s.name)).toEqual(['soak']);
    expect(series.scenarios[0].vus.map((p) => p.vus)).toEqual([8, 8, 8, 8, 8]);
    expect(series.scenarios[0].requests.reduce((a, p) => a + p.requests, 0)).toBe(40);
  });

  it('shades faults where faults.json measured them, else where the configuration planned them', async () => {
    const dir = join(tmp, 'faults');
    const faults = [
      { kind: 'redis-stop' as const, atSeconds: 4, durationSeconds: 3 },
      { kind: 'postgres-restart' as const, atSeconds: 12, durationSeconds: 2, injected: false },
    ];
    const run = await writeFixtureRun(
      dir,
      [
        {
          name: 'mix',
          spec: { startMs: T0, seed: 7, steps: [{ tag: 'mix', startS: 0, durationS: 15, rps: 10, medianMs: 2 }] },
        },
      ],
      { faults },
    );
    const measured = faults.map((f) => fixtureFaultResult(f, T0));
    const series = await readRunSeries(dir, run);
    // The injected one, with the injector's times; the one the load ended before is left out.
    expect(series.faultWindows).toEqual([
      {
        label: 'redis-stop@4s:3s',
        kind: 'redis-stop',
        startMs: measured[0].startedAt,
        endMs: measured[0].endedAt,
        measured: true,
      },
    ]);
    // Without faults.json: the plan, at its seconds after the scenarios' start, lasting the table's measured window.
    rmSync(join(dir, 'faults.json'));
    const planned = (await readRunSeries(dir, run)).faultWindows;
    expect(planned).toEqual([
      {
        label: 'redis-stop@4s:3s',
        kind: 'redis-stop',
        startMs: T0 + 4000,
        endMs: T0 + 4000 + (measured[0].endedAt! - measured[0].startedAt!),
        measured: false,
      },
    ]);
    expect(plannedFaultWindows({ ...run, config: { faults: [] } }, T0)).toEqual([]);
    expect(measuredFaultWindows({ not: 'a list' })).toBeNull();
    expect(measuredFaultWindows([{ ...measured[0], endedAt: null }])![0].endMs).toBe(measured[0].startedAt! + 3000);
  });
});

describe('mergeInstances', () => {
  async function instance(name: string, spec: StreamSpec): Promise<string> {
    const dir = join(tmp, name);
    await writeStream(join(dir, 'ladder.metrics.ndjson'), spec);
    writeFileSync(join(dir, 'ladder.summary.json'), JSON.stringify(summarySkeleton(spec.steps.map((s) => s.tag))));
    return dir;
  }

  it('adds up the counts of both instances and recomputes percentiles from all samples', async () => {
    const a = await instance('inst-a', { startMs: T0, seed: 3, steps: ladderSteps(5, 1) });
    const b = await instance('inst-b', { startMs: T0 + 100, seed: 4, steps: ladderSteps(5, 2), failRate: 0.05 });
    const [ma] = (await mergeInstances([a])).scenarios;
    const [mb] = (await mergeInstances([b])).scenarios;
    const merged = await mergeInstances([a, b]);
    expect(merged.scenarios).toHaveLength(1);
    const m = merged.scenarios[0];
    expect(m.instances).toBe(2);
    const count = (s: typeof m, key: string, tags?: Record<string, string>) =>
      value(metric(s.summary, key, tags), 'count');
    expect(count(m, 'http_reqs')).toBe(count(ma, 'http_reqs')! + count(mb, 'http_reqs')!);
    expect(count(m, 'http_reqs')).toBe(925 + 1850);
    expect(count(m, 'http_reqs', { scenario: 'users_100' })).toBe(500 + 1000);
    expect(count(m, 'db_query_duration')).toBe(count(ma, 'db_query_duration')! + count(mb, 'db_query_duration')!);
    expect(m.samples.http_reqs).toBe(ma.samples.http_reqs + mb.samples.http_reqs);
    const fails = (s: typeof m) => metric(s.summary, 'http_req_failed')!.values;
    expect(fails(m).passes).toBe(fails(ma).passes + fails(mb).passes);
    expect(fails(m).rate).toBeCloseTo(fails(m).passes / (fails(m).passes + fails(m).fails), 12);
    const p95 = (s: typeof m) => value(metric(s.summary, 'http_req_duration'), 'p(95)')!;
    expect(p95(m)).toBeGreaterThanOrEqual(Math.min(p95(ma), p95(mb)));
    expect(p95(m)).toBeLessThanOrEqual(Math.max(p95(ma), p95(mb)));
    // The stream's threshold is evaluated again on the merged values.
    expect(metric(m.summary, 'http_req_duration')!.thresholds).toEqual({ 'p(95)<2000': { ok: true } });
  });

  it('rejects a folder without any k6 output, naming it', async () => {
    const empty = join(tmp, 'empty');
    writeFileSync(join(tmp, 'not-a-dir'), '');
    await expect(mergeInstances([join(tmp, 'not-a-dir')])).rejects.toThrow(/is not a folder/);
    rmSync(empty, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(empty);
    await expect(mergeInstances([empty])).rejects.toThrow(/neither a run.json nor any k6 metric stream/);
  });
});
