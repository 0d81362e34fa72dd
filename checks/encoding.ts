/**
 * Column encoding of docs/cache-keys.md, from the checker's side: how to read a
 * row from PostgreSQL so that nothing is lost on the way (numerics and ids as
 * text, timestamps as UTC text with microseconds), what JSON the scheme says
 * the cache must hold for it, and how one cached column compares with it.
 *
 * Pure functions; no I/O. Written independently of the target (which encodes
 * from node-pg's parsed values): two roads to the same encoding.
 */
import type { ColumnType, TableDescription } from '../schema/index.ts';
import { qi } from './_tally.ts';

/** A row read from PostgreSQL, with the encoding the scheme requires for each column. */
export interface DbRow {
  /** The JSON the cache must hold for this row (docs/cache-keys.md, "Column encoding"). */
  encoded: Record<string, unknown>;
  /**
   * timestamptz columns: the microseconds below the millisecond (0..999) that
   * the ISO form in `encoded` (truncated to ms) leaves out.
   */
  subMs: Record<string, number>;
  /** The row's version column, when the table is versioned. */
  version?: number;
}

/**
 * The SELECT list that reads every described column losslessly: integers and
 * numerics as text (node-pg would round int8 and we want numeric's exact text),
 * timestamps as UTC text with microseconds (PostgreSQL's own resolution,
 * independent of the session time zone), from which the ISO form with
 * milliseconds is a slice: no Date object per value on the hot path.
 */
export function selectList(table: TableDescription, alias = 't'): string {
  return Object.entries(table.columns)
    .map(([col, { type }]) => {
      const ref = `${alias}.${qi(col)}`;
      switch (type) {
        case 'bigint':
        case 'integer':
        case 'numeric':
          return `${ref}::text AS ${qi(col)}`;
        case 'timestamptz':
          return `to_char(${ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ${qi(col)}`;
        default:
          // boolean and jsonb are parsed exactly by node-pg; text and inet arrive as text.
          return `${ref} AS ${qi(col)}`;
      }
    })
    .join(', ');
}

/** Column names and types of a table, computed once per table (hot path). */
const columnsCache = new WeakMap<TableDescription, Array<[string, ColumnType]>>();
export function columnsOf(table: TableDescription): Array<[string, ColumnType]> {
  let cols = columnsCache.get(table);
  if (!cols) columnsCache.set(table, (cols = Object.entries(table.columns).map(([c, d]) => [c, d.type])));
  return cols;
}

/** Turns a row read with {@link selectList} into its required encoding. */
export function encodeRow(table: TableDescription, raw: Record<string, unknown>): DbRow {
  const encoded: Record<string, unknown> = {};
  const subMs: Record<string, number> = {};
  for (const [col, type] of columnsOf(table)) {
    const v = raw[col];
    if (v === null || v === undefined) {
      encoded[col] = null;
      continue;
    }
    if (type === 'bigint' || type === 'integer') encoded[col] = Number(v);
    else if (type === 'timestamptz') {
      // 'YYYY-MM-DDTHH:MI:SS.uuuuuu' -> ISO with milliseconds + the 3 digits below.
      const s = v as string;
      encoded[col] = s.slice(0, 23) + 'Z';
      subMs[col] = Number(s.slice(23));
    } else encoded[col] = v;
  }
  const version = table.versioned && typeof encoded.version === 'number' ? encoded.version : undefined;
  return { encoded, subMs, version };
}

/** Verdict on one cached column: fine, a type/encoding problem, or a different value. */
export type ColumnVerdict = { ok: true } | { ok: false; typeIssue: string } | { ok: false; differs: true };

const OK: ColumnVerdict = { ok: true };
const DIFFERS: ColumnVerdict = { ok: false, differs: true };
const issue = (typeIssue: string): ColumnVerdict => ({ ok: false, typeIssue });

