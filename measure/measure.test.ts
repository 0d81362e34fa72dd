import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, newRedis, testPrefix, clearPrefix, type TestDatabase } from '../test/helpers/services.ts';
import { histogramDelta, histogramQuantile, fractionAtOrBelow, parsePrometheus, sumOf } from './prometheus.ts';
import { redisDelta, snapshotFromInfo, takeRedisSnapshot } from './redis-stats.ts';
import { enableStatements, pgDelta, takePgSnapshot } from './pg-stats.ts';
import { explainAll, planUsesIndex } from '../run/plans.ts';

const scrape = (buckets: Record<string, number>, sum: number) =>
  Object.entries(buckets)
    .map(([le, c]) => `acgs_x_seconds_bucket{op="get",le="${le}"} ${c}`)
    .concat([`acgs_x_seconds_sum{op="get"} ${sum}`, `acgs_x_seconds_count{op="get"} ${buckets['+Inf']}`])
    .join('\n');

describe('prometheus text and histogram arithmetic', () => {
  it('parses labels, escapes and special values', () => {
    const s = parsePrometheus('# HELP x\nfoo{a="1",b="q\\"x"} 3\nbar +Inf\nbaz 2 1700000000\n');
    expect(s).toEqual([
      { name: 'foo', labels: { a: '1', b: 'q"x' }, value: 3 },
      { name: 'bar', labels: {}, value: Infinity },
      { name: 'baz', labels: {}, value: 2 },
    ]);
    expect(sumOf(s, 'foo', { a: '1' })).toBe(3);
    expect(sumOf(s, 'foo', { a: '2' })).toBe(0);
  });

  it('takes quantiles of the delta between two scrapes, like histogram_quantile()', () => {
    const before = parsePrometheus(scrape({ '0.001': 10, '0.01': 10, '0.1': 10, '+Inf': 10 }, 0.005));
    // 100 new observations: 50 in (0, 1ms], 40 in (1ms, 10ms], 10 in (10ms, 100ms]
    const after = parsePrometheus(scrape({ '0.001': 60, '0.01': 100, '0.1': 110, '+Inf': 110 }, 0.405));
    const h = histogramDelta(before, after, 'acgs_x_seconds', { op: 'get' });
    expect(h.count).toBe(100);
    expect(h.sum).toBeCloseTo(0.4);
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(0.001);
    expect(histogramQuantile(h, 0.7)).toBeCloseTo(0.001 + 0.009 * (20 / 40));
    expect(histogramQuantile(h, 0.95)).toBeCloseTo(0.01 + 0.09 * 0.5);
    expect(fractionAtOrBelow(h, 0.001)).toBeCloseTo(0.5);
    expect(histogramQuantile(histogramDelta(after, after, 'acgs_x_seconds'), 0.5)).toBeNull();
  });
});

