/**
 * Evaluates one batch of read cache entries against the database: decodes
 * each entry, fetches the rows of the batch family by family with
 * `= ANY($1)`, recomputes derived entries, and returns a verdict per entry.
 */
import type pg from 'pg';
import type { CacheFamily, TableDescription } from '../schema/index.ts';
import type { CheckOptions } from './types.ts';
import type { SchemaDescription } from './description.ts';
import type { ReadEntry } from './cache-read.ts';
import {
  classifyDerived,
  classifyEntity,
  decodeEnvelope,
  keyMatcher,
  ttlViolation,
  type Envelope,
  type KeyMatch,
  type TypeIssue,
} from './cache-classify.ts';
import { DERIVED_RECIPES, versionOnly, type DerivedExpectation } from './derived.ts';
import { encodeRow, selectList, type DbRow } from './encoding.ts';
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

/** Reusable per-run state: key matcher and table lookups. */
export interface Evaluator {
  evaluate(entries: ReadEntry[]): Promise<{ outcomes: EntryOutcome[]; vanished: number; ignored: number }>;
  notes: Set<string>;
}

export function makeEvaluator(
  pool: pg.Pool,
  desc: SchemaDescription,
  opts: Pick<CheckOptions, 'prefix' | 'ttlSeconds' | 'adaptiveTtl'>,
): Evaluator {
  const match = keyMatcher(desc, opts.prefix);
  const tables = new Map(desc.tables.map((t) => [t.name, t]));
  const notes = new Set<string>();

  async function fetchEntity(family: CacheFamily, ids: string[]): Promise<Map<string, DbRow>> {
    const t = tables.get(family.table) as TableDescription;
    const keyType = t.columns[family.keyColumn].type === 'text' ? 'text' : 'bigint';
    const sql = `SELECT ${selectList(t)}, t.${qi(family.keyColumn)}::text AS "__key" FROM ${qi(t.name)} t WHERE t.${qi(family.keyColumn)} = ANY($1::${keyType}[])`;
    const { rows } = await pool.query(sql, [ids]);
    return new Map(rows.map((r) => [r.__key as string, encodeRow(t, r)]));
  }

  function fetchDerived(family: CacheFamily, ids: string[]): Promise<Map<string, DerivedExpectation>> {
    const recipe = DERIVED_RECIPES[family.pattern];
    if (recipe) return recipe(pool, ids, desc);
    notes.add(`derived family '${family.pattern}' has no recipe: only its root row's version is compared`);
    return versionOnly(tables.get(family.table) as TableDescription, family.keyColumn)(pool, ids, desc);
  }

  async function evaluate(entries: ReadEntry[]) {
    const outcomes: EntryOutcome[] = [];
    let vanished = 0;
    let ignored = 0;
    const groups = new Map<CacheFamily, Array<{ e: ReadEntry; m: KeyMatch; env: Envelope; ttl: string | null }>>();
    for (const e of entries) {
      const m = match(e.key);
      if (m === 'ignored') {
        ignored++;
        continue;
      }
      if (e.raw === null) {
        vanished++; // expired or deleted between SCAN and GET: nothing left to judge
        continue;
      }
      if (m === null) {
        outcomes.push({
          node: e.node,
          key: e.key,
          dataType: 'unknown',
          sync: ['unknown_key'],
          types: [],
          typed: false,
          example: { key: e.key },
        });
        continue;
      }
      const ttl = ttlViolation(e.pttl, opts.ttlSeconds[m.family.dataType], opts.adaptiveTtl);
      const env = decodeEnvelope(e.raw, m.family.kind);
      if (!env) {
        const sync = ttl ? ['undecodable', ttl] : ['undecodable'];
        outcomes.push({
          node: e.node,
          key: e.key,
          dataType: m.family.dataType,
          sync,
          types: [],
          typed: false,
          pttl: e.pttl,
          example: { key: e.key, value: e.raw.slice(0, 120), pttl: e.pttl },
        });
        continue;
      }
      const list = groups.get(m.family) ?? [];
      list.push({ e, m, env, ttl });
      groups.set(m.family, list);
    }
    await Promise.all(
      [...groups].map(async ([family, list]) => {
        const ids = list.map((x) => x.m.id);
        if (family.kind === 'entity') {
          const rows = await fetchEntity(family, ids);
          const t = tables.get(family.table) as TableDescription;
          for (const { e, m, env, ttl } of list) {
            const row = rows.get(m.id);
            const { sync, types } = classifyEntity(t, env, row);
            const kinds: string[] = sync === 'consistent' ? [] : [sync];
            if (ttl) kinds.push(ttl);
            outcomes.push({
              node: e.node,
              key: e.key,
              dataType: family.dataType,
              sync: kinds,
              types,
              typed: row !== undefined,
              pttl: e.pttl,
              example: kinds.length
                ? { key: e.key, cachedVersion: env.v, rowVersion: row?.version ?? null, pttl: e.pttl }
                : undefined,
              detail: types.length ? { cached: env.row ?? {}, row: row?.encoded ?? {} } : undefined,
            });
          }
        } else {
          const expected = await fetchDerived(family, ids);
          for (const { e, m, env, ttl } of list) {
            const exp = expected.get(m.id);
            const sync = classifyDerived(env, exp);
            const kinds: string[] = sync === 'consistent' ? [] : [sync];
            if (ttl) kinds.push(ttl);
            const example = kinds.length
              ? { key: e.key, cachedVersion: env.v, rowVersion: exp?.version ?? null, pttl: e.pttl }
              : undefined;
            outcomes.push({
              node: e.node,
              key: e.key,
              dataType: family.dataType,
              sync: kinds,
              types: [],
              typed: false,
              pttl: e.pttl,
              example,
            });
          }
        }
      }),
    );
    return { outcomes, vanished, ignored };
  }

  return { evaluate, notes };
}
