/**
 * The suite only changes databases it marked as its own: a database with
 * tables but no marker is refused (and left untouched) unless forced.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseUrl, type TestDatabase } from '../test/helpers/services.ts';
import { seedDatabase } from './index.ts';
import { ensureDatabase } from '../services/index.ts';
import { migrate, migrationStatus, readMarker } from '../schema/index.ts';

async function run(url: string, sql: string): Promise<pg.QueryResultRow[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

async function tables(url: string): Promise<string[]> {
  const rows = await run(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  return rows.map((r) => r.tablename as string);
}

describe('owning its data', () => {
  let foreign: TestDatabase;
  let empty: TestDatabase;
  beforeAll(async () => {
    foreign = await createTestDatabase('own_foreign');
    empty = await createTestDatabase('own_empty');
    await run(
      foreign.url,
      "CREATE TABLE customer_orders (id int PRIMARY KEY, note text); INSERT INTO customer_orders VALUES (1, 'keep me')",
    );
  });
  afterAll(async () => {
    await foreign?.drop();
    await empty?.drop();
  });

  it('refuses to seed or migrate a database with tables but no marker, and leaves it as it was', async () => {
    await expect(seedDatabase({ databaseUrl: foreign.url, scale: 0.05, seed: 1 })).rejects.toMatchObject({
      kind: 'FOREIGN_DATABASE',
      exitCode: 6,
    });
    await expect(seedDatabase({ databaseUrl: foreign.url, scale: 0.05, seed: 1, fresh: true })).rejects.toMatchObject({
      kind: 'FOREIGN_DATABASE',
    });
    await expect(migrate(foreign.url)).rejects.toMatchObject({
      kind: 'FOREIGN_DATABASE',
      message: expect.stringContaining('customer_orders'),
    });
    expect(await tables(foreign.url)).toEqual(['customer_orders']);
    expect(await run(foreign.url, 'SELECT note FROM customer_orders')).toEqual([{ note: 'keep me' }]);
    expect(await migrationStatus(foreign.url)).toEqual({
      owned: false,
      current: 0,
      pending: ['001_tables', '002_keys_indexes'],
      fingerprint: null,
    });
    expect(await readMarker(foreign.url)).toBeNull();
  });

  it("proceeds with force, without touching tables that are not the suite's", async () => {
    const s = await seedDatabase({ databaseUrl: foreign.url, scale: 0.05, seed: 1, force: true });
    expect(s.skipped).toBe(false);
    expect(await readMarker(foreign.url)).toMatchObject({ schemaVersion: 1, fingerprint: s.fingerprint });
    expect(await run(foreign.url, 'SELECT note FROM customer_orders')).toEqual([{ note: 'keep me' }]);
    // Marked now: later runs need no force.
    expect((await seedDatabase({ databaseUrl: foreign.url, scale: 0.05, seed: 1 })).skipped).toBe(true);
  });

  it('migrates an empty database and marks it, then has nothing pending', async () => {
    const r = await migrate(empty.url);
    expect(r).toEqual({ applied: ['001_tables', '002_keys_indexes'], current: 2 });
    expect(await migrate(empty.url)).toEqual({ applied: [], current: 2 });
    expect(await migrationStatus(empty.url)).toEqual({ owned: true, current: 2, pending: [], fingerprint: null });
    // A seed after a bare migrate loads the data (fingerprint was null).
    expect((await seedDatabase({ databaseUrl: empty.url, scale: 0.05, seed: 2 })).skipped).toBe(false);
  });

  it('refuses a database whose marker has a newer schema version', async () => {
    await run(
      empty.url,
      `UPDATE acgs_meta SET value = jsonb_set(value, '{schemaVersion}', '99') WHERE key = 'acgs-load'`,
    );
    await expect(seedDatabase({ databaseUrl: empty.url, scale: 0.05, seed: 2, fresh: true })).rejects.toMatchObject({
      kind: 'SCHEMA_TOO_NEW',
    });
    await run(
      empty.url,
      `UPDATE acgs_meta SET value = jsonb_set(value, '{schemaVersion}', '1') WHERE key = 'acgs-load'`,
    );
  });

  it('creates a missing database once', async () => {
    const name = 'acgs_t_own_created';
    const url = databaseUrl(name);
    const admin = databaseUrl('postgres');
    await run(admin, `DROP DATABASE IF EXISTS ${name}`);
    try {
      expect(await ensureDatabase(url)).toEqual({ created: true });
      expect(await ensureDatabase(url)).toEqual({ created: false });
    } finally {
      await run(admin, `DROP DATABASE IF EXISTS ${name}`);
    }
  });

  it('maps an unreachable server to PG_UNREACHABLE with host:port and no password', async () => {
    const err = await migrate('postgres://someone:s3cret@127.0.0.1:1/db').catch((e) => e);
    expect(err).toMatchObject({ kind: 'PG_UNREACHABLE', exitCode: 5 });
    expect(err.message).toContain('127.0.0.1:1');
    expect(err.format()).not.toContain('s3cret');
  });
});
