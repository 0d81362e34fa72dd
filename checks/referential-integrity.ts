/**
 * Referential integrity: every foreign key the catalogue declares (pg_constraint
 * contype 'f', NOT VALID ones included: a NOT VALID key never checked the rows
 * that were there before it) and every reference no constraint enforces (from
 * the schema description) are verified with an anti-join, whatever PostgreSQL
 * believes. Violation kinds: `fk:<constraint>` and `ref:<reference name>`.
 */
import type pg from 'pg';
import type { UnenforcedReference } from '../schema/index.ts';
import type { CheckerResult, CheckOptions } from './types.ts';
import type { SchemaDescription } from './description.ts';
import { qi, Tally } from './_tally.ts';

/** A foreign key as the catalogue describes it. */
export interface ForeignKey {
  name: string;
  /** Schema-qualified, quoted. */
  child: string;
  parent: string;
  childColumns: string[];
  parentColumns: string[];
  /** MATCH FULL ('f') or SIMPLE ('s'). */
  match: string;
  validated: boolean;
}

/** Every foreign key of the user schemas, multi-column ones included. */
export async function listForeignKeys(db: pg.Pool): Promise<ForeignKey[]> {
  const { rows } = await db.query(`
    SELECT c.conname AS name, c.convalidated AS validated, c.confmatchtype AS match,
           format('%I.%I', cn.nspname, cl.relname) AS child,
           format('%I.%I', pn.nspname, pl.relname) AS parent,
           ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS child_columns,
           ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS parent_columns
      FROM pg_constraint c
      JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace cn ON cn.oid = cl.relnamespace
      JOIN pg_class pl ON pl.oid = c.confrelid JOIN pg_namespace pn ON pn.oid = pl.relnamespace
     WHERE c.contype = 'f' AND cn.nspname NOT IN ('pg_catalog', 'information_schema')
     ORDER BY c.conname`);
  return rows.map((r) => ({
    name: r.name,
    child: r.child,
    parent: r.parent,
    match: r.match,
    validated: r.validated,
    childColumns: r.child_columns,
    parentColumns: r.parent_columns,
  }));
}

/**
 * Orphans of one foreign key. MATCH SIMPLE: a row with any NULL key column
 * references nothing. MATCH FULL: all NULL references nothing, a mix is an
 * orphan. Counted with a LEFT JOIN (a hash anti-join at scale).
 */
async function checkForeignKey(
  db: pg.Pool,
  fk: ForeignKey,
  examples: number,
): Promise<{ checked: number; orphans: number; examples: unknown[] }> {
  const cc = fk.childColumns.map((c) => `c.${qi(c)}`);
  const on = fk.childColumns.map((c, i) => `p.${qi(fk.parentColumns[i])} = c.${qi(c)}`).join(' AND ');
  const allSet = cc.map((c) => `${c} IS NOT NULL`).join(' AND ');
  const anyNull = cc.map((c) => `${c} IS NULL`).join(' OR ');
  const allNull = cc.map((c) => `${c} IS NULL`).join(' AND ');
  const orphan =
    fk.match === 'f'
      ? `((${allSet}) AND p.${qi(fk.parentColumns[0])} IS NULL) OR ((${anyNull}) AND NOT (${allNull}))`
      : `(${allSet}) AND p.${qi(fk.parentColumns[0])} IS NULL`;
  const from = `FROM ${fk.child} c LEFT JOIN ${fk.parent} p ON ${on}`;
  const { rows } = await db.query(
    `SELECT count(*)::bigint::text AS checked, count(*) FILTER (WHERE ${orphan})::bigint::text AS orphans ${from}`,
  );
  const orphans = Number(rows[0].orphans);
  let ex: unknown[] = [];
  if (orphans > 0) {
    const cols = fk.childColumns.map((c) => `c.${qi(c)}::text AS ${qi(c)}`).join(', ');
    ex = (await db.query(`SELECT ${cols} ${from} WHERE ${orphan} LIMIT ${examples}`)).rows.map((r) => ({
      table: fk.child,
      ...r,
    }));
  }
  return { checked: Number(rows[0].checked), orphans, examples: ex };
}

