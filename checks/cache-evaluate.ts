/**
 * Evaluates one batch of read cache entries against the database: fetches
 * the rows of the batch family by family with `= ANY($1)` (the families of a
 * batch concurrently), recomputes derived entries, and returns a verdict per
 * entry with a finding and counts of the clean ones. An entity entry whose
 * bytes are its row's canonical text is consistent without being parsed
 * (cache-canonical.ts); every other entry is decoded and classified in full.
 */
import type pg from 'pg';
import type { CacheFamily, TableDescription } from '../schema/index.ts';
import type { CheckOptions } from './types.ts';
import type { SchemaDescription } from './description.ts';
import type { ReadBatch } from './cache-read.ts';
import { canonicalRowText, isCanonicalEntity, type RawRow } from './cache-canonical.ts';
import {
  classifyDerived,
  classifyEntity,
  decodeEnvelope,
  keyMatcher,
  ttlViolation,
  type TypeIssue,
} from './cache-classify.ts';
import { DERIVED_RECIPES, versionOnly, type DerivedExpectation } from './derived.ts';
import { columnsOf, encodeRow, selectList } from './encoding.ts';
import { qi } from './_tally.ts';

/** The verdict on one entry. `sync` empty = consistent. */
export interface EntryOutcome {
  node: number;
  key: string;
  /** Data type (TTL policy) of the family; 'unknown' for unknown keys. */
  dataType: string;
  sync: string[];
  /** Data-type issues (entity entries only). */
  types: TypeIssue[];
  /** An entity entry that was compared column by column (data-types counts these). */
  typed: boolean;
  /** Built only for entries with a violation (allocations are the hot path's cost). */
  example?: Record<string, unknown>;
  /** Cached value and row of typed entries, for data-types examples. */
  detail?: { cached: Record<string, unknown>; row: Record<string, unknown> };
  /** PTTL in ms when read (-1: none), for the TTL-policy table of the report. */
  pttl?: number;
}

/** Entries of one data type that were consistent with no type issue (counted, not listed). */
export interface CleanCounts {
  checked: number;
  /** Entity entries among them (compared column by column: data-types counts these). */
  typed: number;
  /** Longest PTTL seen among them, ms. */
  maxTtlMs: number;
}

/** The verdicts on one batch: entries with a finding one by one, the clean ones counted. */
export interface BatchVerdicts {
  /** Entries with a sync violation or a type issue. */
  outcomes: EntryOutcome[];
  /** Consistent entries without type issues, by data type. */
  clean: Map<string, CleanCounts>;
  vanished: number;
  ignored: number;
}

/** Reusable per-run state: key matcher and table lookups. */
export interface Evaluator {
  evaluate(batch: ReadBatch): Promise<BatchVerdicts>;
  notes: Set<string>;
}

/** One entry of a batch matched to its family: its index in the batch and its row key. */
interface Matched {
  i: number;
  id: string;
}

/** Per table: the SELECT of an entity family's rows, their canonical text and the slow-road row object. */
interface EntityReader {
  sql: string;
  rowText: (raw: RawRow) => string | null;
  versionAt: number;
  columns: string[];
}

