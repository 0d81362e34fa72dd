/**
 * Seeding a real database: determinism across databases, references and
 * counters after a load, the fingerprint skip and --fresh.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/helpers/services.ts';
import { seedDatabase, datasetFingerprint, type SeedProgressEvent, type SeedStepEvent } from './index.ts';
import { defaultThreads } from './seed-database.ts';
import { migrationStatus, readMarker } from '../schema/index.ts';
import { TABLES, UNENFORCED_REFERENCES } from '../schema/description.ts';

const SCALE = 0.05;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

/** md5 of every table's rows in key order: equal checksums mean identical content. */
async function checksums(url: string): Promise<Record<string, string>> {
  const parts = TABLES.map(
    (t) =>
      `SELECT '${t.name}' AS t, md5(COALESCE(string_agg(x::text, E'\\n' ORDER BY ${t.key.map((k) => `x.${k}`).join(', ')}), '')) AS sum FROM ${t.name} x`,
  );
  const rows = await query<{ t: string; sum: string }>(url, parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, r.sum]));
}

describe('seedDatabase', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    a = await createTestDatabase('seed_db_a');
    b = await createTestDatabase('seed_db_b');
    await seedDatabase({ databaseUrl: a.url, scale: SCALE, seed: 42 });
    await seedDatabase({ databaseUrl: b.url, scale: SCALE, seed: 42 });
  });
  afterAll(async () => {
    await a?.drop();
    await b?.drop();
  });

  it('gives identical content in two databases for the same seed and scale', async () => {
    const [sa, sb] = [await checksums(a.url), await checksums(b.url)];
    expect(Object.keys(sa)).toHaveLength(TABLES.length);
    expect(sb).toEqual(sa);
  });

  it('gives the same content when rows are generated in worker threads', async () => {
    const c = await createTestDatabase('seed_db_threads');
    try {
      await seedDatabase({ databaseUrl: c.url, scale: SCALE, seed: 42, threads: true });
      expect(await checksums(c.url)).toEqual(await checksums(a.url));
    } finally {
      await c.drop();
    }
  });

  it('gives different content for another seed', async () => {
    const before = await checksums(b.url);
    const s = await seedDatabase({ databaseUrl: b.url, scale: SCALE, seed: 43 });
    expect(s.skipped).toBe(false);
    const after = await checksums(b.url);
    const changed = TABLES.filter((t) => after[t.name] !== before[t.name]);
    expect(changed.length).toBe(TABLES.length);
  });

  it('stores the marker and the fingerprint, with all migrations applied', async () => {
    expect(await readMarker(a.url)).toEqual({ schemaVersion: 1, fingerprint: datasetFingerprint(SCALE, 42) });
    const st = await migrationStatus(a.url);
    expect(st).toMatchObject({ owned: true, current: 2, pending: [] });
  });

  it('adds and validates every foreign key', async () => {
    const fks = await query<{ conname: string; convalidated: boolean }>(
      a.url,
      "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace",
    );
    expect(fks.length).toBeGreaterThanOrEqual(23);
    expect(fks.filter((f) => !f.convalidated)).toEqual([]);
  });

  it('resolves every JSONB and audit reference that no constraint enforces', async () => {
    for (const r of UNENFORCED_REFERENCES) {
      const sql =
        r.kind === 'jsonb-array'
          ? `SELECT count(*)::int AS n, (SELECT count(*)::int FROM ${r.table}, jsonb_array_elements(${r.column})) AS total FROM ${r.table} x, jsonb_array_elements(x.${r.column}) e
             WHERE NOT EXISTS (SELECT 1 FROM ${r.references.table} y WHERE y.${r.references.column} = (e #>> '{}')::bigint)`
          : `SELECT count(*)::int AS n, (SELECT count(*)::int FROM ${r.table} WHERE ${r.where}) AS total FROM ${r.table} x
             WHERE ${r.where} AND NOT EXISTS (SELECT 1 FROM ${r.references.table} y WHERE y.${r.references.column} = x.${r.column})`;
      const [{ n, total }] = await query<{ n: number; total: number }>(a.url, sql);
      expect(n, r.name).toBe(0);
      expect(total, r.name).toBeGreaterThan(0);
    }
  });

  it('keeps the denormalised counters equal to the rows they count', async () => {
    const [votes] = await query<{ bad: number; n: number }>(
      a.url,
      `
      SELECT count(*) FILTER (WHERE a.votes_for <> COALESCE(v.f, 0) OR a.votes_against <> COALESCE(v.ag, 0) OR a.votes_abstain <> COALESCE(v.ab, 0))::int AS bad,
             count(*)::int AS n
        FROM amendments a LEFT JOIN (
          SELECT amendment_id, count(*) FILTER (WHERE choice = 'for') AS f, count(*) FILTER (WHERE choice = 'against') AS ag,
                 count(*) FILTER (WHERE choice = 'abstain') AS ab FROM amendment_votes GROUP BY 1) v ON v.amendment_id = a.id`,
    );
    expect(votes).toEqual({ bad: 0, n: 50 });
    const [versions] = await query<{ bad: number; updated: number }>(
      a.url,
      `
      SELECT count(*) FILTER (WHERE p.version <> 1 + COALESCE(u.n, 0))::int AS bad, count(u.n)::int AS updated
        FROM policies p LEFT JOIN (SELECT policy_id, count(*) AS n FROM policy_updates GROUP BY 1) u ON u.policy_id = p.id`,
    );
    expect(versions.bad).toBe(0);
    expect(versions.updated).toBeGreaterThan(0);
    const [steps] = await query<{ bad: number }>(
      a.url,
      `
      SELECT count(*)::int AS bad FROM (
        SELECT from_version, to_version, row_number() OVER (PARTITION BY policy_id ORDER BY from_version) AS rn FROM policy_updates) x
       WHERE from_version <> rn OR to_version <> rn + 1`,
    );
    expect(steps.bad).toBe(0);
  });

  it('moves sequences past the seeded ids', async () => {
    const [r] = await query<{ next: string; max: string }>(
      a.url,
      "SELECT nextval('audit_log_id_seq')::text AS next, (SELECT max(id) FROM audit_log)::text AS max",
    );
    expect(Number(r.next)).toBe(Number(r.max) + 1);
  });

  it('skips a rerun with the same fingerprint and reloads with fresh', async () => {
    // A sentinel row a reload would remove.
    await query(
      a.url,
      "INSERT INTO static_config (key, value, description, updated_at) VALUES ('test.sentinel', '1', 'kept unless reloaded', now())",
    );
    const rerun = await seedDatabase({ databaseUrl: a.url, scale: SCALE, seed: 42 });
    expect(rerun.skipped).toBe(true);
    expect(rerun.phases).toEqual({ copyMs: 0, keysMs: 0, analyzeMs: 0 });
    expect(rerun.totalRows).toBeGreaterThan(5000);
    expect(await query(a.url, "SELECT 1 FROM static_config WHERE key = 'test.sentinel'")).toHaveLength(1);
    const fresh = await seedDatabase({ databaseUrl: a.url, scale: SCALE, seed: 42, fresh: true });
    expect(fresh.skipped).toBe(false);
    expect(await query(a.url, "SELECT 1 FROM static_config WHERE key = 'test.sentinel'")).toHaveLength(0);
  });

  it('reports progress per table, ending with a done event of the full row count', async () => {
    const events: SeedProgressEvent[] = [];
    const steps: SeedStepEvent[] = [];
    const s = await seedDatabase({
      databaseUrl: a.url,
      scale: SCALE,
      seed: 42,
      fresh: true,
      onProgress: (e) => events.push(e),
      onStep: (e) => steps.push(e),
    });
    const done = events.filter((e) => e.done);
    expect(done.map((e) => e.table).sort()).toEqual(TABLES.map((t) => t.name).sort());
    for (const d of done) expect(d.rows).toBe(d.totalRows);
    expect(s.totalRows).toBe(done.reduce((x, e) => x + e.rows, 0));
    // every phase measured, none longer than the whole
    const { copyMs, keysMs, analyzeMs } = s.phases;
    for (const ms of [copyMs, keysMs, analyzeMs]) expect(ms).toBeGreaterThan(0);
    expect(copyMs + keysMs + analyzeMs).toBeLessThanOrEqual(s.totalMs);
    // tables done / total: each done event counts one more table, the last one all of them
    expect(done.map((e) => e.tablesDone)).toEqual(done.map((_, i) => i + 1));
    for (const e of events) expect(e.tablesTotal).toBe(TABLES.length);
    const tablesDone = events.map((e) => e.tablesDone);
    expect(tablesDone).toEqual([...tablesDone].sort((x, y) => x - y));
    expect(tablesDone.at(-1)).toBe(TABLES.length);
    // the steps after the load: each from 0 to its total, one unit at a time
    for (const step of ['keys and indexes', 'analyze'] as const) {
      const of = steps.filter((e) => e.step === step);
      expect(of.length, step).toBeGreaterThan(2);
      expect(of.map((e) => e.done)).toEqual(of.map((_, i) => i));
      expect(of.at(-1)!.done).toBe(of[0].total);
    }
    expect(steps.find((e) => e.step === 'analyze')!.total).toBe(TABLES.length + 1); // + acgs_meta
    expect(steps.findIndex((e) => e.step === 'analyze')).toBe(
      steps.filter((e) => e.step === 'keys and indexes').length,
    );
  });

  it('rejects a bad scale with BAD_CONFIG', async () => {
    await expect(seedDatabase({ databaseUrl: a.url, scale: -1, seed: 1.5 })).rejects.toMatchObject({
      kind: 'BAD_CONFIG',
      details: [expect.stringContaining('seed')],
    });
  });
});

describe('defaultThreads', () => {
  it('generates in the main thread unless there is a core per stream, per generator and one more', () => {
    expect(defaultThreads(1_000_000, 2, 2)).toBe(false); // this project's 2-core CI
    expect(defaultThreads(1_000_000, 2, 4)).toBe(false);
    expect(defaultThreads(1_000_000, 2, 5)).toBe(true);
    expect(defaultThreads(100_000, 2, 64)).toBe(false); // small datasets never pay a thread's start-up
  });
});
