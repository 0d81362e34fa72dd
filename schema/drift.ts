/**
 * Schema drift: does the live schema of the suite's database still match what
 * its migrations define? The dataset fingerprint says which data is loaded;
 * it says nothing about an index dropped, a column retyped or a constraint
 * left NOT VALID behind the suite's back, and a run on such a schema measures
 * another system than the one it reports on (a dropped audit_log index tripled
 * index_scan's p95 and the run still passed).
 *
 * What the migrations define is read, not restated: the applied migrations run
 * in a scratch schema inside a transaction that is rolled back (nothing is
 * left behind, even when the process dies), and that schema's catalog is read
 * with the same queries as the live one. Both are read with search_path set to
 * the schema read, so PostgreSQL deparses them alike (`REFERENCES users(id)`,
 * `nextval('users_id_seq'::regclass)`).
 *
 * Compared, per table of the migrations: persistence and storage options;
 * columns (type with typmod and collation, NOT NULL, default); indexes (table,
 * uniqueness, method, columns, predicate, options; valid); constraints
 * (primary key, unique, foreign key, check, exclusion: definition and
 * `convalidated`). Indexes and constraints on those tables that the migrations
 * do not define are drift too: an extra index changes the plans and the write
 * cost the run measures. Tables the migrations do not define are not: no query
 * of the suite reads them, and `seed --fresh` (which drops only the suite's
 * tables) could not remove them.
 *
 * Repair (`--repair`) re-applies what it can: missing indexes and constraints
 * from the migrations' own statements (the scratch catalog's definition for a
 * constraint written inline in CREATE TABLE), VALIDATE for a constraint left
 * NOT VALID, REINDEX for an invalid index, DROP for an index or constraint the
 * migrations do not define, drop and re-create for one defined differently.
 * Tables and columns are not repaired: that is a reload (`--fresh`).
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { AcgsError } from '../config/index.ts';
import { describePg, ident, pgError, withPg } from '../services/index.ts';
import { MIGRATIONS, migrationStatements, readState } from './migrations.ts';

/** The catalog of one schema, as far as drift goes (keys: table, index and `table.constraint` names). */
export interface Catalog {
  tables: Record<string, CatalogTable>;
  indexes: Record<string, CatalogIndex>;
  constraints: Record<string, CatalogConstraint>;
}

export interface CatalogTable {
  /** pg_class.relpersistence: p permanent, u unlogged. */
  persistence: string;
  /** Storage parameters (`fillfactor=50`), sorted. */
  options: string[];
  columns: Record<string, { type: string; notNull: boolean; default: string | null }>;
}

/** An index that backs no constraint (those are compared as constraints). */
export interface CatalogIndex {
  table: string;
  unique: boolean;
  /** pg_get_indexdef from USING on: `USING btree (run_id, client_request_id) WHERE (run_id IS NOT NULL)`. */
  definition: string;
  valid: boolean;
}

export interface CatalogConstraint {
  table: string;
  name: string;
  /** pg_constraint.contype: p, u, f, c, x. */
  type: string;
  /** pg_get_constraintdef: `FOREIGN KEY (actor_id) REFERENCES users(id)`. */
  definition: string;
  validated: boolean;
}

/** One difference between the live schema and the migrations, with the statements that would repair it. */
export interface SchemaDrift {
  /** In words: "index audit_log_time_idx on audit_log is missing". */
  text: string;
  /** Statements to run (in phase order across all differences); null when only a reload repairs it. */
  repair: RepairStep[] | null;
}

export interface RepairStep {
  /** Drops, then keys and checks, indexes, foreign keys, validation (a foreign key needs its referenced key). */
  phase: number;
  sql: string;
}

const PHASE = {
  dropFk: 0,
  dropConstraint: 1,
  dropIndex: 2,
  addKey: 3,
  addCheck: 4,
  addIndex: 5,
  addFk: 6,
  validate: 7,
};

const CONSTRAINT_WORD: Record<string, string> = {
  p: 'primary key',
  u: 'unique constraint',
  f: 'foreign key',
  c: 'check constraint',
  x: 'exclusion constraint',
};

