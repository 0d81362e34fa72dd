/**
 * Schema drift on a real database: an index, column or constraint changed
 * behind the suite's back turns the data preparation (the seed's fingerprint
 * check) into a SCHEMA_DRIFT refusal that names the difference; `repair`
 * re-creates what it can and refuses what only a reload fixes.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/helpers/services.ts';
import { seedDatabase, type SeedOptions } from '../seed/index.ts';
import { connectPg } from '../services/index.ts';
import { expectedCatalog, liveCatalog, MIGRATIONS, schemaDrift } from './index.ts';

const SCALE = 0.05;

describe('schema drift before the load', () => {
  let db: TestDatabase;
  const seed = (o: Partial<SeedOptions> = {}) => seedDatabase({ databaseUrl: db.url, scale: SCALE, seed: 42, ...o });
  async function sql<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query<T>(text)).rows;
    } finally {
      await c.end();
    }
  }
  /** What the seed refuses with (it must refuse). */
  async function refusal(o: Partial<SeedOptions> = {}) {
    const e = await seed(o).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e, 'the seed should have refused').toMatchObject({ kind: 'SCHEMA_DRIFT', exitCode: 6 });
    return e as { message: string; hint: string; details: string[] };
  }

  beforeAll(async () => {
    db = await createTestDatabase('schema_drift');
    await seed();
  });
  // Each test starts from the migrations' schema: a test that left drift behind gets a reload.
  afterEach(async () => {
    if ((await schemaDrift(db.url))?.length) await seed({ fresh: true });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('passes a clean, freshly seeded database', async () => {
    expect(await schemaDrift(db.url)).toEqual([]);
    const s = await seed();
    expect(s).toMatchObject({ skipped: true, repaired: [] });
  });

  it('derives the expected schema by applying the migrations in a scratch schema, left behind nowhere', async () => {
    // The scratch schema gets the migrations' own names: nothing may be qualified with public.
    for (const m of MIGRATIONS) expect(m.sql, m.name).not.toMatch(/\bpublic\./i);
    const c = await connectPg(db.url);
    try {
      const applied = MIGRATIONS.map((m) => m.name);
      const expected = await expectedCatalog(c, applied);
      expect(expected).toEqual(await liveCatalog(c));
      expect(Object.keys(expected.indexes)).toContain('audit_log_time_idx');
      expect(expected.constraints['audit_log.audit_log_actor_fk']).toMatchObject({ type: 'f', validated: true });
      // only 001 applied (an interrupted load): no keys or indexes are expected yet
      const tablesOnly = await expectedCatalog(c, [MIGRATIONS[0].name]);
      expect(Object.keys(tablesOnly.indexes)).toEqual([]);
      expect(Object.keys(tablesOnly.tables).sort()).toEqual(Object.keys(expected.tables).sort());
    } finally {
      await c.end();
    }
    expect(await sql("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'acgs_expected%'")).toEqual([]);
  });

  it('refuses a dropped index, naming it', async () => {
    await sql('DROP INDEX audit_log_time_idx');
    const e = await refusal();
    expect(e.message).toMatch(/^the schema of .*acgs_t_schema_drift differs from its migrations \(1 difference\): /);
    expect(e.message).toContain('index audit_log_time_idx on audit_log is missing');
    expect(e.hint).toContain('acgs-load seed --repair');
    expect(e.hint).toContain('--fresh');
  });

  it('refuses a changed column type, naming both types', async () => {
    await sql('ALTER TABLE policies ALTER COLUMN version TYPE bigint');
    const e = await refusal();
    expect(e.message).toContain('column policies.version is bigint, the migrations define integer');
    expect(e.hint).toMatch(/^reload the dataset: `acgs-load seed --fresh`/);
  });

  it('refuses a dropped foreign key', async () => {
    await sql('ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_fk');
    const e = await refusal();
    expect(e.message).toContain('foreign key audit_log_actor_fk on audit_log is missing');
  });

  it('refuses a constraint left NOT VALID', async () => {
    await sql(`ALTER TABLE amendment_votes DROP CONSTRAINT amendment_votes_voter_fk;
      ALTER TABLE amendment_votes ADD CONSTRAINT amendment_votes_voter_fk FOREIGN KEY (voter_id) REFERENCES users(id) NOT VALID`);
    const e = await refusal();
    expect(e.message).toContain('foreign key amendment_votes_voter_fk on amendment_votes is NOT VALID');
  });

  it('refuses an extra index: it changes the plans and the write cost the run measures', async () => {
    await sql('CREATE INDEX audit_log_action_idx ON audit_log (action)');
    const e = await refusal();
    expect(e.message).toContain('index audit_log_action_idx on audit_log is not in the migrations');
  });

  it('refuses a changed index definition, dropped NOT NULL and default, and lists them all', async () => {
    await sql(`DROP INDEX policy_rules_policy_idx; CREATE INDEX policy_rules_policy_idx ON policy_rules (policy_id);
      ALTER TABLE users ALTER COLUMN email DROP NOT NULL; ALTER TABLE audit_log ALTER COLUMN occurred_at DROP DEFAULT`);
    const e = await refusal();
    expect(e.message).toContain('(3 differences)');
    expect(e.message).toContain(
      'index policy_rules_policy_idx is ON policy_rules USING btree (policy_id), the migrations define ON policy_rules USING btree (policy_id, rule_order)',
    );
    expect(e.message).toContain('column users.email allows NULL, the migrations define NOT NULL');
    expect(e.message).toContain('column audit_log.occurred_at has no default, the migrations define now()');
  });

  it('ignores a table the migrations do not define (--fresh could not remove it; no query reads it)', async () => {
    await sql('CREATE TABLE notes_of_someone (id int PRIMARY KEY)');
    try {
      expect(await schemaDrift(db.url)).toEqual([]);
    } finally {
      await sql('DROP TABLE notes_of_someone');
    }
  });

  it('--repair restores a dropped index and a NOT VALID constraint; the next check is clean', async () => {
    await sql(`DROP INDEX audit_log_time_idx; DROP INDEX audit_log_entity_idx;
      ALTER TABLE amendment_votes DROP CONSTRAINT amendment_votes_voter_fk;
      ALTER TABLE amendment_votes ADD CONSTRAINT amendment_votes_voter_fk FOREIGN KEY (voter_id) REFERENCES users(id) NOT VALID;
      ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_fk;
      CREATE INDEX audit_log_action_idx ON audit_log (action)`);
    const s = await seed({ repair: true });
    expect(s.skipped).toBe(true);
    expect([...s.repaired].sort()).toEqual(
      [
        'index audit_log_time_idx on audit_log is missing',
        'index audit_log_entity_idx on audit_log is missing',
        'foreign key audit_log_actor_fk on audit_log is missing',
        'foreign key amendment_votes_voter_fk on amendment_votes is NOT VALID (existing rows were never checked against it), the migrations validate it',
        'index audit_log_action_idx on audit_log is not in the migrations',
      ].sort(),
    );
    expect(await schemaDrift(db.url)).toEqual([]);
    expect(await seed()).toMatchObject({ skipped: true, repaired: [] });
    const [fk] = await sql<{ convalidated: boolean }>(
      "SELECT convalidated FROM pg_constraint WHERE conname = 'amendment_votes_voter_fk'",
    );
    expect(fk.convalidated).toBe(true);
    // the data was kept, not reloaded
    const [n] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    expect(n.n).toBe(2500);
  });

  it('--repair refuses a changed column type and changes nothing', async () => {
    await sql('ALTER TABLE policies ALTER COLUMN version TYPE bigint; DROP INDEX audit_log_time_idx');
    const e = await refusal({ repair: true });
    expect(e.message).toMatch(/^--repair cannot fix the schema of .*: column policies\.version is bigint/);
    expect(e.message).not.toContain('audit_log_time_idx'); // it could repair that one
    expect(e.hint).toContain('acgs-load seed --fresh');
    expect((await schemaDrift(db.url))!.map((d) => d.text)).toEqual([
      'column policies.version is bigint, the migrations define integer',
      'index audit_log_time_idx on audit_log is missing',
    ]);
    const fresh = await seed({ fresh: true });
    expect(fresh.skipped).toBe(false);
    expect(await schemaDrift(db.url)).toEqual([]);
  });

  it('--repair refuses a NOT VALID constraint the rows violate, in one transaction (nothing changed)', async () => {
    await sql(`DROP INDEX audit_log_time_idx;
      ALTER TABLE amendment_votes DROP CONSTRAINT amendment_votes_voter_fk;
      INSERT INTO amendment_votes (id, amendment_id, voter_id, choice, created_at) VALUES (999999, 1, 987654, 'for', now());
      ALTER TABLE amendment_votes ADD CONSTRAINT amendment_votes_voter_fk FOREIGN KEY (voter_id) REFERENCES users(id) NOT VALID`);
    const e = await refusal({ repair: true });
    expect(e.message).toMatch(
      /^--repair could not fix "foreign key amendment_votes_voter_fk on amendment_votes is NOT VALID/,
    );
    expect(e.message).toContain('violates foreign key constraint');
    expect(e.hint).toMatch(/^nothing was changed; reload the dataset/);
    // rolled back: the index it built before the failing validation is gone again
    expect((await schemaDrift(db.url))!.map((d) => d.text)).toContain(
      'index audit_log_time_idx on audit_log is missing',
    );
  });
});
