/**
 * Server-side PostgreSQL figures for a run: snapshots of the cumulative
 * statistics views and the delta between two snapshots.
 *
 * - pg_stat_database: buffer cache hits/reads, commits, rollbacks, deadlocks.
 * - pg_stat_user_tables / pg_stat_user_indexes: sequential vs index scans.
 * - pg_stat_statements, when the server allows it (it must be listed in
 *   shared_preload_libraries; CREATE EXTENSION alone is not enough). When it is
 *   not available the snapshot says why, and the report prints that reason
 *   instead of zeros.
 * Sources: PostgreSQL 15 manual, "The Cumulative Statistics System" and
 * "pg_stat_statements".
 */
import type pg from 'pg';

/** Statements of the suite's own measuring (statistics views, EXPLAIN), not of the load. */
const SUITE_OWN =
  /pg_stat_|pg_settings|pg_database|current_setting|^EXPLAIN|^SHOW |pg_stat_force_next_flush|^(BEGIN|ROLLBACK|COMMIT)$|^SELECT \$?1$/i;

export interface StatementStat {
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
}

export interface PgSnapshot {
  takenAt: number;
  version: string;
  database: Record<string, number>;
  tables: Record<string, { seqScan: number; idxScan: number; nLiveTup: number }>;
  indexes: Record<string, { table: string; idxScan: number }>;
  statements: { available: true; rows: StatementStat[] } | { available: false; reason: string };
}

/** Tries to make pg_stat_statements usable; returns why not when it cannot. */
export async function enableStatements(client: pg.ClientBase): Promise<string | null> {
  const preload = await client.query<{ setting: string }>(
    "SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'",
  );
  if (!String(preload.rows[0]?.setting ?? '').includes('pg_stat_statements')) {
    return "pg_stat_statements is not in the server's shared_preload_libraries (add it and restart PostgreSQL; docker-compose.yml does)";
  }
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
    return null;
  } catch (e) {
    return `pg_stat_statements is not usable: ${(e as Error).message}`;
  }
}

export async function takePgSnapshot(client: pg.ClientBase, statementsReason: string | null): Promise<PgSnapshot> {
  const takenAt = Date.now();
  const version = (await client.query<{ v: string }>('SHOW server_version')).rows[0].v;
  const db = await client.query(
    `SELECT blks_hit, blks_read, xact_commit, xact_rollback, deadlocks, tup_returned, tup_fetched,
            tup_inserted, tup_updated, tup_deleted, conflicts, temp_files
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  const database: Record<string, number> = {};
  for (const [k, v] of Object.entries(db.rows[0] ?? {})) database[k] = Number(v);
  const tables: PgSnapshot['tables'] = {};
  for (const r of (await client.query('SELECT relname, seq_scan, idx_scan, n_live_tup FROM pg_stat_user_tables'))
    .rows) {
    tables[r.relname] = {
      seqScan: Number(r.seq_scan ?? 0),
      idxScan: Number(r.idx_scan ?? 0),
      nLiveTup: Number(r.n_live_tup ?? 0),
    };
  }
  const indexes: PgSnapshot['indexes'] = {};
  for (const r of (await client.query('SELECT relname, indexrelname, idx_scan FROM pg_stat_user_indexes')).rows) {
    indexes[r.indexrelname] = { table: r.relname, idxScan: Number(r.idx_scan ?? 0) };
  }
  let statements: PgSnapshot['statements'];
  if (statementsReason) {
    statements = { available: false, reason: statementsReason };
  } else {
    const rows = await client.query(
      `SELECT queryid::text AS queryid, query, calls, total_exec_time, rows
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    statements = {
      available: true,
      rows: rows.rows.map((r) => ({
        queryid: r.queryid,
        query: r.query,
        calls: Number(r.calls),
        totalMs: Number(r.total_exec_time),
        rows: Number(r.rows),
      })),
    };
  }
  return { takenAt, version, database, tables, indexes, statements };
}

export interface PgDelta {
  seconds: number;
  version: string;
  /** blks_hit / (blks_hit + blks_read) over the run (pg_stat_database). */
  bufferHitRatio: number | null;
  commits: number;
  rollbacks: number;
  deadlocks: number;
  /** idx_scan / (idx_scan + seq_scan) over all user tables (pg_stat_user_tables). */
  indexScanRatio: number | null;
  tables: Array<{ table: string; seqScan: number; idxScan: number }>;
  statements:
    { available: true; rows: Array<StatementStat & { meanMs: number }> } | { available: false; reason: string };
}

/** What the server did between two snapshots of the same database. */
export function pgDelta(before: PgSnapshot, after: PgSnapshot): PgDelta {
  const d = (k: string) => (after.database[k] ?? 0) - (before.database[k] ?? 0);
  const hit = d('blks_hit');
  const read = d('blks_read');
  let seq = 0;
  let idx = 0;
  const tables: PgDelta['tables'] = [];
  for (const [name, a] of Object.entries(after.tables)) {
    const b = before.tables[name] ?? { seqScan: 0, idxScan: 0 };
    const t = { table: name, seqScan: a.seqScan - b.seqScan, idxScan: a.idxScan - b.idxScan };
    seq += t.seqScan;
    idx += t.idxScan;
    if (t.seqScan || t.idxScan) tables.push(t);
  }
  tables.sort((x, y) => y.seqScan + y.idxScan - (x.seqScan + x.idxScan));
  let statements: PgDelta['statements'];
  if (!after.statements.available) {
    statements = after.statements;
  } else {
    const prev = new Map((before.statements.available ? before.statements.rows : []).map((r) => [r.queryid, r]));
    const rows = after.statements.rows
      .map((r) => {
        const p = prev.get(r.queryid);
        const calls = r.calls - (p?.calls ?? 0);
        const totalMs = r.totalMs - (p?.totalMs ?? 0);
        return { ...r, calls, totalMs, rows: r.rows - (p?.rows ?? 0), meanMs: calls > 0 ? totalMs / calls : 0 };
      })
      .filter((r) => r.calls > 0 && !SUITE_OWN.test(r.query))
      .sort((x, y) => y.totalMs - x.totalMs);
    statements = { available: true, rows };
  }
  return {
    seconds: (after.takenAt - before.takenAt) / 1000,
    version: after.version,
    bufferHitRatio: hit + read > 0 ? hit / (hit + read) : null,
    commits: d('xact_commit'),
    rollbacks: d('xact_rollback'),
    deadlocks: d('deadlocks'),
    indexScanRatio: seq + idx > 0 ? idx / (seq + idx) : null,
    tables,
    statements,
  };
}