/** Reads the catalog of `schema`; the caller has set search_path to it (see above). */
async function readCatalog(c: pg.Client, schema: string): Promise<Catalog> {
  const tables = await c.query<{ table: string; persistence: string; options: string[] | null }>(
    `SELECT c.relname AS table, c.relpersistence AS persistence, c.reloptions AS options
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [schema],
  );
  const columns = await c.query<{ table: string; column: string; type: string; not_null: boolean; default: string }>(
    `SELECT c.relname AS table, a.attname AS column,
            format_type(a.atttypid, a.atttypmod)
              || CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
    [schema],
  );
  const indexes = await c.query<{ name: string; table: string; unique: boolean; valid: boolean; def: string }>(
    `SELECT i.relname AS name, c.relname AS table, x.indisunique AS unique, x.indisvalid AS valid,
            pg_get_indexdef(x.indexrelid) AS def
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class c ON c.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                         WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))`,
    [schema],
  );
  // NOT NULL is compared per column (attnotnull): PostgreSQL 18 also lists it here as contype 'n'.
  const constraints = await c.query<{ name: string; table: string; type: string; def: string; validated: boolean }>(
    `SELECT k.conname AS name, c.relname AS table, k.contype AS type, pg_get_constraintdef(k.oid) AS def,
            k.convalidated AS validated
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND k.contype IN ('p', 'u', 'f', 'c', 'x')`,
    [schema],
  );
  const catalog: Catalog = { tables: {}, indexes: {}, constraints: {} };
  for (const t of tables.rows)
    catalog.tables[t.table] = { persistence: t.persistence, options: [...(t.options ?? [])].sort(), columns: {} };
  for (const col of columns.rows)
    catalog.tables[col.table].columns[col.column] = { type: col.type, notNull: col.not_null, default: col.default };
  for (const i of indexes.rows) {
    const at = i.def.indexOf(' USING ');
    catalog.indexes[i.name] = {
      table: i.table,
      unique: i.unique,
      valid: i.valid,
      definition: at >= 0 ? i.def.slice(at + 1) : i.def,
    };
  }
  for (const k of constraints.rows)
    catalog.constraints[`${k.table}.${k.name}`] = {
      table: k.table,
      name: k.name,
      type: k.type,
      // validity is compared on its own (pg_get_constraintdef appends it)
      definition: k.validated ? k.def : k.def.replace(/ NOT VALID$/, ''),
      validated: k.validated,
    };
  return catalog;
}

/** The live catalog of `public`, where the suite's migrations put its tables. */
export async function liveCatalog(c: pg.Client): Promise<Catalog> {
  await c.query('BEGIN READ ONLY');
  try {
    await c.query("SELECT set_config('search_path', 'public', true)");
    return await readCatalog(c, 'public');
  } finally {
    await c.query('ROLLBACK').catch(() => {});
  }
}

const expectedCache = new Map<string, Catalog>();

/**
 * The catalog the `applied` migrations define: they run in a scratch schema in
 * a transaction that is rolled back. Kept per process for each set of
 * migration texts and server version (the deparsed text can differ between
 * PostgreSQL versions).
 */
export async function expectedCatalog(c: pg.Client, applied: readonly string[]): Promise<Catalog> {
  const migrations = MIGRATIONS.filter((m) => applied.includes(m.name));
  const version = (await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0].v;
  const key = createHash('sha256')
    .update(JSON.stringify([version, migrations.map((m) => [m.name, m.sql])]))
    .digest('hex');
  const cached = expectedCache.get(key);
  if (cached) return cached;
  // A name of its own: another process checking at the same moment would otherwise wait on this one's schema.
  const scratch = `acgs_expected_${process.pid}_${randomBytes(4).toString('hex')}`;
  await c.query('BEGIN');
  try {
    await c.query(`CREATE SCHEMA ${ident(scratch)}`);
    await c.query("SELECT set_config('search_path', $1, true)", [ident(scratch)]);
    for (const m of migrations) await c.query(m.sql);
    const catalog = await readCatalog(c, scratch);
    expectedCache.set(key, catalog);
    return catalog;
  } finally {
    await c.query('ROLLBACK').catch(() => {});
  }
}

