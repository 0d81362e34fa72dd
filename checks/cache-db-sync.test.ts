/**
 * cache-db-sync: each violation kind made on purpose, directly in PostgreSQL
 * or Redis, is reported with the right count and nothing else is (all five
 * checkers run, so a fault must not leak into another checker either).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Redis } from 'ioredis';
import {
  clearPrefix,
  createTestDatabase,
  newRedis,
  REDIS_URL,
  testPrefix,
  type TestDatabase,
} from '../test/helpers/services.ts';
import {
  openFixtureDatabase,
  closeFixtureDatabase,
  applySchema,
  editEntry,
  resetRows,
  testOptions,
  violationsOf,
  warmFixture,
} from '../test/helpers/checks-fixture.ts';
import { runChecks, type CheckProgressEvent } from './index.ts';
import { builtinDescription } from './description.ts';
import { openRedis } from './_connect.ts';
import { sweepCache } from './cache-sweep.ts';
import { makeEvaluator } from './cache-evaluate.ts';
import { readBatch } from './cache-read.ts';

let tdb: TestDatabase;
let db: pg.Pool;
let redis: Redis;
let keys = 0;
const prefix = testPrefix('checks_sync');
const k = (s: string) => prefix + s;
const run = (over = {}) => runChecks(testOptions(tdb.url, REDIS_URL, prefix, over));

beforeAll(async () => {
  ({ tdb, db } = await openFixtureDatabase('checks_sync'));
  redis = newRedis();
});
afterAll(async () => {
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await closeFixtureDatabase({ tdb, db });
});
beforeEach(async () => {
  await resetRows(db);
  await clearPrefix(redis, prefix);
  keys = await warmFixture(db, redis, prefix);
});

describe('cache-db-sync on a clean cache', () => {
  it('checks every key and finds nothing', async () => {
    const r = await run();
    expect(violationsOf(r)).toEqual({});
    expect(r.ok).toBe(true);
    const sync = r.checkers.find((c) => c.name === 'cache-db-sync')!;
    expect(sync.checked).toBe(keys);
    expect(sync.score).toBe(1);
    const byType = sync.extra!.byDataType as Record<string, { checked: number; ninesAfterGrace: { capped: boolean } }>;
    expect(byType.governanceRules.checked).toBe(4 + 2); // 4 principles + 2 policies
    expect(byType.governanceRules.ninesAfterGrace.capped).toBe(true);
  });
});

describe('progress', () => {
  it('reports the keys swept so far, growing, then each checker as it starts and ends', async () => {
    const events: CheckProgressEvent[] = [];
    const r = await run({ batchSize: 5, onProgress: (e: CheckProgressEvent) => events.push({ ...e }) });
    expect(r.ok).toBe(true);
    const sweep = events.filter((e) => e.checker === 'cache-db-sync+data-types');
    expect(sweep[0]).toEqual({ checker: 'cache-db-sync+data-types', keys: 0, done: false });
    const swept = sweep.filter((e) => !e.done && e.keys > 0).map((e) => e.keys);
    // about one report per batch of 5 keys
    expect(swept.length).toBeGreaterThanOrEqual(Math.floor(keys / 10));
    expect(swept).toEqual([...new Set(swept)].sort((a, b) => a - b)); // strictly growing
    expect(swept.at(-1)).toBe(keys);
    expect(sweep.at(-1)).toEqual({ checker: 'cache-db-sync+data-types', keys, done: true });
    expect(sweep.filter((e) => e.done)).toHaveLength(1);
    // the checkers that read no keys: a start and an end, in the order they run
    expect(events.filter((e) => !e.checker.startsWith('cache-'))).toEqual(
      ['referential-integrity', 'transaction-isolation', 'concurrent-access'].flatMap((checker) => [
        { checker, keys: 0, done: false },
        { checker, keys: 0, done: true },
      ]),
    );
  });

  it('names the sweep after the one checker selected', async () => {
    const events: CheckProgressEvent[] = [];
    await run({ only: ['data-types'], onProgress: (e: CheckProgressEvent) => events.push({ ...e }) });
    expect(new Set(events.map((e) => e.checker))).toEqual(new Set(['data-types']));
    expect(events.at(-1)).toEqual({ checker: 'data-types', keys, done: true });
  });
});

describe('cache-db-sync reports each fault made on purpose', () => {
  const cases: Array<[string, () => Promise<unknown>, Record<string, number>]> = [
    [
      'stale: the row moved on after caching',
      () => db.query('UPDATE principles SET version = version + 1, title = $1 WHERE id = 2', ['Fairer']),
      { stale: 1 },
    ],
    [
      'stale derived: the amendment moved on',
      () => db.query('UPDATE amendments SET version = 2 WHERE id = 1'),
      { stale: 1 },
    ],
    [
      'ahead: the cache holds a version the row never had',
      () =>
        editEntry(redis, k('decision:1'), (v) => {
          v.v = 2;
        }),
      { ahead: 1 },
    ],
    ['orphan: the row is gone', () => db.query('DELETE FROM policy_decisions WHERE id = 2'), { orphan: 1 }],
    ['orphan derived: the amendment is gone', () => db.query('DELETE FROM amendments WHERE id = 2'), { orphan: 1 }],
    ['no_ttl: PERSIST', () => redis.persist(k('config:max.votes')), { no_ttl: 1 }],
    ['ttl_above_policy: 1000 s on a 300 s policy', () => redis.expire(k('decision:1'), 1000), { ttl_above_policy: 1 }],
    ['undecodable: not JSON', () => redis.set(k('principle:1'), 'not json', 'KEEPTTL'), { undecodable: 1 }],
    [
      'undecodable: JSON without the envelope',
      () => redis.set(k('synthesis:1'), '{"v":1,"cachedAt":"x"}', 'KEEPTTL'),
      { undecodable: 1 },
    ],
    [
      'undecodable: a hash under the prefix',
      async () => {
        await redis.del(k('token:t1'));
        await redis.hset(k('token:t1'), 'v', '1');
        await redis.expire(k('token:t1'), 60);
      },
      { undecodable: 1 },
    ],
    [
      'content_mismatch: same version, another title',
      () =>
        editEntry(redis, k('principle:2'), (v) => {
          v.row.title = 'Unfair';
        }),
      { content_mismatch: 1 },
    ],
    [
      'content_mismatch: same version, flipped boolean',
      () =>
        editEntry(redis, k('session:s1'), (v) => {
          v.row.revoked = true;
        }),
      { content_mismatch: 1 },
    ],
    [
      'content_mismatch: jsonb value changed, same shape',
      () =>
        editEntry(redis, k('config:feature.flags'), (v) => {
          v.row.value.beta = false;
        }),
      { content_mismatch: 1 },
    ],
    [
      'content_mismatch: tally counts a vote that is not there',
      () =>
        editEntry(redis, k('api:tally:1'), (v) => {
          v.data.for = 3;
          v.data.total = 4;
        }),
      { content_mismatch: 1 },
    ],
    [
      'content_mismatch: a vote the tally missed (no invalidation)',
      () =>
        db.query(
          "INSERT INTO amendment_votes (id, amendment_id, voter_id, choice, created_at) VALUES (9, 2, 1, 'for', now()); UPDATE amendments SET votes_for = 1 WHERE id = 2",
        ),
      { content_mismatch: 1 },
    ],
    [
      'content_mismatch: compliance report from before a new check',
      () =>
        db.query(
          "INSERT INTO compliance_checks (id, policy_id, checked_by, status, score, findings, created_at, updated_at) VALUES (9, 2, 1, 'pass', 50.00, '{}', now(), now())",
        ),
      { content_mismatch: 1 },
    ],
    [
      'content_mismatch: policy rules in the wrong order',
      () =>
        editEntry(redis, k('policy:1'), (v) => {
          v.data.rules.reverse();
        }),
      { content_mismatch: 1 },
    ],
    [
      'content_mismatch: policy principle ids changed',
      () => db.query('INSERT INTO policy_principles VALUES (2, 4, 0.100)'),
      { content_mismatch: 1 },
    ],
    ['unknown_key: matches no family', () => redis.set(k('mystery:1'), '{}', 'EX', 60), { unknown_key: 1 }],
    [
      'unknown_key: a non-integer id in an integer family',
      () => redis.set(k('principle:abc'), '{}', 'EX', 60),
      { unknown_key: 1 },
    ],
    [
      'two faults on one key count under both kinds',
      async () => {
        await db.query('DELETE FROM policy_decisions WHERE id = 2');
        await redis.persist(k('decision:2'));
      },
      { orphan: 1, no_ttl: 1 },
    ],
  ];
  for (const [name, fault, expected] of cases) {
    it(name, async () => {
      await fault();
      const r = await run();
      expect(violationsOf(r)).toEqual({ 'cache-db-sync': expected });
      expect(r.ok).toBe(false);
      const sync = r.checkers.find((c) => c.name === 'cache-db-sync')!;
      for (const kind of Object.keys(expected)) expect(sync.examples[kind]).toHaveLength(expected[kind]);
    });
  }

  it('adaptive TTL allows up to maxFactor times the policy, not more', async () => {
    await redis.expire(k('decision:1'), 500);
    await redis.expire(k('decision:2'), 700);
    const adaptive = { enabled: true, minFactor: 0.5, maxFactor: 2 };
    expect(violationsOf(await run({ adaptiveTtl: adaptive }))).toEqual({ 'cache-db-sync': { ttl_above_policy: 1 } });
    expect(violationsOf(await run())).toEqual({ 'cache-db-sync': { ttl_above_policy: 2 } });
  });

  it('reports the TTL policy as enforced per data type: longest TTL seen and TTL violations', async () => {
    const byType = async () =>
      (await run()).checkers.find((c) => c.name === 'cache-db-sync')!.extra!.byDataType as Record<
        string,
        { maxTtlSeconds: number; ttlViolations: number }
      >;
    const clean = await byType();
    expect(clean.policyDecisions.ttlViolations).toBe(0);
    expect(clean.policyDecisions.maxTtlSeconds).toBeLessThanOrEqual(300);
    await redis.expire(k('decision:1'), 1000);
    await redis.persist(k('config:max.votes'));
    const broken = await byType();
    expect(broken.policyDecisions.ttlViolations).toBe(1);
    // The TTL counts down between EXPIRE and the sweep's read (seconds on a busy machine).
    expect(broken.policyDecisions.maxTtlSeconds).toBeLessThanOrEqual(1000);
    expect(broken.policyDecisions.maxTtlSeconds).toBeGreaterThan(900);
    expect(broken.staticConfig.ttlViolations).toBe(1);
    expect(broken.governanceRules.ttlViolations).toBe(0);
  });

  it('TTL policy comes from the options', async () => {
    const r = await run({ ttlSeconds: { ...testOptions('', '', '').ttlSeconds, staticConfig: 60 } });
    expect(violationsOf(r)).toEqual({ 'cache-db-sync': { ttl_above_policy: 2 } });
  });
});

describe('grace period', () => {
  it('an entry fixed during grace counts strict but not after grace; one left alone stays', async () => {
    await db.query('UPDATE principles SET version = 2 WHERE id IN (2, 3)');
    const opts = testOptions(tdb.url, REDIS_URL, prefix, { graceSeconds: 0.2 });
    const pool = new pg.Pool({ connectionString: tdb.url, max: 8 });
    const nodes = await openRedis(REDIS_URL);
    try {
      const r = await sweepCache(
        pool,
        nodes,
        builtinDescription(),
        opts,
        { sync: true, types: false },
        {
          // The invalidation that was in flight lands during the grace period.
          graceStarted: async () => void (await redis.del(k('principle:2'))),
        },
      );
      const sync = r.sync!;
      expect((sync.extra!.strict as { violations: Record<string, number> }).violations).toEqual({ stale: 2 });
      expect(sync.violations).toEqual({ stale: 1 });
      expect(sync.examples.stale).toEqual([expect.objectContaining({ key: k('principle:3') })]);
      const gr = (
        sync.extra!.byDataType as Record<
          string,
          { checked: number; consistentStrict: number; consistentAfterGrace: number; summary: string }
        >
      ).governanceRules;
      expect(gr).toMatchObject({ checked: 6, consistentStrict: 4, consistentAfterGrace: 5 });
      expect(gr.summary).toBe('0.78 nines consistent within 0.2 s (strict: 0.48 nines)');
    } finally {
      await nodes.close();
      await pool.end();
    }
  });

  it('runChecks re-reads after the grace period: a mismatch nobody fixes remains', async () => {
    await editEntry(redis, k('principle:2'), (v) => {
      v.v = 0;
    });
    const r = await run({ graceSeconds: 0.5 });
    expect(violationsOf(r)).toEqual({ 'cache-db-sync': { stale: 1 } });
    const sync = r.checkers.find((c) => c.name === 'cache-db-sync')!;
    expect((sync.extra!.strict as { violations: Record<string, number> }).violations).toEqual({ stale: 1 });
  });
});

describe('sampling', () => {
  it('--sample N checks N random keys', async () => {
    const r = await run({ sample: 5, only: ['cache-db-sync'] });
    expect(r.checkers[0].checked).toBe(5);
    expect(r.checkers[0].notes.join()).toMatch(/sampled 5/);
  });
  it('a sample larger than the key space checks every key', async () => {
    const r = await run({ sample: 10_000, only: ['cache-db-sync'] });
    expect(r.checkers[0].checked).toBe(keys);
  });
});

describe('batching', () => {
  it('gives the same verdicts with a batch of 1 key', async () => {
    await db.query('UPDATE principles SET version = version + 1 WHERE id = 2');
    await redis.persist(k('config:max.votes'));
    const r = await run({ batchSize: 1, only: ['cache-db-sync'] });
    expect(violationsOf(r)).toEqual({ 'cache-db-sync': { stale: 1, no_ttl: 1 } });
    expect(r.checkers[0].checked).toBe(keys);
  }, 180_000); // one round trip per key: slow on a busy machine, and no timed assertion here
});

describe('the byte-for-byte road and the full decoder agree', () => {
  it('an entry with the same content in another key order and spacing is consistent (full decoder)', async () => {
    const raw = (await redis.get(k('principle:1')))!;
    const v = JSON.parse(raw);
    const reordered = { cachedAt: v.cachedAt, row: Object.fromEntries(Object.entries(v.row).reverse()), v: v.v };
    await redis.set(k('principle:1'), JSON.stringify(reordered, null, 1), 'KEEPTTL');
    expect(violationsOf(await run())).toEqual({});
  });

  it('the same entry with one value changed is still found, in any key order', async () => {
    const v = JSON.parse((await redis.get(k('decision:1')))!);
    v.row.action = 'another action';
    await redis.set(k('decision:1'), JSON.stringify(v, null, 2), 'KEEPTTL');
    expect(violationsOf(await run())).toEqual({ 'cache-db-sync': { content_mismatch: 1 } });
  });

  it('a canonical entry whose cachedAt holds an escape or a quote goes to the decoder: still consistent', async () => {
    await editEntry(redis, k('compliance:1'), (v) => {
      v.cachedAt = 'a "quoted" \\ time';
    });
    expect(violationsOf(await run())).toEqual({});
  });
});

describe('failure paths of a batch', () => {
  it('a key that vanishes between SCAN and the read is not checked and is noted, not a pass', async () => {
    const pool = new pg.Pool({ connectionString: tdb.url, max: 2 });
    const nodes = await openRedis(REDIS_URL);
    try {
      const ev = makeEvaluator(pool, builtinDescription(), testOptions(tdb.url, REDIS_URL, prefix));
      // As SCAN returned them: one key deleted before the read.
      const scanned = [k('principle:1'), k('principle:2')];
      await redis.del(k('principle:2'));
      const r = await ev.evaluate(await readBatch(nodes.primaries, { node: 0, keys: scanned }));
      expect(r.vanished).toBe(1);
      expect(r.outcomes).toEqual([]);
      expect([...r.clean.values()].reduce((a, c) => a + c.checked, 0)).toBe(1);
      // Through the whole run: the note says so, and the key is not counted as checked.
      const res = await run({ only: ['cache-db-sync'] });
      expect(res.checkers[0].checked).toBe(keys - 1);
    } finally {
      await nodes.close();
      await pool.end();
    }
  });

  it("a PostgreSQL error in a batch's row lookup fails the sweep with that error, it does not pass or hang", async () => {
    const desc = builtinDescription();
    const gone = { ...desc.tables.find((t) => t.name === 'principles')!, name: 'principles_gone' };
    const broken = {
      ...desc,
      tables: [...desc.tables, gone],
      cacheFamilies: desc.cacheFamilies.map((f) =>
        f.pattern === 'principle:{id}' ? { ...f, table: 'principles_gone' } : f,
      ),
    };
    await expect(run({ only: ['cache-db-sync'], description: broken })).rejects.toThrow(/principles_gone/);
  });
});
