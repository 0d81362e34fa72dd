/**
 * `acgs-load seed`: create the database if missing, load the dataset of
 * (scale, seed) unless it is already there, then warm the cache. Prints the
 * rows per table, rows/s and the warm summary.
 */
import type { Command } from 'commander';
import { summaryOf } from './index.ts';
import { profileOption } from '../options.ts';
import { loadConfig, redactUrl } from '../../config/index.ts';
import { seedDatabase, warmCache } from '../../seed/index.ts';
import { ensureDatabase, connectRedis, deletePrefix, resolveServices } from '../../services/index.ts';
import { numericFlag, seedSummaryText, warmSummaryText } from '../seed-output.ts';
import { seedProgressPrinter, warmProgressPrinter } from '../progress.ts';

interface SeedFlags {
  profile?: string;
  scale?: string;
  seed?: string;
  fresh?: boolean;
  force?: boolean;
  repair?: boolean;
  warm: boolean;
}

export function register(program: Command): void {
  program
    .command('seed')
    .description(summaryOf('seed'))
    .addOption(profileOption())
    .option('--scale <n>', 'data scale factor (1 ≈ 100k rows, 10 ≈ 1M, 100 ≈ 10M)')
    .option('--seed <n>', 'data seed (same seed and scale give byte-identical data)')
    .option('--fresh', 'reload even when the stored fingerprint matches')
    .option('--force', 'use a database that has tables but no acgs-load marker')
    .option(
      '--repair',
      'when the schema drifted from the migrations, re-create missing indexes and constraints instead of refusing',
    )
    .option('--no-warm', 'do not write the hot entities into Redis')
    .action(async (f: SeedFlags) => {
      const config = loadConfig({
        profile: f.profile,
        flags: {
          seed: { scale: numericFlag(f.scale), seed: numericFlag(f.seed), fresh: f.fresh || undefined },
          database: { force: f.force || undefined, repair: f.repair || undefined },
        },
      });
      const services = await resolveServices(config);
      const out = process.stdout;
      try {
        out.write(
          `PostgreSQL: ${redactUrl(services.databaseUrl)} (${services.source.postgres}); Redis: ${redactUrl(services.redisUrl)} (${services.source.redis})\n`,
        );
        // A Redis that refuses us (down, AUTH) fails the command before the database is touched,
        // not after the load (no half-done seed + warm).
        if (f.warm) (await connectRedis(services.redisUrl, 'checking Redis before seeding')).disconnect();
        const { created } = await ensureDatabase(services.databaseUrl);
        if (created) out.write('created the database\n');
        out.write(
          `seeding scale ${config.seed.scale}, seed ${config.seed.seed}${config.seed.fresh ? ' (fresh)' : ''}\n`,
        );
        const progress = seedProgressPrinter();
        const summary = await seedDatabase({
          databaseUrl: services.databaseUrl,
          scale: config.seed.scale,
          seed: config.seed.seed,
          fresh: config.seed.fresh,
          force: config.database.force,
          repair: config.database.repair,
          onProgress: progress.onProgress,
          onStep: progress.onStep,
        }).finally(() => progress.end());
        for (const r of summary.repaired) out.write(`repaired: ${r}\n`);
        out.write(seedSummaryText(summary) + '\n');
        if (!f.warm) return;
        if (!summary.skipped) {
          // Entries cached from the previous dataset would be stale: clear the suite's prefix only.
          const redis = await connectRedis(services.redisUrl, 'clearing the cache');
          try {
            const n = await deletePrefix(redis, config.redis.prefix);
            if (n) out.write(`deleted ${n} stale keys under '${config.redis.prefix}'\n`);
          } finally {
            redis.disconnect();
          }
        }
        const warmProgress = warmProgressPrinter();
        const w = await warmCache({
          databaseUrl: services.databaseUrl,
          redisUrl: services.redisUrl,
          prefix: config.redis.prefix,
          ttlSeconds: config.cache.ttlSeconds,
          hotFraction: config.cache.warmHotFraction,
          onProgress: warmProgress.onProgress,
        }).finally(() => warmProgress.end());
        out.write(warmSummaryText(w, config.redis.prefix) + '\n');
      } finally {
        await services.stop();
      }
    });
}