/** Every difference of `live` from `expected`, each with its repair (or null). */
export function diffCatalogs(expected: Catalog, live: Catalog, applied: readonly string[] = []): SchemaDrift[] {
  const out: SchemaDrift[] = [];
  const statements = MIGRATIONS.filter((m) => applied.includes(m.name)).flatMap((m) => migrationStatements(m.sql));
  const suiteTables = new Set(Object.keys(expected.tables));

  for (const [name, e] of Object.entries(expected.tables)) {
    const l = live.tables[name];
    if (!l) {
      out.push({ text: `table ${name} is missing`, repair: null });
      continue;
    }
    if (l.persistence !== e.persistence)
      out.push({
        text: `table ${name} is ${persistenceWord(l.persistence)}, the migrations define it ${persistenceWord(e.persistence)}`,
        repair: null,
      });
    if (l.options.join(',') !== e.options.join(','))
      out.push({
        text: `table ${name} has storage options ${optionsText(l.options)}, the migrations define ${optionsText(e.options)}`,
        repair: null,
      });
    for (const [col, ec] of Object.entries(e.columns)) {
      const lc = l.columns[col];
      const at = `column ${name}.${col}`;
      if (!lc) out.push({ text: `${at} is missing`, repair: null });
      else {
        if (lc.type !== ec.type)
          out.push({ text: `${at} is ${lc.type}, the migrations define ${ec.type}`, repair: null });
        if (lc.notNull !== ec.notNull)
          out.push({
            text: lc.notNull
              ? `${at} is NOT NULL, the migrations allow NULL`
              : `${at} allows NULL, the migrations define NOT NULL`,
            repair: null,
          });
        if (lc.default !== ec.default)
          out.push({
            text: `${at} has ${lc.default === null ? 'no default' : `default ${lc.default}`}, the migrations define ${ec.default === null ? 'none' : ec.default}`,
            repair: null,
          });
      }
    }
    for (const col of Object.keys(l.columns))
      if (!(col in e.columns)) out.push({ text: `column ${name}.${col} is not in the migrations`, repair: null });
  }

  for (const [name, e] of Object.entries(expected.indexes)) {
    const l = live.indexes[name];
    const create = createIndexSql(statements, name, e);
    if (!l) {
      if (!live.tables[e.table]) continue; // said once: the table is missing
      out.push({ text: `index ${name} on ${e.table} is missing`, repair: [{ phase: PHASE.addIndex, sql: create }] });
    } else if (l.table !== e.table || l.definition !== e.definition || l.unique !== e.unique) {
      out.push({
        text: `index ${name} is ${indexText(l)}, the migrations define ${indexText(e)}`,
        repair: [
          { phase: PHASE.dropIndex, sql: `DROP INDEX ${ident(name)}` },
          { phase: PHASE.addIndex, sql: create },
        ],
      });
    } else if (!l.valid && e.valid) {
      out.push({
        text: `index ${name} on ${e.table} is invalid (a failed concurrent build?): the planner does not use it`,
        repair: [{ phase: PHASE.validate, sql: `REINDEX INDEX ${ident(name)}` }],
      });
    }
  }
  for (const [name, l] of Object.entries(live.indexes))
    if (!(name in expected.indexes) && suiteTables.has(l.table))
      out.push({
        text: `index ${name} on ${l.table} is not in the migrations`,
        repair: [{ phase: PHASE.dropIndex, sql: `DROP INDEX ${ident(name)}` }],
      });

  for (const [key, e] of Object.entries(expected.constraints)) {
    const l = live.constraints[key];
    const what = `${CONSTRAINT_WORD[e.type] ?? 'constraint'} ${e.name} on ${e.table}`;
    if (!l) {
      if (!live.tables[e.table]) continue;
      out.push({ text: `${what} is missing`, repair: addConstraintSteps(statements, e) });
    } else if (l.type !== e.type || l.definition !== e.definition) {
      out.push({
        text: `${what} is ${l.definition}, the migrations define ${e.definition}`,
        repair: [dropConstraintStep(l), ...addConstraintSteps(statements, e)],
      });
    } else if (!l.validated && e.validated) {
      out.push({
        text: `${what} is NOT VALID (existing rows were never checked against it), the migrations validate it`,
        repair: [{ phase: PHASE.validate, sql: `ALTER TABLE ${ident(e.table)} VALIDATE CONSTRAINT ${ident(e.name)}` }],
      });
    }
  }
  for (const [key, l] of Object.entries(live.constraints))
    if (!(key in expected.constraints) && suiteTables.has(l.table))
      out.push({
        text: `${CONSTRAINT_WORD[l.type] ?? 'constraint'} ${l.name} on ${l.table} is not in the migrations`,
        repair: [dropConstraintStep(l)],
      });
  return out;
}