/** Orphans of one unenforced reference (a plain column or a JSONB array of ids). */
async function checkReference(db: pg.Pool, ref: UnenforcedReference, desc: SchemaDescription, examples: number) {
  const where = ref.where ? `(${ref.where})` : 'true';
  const refType =
    desc.tables.find((t) => t.name === ref.references.table)?.columns[ref.references.column]?.type === 'text'
      ? 'text'
      : 'bigint';
  const parent = `${qi(ref.references.table)} p`;
  const pcol = `p.${qi(ref.references.column)}`;
  const childKey = desc.tables.find((t) => t.name === ref.table)?.key ?? [];
  const keyCols = childKey.map((k) => `c.${qi(k)}::text AS ${qi(k)}`).join(', ');
  let from: string;
  let value: string;
  let orphan: string;
  if (ref.kind === 'column') {
    value = `c.${qi(ref.column)}`;
    from = `FROM ${qi(ref.table)} c LEFT JOIN ${parent} ON ${pcol} = ${value} WHERE ${where} AND ${value} IS NOT NULL`;
    orphan = `${pcol} IS NULL`;
  } else {
    // Each element must be a scalar naming a row; a non-array column is one orphan of its own.
    value = 'e.value';
    const elem = `CASE WHEN jsonb_typeof(e.value) IN ('number', 'string') AND (e.value #>> '{}') ~ '${refType === 'text' ? '.' : '^-?[0-9]{1,18}$'}' THEN (e.value #>> '{}')::${refType} END`;
    from = `FROM ${qi(ref.table)} c
      CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.${qi(ref.column)}) = 'array' THEN c.${qi(ref.column)} ELSE jsonb_build_array(c.${qi(ref.column)}) END) e
      LEFT JOIN ${parent} ON ${pcol} = ${elem} WHERE ${where}`;
    orphan = `${pcol} IS NULL OR jsonb_typeof(c.${qi(ref.column)}) <> 'array'`;
  }
  const { rows } = await db.query(
    `SELECT count(*)::bigint::text AS checked, count(*) FILTER (WHERE ${orphan})::bigint::text AS orphans ${from}`,
  );
  const orphans = Number(rows[0].orphans);
  let ex: unknown[] = [];
  if (orphans > 0) {
    ex = (
      await db.query(
        `SELECT ${keyCols ? keyCols + ', ' : ''}${value}::text AS value ${from} AND (${orphan}) LIMIT ${examples}`,
      )
    ).rows.map((r) => ({ table: ref.table, ...r }));
  }
  return { checked: Number(rows[0].checked), orphans, examples: ex };
}

/** The referential-integrity checker. */
export async function checkReferentialIntegrity(
  db: pg.Pool,
  desc: SchemaDescription,
  opts: Pick<CheckOptions, 'examples'>,
): Promise<CheckerResult> {
  const started = performance.now();
  const tally = new Tally(opts.examples);
  const fks = await listForeignKeys(db);
  const notValid = fks.filter((f) => !f.validated).map((f) => f.name);
  if (notValid.length) tally.notes.push(`NOT VALID foreign keys (checked all the same): ${notValid.join(', ')}`);
  if (fks.length === 0) tally.notes.push('no foreign key found in pg_constraint');
  for (const fk of fks) {
    const r = await checkForeignKey(db, fk, opts.examples);
    tally.checked += r.checked;
    tally.add(`fk:${fk.name}`, r.orphans, ...r.examples);
  }
  for (const ref of desc.unenforcedReferences) {
    const r = await checkReference(db, ref, desc, opts.examples);
    tally.checked += r.checked;
    tally.add(`ref:${ref.name}`, r.orphans, ...r.examples);
  }
  return tally.result('referential-integrity', started, undefined, {
    foreignKeys: fks.length,
    unenforcedReferences: desc.unenforcedReferences.length,
  });
}
