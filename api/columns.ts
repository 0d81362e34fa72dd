/**
 * Column lists for statements that return several tables' rows at once (the
 * JOIN of a policy with its rules). Built once, at load time, from the schema
 * description: identifiers come from our own constant data, never from a
 * request, so this is not SQL built from client strings.
 */
import { TABLES } from '../schema/index.ts';

function columnsOf(table: string): string[] {
  const t = TABLES.find((x) => x.name === table);
  if (!t) throw new Error(`schema description has no table ${table}`);
  return Object.keys(t.columns);
}

/** `alias.col AS prefixcol, ...` for every column of `table`. */
export function selectList(table: string, alias: string, prefix: string): string {
  return columnsOf(table)
    .map((c) => `${alias}.${c} AS ${prefix}${c}`)
    .join(', ');
}

/** The row of `table` inside a joined result row, by its column prefix; null when all are null (outer join). */
export function pickRow(
  table: string,
  prefix: string,
  joined: Record<string, unknown>,
): Record<string, unknown> | null {
  const row: Record<string, unknown> = {};
  let any = false;
  for (const c of columnsOf(table)) {
    const v = joined[prefix + c];
    row[c] = v === undefined ? null : v;
    if (v !== null && v !== undefined) any = true;
  }
  return any ? row : null;
}
