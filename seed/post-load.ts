/**
 * After the bulk load: the remaining migrations (002: keys, indexes, foreign
 * keys NOT VALID then VALIDATE) and the sequences moved past the seeded ids.
 */
import type pg from 'pg';
import { applyMigration, pendingOf, type DbState } from './migrations.ts';

/** Applies every pending migration, with more memory for index builds. */
export async function applyKeysAndIndexes(_url: string, c: pg.Client, state: DbState): Promise<string[]> {
  // Index builds sort in memory up to maintenance_work_mem (default 64MB);
  // a larger budget avoids spilling the audit_log indexes to disk.
  await c.query("SET maintenance_work_mem = '256MB'");
  const done: string[] = [];
  for (const m of pendingOf(state.applied)) {
    await applyMigration(c, m, state);
    done.push(m.name);
  }
  await c.query('RESET maintenance_work_mem');
  return done;
}

/**
 * Sets every sequence owned by a column of a public table to max(column) + 1,
 * so rows the target inserts during a run never collide with seeded ids.
 */
export async function setSequences(c: pg.Client): Promise<Array<{ sequence: string; next: number }>> {
  const r = await c.query<{ seq: string; tbl: string; col: string }>(`
    SELECT s.relname AS seq, t.relname AS tbl, a.attname AS col
      FROM pg_class s
      JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
      JOIN pg_class t ON t.oid = d.refobjid
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE s.relkind = 'S' AND t.relnamespace = 'public'::regnamespace
     ORDER BY 1`);
  const out: Array<{ sequence: string; next: number }> = [];
  for (const { seq, tbl, col } of r.rows) {
    const v = await c.query<{ next: number }>(
      `SELECT setval('${seq}', COALESCE((SELECT max(${col}) FROM ${tbl}), 0) + 1, false) AS next`,
    );
    out.push({ sequence: seq, next: Number(v.rows[0].next) });
  }
  return out;
}
