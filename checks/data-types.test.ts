/**
 * data-types: each encoding fault made on purpose in a cached row is reported
 * with the right kind and count, and nothing else (cache-db-sync leaves type
 * problems to this checker and reports only value differences).
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
import { runChecks } from './index.ts';

let tdb: TestDatabase;
let db: pg.Pool;
let redis: Redis;
let keys = 0;
const prefix = testPrefix('checks_types');
const k = (s: string) => prefix + s;
const run = (over = {}) => runChecks(testOptions(tdb.url, REDIS_URL, prefix, over));

beforeAll(async () => {
  ({ tdb, db } = await openFixtureDatabase('checks_types'));
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

type Edit = (row: Record<string, any>) => void;
const edit = (key: string, fn: Edit) => () => editEntry(redis, k(key), (v) => fn(v.row));

describe('data-types on a clean cache', () => {
  it('checks every entity entry and finds nothing (microsecond timestamps truncated to ms are fine)', async () => {
    const r = await run();
    expect(violationsOf(r)).toEqual({});
    const types = r.checkers.find((c) => c.name === 'data-types')!;
    // Entity entries: 3 users' sessions, 2 tokens, 4 principles, 2 decisions, 3 checks, 1 synthesis, 2 configs.
    expect(types.checked).toBe(17);
    expect(keys).toBeGreaterThan(17);
  });
});

describe('data-types reports each encoding fault', () => {
  const cases: Array<[string, () => Promise<unknown>, Record<string, number>]> = [
    [
      'numeric with lost precision (12.345 -> "12.35")',
      edit('principle:1', (r) => {
        r.weight = '12.35';
      }),
      { numeric_precision: 1 },
    ],
    [
      'numeric without its trailing zeros ("1.500" -> "1.5")',
      edit('principle:2', (r) => {
        r.weight = '1.5';
      }),
      { numeric_precision: 1 },
    ],
    [
      'numeric as a JSON number',
      edit('synthesis:1', (r) => {
        r.confidence = 0.875;
      }),
      { numeric_not_string: 1 },
    ],
    [
      'numeric that is not a number',
      edit('compliance:1', (r) => {
        r.score = 'high';
      }),
      { numeric_format: 1 },
    ],
    [
      'timestamp without milliseconds',
      edit('decision:1', (r) => {
        r.created_at = '2026-01-01T12:00:00Z';
      }),
      { timestamp_format: 1 },
    ],
    [
      'timestamp in local time with an offset',
      edit('decision:1', (r) => {
        r.created_at = '2026-01-01T13:00:00.000+01:00';
      }),
      { timestamp_format: 1 },
    ],
    [
      'timestamp at another instant (time zone bug)',
      edit('decision:2', (r) => {
        r.updated_at = '2026-01-01T11:00:00.000Z';
      }),
      { timestamp_instant: 1 },
    ],
    [
      'boolean as a string',
      edit('principle:4', (r) => {
        r.is_active = 'false';
      }),
      { boolean_type: 1 },
    ],
    [
      'bigint id as a string',
      edit('session:s1', (r) => {
        r.user_id = '1';
      }),
      { integer_type: 1 },
    ],
    [
      'integer beyond 2^53',
      edit('decision:1', (r) => {
        r.subject_id = 2 ** 53 + 2;
      }),
      { unsafe_integer: 1 },
    ],
    [
      'jsonb stored as a JSON string',
      edit('synthesis:1', (r) => {
        r.output = JSON.stringify(r.output);
      }),
      { jsonb_shape: 1 },
    ],
    [
      'jsonb array where the row has an object',
      edit('config:feature.flags', (r) => {
        r.value = [r.value];
      }),
      { jsonb_shape: 1 },
    ],
    [
      'text as a number',
      edit('token:t1', (r) => {
        r.session_id = 1;
      }),
      { text_type: 1 },
    ],
    [
      'null where the row has a value',
      edit('principle:3', (r) => {
        r.body = null;
      }),
      { null_value: 1 },
    ],
    [
      'a column missing',
      edit('compliance:2', (r) => {
        delete r.findings;
      }),
      { missing_column: 1 },
    ],
    [
      'a column the table does not have',
      edit('compliance:2', (r) => {
        r.secret = 1;
      }),
      { extra_column: 1 },
    ],
    [
      'two problems in one entry, two in another',
      async () => {
        await edit('principle:1', (r) => {
          r.weight = 12.345;
          r.is_active = 1;
        })();
        await edit('principle:2', (r) => {
          r.weight = 1.5;
        })();
      },
      { numeric_not_string: 2, boolean_type: 1 },
    ],
  ];
  for (const [name, fault, expected] of cases) {
    it(name, async () => {
      await fault();
      const r = await run();
      expect(violationsOf(r)).toEqual({ 'data-types': expected });
      const types = r.checkers.find((c) => c.name === 'data-types')!;
      for (const kind of Object.keys(expected)) expect(types.examples[kind]?.length).toBe(expected[kind]);
      expect(types.examples[Object.keys(expected)[0]][0]).toHaveProperty('column');
    });
  }

  it('checks types but not values of an entry at another version', async () => {
    await db.query('UPDATE principles SET version = 2 WHERE id = 1');
    await edit('principle:1', (r) => {
      r.weight = '12.3';
      r.created_at = '2025-12-31T00:00:00.000Z';
      r.is_active = 'yes';
    })();
    const r = await run();
    expect(violationsOf(r)).toEqual({ 'cache-db-sync': { stale: 1 }, 'data-types': { boolean_type: 1 } });
  });

  it('runs alone with --only data-types', async () => {
    await edit('principle:1', (r) => {
      r.weight = '12.35';
    })();
    const r = await run({ only: ['data-types'] });
    expect(r.checkers.map((c) => c.name)).toEqual(['data-types']);
    expect(violationsOf(r)).toEqual({ 'data-types': { numeric_precision: 1 } });
  });
});
