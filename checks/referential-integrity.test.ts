/**
 * referential-integrity: orphans made on purpose behind PostgreSQL's back
 * (session_replication_role = replica skips FK triggers; a constraint re-added
 * NOT VALID never checks old rows) and on references no constraint enforces
 * are counted per constraint/reference, and nothing else is reported.
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
import { listForeignKeys } from './referential-integrity.ts';

let tdb: TestDatabase;
let db: pg.Pool;
// No cache entries under this prefix: the cache checkers find nothing to check.
const prefix = testPrefix('checks_refs');
const run = (over = {}) => runChecks(testOptions(tdb.url, REDIS_URL, prefix, over));

/** Runs statements with foreign-key triggers off (as a logical replica would). */
async function behindTheBack(sql: string): Promise<void> {
  const c = await db.connect();
  try {
    await c.query('SET session_replication_role = replica');
    await c.query(sql);
  } finally {
    await c.query('RESET session_replication_role');
    c.release();
  }
}

beforeAll(async () => {
  ({ tdb, db } = await openFixtureDatabase('checks_refs'));
});
afterAll(async () => {
  await closeFixtureDatabase({ tdb, db });
});
beforeEach(async () => {
  await db.query('DROP TABLE IF EXISTS t_child, t_parent');
  await resetRows(db);
});

describe('referential-integrity', () => {
  it('finds every foreign key of 002 in the catalogue and no orphan in clean data', async () => {
    const fks = await listForeignKeys(db);
    expect(fks.map((f) => f.name)).toContain('auth_tokens_session_fk');
    expect(fks).toHaveLength(23);
    const r = await run();
    expect(violationsOf(r)).toEqual({});
    const ri = r.checkers.find((c) => c.name === 'referential-integrity')!;
    expect(ri.checked).toBeGreaterThan(40);
    expect(ri.extra).toMatchObject({ foreignKeys: 23, unenforcedReferences: 9 });
  });

  it('FK orphans written with replication role replica', async () => {
    await behindTheBack(`
      INSERT INTO amendment_comments (id, amendment_id, author_id, body, created_at, updated_at) VALUES (7, 1, 77, 'ghost', now(), now()), (8, 1, 78, 'ghost', now(), now());
      DELETE FROM policy_templates WHERE id = 1;`);
    const r = await run();
    expect(violationsOf(r)).toEqual({
      'referential-integrity': { 'fk:amendment_comments_author_fk': 2, 'fk:policies_template_fk': 2 },
    });
    const ri = r.checkers.find((c) => c.name === 'referential-integrity')!;
    expect(ri.examples['fk:amendment_comments_author_fk']).toEqual([
      expect.objectContaining({ author_id: '77' }),
      expect.objectContaining({ author_id: '78' }),
    ]);
  });

  it('an orphan under a NOT VALID constraint (PostgreSQL never checked it)', async () => {
    await db.query(`
      ALTER TABLE amendment_votes DROP CONSTRAINT amendment_votes_voter_fk;
      INSERT INTO amendment_votes (id, amendment_id, voter_id, choice, created_at) VALUES (9, 2, 99, 'for', now());
      UPDATE amendments SET votes_for = 1 WHERE id = 2;
      ALTER TABLE amendment_votes ADD CONSTRAINT amendment_votes_voter_fk FOREIGN KEY (voter_id) REFERENCES users(id) NOT VALID;`);
    const r = await run();
    expect(violationsOf(r)).toEqual({ 'referential-integrity': { 'fk:amendment_votes_voter_fk': 1 } });
    expect(r.checkers.find((c) => c.name === 'referential-integrity')!.notes.join()).toMatch(
      /NOT VALID.*amendment_votes_voter_fk/,
    );
  });

  it('a multi-column foreign key (MATCH SIMPLE: a NULL column references nothing)', async () => {
    await db.query(`
      CREATE TABLE t_parent (a int, b int, PRIMARY KEY (a, b));
      CREATE TABLE t_child (a int, b int, CONSTRAINT t_child_ab_fk FOREIGN KEY (a, b) REFERENCES t_parent (a, b));
      INSERT INTO t_parent VALUES (1, 1);
      INSERT INTO t_child VALUES (1, 1), (1, NULL);`);
    await behindTheBack('INSERT INTO t_child VALUES (1, 2), (2, 1)');
    const r = await run({ only: ['referential-integrity'] });
    expect(violationsOf(r)).toEqual({ 'referential-integrity': { 'fk:t_child_ab_fk': 2 } });
  });

  it('a multi-column foreign key with MATCH FULL: a half-NULL reference is an orphan', async () => {
    await db.query(`
      CREATE TABLE t_parent (a int, b int, PRIMARY KEY (a, b));
      CREATE TABLE t_child (a int, b int);
      INSERT INTO t_parent VALUES (1, 1);
      INSERT INTO t_child VALUES (1, 1), (NULL, NULL), (1, NULL);
      ALTER TABLE t_child ADD CONSTRAINT t_child_ab_fk FOREIGN KEY (a, b) REFERENCES t_parent (a, b) MATCH FULL NOT VALID;`);
    const r = await run({ only: ['referential-integrity'] });
    expect(violationsOf(r)).toEqual({ 'referential-integrity': { 'fk:t_child_ab_fk': 1 } });
  });

  it('JSONB arrays of principle ids that name no principle', async () => {
    await db.query(`
      UPDATE policy_rules SET source_principle_ids = '[1, 99, 98]' WHERE id = 3;
      UPDATE synthesis_results SET principle_ids = '[1, "x"]' WHERE id = 1;`);
    const r = await run();
    expect(violationsOf(r)).toEqual({
      'referential-integrity': { 'ref:policy_rules.source_principle_ids': 2, 'ref:synthesis_results.principle_ids': 1 },
    });
    expect(
      r.checkers.find((c) => c.name === 'referential-integrity')!.examples['ref:policy_rules.source_principle_ids'],
    ).toEqual([expect.objectContaining({ id: '3', value: '99' }), expect.objectContaining({ id: '3', value: '98' })]);
  });

  it('a JSONB reference column that is not an array', async () => {
    await db.query(`UPDATE policy_rules SET source_principle_ids = '{"id": 1}' WHERE id = 1`);
    const r = await run();
    expect(violationsOf(r)).toEqual({ 'referential-integrity': { 'ref:policy_rules.source_principle_ids': 1 } });
  });

  it('audit log entries whose entity is gone, per entity type', async () => {
    await db.query(`
      INSERT INTO audit_log (id, occurred_at, actor_id, action, entity_type, entity_id, details) VALUES
        (10, now(), 1, 'create', 'policy_decision', 555, '{}'),
        (11, now(), 1, 'create', 'policy_decision', 2, '{}'),
        (12, now(), 1, 'create', 'compliance_check', 556, '{}');`);
    const r = await run();
    expect(violationsOf(r)).toEqual({
      'referential-integrity': {
        'ref:audit_log.entity_id[policy_decision]': 1,
        'ref:audit_log.entity_id[compliance_check]': 1,
      },
    });
  });
});
