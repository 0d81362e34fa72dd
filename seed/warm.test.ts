/**
 * Cache warming writes the documented key scheme (docs/cache-keys.md) with
 * exactly each policy's TTL, and never touches keys outside its prefix.
 */
import pg from 'pg';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TTL_POLICY_DEFAULTS } from '../config/index.ts';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from '../test/helpers/services.ts';
import { seedDatabase, warmCache, type WarmProgressEvent } from './index.ts';
import { readMarker, WARM_META_KEY } from '../schema/index.ts';
import { DATASET_META_KEY } from './warm.ts';
import { entityText, entityValue, RAW_TEXT_TYPES, rowTextEncoder, utcTextToIso } from './cache-encode.ts';
import { connectRedis, deletePrefix } from '../services/redis.ts';
import { WarmWriter } from './warm-writer.ts';
import { CACHE_FAMILIES, TABLES, type ColumnType } from '../schema/description.ts';

const PREFIX = testPrefix('warm');
const OUTSIDE = testPrefix('warm_outside');
// Distinct TTLs per policy, so a key with another policy's TTL cannot pass.
const TTLS = {
  sessions: 1101,
  authTokens: 1202,
  policyDecisions: 1303,
  governanceRules: 1404,
  staticConfig: 1505,
  apiResponses: 1606,
  complianceChecks: 1707,
  synthesisResults: 1808,
};

