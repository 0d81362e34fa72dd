/**
 * Runs the selected checkers against PostgreSQL and Redis and gathers their
 * results. The cache-db-sync and data-types checkers share one sweep of the
 * key space (both read every entry and its row), so selecting both costs one
 * pass; their durations are the sweep's.
 */
import { AcgsError } from '../config/index.ts';
import { CHECKER_NAMES, type CheckerName, type CheckerResult, type CheckOptions, type ChecksResult } from './types.ts';
import { builtinDescription } from './description.ts';
import { openPg, openRedis } from './_connect.ts';
import { sweepCache, CONCURRENCY } from './cache-sweep.ts';
import { checkReferentialIntegrity } from './referential-integrity.ts';
import { checkTransactionIsolation } from './transaction-isolation.ts';
import { checkConcurrentAccess } from './concurrent-access.ts';

/** Validates a list of checker names; AcgsError BAD_FLAG naming the allowed ones. */
export function parseCheckerNames(names: readonly string[]): CheckerName[] {
  const bad = names.filter((n) => !(CHECKER_NAMES as readonly string[]).includes(n));
  if (bad.length) {
    throw new AcgsError(
      'BAD_FLAG',
      `--only '${bad.join(',')}' is not a checker; choose from ${CHECKER_NAMES.join(', ')}`,
      {
        hint: `e.g. --only cache-db-sync,referential-integrity`,
      },
    );
  }
  return [...new Set(names)] as CheckerName[];
}

function validate(opts: CheckOptions): void {
  const problems: string[] = [];
  if (!(opts.graceSeconds >= 0)) problems.push(`graceSeconds must be >= 0 (given: ${opts.graceSeconds})`);
  if (!Number.isInteger(opts.sample) || opts.sample < 0)
    problems.push(`sample must be a whole number >= 0 (given: ${opts.sample})`);
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1)
    problems.push(`batchSize must be a whole number >= 1 (given: ${opts.batchSize})`);
  if (!Number.isInteger(opts.examples) || opts.examples < 0)
    problems.push(`examples must be a whole number >= 0 (given: ${opts.examples})`);
  if (problems.length) {
    throw new AcgsError('BAD_CONFIG', `check options: ${problems[0]}`, {
      details: problems.slice(1),
      hint: 'see checks in config/schema.ts',
    });
  }
}

/** Runs the checkers (all, or `opts.only`) and returns their results. */
export async function runChecks(opts: CheckOptions): Promise<ChecksResult> {
  validate(opts);
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const only = new Set(opts.only && opts.only.length ? parseCheckerNames(opts.only) : CHECKER_NAMES);
  const desc = opts.description ?? builtinDescription();
  const wantCache = only.has('cache-db-sync') || only.has('data-types');
  const pool = await openPg(opts.databaseUrl, CONCURRENCY * 3);
  const results = new Map<CheckerName, CheckerResult>();
  try {
    if (wantCache) {
      const redis = await openRedis(opts.redisUrl);
      try {
        const r = await sweepCache(pool, redis, desc, opts, {
          sync: only.has('cache-db-sync'),
          types: only.has('data-types'),
        });
        if (r.sync) results.set('cache-db-sync', r.sync);
        if (r.types) results.set('data-types', r.types);
      } finally {
        await redis.close();
      }
    }
    const reported = async (name: CheckerName, run: () => Promise<CheckerResult>) => {
      opts.onProgress?.({ checker: name, keys: 0, done: false });
      results.set(name, await run());
      opts.onProgress?.({ checker: name, keys: 0, done: true });
    };
    if (only.has('referential-integrity'))
      await reported('referential-integrity', () => checkReferentialIntegrity(pool, desc, opts));
    if (only.has('transaction-isolation'))
      await reported('transaction-isolation', () => checkTransactionIsolation(pool, opts));
    if (only.has('concurrent-access'))
      await reported('concurrent-access', () => checkConcurrentAccess(pool, desc, opts));
  } finally {
    await pool.end();
  }
  const checkers = CHECKER_NAMES.filter((n) => results.has(n)).map((n) => results.get(n) as CheckerResult);
  return {
    // NO DATA (a checker's noData) is not a violation; reports fail it as an unmeasured target.
    ok: checkers.every((c) => Object.values(c.violations).every((n) => n === 0)),
    checkers,
    startedAt,
    durationMs: Math.round(performance.now() - started),
  };
}