export function makeEvaluator(
  pool: pg.Pool,
  desc: SchemaDescription,
  opts: Pick<CheckOptions, 'prefix' | 'ttlSeconds' | 'adaptiveTtl'>,
): Evaluator {
  const match = keyMatcher(desc, opts.prefix);
  const tables = new Map(desc.tables.map((t) => [t.name, t]));
  const notes = new Set<string>();
  const readers = new Map<CacheFamily, EntityReader>();

  function readerOf(family: CacheFamily): EntityReader {
    let r = readers.get(family);
    if (r) return r;
    const t = tables.get(family.table) as TableDescription;
    const keyType = t.columns[family.keyColumn].type === 'text' ? 'text' : 'bigint';
    const columns = columnsOf(t).map(([c]) => c);
    r = {
      // The row's key comes last, as text: the id the cache key names.
      sql: `SELECT ${selectList(t)}, t.${qi(family.keyColumn)}::text AS "__key" FROM ${qi(t.name)} t WHERE t.${qi(family.keyColumn)} = ANY($1::${keyType}[])`,
      rowText: canonicalRowText(t),
      versionAt: t.versioned ? columns.indexOf('version') : -1,
      columns,
    };
    readers.set(family, r);
    return r;
  }

  /** Rows by key, each an array in the SELECT's order (no object per row). */
  async function fetchEntity(family: CacheFamily, ids: string[]): Promise<Map<string, RawRow>> {
    const r = readerOf(family);
    const { rows } = await pool.query<RawRow>({ text: r.sql, values: [ids], rowMode: 'array' });
    const out = new Map<string, RawRow>();
    const keyAt = r.columns.length;
    for (const row of rows) out.set(row[keyAt] as string, row);
    return out;
  }

  function fetchDerived(family: CacheFamily, ids: string[]): Promise<Map<string, DerivedExpectation>> {
    const recipe = DERIVED_RECIPES[family.pattern];
    if (recipe) return recipe(pool, ids, desc);
    notes.add(`derived family '${family.pattern}' has no recipe: only its root row's version is compared`);
    return versionOnly(tables.get(family.table) as TableDescription, family.keyColumn)(pool, ids, desc);
  }

  async function evaluate(batch: ReadBatch): Promise<BatchVerdicts> {
    const { keys, raws, pttls, node } = batch;
    const outcomes: EntryOutcome[] = [];
    const clean = new Map<string, CleanCounts>();
    let vanished = 0;
    let ignored = 0;
    const groups = new Map<CacheFamily, Matched[]>();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const m = match(key);
      if (m === 'ignored') {
        ignored++;
        continue;
      }
      if (raws[i] === null) {
        vanished++; // expired or deleted between SCAN and GET: nothing left to judge
        continue;
      }
      if (m === null) {
        outcomes.push({
          node,
          key,
          dataType: 'unknown',
          sync: ['unknown_key'],
          types: [],
          typed: false,
          example: { key },
        });
        continue;
      }
      let list = groups.get(m.family);
      if (!list) groups.set(m.family, (list = []));
      list.push({ i, id: m.id });
    }

    const countClean = (dataType: string, pttl: number, typed: boolean) => {
      let c = clean.get(dataType);
      if (!c) clean.set(dataType, (c = { checked: 0, typed: 0, maxTtlMs: 0 }));
      c.checked++;
      if (typed) c.typed++;
      if (pttl > c.maxTtlMs) c.maxTtlMs = pttl;
    };

    /** The slow road's first step: the TTL verdict and the decoded envelope, or an undecodable outcome. */
    const decode = (family: CacheFamily, i: number) => {
      const raw = raws[i] as string;
      const pttl = pttls[i];
      const ttl = ttlViolation(pttl, opts.ttlSeconds[family.dataType], opts.adaptiveTtl);
      const env = decodeEnvelope(raw, family.kind);
      if (!env)
        outcomes.push({
          node,
          key: keys[i],
          dataType: family.dataType,
          sync: ttl ? ['undecodable', ttl] : ['undecodable'],
          types: [],
          typed: false,
          pttl,
          example: { key: keys[i], value: raw.slice(0, 120), pttl },
        });
      return { env, ttl };
    };

    await Promise.all(
      [...groups].map(async ([family, list]) => {
        const ids = list.map((x) => x.id);
        if (family.kind === 'entity') {
          const rows = await fetchEntity(family, ids);
          const t = tables.get(family.table) as TableDescription;
          const r = readerOf(family);
          for (const { i, id } of list) {
            const raw = rows.get(id);
            const pttl = pttls[i];
            if (raw) {
              // Fast road: the exact canonical text, and a TTL within the policy.
              const text = r.rowText(raw);
              const version = r.versionAt >= 0 && raw[r.versionAt] !== null ? Number(raw[r.versionAt]) : undefined;
              if (
                text !== null &&
                isCanonicalEntity(raws[i] as string, version, text) &&
                ttlViolation(pttl, opts.ttlSeconds[family.dataType], opts.adaptiveTtl) === null
              ) {
                countClean(family.dataType, pttl, true);
                continue;
              }
            }
            const { env, ttl } = decode(family, i);
            if (!env) continue;
            const row = raw ? encodeRow(t, objectOf(r.columns, raw)) : undefined;
            const { sync, types } = classifyEntity(t, env, row);
            const kinds: string[] = sync === 'consistent' ? [] : [sync];
            if (ttl) kinds.push(ttl);
            if (kinds.length === 0 && types.length === 0) {
              countClean(family.dataType, pttl, row !== undefined);
              continue;
            }
            outcomes.push({
              node,
              key: keys[i],
              dataType: family.dataType,
              sync: kinds,
              types,
              typed: row !== undefined,
              pttl,
              example: kinds.length
                ? { key: keys[i], cachedVersion: env.v, rowVersion: row?.version ?? null, pttl }
                : undefined,
              detail: types.length ? { cached: env.row ?? {}, row: row?.encoded ?? {} } : undefined,
            });
          }
        } else {
          const expected = await fetchDerived(family, ids);
          for (const { i, id } of list) {
            const { env, ttl } = decode(family, i);
            if (!env) continue;
            const pttl = pttls[i];
            const exp = expected.get(id);
            const sync = classifyDerived(env, exp);
            const kinds: string[] = sync === 'consistent' ? [] : [sync];
            if (ttl) kinds.push(ttl);
            if (kinds.length === 0) {
              countClean(family.dataType, pttl, false);
              continue;
            }
            outcomes.push({
              node,
              key: keys[i],
              dataType: family.dataType,
              sync: kinds,
              types: [],
              typed: false,
              pttl,
              example: { key: keys[i], cachedVersion: env.v, rowVersion: exp?.version ?? null, pttl },
            });
          }
        }
      }),
    );
    return { outcomes, clean, vanished, ignored };
  }

  return { evaluate, notes };
}

/** A row array as the object encodeRow reads (slow road only). */
function objectOf(columns: string[], raw: RawRow): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let c = 0; c < columns.length; c++) o[columns[c]] = raw[c];
  return o;
}