function familyOf(key: string) {
  const rest = key.slice(PREFIX.length);
  // Longest pattern first: api:tally:{id} before a hypothetical api:{id}.
  const fams = [...CACHE_FAMILIES].sort((a, b) => b.pattern.length - a.pattern.length);
  return fams.find((f) => rest.startsWith(f.pattern.replace('{id}', '')));
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
function decodes(type: ColumnType, v: unknown): boolean {
  switch (type) {
    case 'bigint':
    case 'integer':
      return Number.isInteger(v);
    case 'numeric':
      return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v);
    case 'timestamptz':
      return typeof v === 'string' && ISO_MS.test(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'jsonb':
      return v !== undefined;
    case 'text':
    case 'inet':
      return typeof v === 'string';
  }
}

/** Cached entries under `match` (the markers `meta:dataset` and `meta:warm` are not entries). */
async function scanAll(redis: Redis, match: string): Promise<string[]> {
  return (await scanKeys(redis, match)).filter(
    (k) => !k.startsWith(PREFIX + DATASET_META_KEY) && !k.startsWith(PREFIX + WARM_META_KEY),
  );
}

async function scanKeys(redis: Redis, match: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

describe('warmCache', () => {
  let db: TestDatabase;
  let redis: Redis;
  let result: Awaited<ReturnType<typeof warmCache>>;
  beforeAll(async () => {
    db = await createTestDatabase('warm');
    redis = newRedis();
    await clearPrefix(redis, PREFIX);
    await redis.set(OUTSIDE + 'keep', 'x');
    await redis.set(PREFIX.slice(0, -1) + '_neighbour', 'y'); // shares the prefix's text but not its colon
    await seedDatabase({ databaseUrl: db.url, scale: 0.05, seed: 42 });
    result = await warmCache({
      databaseUrl: db.url,
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: PREFIX,
      ttlSeconds: TTLS,
      hotFraction: 0.2,
    });
  });
  afterAll(async () => {
    await clearPrefix(redis, PREFIX);
    await clearPrefix(redis, OUTSIDE);
    await redis.unlink(PREFIX.slice(0, -1) + '_neighbour');
    redis.disconnect();
    await db?.drop();
  });

  it('writes every key family, as many keys as it reports', async () => {
    const keys = await scanAll(redis, PREFIX + '*');
    expect(keys.length).toBe(result.keys);
    for (const f of CACHE_FAMILIES)
      expect(result.byFamily[f.pattern.replace(/:\{id\}$/, '')], f.pattern).toBeGreaterThan(0);
    expect(result.byFamily.config).toBe(100);
  });

  it("gives every key exactly its policy's TTL", async () => {
    for (const key of await scanAll(redis, PREFIX + '*')) {
      const f = familyOf(key);
      expect(f, key).toBeDefined();
      const ttl = await redis.ttl(key);
      // TTL counts down in whole seconds; the test runs well within a minute.
      expect(ttl, key).toBeLessThanOrEqual(TTLS[f!.dataType]);
      expect(ttl, key).toBeGreaterThan(TTLS[f!.dataType] - 60);
    }
  });

  it('encodes entity rows per the scheme and matches the database', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      for (const key of await scanAll(redis, PREFIX + '*')) {
        const f = familyOf(key)!;
        if (f.kind !== 'entity') continue;
        const value = JSON.parse((await redis.get(key))!);
        const t = TABLES.find((x) => x.name === f.table)!;
        expect(Object.keys(value.row), key).toEqual(Object.keys(t.columns));
        expect(value.v).toBe(value.row.version);
        expect(value.cachedAt).toMatch(ISO_MS);
        for (const [col, d] of Object.entries(t.columns)) {
          const v = value.row[col];
          expect(v === null ? Boolean(d.nullable) : decodes(d.type, v), `${key} ${col}=${JSON.stringify(v)}`).toBe(
            true,
          );
        }
      }
      const p = JSON.parse((await redis.get(PREFIX + 'principle:1'))!);
      const r = await c.query(
        `SELECT weight::text AS weight, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created, version FROM principles WHERE id = 1`,
      );
      expect({ weight: p.row.weight, created: p.row.created_at, version: p.v }).toEqual(r.rows[0]);
    } finally {
      await c.end();
    }
  });

  it('writes derived entries that agree with their rows', async () => {
    const tally = JSON.parse((await redis.get(PREFIX + 'api:tally:1'))!);
    expect(tally.data.total).toBe(tally.data.for + tally.data.against + tally.data.abstain);
    expect(tally.data.total).toBeGreaterThan(0);
    const policy = JSON.parse((await redis.get(PREFIX + 'policy:1'))!);
    expect(policy.v).toBe(policy.data.policy.version);
    expect(policy.data.rules.map((r: { rule_order: number }) => r.rule_order)).toEqual(
      policy.data.rules.map((_: unknown, i: number) => i + 1),
    );
    expect(policy.data.principleIds).toEqual([...policy.data.principleIds].sort((a: number, b: number) => a - b));
    for (const id of policy.data.rules.flatMap((r: { source_principle_ids: number[] }) => r.source_principle_ids))
      expect(policy.data.principleIds).toContain(id);
    const report = JSON.parse((await redis.get(PREFIX + 'api:compliance-report:1'))!);
    expect(report.data).toMatchObject({
      checks: expect.any(Number),
      passRate: expect.stringMatching(/^\d\.\d{4}$/),
      avgScore: expect.stringMatching(/^\d+\.\d{2}$/),
    });
  });

  it('leaves keys outside its prefix alone, when warming and when clearing its prefix', async () => {
    expect(await redis.get(OUTSIDE + 'keep')).toBe('x');
    const deleted = await deletePrefix(redis, PREFIX);
    expect(deleted).toBe(result.keys + 2); // + the dataset and warm markers
    expect(await scanKeys(redis, PREFIX + '*')).toEqual([]);
    expect(await redis.get(OUTSIDE + 'keep')).toBe('x');
    expect(await redis.get(PREFIX.slice(0, -1) + '_neighbour')).toBe('y');
  });

  it('names its dataset, and clears entries of another dataset before warming', async () => {
    await warmCache({
      databaseUrl: db.url,
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: PREFIX,
      ttlSeconds: TTLS,
      hotFraction: 0.2,
    });
    expect(await redis.get(PREFIX + DATASET_META_KEY)).toBe((await readMarker(db.url))!.fingerprint);
    // Same dataset: entries the target wrote meanwhile are kept.
    await redis.set(PREFIX + 'decision:999999', '{"v":1}', 'EX', 60);
    await warmCache({
      databaseUrl: db.url,
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: PREFIX,
      ttlSeconds: TTLS,
      hotFraction: 0.2,
    });
    expect(await redis.get(PREFIX + 'decision:999999')).toBe('{"v":1}');
    // Another dataset (the database was reloaded since): nothing of the old cache survives.
    await redis.set(PREFIX + DATASET_META_KEY, 'another-dataset');
    await warmCache({
      databaseUrl: db.url,
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: PREFIX,
      ttlSeconds: TTLS,
      hotFraction: 0.2,
    });
    expect(await redis.get(PREFIX + 'decision:999999')).toBeNull();
    expect(await redis.get(OUTSIDE + 'keep')).toBe('x');
  });

  it("emptyFirst (a run): the same dataset's entries filled since are deleted too, and counted", async () => {
    const opts = {
      databaseUrl: db.url,
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: PREFIX,
      ttlSeconds: TTLS,
      hotFraction: 0.2,
    };
    await warmCache(opts);
    await redis.set(PREFIX + 'decision:999998', '{"v":1}', 'EX', 60);
    const kept = await warmCache(opts);
    expect(kept.cleared).toBe(0);
    expect(await redis.get(PREFIX + 'decision:999998')).toBe('{"v":1}');
    const emptied = await warmCache({ ...opts, emptyFirst: true });
    expect(await redis.get(PREFIX + 'decision:999998')).toBeNull();
    expect(emptied.cleared).toBeGreaterThanOrEqual(kept.keys + 1); // the warmed set, the marker and the fill
    expect(await redis.get(OUTSIDE + 'keep')).toBe('x');
  });

  it('reports progress: keys written so far, growing, with the family, and one done event with the total', async () => {
    const prefix = testPrefix('warm_progress');
    const events: WarmProgressEvent[] = [];
    try {
      const r = await warmCache({
        databaseUrl: db.url,
        redisUrl: 'redis://127.0.0.1:6379',
        prefix,
        ttlSeconds: TTLS,
        hotFraction: 0.2,
        onProgress: (e) => events.push({ ...e }),
      });
      const running = events.filter((e) => !e.done);
      // one report per pipeline of 500 keys: well within "at least every 50k keys"
      expect(running.length).toBeGreaterThanOrEqual(Math.floor(r.keys / 500));
      const keys = running.map((e) => e.keys);
      expect(keys).toEqual([...new Set(keys)].sort((a, b) => a - b)); // strictly growing
      for (let i = 1; i < keys.length; i++) expect(keys[i] - keys[i - 1]).toBeLessThanOrEqual(500);
      const families = new Set(Object.keys(r.byFamily));
      for (const e of running) expect(families.has(e.family), e.family).toBe(true);
      expect(new Set(running.map((e) => e.family)).size).toBeGreaterThan(1);
      expect(events.filter((e) => e.done)).toEqual([{ keys: r.keys, family: expect.any(String), done: true }]);
      expect(events.at(-1)!.done).toBe(true);
    } finally {
      await clearPrefix(redis, prefix);
    }
  });

  it('encodes rows read as text exactly as the object encoder does (every column type, every entity table)', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query("SET TimeZone = 'UTC'");
      const now = new Date().toISOString();
      let compared = 0;
      for (const table of new Set(CACHE_FAMILIES.filter((f) => f.kind === 'entity').map((f) => f.table))) {
        const sql = `SELECT * FROM ${table} ORDER BY 1 LIMIT 300`;
        const parsed = (await c.query(sql)).rows;
        const raw = (await c.query({ text: sql, types: RAW_TEXT_TYPES })).rows;
        const enc = rowTextEncoder(table);
        expect(raw.length, table).toBeGreaterThan(0);
        raw.forEach((r, i) =>
          expect(entityText(enc(r), r.version, now), table).toBe(entityValue(table, parsed[i], now)),
        );
        compared += raw.length;
      }
      expect(compared).toBeGreaterThan(300);
    } finally {
      await c.end();
    }
  });

  it('turns timestamptz text at UTC into ISO milliseconds, truncated as node-pg does', () => {
    expect(utcTextToIso('2026-01-01 10:00:00.123456+00')).toBe('2026-01-01T10:00:00.123Z');
    expect(utcTextToIso('2026-01-01 10:00:00.9999+00')).toBe('2026-01-01T10:00:00.999Z');
    expect(utcTextToIso('2026-01-01 10:00:00.5+00')).toBe('2026-01-01T10:00:00.500Z');
    expect(utcTextToIso('2026-01-01 10:00:00+00')).toBe('2026-01-01T10:00:00.000Z');
  });

  it("refuses to warm from a database that is not the suite's", async () => {
    const other = await createTestDatabase('warm_foreign');
    try {
      await expect(
        warmCache({
          databaseUrl: other.url,
          redisUrl: 'redis://127.0.0.1:6379',
          prefix: PREFIX,
          ttlSeconds: TTL_POLICY_DEFAULTS,
          hotFraction: 0.2,
        }),
      ).rejects.toMatchObject({ kind: 'FOREIGN_DATABASE' });
    } finally {
      await other.drop();
    }
  });

  it('maps an unreachable Redis to REDIS_UNREACHABLE', async () => {
    await expect(
      warmCache({
        databaseUrl: db.url,
        redisUrl: 'redis://127.0.0.1:1',
        prefix: PREFIX,
        ttlSeconds: TTL_POLICY_DEFAULTS,
        hotFraction: 0.2,
      }),
    ).rejects.toMatchObject({ kind: 'REDIS_UNREACHABLE', exitCode: 5 });
  });
});