function persistenceWord(p: string): string {
  return p === 'u' ? 'unlogged' : p === 't' ? 'temporary' : 'logged';
}

function optionsText(o: string[]): string {
  return o.length ? `(${o.join(', ')})` : 'none';
}

function indexText(i: CatalogIndex): string {
  return `${i.unique ? 'UNIQUE ' : ''}ON ${i.table} ${i.definition}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A statement of the migrations that does one thing only (re-running it adds nothing else). */
function single(statements: string[], re: RegExp): string | undefined {
  return statements.find((s) => re.test(s) && !/,\s*(ADD|ALTER|DROP|VALIDATE)\b/i.test(s));
}

/** The migration's own CREATE INDEX; else the scratch catalog's definition. */
function createIndexSql(statements: string[], name: string, e: CatalogIndex): string {
  const own = single(
    statements,
    new RegExp(
      `^CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?"?${escapeRe(name)}"?\\s+ON\\s+(?:ONLY\\s+)?"?${escapeRe(e.table)}"?[\\s(]`,
      'i',
    ),
  );
  return own ?? `CREATE ${e.unique ? 'UNIQUE ' : ''}INDEX ${ident(name)} ON ${ident(e.table)} ${e.definition}`;
}

/** The migration's own ADD CONSTRAINT / ADD PRIMARY KEY (then VALIDATE if it adds NOT VALID); else the catalog's. */
function addConstraintSteps(statements: string[], e: CatalogConstraint): RepairStep[] {
  const table = `ALTER\\s+TABLE\\s+(?:ONLY\\s+)?"?${escapeRe(e.table)}"?\\s+ADD\\s+`;
  const own =
    single(statements, new RegExp(`^${table}CONSTRAINT\\s+"?${escapeRe(e.name)}"?\\s`, 'i')) ??
    (e.type === 'p' ? single(statements, new RegExp(`^${table}PRIMARY\\s+KEY\\b`, 'i')) : undefined);
  const phase = e.type === 'f' ? PHASE.addFk : e.type === 'c' ? PHASE.addCheck : PHASE.addKey;
  const sql = own ?? `ALTER TABLE ${ident(e.table)} ADD CONSTRAINT ${ident(e.name)} ${e.definition}`;
  const steps = [{ phase, sql }];
  if (e.validated && /\bNOT\s+VALID\b/i.test(sql))
    steps.push({ phase: PHASE.validate, sql: `ALTER TABLE ${ident(e.table)} VALIDATE CONSTRAINT ${ident(e.name)}` });
  return steps;
}

function dropConstraintStep(l: CatalogConstraint): RepairStep {
  return {
    phase: l.type === 'f' ? PHASE.dropFk : PHASE.dropConstraint,
    sql: `ALTER TABLE ${ident(l.table)} DROP CONSTRAINT ${ident(l.name)}`,
  };
}

/** Differences of the live `public` schema from the `applied` migrations (none when they match). */
export async function findDrift(c: pg.Client, applied: readonly string[]): Promise<SchemaDrift[]> {
  const expected = await expectedCatalog(c, applied);
  return diffCatalogs(expected, await liveCatalog(c), applied);
}

/** The differences as one line: all of them up to `max`, then how many more. */
function listed(drift: SchemaDrift[], max = 6): string {
  const shown = drift.slice(0, max).map((d) => d.text);
  return shown.join('; ') + (drift.length > max ? `; and ${drift.length - max} more` : '');
}

/** The SCHEMA_DRIFT refusal: what differs, and which of --repair / --fresh fixes it. */
export function driftError(url: string, drift: SchemaDrift[]): AcgsError {
  const unrepairable = drift.filter((d) => !d.repair);
  const n = drift.length;
  return new AcgsError(
    'SCHEMA_DRIFT',
    `the schema of ${describePg(url)} differs from its migrations (${n} difference${n === 1 ? '' : 's'}): ${listed(drift)}`,
    {
      details: n > 6 ? drift.slice(6).map((d) => d.text) : undefined,
      hint: unrepairable.length
        ? `reload the dataset: \`acgs-load seed --fresh\` (or \`run --fresh\`); --repair re-creates indexes and constraints but does not change tables or columns (${unrepairable[0].text})`
        : 're-create what is missing with `acgs-load seed --repair` (or `run --repair`), or reload the dataset with `acgs-load seed --fresh`',
    },
  );
}

