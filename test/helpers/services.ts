/**
 * Real PostgreSQL and Redis for integration tests: each test file gets its own
 * database and its own key prefix, so files can run in parallel on one server.
 *
 * Servers: TEST_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * and TEST_REDIS_URL (default redis://127.0.0.1:6379). `.ci/run` starts both.
 */
import pg from 'pg';
import { Redis } from 'ioredis';

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function safeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
}

/** URL of database `name` on the test server. */
export function databaseUrl(dbName: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = '/' + dbName;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/** Creates an empty database `acgs_t_<name>` (dropping a leftover one first). */
export async function createTestDatabase(name: string): Promise<TestDatabase> {
  const dbName = `acgs_t_${safeName(name)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${dbName}`);
  } finally {
    await admin.end();
  }
  return {
    name: dbName,
    url: databaseUrl(dbName),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A key prefix of this test file's own, e.g. `t_seed:`. */
export function testPrefix(name: string): string {
  return `t_${safeName(name)}:`;
}

/** Deletes every key under `prefix` with SCAN (never KEYS / FLUSHDB). */
export async function clearPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export function newRedis(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 });
}