/** ISO-8601 UTC with milliseconds, as Date.prototype.toISOString writes it. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NUMERIC_TEXT = /^-?\d+(\.\d+)?$|^NaN$|^-?Infinity$/;

/**
 * Compares one cached column with the row. With `compareValue` false (the
 * entry is at another version than the row) only the type is checked.
 *
 * Type issues (the data-types checker's kinds): `null_value`, `integer_type`,
 * `unsafe_integer`, `numeric_not_string`, `numeric_format`, `numeric_precision`
 * (same number in another text form, or the row's value rounded to fewer
 * digits), `timestamp_format`, `timestamp_instant` (another instant than the
 * row's, at the same version), `boolean_type`, `jsonb_shape` (another JSON type
 * than the row's, e.g. JSON inside a string), `text_type`. Any other difference
 * is `differs` (cache-db-sync's content_mismatch).
 */
export function checkColumn(
  type: ColumnType,
  cached: unknown,
  row: DbRow,
  col: string,
  compareValue: boolean,
): ColumnVerdict {
  const expected = row.encoded[col];
  // null where the row (at this version) holds a value: the encoder dropped it.
  if (cached === null) return expected === null || !compareValue ? OK : issue('null_value');
  switch (type) {
    case 'bigint':
    case 'integer':
      if (typeof cached !== 'number' || !Number.isInteger(cached)) return issue('integer_type');
      if (!Number.isSafeInteger(cached)) return issue('unsafe_integer');
      return !compareValue || cached === expected ? OK : DIFFERS;
    case 'numeric':
      if (typeof cached === 'number') return issue('numeric_not_string');
      if (typeof cached !== 'string' || !NUMERIC_TEXT.test(cached)) return issue('numeric_format');
      if (!compareValue || cached === expected) return OK;
      if (expected === null) return DIFFERS;
      return isPrecisionLoss(expected as string, cached) ? issue('numeric_precision') : DIFFERS;
    case 'timestamptz': {
      if (compareValue && cached === expected) return OK; // the common case, no parsing
      if (typeof cached !== 'string' || !ISO_MS.test(cached) || Number.isNaN(Date.parse(cached)))
        return issue('timestamp_format');
      if (!compareValue) return OK;
      if (typeof expected !== 'string') return DIFFERS;
      // JavaScript Dates hold milliseconds: node-pg truncates PostgreSQL's
      // microseconds, other encoders round; both are the same instant to the ms.
      const rounds = (row.subMs[col] ?? 0) >= 500;
      return rounds && Date.parse(cached) === Date.parse(expected) + 1 ? OK : issue('timestamp_instant');
    }
    case 'boolean':
      if (typeof cached !== 'boolean') return issue('boolean_type');
      return !compareValue || cached === expected ? OK : DIFFERS;
    case 'jsonb':
      if (expected !== null && jsonKind(cached) !== jsonKind(expected)) return issue('jsonb_shape');
      return !compareValue || deepEqual(cached, expected) ? OK : DIFFERS;
    case 'text':
    case 'inet':
      if (typeof cached !== 'string') return issue('text_type');
      return !compareValue || cached === expected ? OK : DIFFERS;
  }
}

function jsonKind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** A decimal text as (digits without sign and point, scale, negative). */
function parseDecimal(s: string): { int: bigint; scale: number } | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return null;
  const frac = m[3] ?? '';
  const int = BigInt(m[2] + frac) * (m[1] ? -1n : 1n);
  return { int, scale: frac.length };
}

/**
 * True when `cached` is the row's numeric `exact` in another text form
 * ("12.5" for "12.500") or rounded/truncated to fewer fraction digits
 * ("12.35" or "12.34" for "12.345"): precision lost on the way to the cache.
 */
export function isPrecisionLoss(exact: string, cached: string): boolean {
  const a = parseDecimal(exact);
  const b = parseDecimal(cached);
  if (!a || !b) return false;
  if (b.scale >= a.scale) {
    // Same value written with more or equal digits but another text: compare scaled.
    return a.int * 10n ** BigInt(b.scale - a.scale) === b.int;
  }
  const factor = 10n ** BigInt(a.scale - b.scale);
  const truncated = a.int / factor;
  const rem = a.int % factor;
  const half = factor / 2n;
  const rounded = rem >= half ? truncated + 1n : rem <= -half ? truncated - 1n : truncated;
  return b.int === truncated || b.int === rounded;
}

/** Structural equality of JSON values; object key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
