/**
 * Concurrent access safety: no lost update, over the writes of the run.
 *  - every write a scenario counted as acknowledged (run id + client request
 *    id, table by ACK_KINDS) is in the database: `acked_write_missing`;
 *  - versions only move forward: each policy update the run wrote has a
 *    higher to_version than the update before it (in the order written,
 *    created_at then id, whoever wrote that one): `version_regression`
 *    (a cached version ahead of its row is cache-db-sync's `ahead`);
 *  - writes in the database with this run id that were never acknowledged
 *    (client timeouts, aborted iterations) are reported apart, in
 *    extra.unacknowledged: information, not violations.
 *
 * Only the run's own writes are checked and counted: rows the seed (or an
 * earlier run) wrote prove nothing about this run, so a run that wrote
 * nothing has checked nothing, which is NO DATA, not a pass. The run's writes
 * are those carrying its run id, or without a run id the acknowledged
 * client request ids. With neither (`acgs-load check` on a database, no run
 * given) the version order of every update is checked and the notes say so.
 * `extra.checkedWrites` splits `checked` into acknowledged writes looked up
 * and the run's policy updates whose version order was checked.
 *
 * When some acknowledged writes are unknown (`acknowledgedUnknown`: a
 * scenario's metrics stream is missing), the result is NO DATA (`noData`):
 * the writes in that stream may be lost without a trace.
 */
import type pg from 'pg';
import type { CheckerResult, CheckOptions } from './types.ts';
import type { SchemaDescription } from './description.ts';
import { qi, Tally } from './_tally.ts';

/**
 * Which policy updates are the run's: by run id, by the acknowledged client
 * request ids, or (no run given) all of them. `$1` is the run id or the ids.
 */
type UpdateScope = { where: string; param: unknown[]; what: string };

/** Updates of `scope` whose to_version does not exceed that of the update before them (any writer's). */
const regressionSql = (where: string) => `
  SELECT policy_id, id, to_version, prev_to_version, run_id, client_request_id
    FROM (SELECT policy_id, id, to_version, run_id, client_request_id,
                 lag(to_version) OVER (PARTITION BY policy_id ORDER BY created_at, id) AS prev_to_version
            FROM policy_updates
           WHERE policy_id IN (SELECT policy_id FROM policy_updates WHERE ${where})) u
   WHERE (${where}) AND to_version <= prev_to_version`;

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

  const ackedChecked = tally.checked;
  // Acknowledged writes whose rows are policy updates (whichever kind names that table).
  const ackedUpdates = new Set(
    Object.entries(desc.ackKinds)
      .filter(([, table]) => table === 'policy_updates')
      .flatMap(([kind]) => [...(byKind.get(kind) ?? [])]),
  );
  const scope = updateScope(opts.runId, acked.length > 0, ackedUpdates);
  const versionOrder = await checkVersionOrder(db, scope, tally, opts.examples);
  if (!scope)
    tally.notes.push(
      "no run id and no acknowledged writes given: the version order of every policy update checked, the seed's included",
    );
  if (scope && tally.checked === 0)
    tally.unmeasured.push(
      `no write of ${opts.runId ? `run '${opts.runId}'` : 'the acknowledged writes'} to check: none acknowledged and no policy update ${scope.what}`,
    );
  tally.notes.push(
    `checked: ${ackedChecked} acknowledged write(s) looked up and the version order of ${versionOrder} policy update(s) ${scope ? scope.what : 'in the database'}`,
  );
  tally.notes.push('a cached version ahead of its row is reported by cache-db-sync (ahead)');
  return tally.result('concurrent-access', started, undefined, {
    runId: opts.runId ?? null,
    acknowledged: acked.length,
    checkedWrites: { acknowledged: ackedChecked, versionOrder },
    unacknowledged,
  });
}

/**
 * The run's policy updates: by run id, else by the acknowledged client request
 * ids (none, when no policy update was acknowledged); null when no run is
 * given at all (no run id, no acknowledged write).
 */
function updateScope(runId: string | undefined, anyAcked: boolean, ackedUpdates: Set<string>): UpdateScope | null {
  if (runId) return { where: 'run_id = $1', param: [runId], what: `with run id '${runId}'` };
  if (anyAcked)
    return { where: 'client_request_id = ANY($1::text[])', param: [[...ackedUpdates]], what: 'acknowledged' };
  return null;
}

/** Counts the updates of `scope` (all, when null) and tallies those whose version went backwards; returns how many were checked. */
async function checkVersionOrder(
  db: pg.Pool,
  scope: UpdateScope | null,
  tally: Tally,
  examples: number,
): Promise<number> {
  const present = (await db.query(`SELECT to_regclass('policy_updates') IS NOT NULL AS ok`)).rows[0].ok as boolean;
  if (!present) return 0;
  const where = scope?.where ?? 'true';
  const param = scope?.param ?? [];
  const n = Number(
    (await db.query(`SELECT count(*)::bigint::text AS n FROM policy_updates WHERE ${where}`, param)).rows[0].n,
  );
  tally.checked += n;
  const sql = regressionSql(where);
  const bad = Number((await db.query(`SELECT count(*)::bigint::text AS n FROM (${sql}) r`, param)).rows[0].n);
  if (bad) tally.add('version_regression', bad, ...(await db.query(`${sql} LIMIT ${examples}`, param)).rows);
  return n;
}
