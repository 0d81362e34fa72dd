/**
 * Derived cache entries (docs/cache-keys.md, "Derived entries"), recomputed
 * from the database: for each entry the root row's version and a predicate
 * that tells whether a cached `data` equals what the rows say now.
 *
 * One recipe per derived family of the reference scheme, keyed by pattern. A
 * user description may declare other derived families; those get their root
 * row's version checked but not their content (no recipe), which is noted.
 */
import type pg from 'pg';
import type { SchemaDescription } from './description.ts';
import { checkColumn, columnsOf, deepEqual, encodeRow, selectList, type DbRow } from './encoding.ts';
import type { TableDescription } from '../schema/index.ts';

/** What a derived entry must be: the root row's version and a content test. */
export interface DerivedExpectation {
  version: number | undefined;
  matches: (data: unknown) => boolean;
}

export type DerivedFetch = (
  db: pg.Pool,
  ids: string[],
  desc: SchemaDescription,
) => Promise<Map<string, DerivedExpectation>>;

function table(desc: SchemaDescription, name: string): TableDescription {
  const t = desc.tables.find((x) => x.name === name);
  if (!t) throw new Error(`the schema description has no table '${name}', which the derived entries need`);
  return t;
}

/** Every column of `cached` equals the row (types and values). */
function rowMatches(t: TableDescription, cached: unknown, row: DbRow): boolean {
  if (typeof cached !== 'object' || cached === null || Array.isArray(cached)) return false;
  const c = cached as Record<string, unknown>;
  const columns = columnsOf(t);
  for (const [col, type] of columns) {
    if (!(col in c) || !checkColumn(type, c[col], row, col, true).ok) return false;
  }
  return Object.keys(c).length === columns.length;
}

/** `policy:{id}`: {policy, rules by (rule_order, id), principleIds ascending}. */
const policyEntry: DerivedFetch = async (db, ids, desc) => {
  const policies = table(desc, 'policies');
  const rules = table(desc, 'policy_rules');
  const [p, r, pp] = await Promise.all([
    db.query(`SELECT ${selectList(policies)} FROM policies t WHERE t.id = ANY($1::bigint[])`, [ids]),
    db.query(
      `SELECT ${selectList(rules)} FROM policy_rules t WHERE t.policy_id = ANY($1::bigint[]) ORDER BY t.policy_id, t.rule_order, t.id`,
      [ids],
    ),
    db.query(
      `SELECT policy_id::text AS p, principle_id::text AS q FROM policy_principles WHERE policy_id = ANY($1::bigint[]) ORDER BY policy_id, principle_id`,
      [ids],
    ),
  ]);
  const rulesOf = new Map<string, DbRow[]>();
  for (const raw of r.rows) {
    const list = rulesOf.get(raw.policy_id) ?? [];
    list.push(encodeRow(rules, raw));
    rulesOf.set(raw.policy_id, list);
  }
  const principlesOf = new Map<string, number[]>();
  for (const { p: pid, q } of pp.rows) {
    const list = principlesOf.get(pid) ?? [];
    list.push(Number(q));
    principlesOf.set(pid, list);
  }
  const out = new Map<string, DerivedExpectation>();
  for (const raw of p.rows) {
    const id = raw.id as string;
    const row = encodeRow(policies, raw);
    const expRules = rulesOf.get(id) ?? [];
    const expPrinciples = principlesOf.get(id) ?? [];
    out.set(id, {
      version: row.version,
      matches: (data) => {
        const d = data as { policy?: unknown; rules?: unknown; principleIds?: unknown } | null;
        if (typeof d !== 'object' || d === null || !Array.isArray(d.rules)) return false;
        if (!rowMatches(policies, d.policy, row) || d.rules.length !== expRules.length) return false;
        if (!d.rules.every((cached, i) => rowMatches(rules, cached, expRules[i]))) return false;
        return deepEqual(d.principleIds, expPrinciples);
      },
    });
  }
  return out;
};

/** `api:tally:{id}`: votes by choice counted from amendment_votes. */
const tallyEntry: DerivedFetch = async (db, ids) => {
  const { rows } = await db.query(
    `SELECT a.id::text AS id, a.version,
            count(v.id) FILTER (WHERE v.choice = 'for')::int AS f,
            count(v.id) FILTER (WHERE v.choice = 'against')::int AS ag,
            count(v.id) FILTER (WHERE v.choice = 'abstain')::int AS ab,
            count(v.id)::int AS total
       FROM amendments a LEFT JOIN amendment_votes v ON v.amendment_id = a.id
      WHERE a.id = ANY($1::bigint[]) GROUP BY a.id`,
    [ids],
  );
  const out = new Map<string, DerivedExpectation>();
  for (const r of rows) {
    const expected = { for: r.f, against: r.ag, abstain: r.ab, total: r.total };
    out.set(r.id, {
      version: r.version,
      matches: (data) => {
        const d = data as Record<string, unknown> | null;
        return (
          typeof d === 'object' &&
          d !== null &&
          (['for', 'against', 'abstain', 'total'] as const).every((k) => d[k] === expected[k])
        );
      },
    });
  }
  return out;
};

/**
 * `api:compliance-report:{id}`: checks, passRate (4 decimals) and avgScore
 * (2 decimals) as PostgreSQL's numeric text. Only these fields are compared;
 * the report endpoint may add others. No checks: 0, "0.0000", "0.00".
 */
const complianceReportEntry: DerivedFetch = async (db, ids) => {
  const { rows } = await db.query(
    `SELECT p.id::text AS id, p.version, count(c.id)::int AS checks,
            round(coalesce(avg((c.status = 'pass')::int), 0), 4)::text AS pass_rate,
            round(coalesce(avg(c.score), 0), 2)::text AS avg_score
       FROM policies p LEFT JOIN compliance_checks c ON c.policy_id = p.id
      WHERE p.id = ANY($1::bigint[]) GROUP BY p.id`,
    [ids],
  );
  const out = new Map<string, DerivedExpectation>();
  for (const r of rows) {
    out.set(r.id, {
      version: r.version,
      matches: (data) => {
        const d = data as Record<string, unknown> | null;
        return (
          typeof d === 'object' &&
          d !== null &&
          d.checks === r.checks &&
          d.passRate === r.pass_rate &&
          d.avgScore === r.avg_score
        );
      },
    });
  }
  return out;
};

/** Recipes by key pattern (docs/cache-keys.md). */
export const DERIVED_RECIPES: Record<string, DerivedFetch> = {
  'policy:{id}': policyEntry,
  'api:tally:{id}': tallyEntry,
  'api:compliance-report:{id}': complianceReportEntry,
};

/** Root-row version only, for derived families without a recipe. */
export function versionOnly(t: TableDescription, keyColumn: string): DerivedFetch {
  return async (db, ids) => {
    const keyType = t.columns[keyColumn]?.type === 'text' ? 'text' : 'bigint';
    const versionSql = t.versioned ? 'version' : 'NULL::int';
    const { rows } = await db.query(
      `SELECT "${keyColumn}"::text AS id, ${versionSql} AS version FROM "${t.name}" WHERE "${keyColumn}" = ANY($1::${keyType}[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id as string, { version: r.version ?? undefined, matches: () => true }]));
  };
}
