/**
 * Transaction isolation: invariants of the governance schema that only atomic,
 * isolated transactions keep true. Each is one SQL query that counts the rows
 * breaking it and a second that fetches a few examples when there are any.
 *
 * A deployment whose schema lacks the tables an invariant needs skips that
 * invariant (noted), so a user description can be checked as far as it goes.
 */
import type pg from 'pg';
import type { CheckerResult, CheckOptions } from './types.ts';
import { Tally } from './_tally.ts';

/** One invariant: the tables it needs, what it counts, and the rows that break it. */
export interface Invariant {
  kind: string;
  /** What the invariant says, for notes and docs. */
  says: string;
  tables: string[];
  /** Number of rows (or groups) the invariant was checked on. */
  checkedSql: string;
  /** SELECT returning one row per violation (wrapped for counting and examples). */
  violationsSql: string;
}

export const INVARIANTS: Invariant[] = [
  {
    kind: 'counter_mismatch',
    says: "an amendment's votes_for/against/abstain equal its votes by choice (vote insert and counter move in one transaction)",
    tables: ['amendments', 'amendment_votes'],
    checkedSql: 'SELECT count(*) FROM amendments',
    violationsSql: `
      SELECT a.id, a.votes_for, a.votes_against, a.votes_abstain,
             coalesce(v.f, 0) AS counted_for, coalesce(v.ag, 0) AS counted_against, coalesce(v.ab, 0) AS counted_abstain
        FROM amendments a
        LEFT JOIN (SELECT amendment_id,
                          count(*) FILTER (WHERE choice = 'for') AS f,
                          count(*) FILTER (WHERE choice = 'against') AS ag,
                          count(*) FILTER (WHERE choice = 'abstain') AS ab
                     FROM amendment_votes GROUP BY amendment_id) v ON v.amendment_id = a.id
       WHERE (a.votes_for, a.votes_against, a.votes_abstain) IS DISTINCT FROM (coalesce(v.f, 0), coalesce(v.ag, 0), coalesce(v.ab, 0))`,
  },
  {
    kind: 'duplicate_vote',
    says: 'one vote per voter and amendment (checked on the rows, whether or not the unique constraint exists); one violation per (amendment, voter) pair',
    tables: ['amendment_votes'],
    checkedSql: 'SELECT count(*) FROM amendment_votes',
    violationsSql:
      'SELECT amendment_id, voter_id, count(*) AS votes FROM amendment_votes GROUP BY amendment_id, voter_id HAVING count(*) > 1',
  },
  {
    kind: 'version_mismatch',
    says: "a policy's version equals 1 + its recorded policy_updates (version bump and update row in one transaction)",
    tables: ['policies', 'policy_updates'],
    checkedSql: 'SELECT count(*) FROM policies',
    violationsSql: `
      SELECT p.id, p.version, coalesce(u.n, 0) AS updates
        FROM policies p LEFT JOIN (SELECT policy_id, count(*) AS n FROM policy_updates GROUP BY policy_id) u ON u.policy_id = p.id
       WHERE p.version <> 1 + coalesce(u.n, 0)`,
  },
  {
    kind: 'version_chain',
    says: "a policy's updates, by to_version, form the chain 1->2->3...: each from_version is the previous to_version and to_version = from_version + 1; one violation per policy",
    tables: ['policy_updates'],
    checkedSql: 'SELECT count(DISTINCT policy_id) FROM policy_updates',
    violationsSql: `
      SELECT policy_id, min(id) AS first_bad_update
        FROM (SELECT policy_id, id, from_version, to_version,
                     lag(to_version) OVER (PARTITION BY policy_id ORDER BY to_version, id) AS prev
                FROM policy_updates) u
       WHERE to_version <> from_version + 1 OR from_version <> coalesce(prev, 1)
       GROUP BY policy_id`,
  },
  {
    kind: 'session_outlives_user',
    says: 'no session that is not revoked belongs to a missing or inactive user (deactivation revokes sessions in the same transaction)',
    tables: ['user_sessions', 'users'],
    checkedSql: 'SELECT count(*) FROM user_sessions',
    violationsSql: `
      SELECT s.id, s.user_id, u.is_active
        FROM user_sessions s LEFT JOIN users u ON u.id = s.user_id
       WHERE NOT s.revoked AND (u.id IS NULL OR NOT u.is_active)`,
  },
  {
    kind: 'token_outlives_session',
    says: 'no token that is not revoked belongs to a revoked or missing session (logout revokes both in one transaction)',
    tables: ['auth_tokens', 'user_sessions'],
    checkedSql: 'SELECT count(*) FROM auth_tokens',
    violationsSql: `
      SELECT t.id, t.session_id, s.revoked AS session_revoked
        FROM auth_tokens t LEFT JOIN user_sessions s ON s.id = t.session_id
       WHERE NOT t.revoked AND (s.id IS NULL OR s.revoked)`,
  },
  {
    kind: 'token_user_mismatch',
    says: "a token's user is its session's user",
    tables: ['auth_tokens', 'user_sessions'],
    checkedSql: 'SELECT count(*) FROM auth_tokens',
    violationsSql: `
      SELECT t.id, t.user_id, s.user_id AS session_user_id
        FROM auth_tokens t JOIN user_sessions s ON s.id = t.session_id
       WHERE t.user_id <> s.user_id`,
  },
];

/** The transaction-isolation checker. */
export async function checkTransactionIsolation(
  db: pg.Pool,
  opts: Pick<CheckOptions, 'examples'>,
  invariants = INVARIANTS,
): Promise<CheckerResult> {
  const started = performance.now();
  const tally = new Tally(opts.examples);
  const present = new Set(
    (await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)).rows.map(
      (r) => r.tablename as string,
    ),
  );
  for (const inv of invariants) {
    const missing = inv.tables.filter((t) => !present.has(t));
    if (missing.length) {
      tally.notes.push(`skipped ${inv.kind}: no table ${missing.join(', ')}`);
      continue;
    }
    const [checked, count] = await Promise.all([
      db.query(`SELECT (${inv.checkedSql})::bigint::text AS n`),
      db.query(`SELECT count(*)::bigint::text AS n FROM (${inv.violationsSql}) v`),
    ]);
    tally.checked += Number(checked.rows[0].n);
    const n = Number(count.rows[0].n);
    if (n > 0) {
      const ex = await db.query(`SELECT * FROM (${inv.violationsSql}) v LIMIT ${opts.examples}`);
      tally.add(inv.kind, n, ...ex.rows);
    }
  }
  return tally.result('transaction-isolation', started);
}
