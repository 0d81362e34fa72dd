/**
 * `acgs-load check`: the consistency checkers against the configured
 * PostgreSQL and Redis. Prints the "Data Consistency Validation" table, writes
 * the full result as JSON with --json, and exits 3 (ExitCode.CONSISTENCY)
 * when a violation remains after the grace period.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { jsonOption, listOption, profileOption } from '../options.ts';
import { AcgsError, ExitCode, loadConfig, parseDuration } from '../../config/index.ts';
import {
  CHECKER_NAMES,
  formatChecksTable,
  loadDescription,
  parseCheckerNames,
  readAcknowledgedWrites,
  runChecks,
  type AckedWrite,
} from '../../checks/index.ts';
import { resolveServices } from '../../services/index.ts';
import { checkProgressPrinter } from '../progress.ts';

interface CheckFlags {
  profile?: string;
  only?: string[];
  grace?: string;
  sample?: string;
  examples?: string;
  batchSize?: string;
  json?: string | boolean;
  runId?: string;
  acks?: string;
  description?: string;
}

/** `--grace 2s` / `500ms` / `1m` / `2` (seconds) -> seconds. */
export function parseGrace(text: string): number {
  const ms = parseDuration(text);
  if (ms === null) {
    throw new AcgsError('BAD_FLAG', `--grace '${text}' is not a duration`, {
      hint: 'e.g. --grace 2s, --grace 500ms or --grace 0 (no grace period)',
    });
  }
  return ms / 1000;
}

function wholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new AcgsError('BAD_FLAG', `--${flag} '${text}' must be a whole number >= ${min}`, {
      hint: `e.g. --${flag} ${min === 0 ? 0 : 1000}`,
    });
  }
  return n;
}

/** The flags as a partial configuration (validated with the rest by loadConfig). */
function flagsToConfig(f: CheckFlags): Record<string, unknown> {
  const checks: Record<string, unknown> = {};
  if (f.only !== undefined) checks.only = parseCheckerNames(f.only);
  if (f.grace !== undefined) checks.graceSeconds = parseGrace(f.grace);
  if (f.sample !== undefined) checks.sample = wholeNumber('sample', f.sample, 0);
  if (f.examples !== undefined) checks.examples = wholeNumber('examples', f.examples, 1);
  if (f.batchSize !== undefined) checks.batchSize = wholeNumber('batch-size', f.batchSize, 1);
  return { checks };
}

export function register(program: Command): void {
  program
    .command('check')
    .description(summaryOf('check'))
    .addOption(profileOption())
    .addOption(listOption('--only <names>', `only these checkers: ${CHECKER_NAMES.join(', ')}`))
    .option('--grace <duration>', 're-read mismatched cache entries after this long (e.g. 2s; 0 = strict only)')
    .option('--sample <n>', 'check a random sample of n keys instead of sweeping all (0 = all)')
    .option('--examples <n>', 'examples kept per violation kind')
    .option('--batch-size <n>', 'SCAN COUNT and row batch size (bounds memory)')
    .addOption(jsonOption('the full result'))
    .option('--run-id <id>', 'run id whose acknowledged writes to match (default: the one in --acks)')
    .option('--acks <file>', "k6 JSON output (NDJSON) holding the run's acked_writes points")
    .option('--description <file>', 'schema description JSON for a deployment other than the reference target')
    .action(async (f: CheckFlags) => {
      const config = loadConfig({ profile: f.profile, flags: flagsToConfig(f) });
      const description = f.description ? await loadDescription(f.description) : undefined;
      let acknowledged: AckedWrite[] = [];
      let runId = f.runId;
      if (f.acks) {
        const acks = await readAcknowledgedWrites(f.acks);
        acknowledged = acks.acknowledged;
        runId ??= acks.runId;
      }
      const services = await resolveServices(config);
      try {
        const c = config.checks;
        const progress = checkProgressPrinter();
        const result = await runChecks({
          databaseUrl: services.databaseUrl,
          redisUrl: services.redisUrl,
          prefix: config.redis.prefix,
          ttlSeconds: config.cache.ttlSeconds,
          adaptiveTtl: config.cache.adaptiveTtl,
          graceSeconds: c.graceSeconds,
          sample: c.sample,
          examples: c.examples,
          batchSize: c.batchSize,
          only: c.only.length ? parseCheckerNames(c.only) : undefined,
          runId,
          acknowledged,
          description,
          onProgress: progress.onProgress,
        }).finally(() => progress.end());
        (f.json === true ? process.stderr : process.stdout).write(formatChecksTable(result) + '\n');
        if (f.json === true) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        else if (f.json) {
          try {
            await writeFile(f.json, JSON.stringify(result, null, 2) + '\n');
          } catch (e) {
            throw new AcgsError(
              'RESULTS_ERROR',
              `--json '${f.json}' cannot be written: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
              {
                hint: 'give a path in a folder that exists and is writable',
                cause: e,
              },
            );
          }
        }
        if (!result.ok) process.exitCode = ExitCode.CONSISTENCY;
        // a checker that checked nothing (or missed an input) proved nothing: NO DATA is a missed target
        else if (result.checkers.some((c) => c.noData)) process.exitCode = ExitCode.TARGETS_MISSED;
      } finally {
        await services.stop();
      }
    });
}
