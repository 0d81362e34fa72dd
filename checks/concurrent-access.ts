/**
 * Concurrent access safety: no lost update.
 *  - every write a scenario counted as acknowledged (run id + client request
 *    id, table by ACK_KINDS) is in the database: `acked_write_missing`;
 *  - versions only move forward: a policy's updates, in the order they were
 *    written (created_at, id), have increasing to_version: `version_regression`
 *    (a cached version ahead of its row is cache-db-sync's `ahead`);
 *  - writes in the database with this run id that were never acknowledged
 *    (client timeouts, aborted iterations) are reported apart, in
 *    extra.unacknowledged: information, not violations.
 * When some acknowledged writes are unknown (`acknowledgedUnknown`: a
 * scenario's metrics stream is missing), the result is NO DATA (`noData`):
 * the writes in that stream may be lost without a trace.
 */
import type pg from 'pg';
import type { CheckerResult, CheckOptions } from './types.ts';
import type { SchemaDescription } from './description.ts';
import { qi, Tally } from './_tally.ts';

const REGRESSION_SQL = `
  SELECT policy_id, id, to_version, prev_to_version
    FROM (SELECT policy_id, id, to_version,
                 lag(to_version) OVER (PARTITION BY policy_id ORDER BY created_at, id) AS prev_to_version
            FROM policy_updates) u
   WHERE to_version <= prev_to_version`;

/** The concurrent-access checker. */
export async function checkConcurrentAccess(
  db: pg.Pool,
  desc: SchemaDescription,
  opts: Pick<CheckOptions, 'examples' | 'runId' | 'acknowledged' | 'acknowledgedUnknown' | 'batchSize'>,
): Promise<CheckerResult> {
  const started = performance.now();
  const tally = new Tally(opts.examples);
  const acked = opts.acknowledged ?? [];
  const unacknowledged: Record<string, { count: number; examples: string[] }> = {};

  // The writes given are checked all the same; but with some unknown, "none lost" cannot be said.
  if (opts.acknowledgedUnknown) tally.unmeasured.push(opts.acknowledgedUnknown);
  if (!opts.runId && acked.length === 0)
    tally.notes.push('no run id and no acknowledged writes given: only version order checked');
  if (!opts.runId && acked.length)
    tally.notes.push('no run id given: acknowledged writes matched on client_request_id alone');

  const byKind = new Map<string, Set<string>>();
  for (const a of acked) {
    const set = byKind.get(a.kind) ?? new Set<string>();
    set.add(a.clientRequestId);
    byKind.set(a.kind, set);
  }
  for (const [kind, ids] of byKind) {
    const table = desc.ackKinds[kind];
    if (!table) {
      tally.notes.push(
        `${ids.size} acknowledged writes of unknown kind '${kind}' not checked (kinds: ${Object.keys(desc.ackKinds).join(', ')})`,
      );
      continue;
    }
    tally.checked += ids.size;
    const found = new Set<string>();
    const list = [...ids];
    for (let i = 0; i < list.length; i += opts.batchSize) {
      const slice = list.slice(i, i + opts.batchSize);
      const { rows } = opts.runId
        ? await db.query(
            `SELECT DISTINCT client_request_id FROM ${qi(table)} WHERE run_id = $1 AND client_request_id = ANY($2::text[])`,
            [opts.runId, slice],
          )
        : await db.query(
            `SELECT DISTINCT client_request_id FROM ${qi(table)} WHERE client_request_id = ANY($1::text[])`,
            [slice],
          );
      for (const r of rows) found.add(r.client_request_id);
    }
    for (const id of list)
      if (!found.has(id))
        tally.add('acked_write_missing', 1, { kind, table, clientRequestId: id, runId: opts.runId ?? null });
  }

  if (opts.runId) {
    // Tables are listed once even when several kinds share one.
    for (const [kind, table] of Object.entries(desc.ackKinds)) {
      const ids = byKind.get(kind) ?? new Set<string>();
      const { rows } = await db.query(`SELECT client_request_id FROM ${qi(table)} WHERE run_id = $1`, [opts.runId]);
      const extra = rows.map((r) => r.client_request_id as string).filter((id) => !ids.has(id));
      if (extra.length) unacknowledged[kind] = { count: extra.length, examples: extra.slice(0, opts.examples) };
    }
    const n = Object.values(unacknowledged).reduce((a, u) => a + u.count, 0);
    if (n)
      tally.notes.push(
        `${n} writes with run id '${opts.runId}' were never acknowledged (client timeouts?): not violations, see extra.unacknowledged`,
      );
  }

  const present = (await db.query(`SELECT to_regclass('policy_updates') IS NOT NULL AS ok`)).rows[0].ok as boolean;
  if (present) {
    tally.checked += Number((await db.query('SELECT count(*)::bigint::text AS n FROM policy_updates')).rows[0].n);
    const n = Number((await db.query(`SELECT count(*)::bigint::text AS n FROM (${REGRESSION_SQL}) r`)).rows[0].n);
    if (n) tally.add('version_regression', n, ...(await db.query(`${REGRESSION_SQL} LIMIT ${opts.examples}`)).rows);
  }
  tally.notes.push('a cached version ahead of its row is reported by cache-db-sync (ahead)');
  return tally.result('concurrent-access', started, undefined, {
    runId: opts.runId ?? null,
    acknowledged: acked.length,
    unacknowledged,
  });
}
