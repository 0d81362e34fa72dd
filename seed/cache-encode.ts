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

/**
 * node-pg type parsers for the warmer's reads: every value as PostgreSQL's
 * text except booleans and JSON, so the encoder below makes no Date or
 * number objects (timestamps are read in a session at TimeZone UTC).
 */
export const RAW_TEXT_TYPES = {
  getTypeParser(oid: number): (text: string) => unknown {
    if (oid === 16) return (t) => t === 't';
    if (oid === 114 || oid === 3802) return (t) => JSON.parse(t);
    return (t) => t;
  },
};

/**
 * '2026-01-01 10:00:00.123456+00' (timestamptz text at TimeZone UTC, DateStyle
 * ISO) -> '2026-01-01T10:00:00.123Z': milliseconds truncated, as node-pg's
 * Date (and encodeValue) gives. Another form goes through Date.
 */
export function utcTextToIso(s: string): string {
  const n = s.length;
  if (n >= 22 && s.charCodeAt(10) === 32 && s.endsWith('+00') && s.charCodeAt(4) === 45) {
    const frac = s.charCodeAt(19) === 46 ? s.slice(20, n - 3) : '';
    return `${s.slice(0, 10)}T${s.slice(11, 19)}.${(frac + '000').slice(0, 3)}Z`;
  }
  return new Date(s).toISOString();
}

/** The JSON text of one column value read with RAW_TEXT_TYPES, per the "Column encoding" table. */
function valueText(type: ColumnType, v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (type) {
    case 'bigint':
    case 'integer': {
      // PostgreSQL's integer text is JSON's below 2^53; beyond, Number() rounds as encodeValue does.
      const t = v as string;
      return t.length > 15 ? JSON.stringify(Number(t)) : t;
    }
    case 'timestamptz':
      return '"' + utcTextToIso(v as string) + '"';
    case 'numeric':
      return '"' + (v as string) + '"';
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      // jsonb (parsed), text, inet.
      return JSON.stringify(v);
  }
}

/**
 * A compiled encoder of `table`'s rows read with RAW_TEXT_TYPES: the `row`
 * object's JSON text, the same text JSON.stringify(encodeRow(...)) gives for
 * the row as node-pg parses it by default (warm.test.ts compares them), built
 * without intermediate objects.
 */
export function rowTextEncoder(table: string): (row: Record<string, unknown>) => string {
  const t = byName.get(table);
  if (!t) throw new Error(`unknown table ${table}`);
  const cols = Object.entries(t.columns).map(([c, d], i) => ({
    name: c,
    type: d.type,
    head: (i === 0 ? '{' : ',') + JSON.stringify(c) + ':',
  }));
  return (row) => {
    let s = '';
    for (const c of cols) s += c.head + valueText(c.type, row[c.name]);
    return cols.length ? s + '}' : '{}';
  };
}

/** The JSON value of an entity entry from a RAW_TEXT_TYPES row: same text as {@link entityValue}. */
export function entityText(rowText: string, version: unknown, cachedAt: string): string {
  const v = version === null || version === undefined ? 'null' : JSON.stringify(Number(version));
  return `{"v":${v},"row":${rowText},"cachedAt":${JSON.stringify(cachedAt)}}`;
}

/** The JSON value of a derived entry whose `data` is already JSON text: same text as {@link derivedValue}. */
export function derivedText(version: number, dataText: string, cachedAt: string): string {
  return `{"v":${JSON.stringify(version)},"data":${dataText},"cachedAt":${JSON.stringify(cachedAt)}}`;
}