describe('WarmWriter', () => {
  it('reports a write Redis did not take as an error a person can act on, from flush and not a hang', async () => {
    const conn = await connectRedis('redis://127.0.0.1:6379');
    const acks: number[] = [];
    const w = new WarmWriter([conn], 'redis://127.0.0.1:6379', (n) => acks.push(n));
    conn.disconnect(); // the connection is gone before the first chunk is sent
    w.set(testPrefix('warm_writer') + 'x', '{}', 60, 'x');
    await expect(w.flush()).rejects.toMatchObject({ name: 'AcgsError' });
    expect(acks).toEqual([]);
    expect(w.written).toBe(0);
  });

  it('acknowledges chunk by chunk, at most CHUNK keys apart, each key with its TTL', async () => {
    const prefix = testPrefix('warm_writer_ok');
    const conns = [await connectRedis('redis://127.0.0.1:6379'), await connectRedis('redis://127.0.0.1:6379')];
    const redis = newRedis();
    try {
      const acks: number[] = [];
      const w = new WarmWriter(conns, 'redis://127.0.0.1:6379', (n) => acks.push(n));
      for (let i = 0; i < 1234; i++) {
        w.set(`${prefix}k:${i}`, `{"i":${i}}`, 100 + (i % 3), 'k');
        if (i % 100 === 0) await w.room();
      }
      await w.flush();
      expect(w.written).toBe(1234);
      expect(acks.at(-1)).toBe(1234);
      expect(acks).toEqual([...acks].sort((a, b) => a - b));
      for (let i = 1; i < acks.length; i++) expect(acks[i] - acks[i - 1]).toBeLessThanOrEqual(500);
      expect(await redis.get(`${prefix}k:1000`)).toBe('{"i":1000}');
      expect(await redis.ttl(`${prefix}k:1000`)).toBeLessThanOrEqual(101);
      expect(await redis.ttl(`${prefix}k:1000`)).toBeGreaterThan(90);
      expect(await redis.ttl(`${prefix}k:1001`)).toBeGreaterThan(100);
    } finally {
      await clearPrefix(redis, prefix);
      redis.disconnect();
      for (const c of conns) c.disconnect();
    }
  });
});
