/**
 * transaction-isolation: each invariant broken on purpose (as a torn or
 * non-isolated transaction would leave it) is reported with its count and
 * nothing else is.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, REDIS_URL, testPrefix, type TestDatabase } from '../test/helpers/services.ts';
import {
  openFixtureDatabase,
  closeFixtureDatabase,
  applySchema,
  resetRows,
  testOptions,
  violationsOf,
} from '../test/helpers/checks-fixture.ts';
import { runChecks } from './index.ts';

let tdb: TestDatabase;
let db: pg.Pool;
const prefix = testPrefix('checks_txn');
const run = () => runChecks(testOptions(tdb.url, REDIS_URL, prefix));

beforeAll(async () => {
  ({ tdb, db } = await openFixtureDatabase('checks_txn'));
});
afterAll(async () => {
  await closeFixtureDatabase({ tdb, db });
});
beforeEach(() => resetRows(db));

describe('transaction-isolation', () => {
  it('clean data keeps every invariant', async () => {
    const r = await run();
    expect(violationsOf(r)).toEqual({});
    expect(r.checkers.find((c) => c.name === 'transaction-isolation')!.checked).toBeGreaterThan(0);
  });

  const cases: Array<[string, string, Record<string, number>]> = [
    ['counter moved without its vote', 'UPDATE amendments SET votes_for = 3 WHERE id = 1', { counter_mismatch: 1 }],
    [
      'vote inserted without moving the counter',
      "INSERT INTO amendment_votes (id, amendment_id, voter_id, choice, created_at) VALUES (9, 2, 1, 'abstain', now())",
      { counter_mismatch: 1 },
    ],
    [
      'policy version bumped without its update row',
      'UPDATE policies SET version = 5 WHERE id = 2',
      { version_mismatch: 1 },
    ],
    [
      'update row without the version bump',
      "INSERT INTO policy_updates (id, policy_id, updated_by, from_version, to_version, changes, created_at) VALUES (2, 2, 1, 1, 2, '{}', now())",
      { version_mismatch: 1 },
    ],
    [
      'update chain broken (from_version is not the previous to_version)',
      'UPDATE policy_updates SET from_version = 3, to_version = 4 WHERE id = 1',
      { version_chain: 1 },
    ],
    [
      'session of a deactivated user still open',
      'UPDATE users SET is_active = false WHERE id = 1',
      { session_outlives_user: 1 },
    ],
    [
      'token of a revoked session still valid',
      "UPDATE user_sessions SET revoked = true WHERE id = 's1'",
      { token_outlives_session: 1 },
    ],
    [
      "token's user is not its session's user",
      "UPDATE auth_tokens SET user_id = 2 WHERE id = 't1'",
      { token_user_mismatch: 1 },
    ],
  ];
  for (const [name, sql, expected] of cases) {
    it(name, async () => {
      await db.query(sql);
      const r = await run();
      expect(violationsOf(r)).toEqual({ 'transaction-isolation': expected });
      const ti = r.checkers.find((c) => c.name === 'transaction-isolation')!;
      expect(ti.examples[Object.keys(expected)[0]]).toHaveLength(1);
    });
  }

  it('a lost update (two writers both went from 1 to 2) breaks the chain and the forward-only order', async () => {
    await db.query(
      "UPDATE policies SET version = 3 WHERE id = 1; INSERT INTO policy_updates (id, policy_id, updated_by, from_version, to_version, changes, created_at) VALUES (2, 1, 2, 1, 2, '{}', '2026-01-02 10:00:01+00')",
    );
    const r = await run();
    expect(violationsOf(r)).toEqual({
      'transaction-isolation': { version_chain: 1 },
      'concurrent-access': { version_regression: 1 },
    });
  });

  it('a session whose user is gone (also an FK orphan, reported by both checkers)', async () => {
    const c = await db.connect();
    try {
      await c.query('SET session_replication_role = replica');
      await c.query(
        "UPDATE user_sessions SET user_id = 42 WHERE id = 's1'; UPDATE auth_tokens SET user_id = 42 WHERE id = 't1'",
      );
    } finally {
      await c.query('RESET session_replication_role');
      c.release();
    }
    const r = await run();
    expect(violationsOf(r)).toEqual({
      'transaction-isolation': { session_outlives_user: 1 },
      'referential-integrity': { 'fk:user_sessions_user_fk': 1, 'fk:auth_tokens_user_fk': 1 },
    });
  });

  it('a duplicate vote, even with the unique constraint dropped', async () => {
    await db.query('ALTER TABLE amendment_votes DROP CONSTRAINT amendment_votes_one_per_voter');
    try {
      await db.query(
        "INSERT INTO amendment_votes (id, amendment_id, voter_id, choice, created_at) VALUES (9, 1, 1, 'for', now()); UPDATE amendments SET votes_for = 3 WHERE id = 1",
      );
      const r = await run();
      expect(violationsOf(r)).toEqual({ 'transaction-isolation': { duplicate_vote: 1 } });
      expect(r.checkers.find((c) => c.name === 'transaction-isolation')!.examples.duplicate_vote).toEqual([
        expect.objectContaining({ amendment_id: '1', voter_id: '1', votes: '2' }),
      ]);
    } finally {
      await resetRows(db);
      await db.query(
        'ALTER TABLE amendment_votes ADD CONSTRAINT amendment_votes_one_per_voter UNIQUE (amendment_id, voter_id)',
      );
    }
  });
});
