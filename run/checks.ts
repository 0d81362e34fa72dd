/**
 * The checks stage: the consistency checkers over the live PostgreSQL and
 * Redis, with the acknowledged writes the scenarios recorded (k6 Counter
 * `acked_writes` points in each scenario's NDJSON stream).
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
  metricsFiles: string[];
  onProgress?: (e: CheckProgressEvent) => void;
}): Promise<ChecksResult> {
  const acknowledged: AckedWrite[] = [];
  for (const f of o.metricsFiles) {
    if (!existsSync(f)) continue;
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
  });
}
