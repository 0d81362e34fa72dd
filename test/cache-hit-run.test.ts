/**
 * `acgs-load run` (the CLI in a child process, this file's own database and
 * prefix) judges the cache hit rate on the reads where a hit was expected,
 * with the shipped target (99.5 %) untouched:
 * - a healthy cache passes it, with no unexpected miss, while the overall hit
 *   rate (first reads of cold keys included) is lower and shown beside it;
 * - a target that stops writing misses back (api.defects.skipFillRate) fails
 *   it: exit 4, the figure FAIL, the misses counted as unexpected. That run
 *   also has cache.warmOnStart false over a prefix holding an entry of an
 *   earlier run, which the warm stage must empty (before the fix it skipped
 *   the stage and the entry survived into the run, an orphan for the checker).
 * Only the cache figures are asserted: a few seconds of load are too few
 * samples to judge a p99 (NO DATA), and latency is not a property of a shared
 * test machine.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunJson, type RunJson } from '../report/run-json.ts';
import { tempDir } from './helpers/temp.ts';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from './helpers/services.ts';

const prefix = testPrefix('cache_hit_run');
const redis = newRedis();
let db: TestDatabase;
const dir = tempDir('acgs-cache-hit-run-');

/** user-journey and cache-ops, compressed; the shipped targets (none given here). */
const PROFILE = {
  description: 'test: the judged cache hit rate, compressed',
  seed: { scale: 0.05, seed: 42 },
  load: {
    scenarios: ['user-journey', 'cache-ops'],
    durationFactor: 0.1,
    vus: 4,
    thinkTimeMs: { min: 0, max: 30 },
  },
  checks: { graceSeconds: 1 },
};

function run(profile: object, name: string): { status: number | null; stdout: string; run: RunJson } {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(profile));
  const res = spawnSync(
    process.execPath,
    ['bin/acgs-load.js', 'run', '--profile', file, '--results-dir', join(dir, 'results'), '--quiet'],
    {
      env: { ...process.env, BASE_URL: '', DATABASE_URL: db.url, ACGS_REDIS_PREFIX: prefix },
      encoding: 'utf8',
      timeout: 240_000,
    },
  );
  const resultsPath = /^results: (.+)$/m.exec(res.stdout)?.[1];
  expect(resultsPath, `${res.stdout.slice(-2500)}\n${res.stderr.slice(-2500)}`).toBeDefined();
  return {
    status: res.status,
    stdout: res.stdout,
    run: parseRunJson(readFileSync(join(resultsPath!, 'run.json'), 'utf8'), 'run.json'),
  };
}

const fig = (r: RunJson, id: string) => {
  const f = r.figures.find((x) => x.id === id);
  expect(f, id).toBeDefined();
  return f!;
};

beforeAll(async () => {
  db = await createTestDatabase('cache_hit_run');
  await clearPrefix(redis, prefix);
});
afterAll(async () => {
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db?.drop();
});

describe('the judged cache hit rate of a run', () => {
  it('a healthy cache passes the shipped 99.5 % on its expected-hit reads', () => {
    const { run: r } = run(PROFILE, 'healthy');
    const hit = fig(r, 'cache.hitRate');
    expect(hit.target).toEqual({ op: '>=', value: 0.995 });
    expect(hit.source).toMatch(/cache_hit\{cache_expect:hit\}.*user-journey, cache-ops \([\d,]+ samples\)/);
    expect(Number(/\(([\d,]+) samples/.exec(hit.source)![1].replace(/,/g, ''))).toBeGreaterThan(20);
    expect(fig(r, 'cache.miss.unexpected').value).toBe(0);
    expect(hit.pass).toBe(true);
    expect(fig(r, 'cache.hitRate.all').value!).toBeLessThan(hit.value!);
    expect(fig(r, 'cache.miss.never_warmed').value!).toBeGreaterThan(0);
  }, 300_000);

  it('a cache that stops writing misses back fails it (exit 4); warmOnStart false still empties the prefix', async () => {
    await redis.set(`${prefix}principle:999999`, '{"v":1,"row":{"id":999999},"cachedAt":"an earlier run"}');
    const broken = { ...PROFILE, cache: { warmOnStart: false }, api: { defects: { skipFillRate: 1 } } };
    const { status, stdout, run: r } = run(broken, 'broken');
    expect(status).toBe(4);
    const hit = fig(r, 'cache.hitRate');
    expect(hit.pass).toBe(false);
    expect(fig(r, 'cache.miss.unexpected').value!).toBeGreaterThan(0);
    expect(stdout).toMatch(/target missed: Cache hit rate \(reads where a hit was expected\)/);
    // The warm stage ran (not skipped) and emptied the earlier run's entry.
    expect(stdout).toContain('cache.warmOnStart is false: emptied the prefix');
    expect(await redis.exists(`${prefix}principle:999999`)).toBe(0);
    const sync = (r.checks as { checkers: Array<{ name: string; violations: Record<string, number> }> }).checkers.find(
      (c) => c.name === 'cache-db-sync',
    )!;
    expect(sync.violations.orphan ?? 0).toBe(0);
  }, 300_000);
});
