/**
 * The schema description the checkers work from: tables and their column
 * types, references no constraint enforces, cache key families and the kinds of
 * acknowledged writes. The reference target's description is built in (from
 * schema/description.ts); a user aiming the checkers at another deployment
 * writes the same shape as a JSON file and passes `--description FILE`.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AcgsError, CACHE_DATA_TYPES } from '../config/index.ts';
import {
  ACK_KINDS,
  CACHE_FAMILIES,
  TABLES,
  UNENFORCED_REFERENCES,
  type CacheFamily,
  type TableDescription,
  type UnenforcedReference,
} from '../schema/index.ts';

/** Everything the checkers need to know about a deployment's schema and cache. */
export interface SchemaDescription {
  tables: TableDescription[];
  unenforcedReferences: UnenforcedReference[];
  cacheFamilies: CacheFamily[];
  /** Acknowledged-write kind -> table holding run_id + client_request_id. */
  ackKinds: Record<string, string>;
  /**
   * Key patterns under the prefix that are not cache entries and must not be
   * reported as unknown keys (e.g. a marker key); `*` matches any suffix.
   */
  ignoreKeys?: string[];
}

/** The reference target's description (schema/description.ts). */
export function builtinDescription(): SchemaDescription {
  return {
    tables: TABLES,
    unenforcedReferences: UNENFORCED_REFERENCES,
    cacheFamilies: CACHE_FAMILIES,
    ackKinds: ACK_KINDS,
    // meta:dataset names the dataset the cache was warmed from (docs/cache-keys.md); not a cached row.
    ignoreKeys: ['meta:*'],
  };
}

const ident = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain SQL identifier');
const columnType = z.enum(['bigint', 'integer', 'numeric', 'timestamptz', 'boolean', 'jsonb', 'text', 'inet']);

const descriptionSchema = z
  .strictObject({
    tables: z.array(
      z.strictObject({
        name: ident,
        key: z.array(ident).min(1),
        columns: z.record(ident, z.strictObject({ type: columnType, nullable: z.boolean().optional() })),
        versioned: z.boolean(),
      }),
    ),
    unenforcedReferences: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          table: ident,
          kind: z.enum(['jsonb-array', 'column']),
          column: ident,
          references: z.strictObject({ table: ident, column: ident }),
          // A SQL predicate from the user's own file, run against the user's own database.
          where: z.string().optional(),
        }),
      )
      .default([]),
    cacheFamilies: z.array(
      z.strictObject({
        pattern: z.string().regex(/^[^{}]*\{id\}[^{}]*$/, 'must contain {id} exactly once'),
        dataType: z.enum(CACHE_DATA_TYPES as [string, ...string[]]),
        kind: z.enum(['entity', 'derived']),
        table: ident,
        keyColumn: ident,
      }),
    ),
    ackKinds: z.record(z.string(), ident).default({}),
    ignoreKeys: z.array(z.string().min(1)).default([]),
  })
  .superRefine((d, ctx) => {
    const tables = new Map(d.tables.map((t) => [t.name, t]));
    d.cacheFamilies.forEach((f, i) => {
      const t = tables.get(f.table);
      if (!t)
        ctx.addIssue({
          code: 'custom',
          path: ['cacheFamilies', i, 'table'],
          message: `table '${f.table}' is not in tables`,
        });
      else if (!t.columns[f.keyColumn])
        ctx.addIssue({
          code: 'custom',
          path: ['cacheFamilies', i, 'keyColumn'],
          message: `'${f.keyColumn}' is not a column of ${f.table}`,
        });
    });
    for (const [kind, table] of Object.entries(d.ackKinds)) {
      if (!tables.has(table))
        ctx.addIssue({ code: 'custom', path: ['ackKinds', kind], message: `table '${table}' is not in tables` });
    }
  });

/**
 * Reads and validates a description file (JSON). Every problem is reported at
 * once in one AcgsError BAD_CONFIG.
 */
export async function loadDescription(file: string): Promise<SchemaDescription> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new AcgsError(
      'BAD_CONFIG',
      `description file '${file}' cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      {
        hint: 'give the path of a JSON schema description shaped like schema/description.ts',
        cause: e,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new AcgsError('BAD_CONFIG', `description file '${file}' is not valid JSON: ${(e as Error).message}`, {
      hint: 'fix the JSON syntax (a trailing comma or a missing quote is the usual cause)',
    });
  }
  const result = descriptionSchema.safeParse(parsed);
  if (!result.success) {
    const details = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new AcgsError(
      'BAD_CONFIG',
      `description file '${file}' has ${details.length} problem${details.length === 1 ? '' : 's'}`,
      {
        details,
        hint: 'write {tables, unenforcedReferences, cacheFamilies, ackKinds}, shaped like schema/description.ts',
      },
    );
  }
  return result.data as SchemaDescription;
}
