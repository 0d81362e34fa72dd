/**
 * Pure classification of one cache entry against the database (no I/O): which
 * key family it belongs to, whether its envelope decodes, whether its TTL
 * respects the policy, and how it compares with its row. The cache-db-sync and
 * data-types checkers both read these verdicts.
 */
import type { Config } from '../config/index.ts';
import type { CacheFamily, TableDescription } from '../schema/index.ts';
import type { SchemaDescription } from './description.ts';
import { checkColumn, columnsOf, type DbRow } from './encoding.ts';

/** A key matched to its family, with the row key taken from it. */
export interface KeyMatch {
  family: CacheFamily;
  id: string;
}

/**
 * Builds a matcher from key (with prefix) to family. Longest literal head
 * first, so `api:compliance-report:{id}` wins over a shorter pattern that is a
 * prefix of it. Returns 'ignored' for keys the description says to ignore and
 * null for keys that match nothing (unknown_key).
 */
export function keyMatcher(desc: SchemaDescription, prefix: string): (key: string) => KeyMatch | 'ignored' | null {
  const families = desc.cacheFamilies
    .map((family) => {
      const [head, tail] = family.pattern.split('{id}');
      return { family, head: prefix + head, tail };
    })
    .sort((a, b) => b.head.length - a.head.length);
  const ignores = (desc.ignoreKeys ?? []).map((p) =>
    p.endsWith('*') ? (k: string) => k.startsWith(prefix + p.slice(0, -1)) : (k: string) => k === prefix + p,
  );
  const intKey = new Set(
    desc.tables.flatMap((t) =>
      Object.entries(t.columns)
        .filter(([, c]) => c.type === 'bigint' || c.type === 'integer')
        .map(([n]) => `${t.name}.${n}`),
    ),
  );
  return (key) => {
    for (const f of families) {
      if (!key.startsWith(f.head) || !key.endsWith(f.tail) || key.length <= f.head.length + f.tail.length) continue;
      const id = key.slice(f.head.length, key.length - f.tail.length);
      // An integer key column with a non-integer id cannot name a row: not this family.
      if (intKey.has(`${f.family.table}.${f.family.keyColumn}`) && !/^\d{1,18}$/.test(id)) continue;
      return { family: f.family, id };
    }
    return ignores.some((m) => m(key)) ? 'ignored' : null;
  };
}

/** The envelope of docs/cache-keys.md: `{v, row | data, cachedAt}`. */
export interface Envelope {
  v: number;
  row?: Record<string, unknown>;
  data?: unknown;
  cachedAt: string;
}

/** Decodes a cached value; null when it is not JSON or not the family's envelope. */
export function decodeEnvelope(raw: string, kind: CacheFamily['kind']): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const e = value as Record<string, unknown>;
  if (!Number.isSafeInteger(e.v) || typeof e.cachedAt !== 'string') return null;
  if (kind === 'entity') {
    if (typeof e.row !== 'object' || e.row === null || Array.isArray(e.row)) return null;
  } else if (!('data' in e) || e.data === undefined) return null;
  return e as unknown as Envelope;
}

/**
 * TTL violations for a PTTL reply: `no_ttl` (PTTL -1: the key never expires);
 * `ttl_above_policy` (more time left than the policy allows: policy seconds, or
 * maxFactor times it with adaptive TTL). PTTL -2 (gone) is not judged here.
 */
export function ttlViolation(
  pttl: number,
  policySeconds: number,
  adaptive: Config['cache']['adaptiveTtl'] | undefined,
): 'no_ttl' | 'ttl_above_policy' | null {
  if (pttl === -1) return 'no_ttl';
  if (pttl < 0) return null;
  const factor = adaptive?.enabled ? adaptive.maxFactor : 1;
  return pttl > policySeconds * factor * 1000 ? 'ttl_above_policy' : null;
}

/** How an entry's version and content compare with its row. */
export type SyncVerdict = 'consistent' | 'stale' | 'ahead' | 'orphan' | 'content_mismatch';

/** One data-type problem in a cached row. */
export interface TypeIssue {
  kind: string;
  column: string;
}

/**
 * Compares an entity entry with its row. Versions first (stale / ahead); at
 * the same version, every column: encoding problems are data-types issues,
 * other differences make the entry a content_mismatch. Entries at another
 * version get their column types checked but not their values.
 */
export function classifyEntity(
  table: TableDescription,
  env: Envelope,
  row: DbRow | undefined,
): { sync: SyncVerdict; types: TypeIssue[] } {
  if (!row) return { sync: 'orphan', types: [] };
  let sync: SyncVerdict = 'consistent';
  if (row.version !== undefined && env.v < row.version) sync = 'stale';
  else if (row.version !== undefined && env.v > row.version) sync = 'ahead';
  const sameVersion = sync === 'consistent';
  const types: TypeIssue[] = [];
  const cachedRow = env.row ?? {};
  const columns = columnsOf(table);
  for (const [col, type] of columns) {
    if (!(col in cachedRow)) {
      types.push({ kind: 'missing_column', column: col });
      continue;
    }
    const verdict = checkColumn(type, cachedRow[col], row, col, sameVersion);
    if (verdict.ok) continue;
    if ('typeIssue' in verdict) types.push({ kind: verdict.typeIssue, column: col });
    else sync = 'content_mismatch';
  }
  // Extra columns: only look when the count says there are some (hot path).
  if (Object.keys(cachedRow).length + types.filter((t) => t.kind === 'missing_column').length !== columns.length) {
    for (const col of Object.keys(cachedRow))
      if (!(col in table.columns)) types.push({ kind: 'extra_column', column: col });
  }
  return { sync, types };
}

/** Compares a derived entry with its recomputed value (versions, then content). */
export function classifyDerived(
  env: Envelope,
  expected: { version: number | undefined; matches: (data: unknown) => boolean } | undefined,
): SyncVerdict {
  if (!expected) return 'orphan';
  if (expected.version !== undefined && env.v < expected.version) return 'stale';
  if (expected.version !== undefined && env.v > expected.version) return 'ahead';
  return expected.matches(env.data) ? 'consistent' : 'content_mismatch';
}
