/**
 * The target's PostgreSQL access: a node-postgres Pool sized as the report
 * states (pool.size kept, pool.overflow extra, acquire timeout, recycling) and
 * instrumented, plus `query` / `transaction` helpers that tag every statement
 * with its query type for /metrics and Server-Timing.
 *
 * Rows come back in the encoding of docs/cache-keys.md ("Column encoding"):
 * bigint as number, numeric as PostgreSQL's text, timestamptz as ISO-8601 UTC
 * with milliseconds, so a row can be cached as it is.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Config } from '../config/index.ts';
import { ApiError, fromPgError, unavailable } from './http-errors.ts';
import type { DbQueryType, ApiMetrics } from './metrics.ts';
import { msSince, type RequestTiming } from './timing.ts';

const OID_INT8 = 20;
const OID_INT8_ARRAY = 1016;
const OID_TIMESTAMPTZ = 1184;

/** Query types sent as named prepared statements: their plans do not depend on the values (see `statement`). */
const PREPARED_TYPES: ReadonlySet<DbQueryType> = new Set(['simple', 'join', 'write']);
/** A bound on distinct names, should a caller ever build SQL text per request. */
const MAX_NAMED_STATEMENTS = 200;

/** The API's connections in pg_stat_activity (the run waits for them to leave). */
export const API_APPLICATION_NAME = 'acgs-load-target';

/** Type parsers for the cache-key encoding (pg's defaults give strings for int8 and Dates). */
function encodingTypes(): pg.CustomTypesConfig {
  const defaultParser = pg.types.getTypeParser as unknown as (oid: number) => unknown;
  const parseTimestamptz = defaultParser(OID_TIMESTAMPTZ) as (s: string) => Date | number;
  const parseInt8Array = defaultParser(OID_INT8_ARRAY) as (s: string) => string[];
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === OID_INT8) return (s: string) => Number(s);
      if (oid === OID_INT8_ARRAY) return (s: string) => parseInt8Array(s).map((x) => (x === null ? null : Number(x)));
      if (oid === OID_TIMESTAMPTZ) {
        return (s: string) => {
          const d = parseTimestamptz(s);
          return d instanceof Date ? d.toISOString() : d; // +-infinity stay as pg gives them
        };
      }
      return pg.types.getTypeParser(oid, format);
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

/** Something that runs a tagged statement: the pool or a transaction's client. */
export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    type: DbQueryType,
    sql: string,
    params?: unknown[],
  ): Promise<R[]>;
}

/** The pool and its instrumentation; one per target instance. */
export class Database {
  readonly pool: pg.Pool;
  private metrics: ApiMetrics | undefined;
  /** Extra milliseconds a query of this type takes after it ran elapsed ms (the slowQuery defects); null when off. */
  private delayOf: ((type: DbQueryType, elapsedMs: number) => number) | null = null;
  /** The statement as sent, per query type and SQL text (see `statement`). */
  private readonly statements = new Map<DbQueryType, Map<string, { text: string; name: string | undefined }>>();
  private named = 0;

