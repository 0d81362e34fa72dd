import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { metric, value } from '../k6-summary.ts';
import {
  ladderSteps,
  writeFixtureRun,
  writeStream,
  summarySkeleton,
  type StreamSpec,
} from '../../test/helpers/ndjson-fixtures.ts';
import { mergeInstances, readK6Records, readRunSeries } from './index.ts';

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
    expect(points).toBe(18);
    expect(stats.badLines).toBe(2);
    const gz = join(tmp, 'bad.metrics.ndjson.gz');
    writeFileSync(gz, gzipSync(readFileSync(file)));
    let gzPoints = 0;
    for await (const r of readK6Records(gz)) if ('point' in r) gzPoints++;
    expect(gzPoints).toBe(points);
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
