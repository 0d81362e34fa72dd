/**
 * After the bulk load: the remaining migrations (002: keys, indexes, foreign
 * keys NOT VALID then VALIDATE), ANALYZE, and the sequences moved past the
 * seeded ids.
 *
 * To use more than one core, statements that build an index on one table
 * (ADD PRIMARY KEY, ADD CONSTRAINT ... UNIQUE, CREATE [UNIQUE] INDEX ... ON t)
 * run first, in parallel per table over several connections; everything else
 * except foreign-key validation then runs in file order in one transaction
 * (adding a key NOT VALID does not scan); last, the `VALIDATE CONSTRAINT`s run
 * in parallel, one table's at a time on a connection. VALIDATE takes SHARE
 * UPDATE EXCLUSIVE on its own table (two on one table would queue) and only
 * ROW SHARE on the referenced one (PostgreSQL manual, ALTER TABLE), so
 * validations of different tables run side by side (one after another they
 * took ~45 % of the keys phase at scale 10). Contract for migration authors:
 * such index statements must not depend on other statements of their file,
 * VALIDATE statements only on the ones before them, and statements are
 * separated by `;` at the end of a line.
 *
 * The migration is recorded as applied before its validations run; if one
 * fails, the seed fails before writing its fingerprint (so the next seed
 * reloads), and the drift check reports the constraint still NOT VALID.
 */
import type pg from 'pg';
import { applyMigration, migrationStatements, pendingOf, SUITE_TABLES, type DbState } from '../schema/index.ts';
import { connectPg } from '../services/index.ts';

const VALIDATE_STMT = /^ALTER\s+TABLE\s+(\w+)\s+VALIDATE\s+CONSTRAINT\b/i;
const INDEX_STMT = [
  /^ALTER\s+TABLE\s+(\w+)\s+ADD\s+(?:PRIMARY\s+KEY|CONSTRAINT\s+\w+\s+UNIQUE)\b/i,
  /^CREATE\s+(?:UNIQUE\s+)?INDEX\s+\w+\s+ON\s+(\w+)/i,
];

/** A migration split for the load: per-table index builds, the rest (in file order), per-table validations. */
export interface SplitMigration {
  perTable: Map<string, string[]>;
  rest: string[];
  validations: Map<string, string[]>;
}

/** Splits a migration into per-table index builds, the rest (in file order) and per-table FK validations. */
export function splitMigration(sql: string): SplitMigration {
  const statements = migrationStatements(sql);
  const perTable = new Map<string, string[]>();
  const validations = new Map<string, string[]>();
  const rest: string[] = [];
  for (const s of statements) {
    const table = INDEX_STMT.map((re) => re.exec(s)?.[1]).find(Boolean);
    const validated = VALIDATE_STMT.exec(s)?.[1];
    if (table) perTable.set(table, [...(perTable.get(table) ?? []), s]);
    else if (validated) validations.set(validated, [...(validations.get(validated) ?? []), s]);
    else rest.push(s);
  }
  return { perTable, rest, validations };
}

/** `groups` sorted by the size of their table, largest first (the tail of a parallel run stays short). */
async function largestFirst(c: pg.Client, groups: Map<string, string[]>): Promise<Array<[string, string[]]>> {
  const list = [...groups.entries()];
  const sizes = await c.query<{ name: string; bytes: string }>(
    "SELECT relname AS name, pg_relation_size(oid)::text AS bytes FROM pg_class WHERE relname = ANY($1) AND relkind = 'r'",
    [list.map((g) => g[0])],
  );
  const size = new Map(sizes.rows.map((r) => [r.name, Number(r.bytes)]));
  return list.sort((a, b) => (size.get(b[0]) ?? 0) - (size.get(a[0]) ?? 0));
}

/** Runs each job on one of `parallel` fresh connections (largest first is the caller's order). */
export async function onConnections<T>(
  url: string,
  jobs: T[],
  parallel: number,
  run: (c: pg.Client, job: T) => Promise<void>,
): Promise<void> {
  const queue = [...jobs];
  const clients: pg.Client[] = [];
  try {
    for (let k = 0; k < Math.max(1, Math.min(parallel, queue.length)); k++) {
      const c = await connectPg(url, 'building indexes');
      // Index builds sort in memory up to maintenance_work_mem (default 64MB).
      await c.query("SET maintenance_work_mem = '256MB'");
      clients.push(c);
    }
    await Promise.all(
      clients
        .map(async (c) => {
          for (let job = queue.shift(); job !== undefined; job = queue.shift()) await run(c, job);
        })
        .map((p) =>
          p.catch((e) => {
            queue.length = 0;
            throw e;
          }),
        ),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

/**
 * Applies every pending migration: index builds in parallel, the rest in one
 * transaction, then the foreign-key validations in parallel. `onUnit(done,
 * total)` counts index statements, each migration's rest as one unit, and
 * each validation.
 */
export async function applyKeysAndIndexes(
  url: string,
  c: pg.Client,
  state: DbState,
  parallel = 2,
  onUnit?: (done: number, total: number) => void,
): Promise<string[]> {
  const done: string[] = [];
  const pending = pendingOf(state.applied);
  const count = (groups: Map<string, string[]>) => [...groups.values()].flat().length;
  const total = pending
    .map((m) => splitMigration(m.sql))
    .reduce((a, sm) => a + count(sm.perTable) + (sm.rest.length ? 1 : 0) + count(sm.validations), 0);
  let units = 0;
  const unit = () => onUnit?.(++units, total);
  onUnit?.(0, total);
  const runGroups = (groups: Array<[string, string[]]>) =>
    onConnections(url, groups, parallel, async (conn, [, stmts]) => {
      for (const s of stmts) {
        await conn.query(s);
        unit();
      }
    });
  for (const m of pending) {
    const { perTable, rest, validations } = splitMigration(m.sql);
    await runGroups(await largestFirst(c, perTable));
    await applyMigration(c, { ...m, sql: rest.join(';\n') }, state);
    if (rest.length) unit();
    await runGroups(await largestFirst(c, validations));
    done.push(m.name);
  }
  return done;
}

/** ANALYZE of the suite's tables, several at a time; `onTable(done, total)` after each. */
export async function analyzeTables(
  url: string,
  parallel = 2,
  onTable?: (done: number, total: number) => void,
): Promise<void> {
  let done = 0;
  onTable?.(0, SUITE_TABLES.length);
  await onConnections(url, [...SUITE_TABLES], parallel, async (c, t) => {
    await c.query(`ANALYZE ${t}`);
    onTable?.(++done, SUITE_TABLES.length);
  });
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