describe('Redis INFO snapshots (real server)', () => {
  const redis = newRedis();
  const prefix = testPrefix('measure_redis');
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  });

  it('parses commandstats and counts what happened between two snapshots', () => {
    const a = snapshotFromInfo(
      '# Stats\r\nkeyspace_hits:10\r\nkeyspace_misses:5\r\n# Commandstats\r\ncmdstat_get:calls=15,usec=30,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r\n',
      0,
    );
    const b = snapshotFromInfo(
      '# Stats\r\nkeyspace_hits:28\r\nkeyspace_misses:7\r\n# Commandstats\r\ncmdstat_get:calls=35,usec=90,usec_per_call=2.57,rejected_calls=0,failed_calls=1\r\n',
      2000,
    );
    const d = redisDelta(a, b);
    expect(d.keyspaceHits).toBe(18);
    expect(d.keyspaceMisses).toBe(2);
    expect(d.hitRate).toBeCloseTo(0.9);
    expect(d.commands.get).toEqual({ calls: 20, usecPerCall: 3, failed: 1 });
    expect(d.commands.set.usecPerCall).toBeNull();
    expect(d.seconds).toBe(2);
  });

  it('never reports negative figures when the server restarted between snapshots', () => {
    const a = snapshotFromInfo(
      '# Server\r\nrun_id:aaa\r\n# Stats\r\nkeyspace_hits:1000\r\nkeyspace_misses:50\r\n# Commandstats\r\ncmdstat_set:calls=900,usec=900\r\n',
      0,
    );
    const b = snapshotFromInfo(
      '# Server\r\nrun_id:bbb\r\n# Stats\r\nkeyspace_hits:30\r\nkeyspace_misses:10\r\n# Commandstats\r\ncmdstat_set:calls=20,usec=40\r\n',
      1000,
    );
    const d = redisDelta(a, b);
    expect(d.restarted).toBe(true);
    expect(d.keyspaceHits).toBe(30);
    expect(d.commands.set).toEqual({ calls: 20, usecPerCall: 2, failed: 0 });
    expect(redisDelta(a, { ...a, takenAt: 5 }).restarted).toBe(false);
  });

  it('sees at least the GETs this test sent (the server may be shared)', async () => {
    const before = await takeRedisSnapshot(redis);
    await redis.set(`${prefix}k`, 'v');
    for (let i = 0; i < 20; i++) await redis.get(`${prefix}k`);
    for (let i = 0; i < 5; i++) await redis.get(`${prefix}missing`);
    const d = redisDelta(before, await takeRedisSnapshot(redis));
    expect(d.commands.get.calls).toBeGreaterThanOrEqual(25);
    expect(d.keyspaceHits).toBeGreaterThanOrEqual(20);
    expect(d.keyspaceMisses).toBeGreaterThanOrEqual(5);
    expect(d.version).toMatch(/^\d+\./);
  });
});

describe('PostgreSQL statistics snapshots (real server)', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase('measure_pg');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    await client.query("INSERT INTO t SELECT g, 'x' FROM generate_series(1, 1000) g");
    await client.query('ANALYZE t');
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('counts index and sequential scans and commits between snapshots', async () => {
    const reason = await enableStatements(client);
    const before = await takePgSnapshot(client, reason);
    for (let i = 1; i <= 30; i++) await client.query('SELECT v FROM t WHERE id = $1', [i]);
    await client.query("SELECT count(*) FROM t WHERE v = 'x'");
    // the cumulative statistics are flushed by backends at most once a second
    await client.query('SELECT pg_stat_force_next_flush()');
    await new Promise((r) => setTimeout(r, 1100));
    const d = pgDelta(before, await takePgSnapshot(client, reason));
    const t = d.tables.find((x) => x.table === 't');
    expect(t?.idxScan).toBeGreaterThanOrEqual(30);
    expect(t?.seqScan).toBeGreaterThanOrEqual(1);
    expect(d.commits).toBeGreaterThanOrEqual(31);
    if (reason) {
      // The report must print the reason, never zeros.
      expect(d.statements).toEqual({ available: false, reason });
    } else {
      expect(d.statements.available).toBe(true);
    }
  });
});

describe('query plans', () => {
  it('sees an index anywhere in a plan tree, and none in a sequential scan', () => {
    const seq = { 'Node Type': 'Seq Scan' };
    expect(planUsesIndex({ 'Node Type': 'Limit', Plans: [{ 'Node Type': 'Sort', Plans: [seq] }] })).toBe(false);
    expect(
      planUsesIndex({
        'Node Type': 'Hash Join',
        Plans: [seq, { 'Node Type': 'Bitmap Heap Scan', Plans: [{ 'Node Type': 'Bitmap Index Scan' }] }],
      }),
    ).toBe(true);
    expect(planUsesIndex({ 'Node Type': 'Index Only Scan' })).toBe(true);
  });

  it('explains a real query without leaving anything behind', async () => {
    const db = await createTestDatabase('measure_plans');
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(
        "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'x' FROM generate_series(1, 5000) g; ANALYZE t",
      );
      const [byKey, byValue] = await explainAll(c, [
        { queryType: 'simple', sql: 'SELECT * FROM t WHERE id = $1', params: [7] },
        { queryType: 'scan', sql: 'SELECT count(*) FROM t WHERE v = $1', params: ['x'] },
      ]);
      expect(byKey.usesIndex).toBe(true);
      expect(byValue.usesIndex).toBe(false);
      expect(byKey.plan).toContain('Buffers:');
      expect(byKey.executionMs).toBeGreaterThan(0);
    } finally {
      await c.end();
      await db.drop();
    }
  });
});
