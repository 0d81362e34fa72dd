/**
 * Connecting to PostgreSQL and turning its failures into errors a person can
 * act on (AcgsError kinds PG_UNREACHABLE, PG_AUTH, PG_READ_ONLY, PG_ERROR).
 * Messages name host:port and database, never a password (redactUrl).
 */
import pg from 'pg';
import { AcgsError, isAcgsError, redactUrl } from '../config/index.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNRESET',
]);

/** host:port/database of a postgres URL, for messages. */
export function describePg(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return redactUrl(url);
  }
}

/** Maps any error from pg to an AcgsError; `doing` says what failed ("seeding"). */
export function pgError(e: unknown, url: string, doing: string): AcgsError {
  if (isAcgsError(e)) return e;
  const err = e as { code?: string; message?: string; errors?: Array<{ code?: string }> };
  const code = err?.code ?? err?.errors?.[0]?.code;
  const where = describePg(url);
  const msg = String(err?.message ?? e).replace(/\s+/g, ' ');
  const user = (() => {
    try {
      return decodeURIComponent(new URL(url).username) || 'postgres';
    } catch {
      return '?';
    }
  })();
  const network = code ? NETWORK_CODES.has(code) : /timeout|terminated unexpectedly|ECONN/i.test(msg);
  if (network) {
    return new AcgsError(
      'PG_UNREACHABLE',
      `cannot reach PostgreSQL at ${where.replace(/\/.*$/, '')} (${code ?? msg})`,
      {
        cause: e,
        hint: `start PostgreSQL, or point DATABASE_URL at a running server (docker compose up -d postgres: ${COMPOSE_DATABASE_URL})`,
      },
    );
  }
  if (code === '28P01' || code === '28000') {
    return new AcgsError('PG_AUTH', `PostgreSQL at ${where} rejected user '${user}': ${msg}`, {
      cause: e,
      hint: 'check the user name and password in DATABASE_URL (postgres://user:password@host:port/db)',
    });
  }
  if (code === '25006' || code === '42501') {
    return new AcgsError('PG_READ_ONLY', `user '${user}' may not write to ${where} while ${doing}: ${msg}`, {
      cause: e,
      hint: 'use a user that owns the database (CREATE, INSERT, ALTER), or a database that is not a read-only replica',
    });
  }
  if (code === '3D000') {
    return new AcgsError('PG_ERROR', `database ${where} does not exist`, {
      cause: e,
      hint: 'run `acgs-load seed` (it creates the database) or fix the database name in DATABASE_URL',
    });
  }
  return new AcgsError(
    'PG_ERROR',
    `PostgreSQL error while ${doing} on ${where}: ${msg}${code ? ` (SQLSTATE ${code})` : ''}`,
    {
      cause: e,
      hint: 'see the PostgreSQL server log for details',
    },
  );
}

/** int8 and numeric-count columns as JS numbers (ids stay below 2^53; docs/cache-keys.md). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

/** Opens one client; failures become AcgsErrors. The caller ends it. */
export async function connectPg(url: string, doing = 'connecting'): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 5000,
    types,
    application_name: 'acgs-load',
  });
  // An idle client whose server goes away emits 'error'; without a listener
  // that would crash the process instead of failing the next query.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    throw pgError(e, url, doing);
  }
  return client;
}

/** Runs `fn` with a connected client and always ends it; errors are mapped. */
export async function withPg<T>(url: string, doing: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectPg(url, doing);
  try {
    return await fn(client);
  } catch (e) {
    throw pgError(e, url, doing);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The same server's `postgres` maintenance database (for CREATE DATABASE). */
export function adminUrl(url: string): { admin: string; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
  u.pathname = '/postgres';
  return { admin: u.toString(), database };
}

/** Double-quotes an SQL identifier. */
export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/**
 * Creates the database named in `databaseUrl` when it is missing (connecting
 * to the server's `postgres` database). Concurrent creators are tolerated.
 */
export async function ensureDatabase(databaseUrl: string): Promise<{ created: boolean }> {
  const { admin, database } = adminUrl(databaseUrl);
  return withPg(admin, `creating database '${database}'`, async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (r.rowCount) return { created: false };
    try {
      await c.query(`CREATE DATABASE ${ident(database)}`);
      return { created: true };
    } catch (e) {
      if ((e as { code?: string }).code === '42P04') return { created: false }; // created meanwhile
      throw e;
    }
  });
}

/** The database docker-compose.yml creates (user acgs, password acgs), as acgs-load on the host reaches it. */
export const COMPOSE_DATABASE_URL = 'postgres://acgs:acgs@127.0.0.1:5432/acgs_load';