  constructor(databaseUrl: string, poolCfg: Config['pool']) {
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: poolCfg.size + poolCfg.overflow,
      // pg-pool >= 3.7: connections above `min` are closed after idleTimeoutMillis,
      // which is the report's "25 kept, 35 overflow".
      min: poolCfg.size,
      idleTimeoutMillis: poolCfg.idleTimeoutMs,
      // Covers both waiting in the queue and opening a new connection.
      connectionTimeoutMillis: poolCfg.acquireTimeoutMs,
      maxLifetimeSeconds: poolCfg.recycleSeconds,
      statement_timeout: poolCfg.statementTimeoutMs,
      application_name: API_APPLICATION_NAME,
      types: encodingTypes(),
    });
    // An idle client losing its server (restart, network) must not crash the process.
    this.pool.on('error', () => {});
  }

  /**
   * Makes queries slower on purpose (api/defects.ts slowQuery*): `delayOf(type, elapsedMs)` ms more
   * after the statement's own elapsedMs, the connection held and inside the timed window.
   */
  slowDown(delayOf: (type: DbQueryType, elapsedMs: number) => number): void {
    this.delayOf = delayOf;
  }

  /** Connects the metrics (created after the pool so they can read it). */
  instrument(metrics: ApiMetrics, poolCfg: Config['pool']): void {
    this.metrics = metrics;
    metrics.poolMax.set(poolCfg.size + poolCfg.overflow);
    metrics.poolSize.set(poolCfg.size);
    this.pool.on('connect', () => metrics.poolCreated.inc());
    this.pool.on('remove', () => metrics.poolClosed.inc());
  }

  /**
   * Waits for a connection; 503 after the acquire timeout or when PostgreSQL is down.
   * Counts each acquisition's outcome (acgs_pool_acquire_outcomes_total): whether it
   * queued is decided from the pool's state before `pool.connect()`, so it says
   * what the pool did, not how fast this process got to run the callback.
   */
  async acquire(): Promise<pg.PoolClient> {
    const queues = acquireWillQueue({
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.pool.waitingCount,
      max: this.pool.options.max ?? 10, // pg-pool's default when no max is given
    });
    const start = process.hrtime.bigint();
    try {
      const client = await this.pool.connect();
      this.metrics?.poolAcquireWait.observe(msSince(start) / 1000);
      this.metrics?.poolAcquires.inc();
      this.metrics?.poolAcquireOutcomes.inc({ outcome: queues ? 'queued' : 'unqueued' });
      return client;
    } catch (e) {
      const msg = (e as Error).message ?? '';
      if (/timeout exceeded when trying to connect|connection timeout/i.test(msg)) {
        this.metrics?.poolAcquireTimeouts.inc();
        this.metrics?.poolAcquireOutcomes.inc({ outcome: 'timeout' });
        throw unavailable('no database connection became free within the acquire timeout', 1);
      }
      this.metrics?.poolAcquireOutcomes.inc({ outcome: 'error' });
      // The driver's error stays the cause, so start-up can name what PostgreSQL said.
      throw Object.assign(fromPgError(e) ?? unavailable('PostgreSQL is not reachable', 2), { cause: e });
    }
  }

  /** Runs one tagged statement on a pooled connection. */
  async query<R extends Record<string, unknown> = Record<string, unknown>>(
    timing: RequestTiming | undefined,
    type: DbQueryType,
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    const client = await this.acquire();
    let broken: Error | undefined;
    try {
      return await this.run<R>(client, timing, type, sql, params);
    } catch (e) {
      broken = isConnectionError(e) ? (e as Error) : undefined;
      throw e;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Runs `fn` with one pooled connection and no transaction around it: each
   * statement commits on its own. For a write whose reads need no lock and whose
   * changes are one statement (CTEs), which saves BEGIN and COMMIT round trips;
   * under READ COMMITTED every statement takes its own snapshot either way.
   */
  async session<T>(timing: RequestTiming | undefined, fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    const q: Queryable = { query: (type, sql, params = []) => this.run(client, timing, type, sql, params) };
    let broken: Error | undefined;
    try {
      return await fn(q);
    } catch (e) {
      broken = isConnectionError(e) ? (e as Error) : undefined;
      throw e;
    } finally {
      client.release(broken);
    }
  }

  /** Runs `fn` in one transaction (BEGIN .. COMMIT, ROLLBACK on any error). */
  async transaction<T>(timing: RequestTiming | undefined, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    const tx: Queryable = { query: (type, sql, params = []) => this.run(client, timing, type, sql, params) };
    let broken: Error | undefined;
    try {
      await tx.query('write', 'BEGIN');
      const result = await fn(tx);
      await tx.query('write', 'COMMIT');
      return result;
    } catch (e) {
      broken = isConnectionError(e) ? (e as Error) : undefined;
      if (!broken)
        await client.query('ROLLBACK').catch((r: Error) => {
          broken = r;
        });
      throw e;
    } finally {
      client.release(broken);
    }
  }

  private async run<R>(
    client: pg.PoolClient,
    timing: RequestTiming | undefined,
    type: DbQueryType,
    sql: string,
    params: unknown[],
  ): Promise<R[]> {
    const start = process.hrtime.bigint();
    try {
      // The comment names the query type in pg_stat_statements, which keeps the first
      // text it saw for a statement; the run report groups server-side times by it.
      const res = await client.query(this.statement(type, sql, params));
      const delay = this.delayOf ? this.delayOf(type, msSince(start)) : 0;
      if (delay > 0) await holdFor(delay);
      return res.rows as R[];
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw fromPgError(e) ?? e;
    } finally {
      const ms = msSince(start);
      this.metrics?.dbDuration.observe({ query_type: type }, ms / 1000);
      timing?.add('db', ms, type);
    }
  }

  /**
   * The statement as sent: its text tagged with the query type, and a name for the
   * statement types whose plan does not depend on the values (lookups and writes by
   * key), so each connection parses and plans it once (extended protocol, named
   * prepared statement; pg keeps one per name and connection). Aggregations, the
   * complex report and range scans stay unnamed: PostgreSQL plans them for the
   * values given, as the report's EXPLAIN of the same text does. Built once per
   * text; every text is one of the API's constants, so the names are bounded.
   */
  private statement(type: DbQueryType, sql: string, values: unknown[]): pg.QueryConfig {
    let byText = this.statements.get(type);
    if (!byText) this.statements.set(type, (byText = new Map()));
    let s = byText.get(sql);
    if (!s) {
      const text = type === 'write' ? sql : `/* acgs:${type} */ ${sql}`;
      // Statements without parameters (BEGIN, COMMIT, SELECT 1) gain nothing from a name.
      const named = PREPARED_TYPES.has(type) && /\$1\b/.test(sql) && this.named < MAX_NAMED_STATEMENTS;
      s = { text, name: named ? `acgs_${++this.named}` : undefined };
      byText.set(sql, s);
    }
    return { text: s.text, name: s.name, values };
  }

  /** Live figures for /metrics and /healthz. */
  snapshot(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * Whether an acquisition made now has to queue behind other requests for a
 * connection, as node-postgres' Pool decides (pg-pool 3.x `Pool.connect`):
 * when the pool is neither full nor holding an idle connection it opens a new
 * one for this request at once; otherwise the request joins the pending
 * queue, from which idle connections are handed out on the next tick
 * (`_pulseQueue`, which also opens new connections while under `max`). So a
 * queued request is still served without waiting for a release when the
 * requests ahead of it (`waiting`) leave it an idle connection or room for a
 * new one under the maximum.
 */
export function acquireWillQueue(p: { total: number; idle: number; waiting: number; max: number }): boolean {
  if (p.total < p.max && p.idle === 0) return false;
  return p.waiting >= p.idle + Math.max(0, p.max - p.total);
}

/**
 * Waits `ms` (fractions included) without blocking the event loop: a timer for
 * all but the last millisecond, then turns of the loop (setImmediate) until the
 * deadline. A timer alone rounds to the loop's whole milliseconds, which would
 * turn a 20 % slowdown of a 2 ms query (0.4 ms) into 1-2 ms; other requests' I/O
 * still runs between the turns.
 */
async function holdFor(ms: number): Promise<void> {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  if (ms > 2) await sleep(ms - 1);
  while (process.hrtime.bigint() < deadline) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** True for errors after which the connection must not go back to the pool. */
function isConnectionError(e: unknown): boolean {
  if (e instanceof ApiError) return e.statusCode === 503 && e.message.includes('not reachable');
  const msg = (e as Error)?.message ?? '';
  return /Connection terminated|ECONNRESET|EPIPE/.test(msg);
}