/**
 * Makes the live schema match the applied migrations, in one transaction:
 * refuses (changing nothing) when a difference has no repair; throws
 * SCHEMA_DRIFT when a statement fails (e.g. rows violate a constraint being
 * validated) or differences remain. Returns what it repaired.
 */
export async function repairDrift(
  c: pg.Client,
  url: string,
  drift: SchemaDrift[],
  applied: readonly string[],
): Promise<string[]> {
  const unrepairable = drift.filter((d) => !d.repair);
  if (unrepairable.length) {
    throw new AcgsError(
      'SCHEMA_DRIFT',
      `--repair cannot fix the schema of ${describePg(url)}: ${listed(unrepairable)}`,
      {
        details: unrepairable.length > 6 ? unrepairable.slice(6).map((d) => d.text) : undefined,
        hint: 'reload the dataset with `acgs-load seed --fresh` (or `run --fresh`); --repair re-creates indexes and constraints only, it does not change tables or columns',
      },
    );
  }
  const steps = drift.flatMap((d) => d.repair!.map((s) => ({ ...s, text: d.text }))).sort((a, b) => a.phase - b.phase);
  await c.query('BEGIN');
  try {
    // Index builds sort in memory up to maintenance_work_mem (as seed/post-load.ts).
    await c.query("SET LOCAL maintenance_work_mem = '256MB'");
    for (const s of steps) {
      try {
        await c.query(s.sql);
      } catch (e) {
        const pe = pgError(e, url, 'repairing the schema');
        if (pe.kind !== 'PG_ERROR') throw pe; // unreachable, read-only...: said as such
        throw new AcgsError('SCHEMA_DRIFT', `--repair could not fix "${s.text}": ${s.sql} failed: ${pe.message}`, {
          cause: e,
          hint: 'nothing was changed; reload the dataset with `acgs-load seed --fresh` (or `run --fresh`)',
        });
      }
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
  const left = await findDrift(c, applied);
  if (left.length) {
    throw new AcgsError('SCHEMA_DRIFT', `--repair left differences in ${describePg(url)}: ${listed(left)}`, {
      hint: 'reload the dataset with `acgs-load seed --fresh` (or `run --fresh`)',
    });
  }
  return drift.map((d) => d.text);
}

/**
 * Before a load on kept data: throws SCHEMA_DRIFT when the live schema differs
 * from the applied migrations, or with `repair` repairs it. Returns what was repaired.
 */
export async function assertSchemaMatches(
  c: pg.Client,
  url: string,
  applied: readonly string[],
  opts: { repair?: boolean } = {},
): Promise<string[]> {
  const drift = await findDrift(c, applied);
  if (!drift.length) return [];
  if (!opts.repair) throw driftError(url, drift);
  return repairDrift(c, url, drift, applied);
}

/** For `db status`: the differences, or null when the database is not the suite's (no marker). */
export async function schemaDrift(databaseUrl: string): Promise<SchemaDrift[] | null> {
  return withPg(databaseUrl, 'comparing the schema with the migrations', async (c) => {
    const state = await readState(c);
    if (!state.marker) return null;
    return findDrift(c, state.applied);
  });
}
