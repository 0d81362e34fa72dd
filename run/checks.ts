/**
 * The checks stage: the consistency checkers over the live PostgreSQL and
 * Redis, with the acknowledged writes the scenarios recorded (k6 Counter
 * `acked_writes` points in each scenario's NDJSON stream).
 *
 * A stream of a scenario that ran but is missing is not "no acknowledged
 * writes": the writes it held are unknown, so concurrent-access cannot say
 * that none was lost. The checker is told which files were missing, and its
 * result (and the figures built on it) is NO DATA naming them.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config/index.ts';
import {
  parseCheckerNames,
  readAcknowledgedWrites,
  runChecks,
  type AckedWrite,
  type ChecksResult,
  type CheckProgressEvent,
} from '../checks/index.ts';

export async function runConsistencyChecks(o: {
  config: Readonly<Config>;
  databaseUrl: string;
  redisUrl: string;
  runId: string;
  /** The NDJSON stream of each scenario that ran (k6 `--out json=FILE`). */
  metricsFiles: string[];
  onProgress?: (e: CheckProgressEvent) => void;
}): Promise<ChecksResult> {
  const acknowledged: AckedWrite[] = [];
  const missing: string[] = [];
  for (const f of o.metricsFiles) {
    if (!existsSync(f)) {
      missing.push(f);
      continue;
    }
    acknowledged.push(...(await readAcknowledgedWrites(f)).acknowledged);
  }
  const c = o.config.checks;
  return runChecks({
    databaseUrl: o.databaseUrl,
    redisUrl: o.redisUrl,
    prefix: o.config.redis.prefix,
    ttlSeconds: o.config.cache.ttlSeconds,
    adaptiveTtl: o.config.cache.adaptiveTtl,
    graceSeconds: c.graceSeconds,
    sample: c.sample,
    examples: c.examples,
    batchSize: c.batchSize,
    only: c.only.length ? parseCheckerNames(c.only) : undefined,
    runId: o.runId,
    onProgress: o.onProgress,
    acknowledged,
    ...(missing.length ? { acknowledgedUnknown: missingStreams(missing) } : {}),
  });
}

/** The reason a missing stream gives, naming each file. */
function missingStreams(files: string[]): string {
  return `acknowledged writes unknown: metrics stream${files.length > 1 ? 's' : ''} ${files.join(', ')} missing`;
}
