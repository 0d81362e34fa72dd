/**
 * The comparison finds a real slowdown, and only where it is. Three runs of
 * query-mix (the scenario that times every query type at a known rate) on
 * this file's own database and key prefix, through the CLI as a user runs
 * them: two of the same build, then one with the API's slowQuery defect
 * delaying every aggregation query by 100 ms (api.defects.slowQueryType/Ms,
 * as `acgs-load api --defect-slow-query aggregation=100ms` sets them).
 *
 *  - same build against same build: no figure is called a regression;
 *  - the slowed run against the run before it: the aggregation figures are
 *    regressions, each with its rank test's Holm-adjusted p-value below α;
 *    no other query type's figure is. Figures that pool every query type
 *    (all queries' average, the scenario's request latency) contain the
 *    slowed queries and may move with them; nothing else may.
 *
 * The machine running the tests is shared with other test files, and a busy
 * moment can slow every figure of a run two- or threefold, so the
 * comparisons use a 300 % tolerance (a run-wide slowdown is not what this
 * test is about); the delay is some 50 times an aggregation query's own time
 * here, so its median clears that tolerance by far. Tails (p95, p99) are
 * not asserted: a busy moment in the reference run can inflate them.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../report/index.ts';
import { tempDir } from './helpers/temp.ts';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from './helpers/services.ts';

const prefix = testPrefix('regression_found');
const redis = newRedis();
let db: TestDatabase;
let dir: string;

/** A complete profile: query-mix alone, a small dataset, 12 s, targets no busy machine can miss. */
function profile(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    description: 'test: query-mix, compressed',
    seed: { scale: 0.05, seed: 42 },
    load: { scenarios: ['query-mix'], durationFactor: 0.2, queryMixRate: 20 },
    checks: { graceSeconds: 1 },
    targets: { cacheHitRate: 0, poolEfficiency: 0, successRate: 0.5, avgQueryMs: 60_000, redisOpMs: 60_000 },
    ...over,
  };
}

/** One `acgs-load run`; its results folder. */
function run(name: string, p: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(p));
  const res = spawnSync(
    process.execPath,
    ['bin/acgs-load.js', 'run', '--profile', file, '--results-dir', join(dir, 'results'), '--quiet'],
    {
      env: { ...process.env, BASE_URL: '', DATABASE_URL: db.url, ACGS_REDIS_PREFIX: prefix },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  expect(res.status, res.stdout.slice(-3000) + res.stderr.slice(-2000)).toBe(0);
  const results = /^results: (.+)$/m.exec(res.stdout)?.[1];
  expect(results).toBeTruthy();
  return results!;
}

/** `acgs-load compare OLD NEW --json` at a 300 % tolerance: the exit code and the comparison. */
function compare(older: string, newer: string): { status: number | null; c: Comparison } {
  const res = spawnSync(
    process.execPath,
    ['bin/acgs-load.js', 'compare', older, newer, '--tolerance', '300%', '--json'],
    { env: { ...process.env, BASE_URL: '' }, encoding: 'utf8' },
  );
  expect(res.stderr).not.toMatch(/internal error|\n\s+at /);
  return { status: res.status, c: JSON.parse(res.stdout) as Comparison };
}

const regressions = (c: Comparison) => c.rows.filter((r) => r.verdict === 'regression');
/** Per-query-type figures: query.<type>.* and query.scenario.<scenario>.<type>.*. */
const queryTypeOf = (id: string) =>
  /^query\.(?:scenario\.[^.]+\.)?(simple|join|aggregation|complex|index_scan)\./.exec(id)?.[1];
/** Figures over every query type (or every request) at once: they contain the slowed queries. */
const POOLED = /^(query\.all\.|scenario\.query-mix\.)/;

describe('the comparison finds a slowed query type, and only it', () => {
  let first: string;
  let second: string;
  let slowed: string;

  beforeAll(async () => {
    db = await createTestDatabase('regression_found');
    dir = tempDir('acgs-regression-');
    await clearPrefix(redis, prefix);
    first = run('first', profile());
    second = run('second', profile());
    slowed = run('slowed', profile({ api: { defects: { slowQueryType: 'aggregation', slowQueryMs: 100 } } }));
  }, 360_000);
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    redis.disconnect();
    await db?.drop();
  });

  it('two runs of the same build: no regression called (exit 0)', () => {
    const { status, c } = compare(first, second);
    expect(regressions(c).map((r) => `${r.id}: ${r.why}`)).toEqual([]);
    expect(c.regressed).toBe(false);
    expect(status).toBe(0);
    // the query figures were compared by their samples, not skipped
    const agg = c.rows.find((r) => r.id === 'query.aggregation.p95');
    expect(agg?.test?.pAdjusted).toEqual(expect.any(Number));
  });

  it('aggregation slowed by 100 ms: its figures are regressions with a p-value, no other query type is (exit 7)', () => {
    const { status, c } = compare(second, slowed);
    expect(status).toBe(7);
    expect(c.regressed).toBe(true);
    const found = regressions(c);
    const byType = new Set(found.map((r) => queryTypeOf(r.id)).filter(Boolean));
    expect([...byType]).toEqual(['aggregation']);
    for (const id of ['query.aggregation.p50', 'query.aggregation.avg']) {
      const row = found.find((r) => r.id === id);
      expect(row, `${id} not called a regression`).toBeDefined();
      expect(row!.test!.pAdjusted!).toBeLessThan(row!.test!.alpha!);
      expect(row!.why).toMatch(/Holm-adjusted .* < α 0\.01/);
      expect(row!.current! - row!.reference!).toBeGreaterThan(80); // the 100 ms delay, measured
    }
    // anything else called a regression pools the slowed queries with others
    const others = found.filter((r) => queryTypeOf(r.id) !== 'aggregation');
    expect(others.map((r) => r.id).filter((id) => !POOLED.test(id))).toEqual([]);
  });
});
