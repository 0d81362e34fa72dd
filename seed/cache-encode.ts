/**
 * Values of cache entries in the format of docs/cache-keys.md: entity entries
 * {"v","row","cachedAt"} and derived entries {"v","data","cachedAt"}, with
 * every column encoded by its type (numeric as PostgreSQL text, timestamptz
 * as ISO-8601 UTC with milliseconds, jsonb as JSON, bigint as number).
 */
import { TABLES, type ColumnType, type TableDescription } from '../schema/index.ts';

const byName = new Map<string, TableDescription>(TABLES.map((t) => [t.name, t]));

/** Encodes one column value per the scheme's "Column encoding" table. */
export function encodeValue(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'bigint':
    case 'integer':
      return typeof value === 'number' ? value : Number(value);
    case 'timestamptz':
      return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
    case 'numeric':
    case 'text':
    case 'inet':
      return String(value);
    case 'boolean':
    case 'jsonb':
      return value;
  }
}

/** A row of `table` as the `row` object of an entity entry (columns in schema order). */
export function encodeRow(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const t = byName.get(table);
  if (!t) throw new Error(`unknown table ${table}`);
  const out: Record<string, unknown> = {};
  for (const [col, d] of Object.entries(t.columns)) out[col] = encodeValue(d.type, row[col]);
  return out;
}

/** The JSON value of an entity entry. */
export function entityValue(table: string, row: Record<string, unknown>, cachedAt: string): string {
  return JSON.stringify({ v: Number(row.version), row: encodeRow(table, row), cachedAt });
}

/** The JSON value of a derived entry carrying its root row's version. */
export function derivedValue(version: number, data: unknown, cachedAt: string): string {
  return JSON.stringify({ v: version, data, cachedAt });
}
