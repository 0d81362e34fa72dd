/**
 * Versioned SQL migrations (schema/migrations/NNN_name.sql) and the marker that
 * says a database is the suite's own.
 *
 * The acgs_meta table (created by 001) holds two keys:
 *  - 'acgs-load'  -> the marker {schemaVersion, fingerprint, generatorVersion, scale, seed, loadedAt};
 *  - 'migrations' -> {applied: ["001_tables", ...]}.
 * A database with tables in `public` but no marker is foreign: the suite
 * refuses to migrate, seed or truncate it unless forced (FOREIGN_DATABASE).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { AcgsError } from '../config/index.ts';
import { SCHEMA_VERSION, TABLES } from './description.ts';
import { describePg, withPg } from '../services/index.ts';

// From the project root (`..`), so the compiled bundle in dist/ finds the same folder.
const DIR = fileURLToPath(new URL('../schema/migrations', import.meta.url));

/** One migration file. */
export interface Migration {
  name: string;
  number: number;
  sql: string;
}

/** The migrations shipped with the suite, in order. */
export const MIGRATIONS: readonly Migration[] = readdirSync(DIR)
  .filter((f) => /^\d{3}_.+\.sql$/.test(f))
  .sort()
  .map((f) => ({ name: f.slice(0, -4), number: Number(f.slice(0, 3)), sql: readFileSync(join(DIR, f), 'utf8') }));

/**
 * The statements of a migration, comments removed. Contract for migration
 * authors: statements end with `;` at the end of a line (seed/post-load.ts
 * runs index builds of one file in parallel, schema/drift.ts re-applies single
 * statements to repair a drifted schema).
 */
export function migrationStatements(sql: string): string[] {
  return sql
    .replace(/--[^\n]*/g, '')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The suite's marker stored in acgs_meta under 'acgs-load'. */
export interface Marker {
  schemaVersion: number;
  fingerprint: string | null;
  generatorVersion?: number;
  scale?: number;
  seed?: number;
  loadedAt?: string;
}

/** What a database holds, as far as ownership goes. */
export interface DbState {
  tables: string[];
  marker: Marker | null;
  applied: string[];
}

/** Every table the suite creates (001), plus its meta table. */
export const SUITE_TABLES: readonly string[] = ['acgs_meta', ...TABLES.map((t) => t.name)];

/** Reads tables in `public`, the marker and the applied migrations. */
export async function readState(c: pg.Client): Promise<DbState> {
  const r = await c.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r','p','v','m') ORDER BY 1",
  );
  const tables = r.rows.map((x) => x.name);
  if (!tables.includes('acgs_meta')) return { tables, marker: null, applied: [] };
  const meta = await c.query<{ key: string; value: unknown }>(
    "SELECT key, value FROM acgs_meta WHERE key IN ('acgs-load', 'migrations')",
  );
  const marker = (meta.rows.find((x) => x.key === 'acgs-load')?.value as Marker | undefined) ?? null;
  const applied =
    (meta.rows.find((x) => x.key === 'migrations')?.value as { applied?: string[] } | undefined)?.applied ?? [];
  return { tables, marker, applied };
}

/** Throws FOREIGN_DATABASE / SCHEMA_TOO_NEW unless the suite may change this database. */
export function assertOwned(state: DbState, url: string, force: boolean | undefined, doing: string): void {
  if (state.marker && state.marker.schemaVersion > SCHEMA_VERSION) {
    throw new AcgsError(
      'SCHEMA_TOO_NEW',
      `database ${describePg(url)} has schema version ${state.marker.schemaVersion}; this acgs-load knows up to ${SCHEMA_VERSION}`,
      {
        hint: 'upgrade acgs-load, or use another database (ACGS_DATABASE_NAME / DATABASE_URL)',
      },
    );
  }
  if (!state.marker && state.tables.length > 0 && !force) {
    const shown = state.tables.slice(0, 5).join(', ') + (state.tables.length > 5 ? ', ...' : '');
    throw new AcgsError(
      'FOREIGN_DATABASE',
      `refusing ${doing}: database ${describePg(url)} has ${state.tables.length} table(s) (${shown}) but no acgs-load marker`,
      {
        hint: 'point DATABASE_URL or ACGS_DATABASE_NAME at a database of its own (acgs-load creates it), or pass --force if this database really belongs to the suite',
      },
    );
  }
}

/** Writes (or replaces) the marker. */
export async function writeMarker(c: pg.Client, marker: Marker): Promise<void> {
  await c.query(
    "INSERT INTO acgs_meta (key, value, updated_at) VALUES ('acgs-load', $1, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
    [JSON.stringify(marker)],
  );
}

/** Applies one migration in a transaction and records it (001 also writes a marker without fingerprint). */
export async function applyMigration(c: pg.Client, m: Migration, state: DbState): Promise<void> {
  await c.query('BEGIN');
  try {
    await c.query(m.sql);
    const applied = [...state.applied.filter((a) => a !== m.name), m.name];
    await c.query(
      "INSERT INTO acgs_meta (key, value) VALUES ('migrations', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
      [JSON.stringify({ applied })],
    );
    if (!state.marker) {
      state.marker = { schemaVersion: SCHEMA_VERSION, fingerprint: null };
      await writeMarker(c, state.marker);
    }
    await c.query('COMMIT');
    state.applied = applied;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

/** Number of the last applied migration (0 when none). */
export function currentOf(applied: readonly string[]): number {
  return applied.reduce((max, name) => Math.max(max, Number(name.slice(0, 3)) || 0), 0);
}

/** Migrations not yet applied, in order. */
export function pendingOf(applied: readonly string[]): Migration[] {
  return MIGRATIONS.filter((m) => !applied.includes(m.name));
}

/** Applies the pending migrations of the suite's database (refuses a foreign one unless forced). */
export async function migrate(
  databaseUrl: string,
  opts: { force?: boolean } = {},
): Promise<{ applied: string[]; current: number }> {
  return withPg(databaseUrl, 'migrating', async (c) => {
    const state = await readState(c);
    assertOwned(state, databaseUrl, opts.force, 'to migrate');
    const done: string[] = [];
    for (const m of pendingOf(state.applied)) {
      await applyMigration(c, m, state);
      done.push(m.name);
    }
    return { applied: done, current: currentOf(state.applied) };
  });
}

/** Whether the database is the suite's, which migrations it has and its dataset fingerprint. */
export async function migrationStatus(
  databaseUrl: string,
): Promise<{ owned: boolean; current: number; pending: string[]; fingerprint: string | null }> {
  return withPg(databaseUrl, 'reading migration status', async (c) => {
    const state = await readState(c);
    return {
      owned: state.marker !== null,
      current: currentOf(state.applied),
      pending: pendingOf(state.applied).map((m) => m.name),
      fingerprint: state.marker?.fingerprint ?? null,
    };
  });
}

/** The marker's schema version and fingerprint, or null when the database is not marked. */
export async function readMarker(
  databaseUrl: string,
): Promise<{ schemaVersion: number; fingerprint: string | null } | null> {
  return withPg(databaseUrl, 'reading the marker', async (c) => {
    const { marker } = await readState(c);
    return marker ? { schemaVersion: marker.schemaVersion, fingerprint: marker.fingerprint ?? null } : null;
  });
}

/** Drops the suite's tables (never others); only call on an owned (or forced) database. */
export async function dropSuiteTables(c: pg.Client): Promise<void> {
  await c.query(`DROP TABLE IF EXISTS ${SUITE_TABLES.join(', ')} CASCADE`);
}
